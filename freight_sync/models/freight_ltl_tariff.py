import threading
from collections import OrderedDict, defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.ltl import CLASS_SELECTION, TariffRevision, break_label, lanes_from_cells

# (database, revision id) -> its lanes: rates are never edited and ids never reused, so
# what one transaction read stays true for every other; the oldest go first
_LANES = OrderedDict()
_LANES_KEPT = 64
_LANES_LOCK = threading.Lock()  # the threaded server's requests and crons share it


def _cached_lanes(env, revision_ids):
    """{revision id: lanes}, the revisions not kept yet read in one query."""
    dbname = env.cr.dbname
    found = {}
    with _LANES_LOCK:
        for revision_id in revision_ids:
            if (dbname, revision_id) in _LANES:
                _LANES.move_to_end((dbname, revision_id))
                found[revision_id] = _LANES[(dbname, revision_id)]
    missing = [rid for rid in revision_ids if rid not in found]
    if not missing:
        return found
    env.cr.execute("""
        SELECT revision_id, COALESCE(origin_prefix, ''), COALESCE(destination_prefix, ''),
               freight_class, break_lb, rate
          FROM freight_ltl_tariff_rate
         WHERE revision_id IN %s
      ORDER BY revision_id, id
    """, [tuple(missing)])
    cells = defaultdict(list)
    for revision_id, *cell in env.cr.fetchall():
        cells[revision_id].append((*cell[:4], float(cell[4])))
    with _LANES_LOCK:
        for revision_id in missing:
            found[revision_id] = _LANES[(dbname, revision_id)] = lanes_from_cells(
                cells[revision_id])
        while len(_LANES) > _LANES_KEPT:
            _LANES.popitem(last=False)
    return found


# what a manager may still change on an imported revision: closing it
REVISION_EDITABLE = {"valid_to"}


class FreightLtlTariff(models.Model):
    """A carrier's LTL base tariff (e.g. CZARLITE): rates per cwt by lane, NMFC class and
    weight break. Contracts take a discount off it; each import is a new revision."""

    _name = "freight.ltl.tariff"
    _description = "LTL Base Tariff"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda s: s.env.company)
    currency_id = fields.Many2one("res.currency", required=True, tracking=True,
                                  default=lambda s: s.env.company.currency_id)
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text()
    revision_ids = fields.One2many("freight.ltl.tariff.revision", "tariff_id",
                                   string="Revisions")
    revision_count = fields.Integer(compute="_compute_current_revision")
    current_revision_id = fields.Many2one(
        "freight.ltl.tariff.revision", compute="_compute_current_revision",
        help="The newest revision valid today: what lanes without a pinned revision rate "
             "with today.")

    _sql_constraints = [
        ("name_company_unique", "unique(name, company_id)",
         "A company has one LTL tariff of a name."),
    ]

    @api.depends("revision_ids.valid_from", "revision_ids.valid_to")
    def _compute_current_revision(self):
        today = fields.Date.context_today(self)
        for tariff in self:
            valid = tariff.revision_ids.filtered(
                lambda r: r.valid_from <= today and (not r.valid_to or r.valid_to >= today))
            tariff.current_revision_id = valid.sorted("revision")[-1:]
            tariff.revision_count = len(tariff.revision_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_unless_on_a_lane(self):
        lanes = self.env["freight.rate.line"].sudo().with_context(active_test=False).search(
            [("ltl_tariff_id", "in", self.ids)], limit=1)
        if lanes:
            raise UserError(_(
                "%(tariff)s is the base tariff of a lane of contract %(contract)s: archive "
                "the tariff instead, audits of that contract need it.",
                tariff=lanes.ltl_tariff_id.display_name,
                contract=lanes.contract_id.display_name))

    def _as_revisions(self):
        """{tariff id: (TariffRevision, ...) newest first} with every lane and rate. The
        revisions' heads are read each time (a manager may close one); their rates, never
        edited, are read once for all the tariffs and then kept per process
        (``_LANES``): an audit reads the same revisions in every batch."""
        Rate = self.env["freight.ltl.tariff.rate"]
        if not self.env.su:
            Rate.check_access_rights("read")
            self.check_access_rule("read")
        self.env["freight.ltl.tariff.revision"].flush_model()
        Rate.flush_model()
        result = {tariff.id: () for tariff in self}
        if not self:
            return result
        self.env.cr.execute("""
            SELECT tariff_id, id, revision, valid_from, valid_to
              FROM freight_ltl_tariff_revision
             WHERE tariff_id IN %s
          ORDER BY tariff_id, revision DESC, id DESC
        """, [tuple(self.ids)])
        heads = self.env.cr.fetchall()
        lanes = _cached_lanes(self.env, [head[1] for head in heads])
        names = {tariff.id: tariff.name for tariff in self}
        by_tariff = defaultdict(list)
        for tariff_id, revision_id, number, valid_from, valid_to in heads:
            by_tariff[tariff_id].append(TariffRevision(
                revision_id, names[tariff_id], number, valid_from, valid_to or None,
                lanes[revision_id]))
        result.update({tariff_id: tuple(revisions) for tariff_id, revisions
                       in by_tariff.items()})
        return result

    def action_import(self):
        """The import wizard, for a new revision of this tariff."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_ltl_tariff_import")
        action["context"] = {"default_tariff_id": self.id}
        return action


class FreightLtlTariffRevision(models.Model):
    """One import of a tariff, kept as it was read: an audit names the revision it rated
    with, and a replay rates with it again."""

    _name = "freight.ltl.tariff.revision"
    _description = "LTL Tariff Revision"
    _order = "tariff_id, revision desc"
    _rec_names_search = ["tariff_id"]

    tariff_id = fields.Many2one("freight.ltl.tariff", required=True, ondelete="cascade",
                                index=True, readonly=True)
    company_id = fields.Many2one(related="tariff_id.company_id", store=True)
    revision = fields.Integer(readonly=True, copy=False,
                              help="1, 2, 3... in the order the revisions were imported.")
    valid_from = fields.Date(required=True, readonly=True)
    valid_to = fields.Date(help="Close the revision: lanes not pinned to it rate with "
                                "another after this date.")
    filename = fields.Char(string="Source File", readonly=True)
    imported_by_id = fields.Many2one("res.users", readonly=True,
                                     default=lambda s: s.env.user)
    imported_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    rate_ids = fields.One2many("freight.ltl.tariff.rate", "revision_id",
                               string="Rates per cwt", readonly=True)
    lane_count = fields.Integer(string="Lanes", compute="_compute_counts", store=True)
    rate_count = fields.Integer(string="Rates", compute="_compute_counts", store=True)

    _sql_constraints = [
        ("revision_unique", "unique(tariff_id, revision)",
         "A tariff has one revision of a number."),
    ]

    @api.depends("rate_ids")
    def _compute_counts(self):
        for revision in self:
            revision.rate_count = len(revision.rate_ids)
            revision.lane_count = len({(rate.origin_prefix, rate.destination_prefix)
                                       for rate in revision.rate_ids})

    @api.depends("tariff_id.name", "revision")
    def _compute_display_name(self):
        for revision in self:
            revision.display_name = _("%(tariff)s rev %(revision)s",
                                      tariff=revision.tariff_id.name,
                                      revision=revision.revision)

    @api.constrains("valid_from", "valid_to")
    def _check_validity(self):
        for revision in self:
            if revision.valid_to and revision.valid_to < revision.valid_from:
                raise ValidationError(_("%s ends before it starts.", revision.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        tariff_ids = {vals.get("tariff_id") for vals in vals_list} - {None, False}
        if tariff_ids:
            # two imports of one tariff at once would both take the next number
            self.env.cr.execute("SELECT id FROM freight_ltl_tariff WHERE id IN %s FOR UPDATE",
                                [tuple(tariff_ids)])
        last = {tariff_id: max(numbers, default=0) for tariff_id, numbers in (
            (tariff_id, self.with_context(active_test=False).search(
                [("tariff_id", "=", tariff_id)]).mapped("revision"))
            for tariff_id in tariff_ids)}
        for vals in vals_list:
            last[vals.get("tariff_id")] = last.get(vals.get("tariff_id"), 0) + 1
            vals["revision"] = last[vals.get("tariff_id")]
        revisions = super().create(vals_list)
        if any(not revision.rate_ids for revision in revisions):
            raise UserError(_("A tariff revision is made by importing its rates: use Import "
                              "Tariff on the tariff."))
        return revisions

    def write(self, vals):
        frozen = set(vals) - REVISION_EDITABLE
        if frozen:
            raise UserError(_(
                "An imported tariff revision is kept as it was read; only its end date may "
                "be set (not: %s). Import a new revision instead.", ", ".join(sorted(frozen))))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        # audits name the revision they rated with and replay it by reference
        # (services/rule_snapshot.py): a revision is closed with Valid To, never deleted
        raise UserError(_("%s: a tariff revision is kept for the audits that rated with "
                          "it; close it with Valid To instead.",
                          ", ".join(self.mapped("display_name"))))

    @api.model
    def _by_id(self, ids):
        """{revision id: TariffRevision with its rates} of the revisions ``ids`` that exist."""
        revisions = self.browse(ids).exists()
        return {revision.id: revision for by_tariff in
                revisions.tariff_id._as_revisions().values()
                for revision in by_tariff if revision.id in revisions.ids}


class FreightLtlTariffRate(models.Model):
    """A rate per hundredweight of a revision; never edited, a new import replaces it.
    Managers hold the write and delete rights only to be told so rather than denied."""

    _name = "freight.ltl.tariff.rate"
    _description = "LTL Tariff Rate"
    _order = "revision_id, id"

    revision_id = fields.Many2one("freight.ltl.tariff.revision", required=True,
                                  ondelete="cascade", index=True, readonly=True)
    origin_prefix = fields.Char(string="Origin ZIP Prefix", readonly=True,
                                help="Any origin when empty.")
    destination_prefix = fields.Char(string="Destination ZIP Prefix", readonly=True,
                                     help="Any destination when empty.")
    freight_class = fields.Selection(CLASS_SELECTION, string="Class", required=True,
                                     readonly=True)
    break_lb = fields.Integer(string="Weight Break (lb)", readonly=True,
                              help="The rate applies from this weight; 0 is under 500 lb.")
    break_name = fields.Char(string="Break", compute="_compute_break_name")
    rate = fields.Float(string="Rate per cwt", digits=(16, 4), readonly=True)

    def _compute_break_name(self):
        for rate in self:
            rate.break_name = break_label(rate.break_lb)

    def write(self, vals):
        if vals:
            self.check_access_rights("write")
            raise UserError(_("The rates of a tariff revision are never edited: import a "
                              "new revision of the tariff."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("The rates of a tariff revision are kept with it: import a new "
                          "revision of the tariff, or close this one."))
