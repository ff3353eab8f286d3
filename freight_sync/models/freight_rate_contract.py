from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services.expected_cost import AccessorialRate, Contract, FuelRule, RateLine, Zone
from ..services.ltl import CLASS_SELECTION, FakRule, LtlTerms, class_key

MODES = [("ltl", "LTL"), ("ftl", "FTL"), ("parcel", "Parcel"), ("intermodal", "Intermodal"),
         ("ocean", "Ocean"), ("air", "Air")]
BASES = [("flat", "Flat"), ("per_kg", "Per kg"), ("per_km", "Per km"),
         ("per_pallet", "Per pallet"), ("per_cwt", "Per cwt (100 lb)"),
         ("ltl_tariff", "LTL base tariff")]
# what decides a case's last dispute day (freight.exception's dispute_by)
WINDOW_FIELDS = {"dispute_window_days", "date_start", "date_end", "carrier_id", "company_id",
                 "active"}
LANE_FIELDS = ("origin_country_id", "origin_state_id", "origin_zip_prefix",
               "destination_country_id", "destination_state_id", "destination_zip_prefix", "mode")


class FreightRateContract(models.Model):
    """What a carrier agreed to charge: lanes, fuel rule and accessorial tariff."""

    _name = "freight.rate.contract"
    _description = "Freight Rate Contract"
    _inherit = ["mail.thread"]
    _order = "carrier_id, date_start desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    carrier_id = fields.Many2one(
        "res.partner", required=True, index=True, tracking=True, check_company=True,
        domain="[('is_freight_carrier', '=', True)]")
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda s: s.env.company.currency_id, tracking=True)
    date_start = fields.Date(string="Valid From", required=True, tracking=True)
    date_end = fields.Date(string="Valid To", tracking=True, help="Open-ended when empty.")
    line_ids = fields.One2many("freight.rate.line", "contract_id", string="Lanes", copy=True)
    fuel_percent = fields.Float(
        string="Fuel Surcharge (%)", help="Of the linehaul, when no fuel table applies.")
    fuel_index = fields.Float(help="Fuel price index the table is read with (e.g. DOE diesel).")
    fuel_band_ids = fields.One2many("freight.fuel.band", "contract_id", string="Fuel Table",
                                    copy=True)
    accessorial_ids = fields.One2many("freight.accessorial.rate", "contract_id",
                                      string="Accessorial Tariff", copy=True)
    dispute_window_days = fields.Integer(
        string="Dispute Window (days)", tracking=True,
        help="A dispute must reach the carrier within this many days of the invoice date, "
             "or the over-billed money is lost. 0: the contract states none.")

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(_("%s ends before it starts.", contract.name))

    @api.constrains("date_start", "date_end", "carrier_id", "active", "line_ids")
    def _check_overlapping_lanes(self):
        """Two valid contracts may not price the same lane at the same time: an audit
        could not tell which one the carrier agreed to."""
        lines = self.filtered("active").line_ids
        if not lines:
            return
        others = self.env["freight.rate.line"].search([
            ("contract_id.carrier_id", "in", self.carrier_id.ids),
            ("contract_id.active", "=", True),
            ("contract_id", "not in", self.ids),
        ]) | lines
        by_lane = {}
        for line in others:
            by_lane.setdefault((line.contract_id.carrier_id.id, line._lane_key()), []).append(line)
        for same_lane in by_lane.values():
            for index, line in enumerate(same_lane):
                for other in same_lane[index + 1:]:
                    if line.contract_id != other.contract_id and line.contract_id._overlaps(
                            other.contract_id):
                        raise ValidationError(_(
                            "Lane %(lane)s is priced by %(a)s and %(b)s for overlapping dates. "
                            "End one contract before the other starts.",
                            lane=line.display_name, a=line.contract_id.name,
                            b=other.contract_id.name))

    @api.model_create_multi
    def create(self, vals_list):
        contracts = super().create(vals_list)
        # invoices held on a price this contract may settle are audited again
        self.env["freight.audit.evidence"]._on_contracts_changed(contracts)
        self.env["freight.exception"]._recompute_dispute_by(contracts.carrier_id)
        return contracts

    def write(self, vals):
        carriers = self.carrier_id
        result = super().write(vals)
        self.env["freight.audit.evidence"]._on_contracts_changed(self)
        if WINDOW_FIELDS.intersection(vals):
            self.env["freight.exception"]._recompute_dispute_by(carriers | self.carrier_id)
        return result

    def unlink(self):
        carriers = self.carrier_id
        result = super().unlink()
        self.env["freight.exception"]._recompute_dispute_by(carriers)
        return result

    def _as_terms(self):
        """The contract as plain data for the audit engine."""
        self.ensure_one()
        return self._as_terms_batch()[0]

    def _as_terms_batch(self):
        """Each contract's terms, in order: the LTL tariffs of all their lanes are read
        once, however many contracts and lanes use them."""
        ltl_lines = self.line_ids.filtered(lambda line: line.basis == "ltl_tariff")
        revisions = ltl_lines.ltl_tariff_id._as_revisions()
        return tuple(contract._terms(revisions) for contract in self)

    def _terms(self, revisions):
        lines = tuple(RateLine(
            line.id,
            Zone(line.origin_country_id.code or None, line.origin_state_id.code or None,
                 line.origin_zip_prefix or None),
            Zone(line.destination_country_id.code or None, line.destination_state_id.code or None,
                 line.destination_zip_prefix or None),
            line.mode or None, line.basis, line.rate, line.minimum,
            line.weight_min, line.weight_max, line.transit_days or None,
            line._ltl_terms(revisions),
        ) for line in self.line_ids)
        fuel = FuelRule(
            percent=self.fuel_percent or None,
            table=tuple((b.index_from, b.index_to, b.percent) for b in self.fuel_band_ids),
            index=self.fuel_index or None,
        )
        tariff = {rate.charge_code_id.code: AccessorialRate(
            rate.charge_code_id.code, rate.basis, rate.amount, rate.maximum or None,
            rate.needs_approval, rate.free_hours, rate.detention_at or None,
        ) for rate in self.accessorial_ids}
        return Contract(self.id, self.carrier_id.id, self.currency_id.name, self.date_start,
                        self.date_end or None, lines, fuel, tariff)

    def _overlaps(self, other):
        end = self.date_end or fields.Date.to_date("9999-12-31")
        other_end = other.date_end or fields.Date.to_date("9999-12-31")
        return self.date_start <= other_end and other.date_start <= end


class FreightContractTermMixin(models.AbstractModel):
    """A lane, fuel band or tariff line: changing one changes its contract's prices, so the
    invoices held on a price are audited again, as for a change saved on the contract."""

    _name = "freight.contract.term.mixin"
    _description = "Part of a rate contract"

    @api.model_create_multi
    def create(self, vals_list):
        terms = super().create(vals_list)
        self.env["freight.audit.evidence"]._on_contracts_changed(terms.contract_id)
        return terms

    def write(self, vals):
        result = super().write(vals)
        self.env["freight.audit.evidence"]._on_contracts_changed(self.contract_id)
        return result

    def unlink(self):
        contracts = self.contract_id
        result = super().unlink()
        self.env["freight.audit.evidence"]._on_contracts_changed(contracts)
        return result


class FreightRateLine(models.Model):
    _name = "freight.rate.line"
    _inherit = ["freight.contract.term.mixin"]
    _description = "Freight Rate Lane"
    _order = "contract_id, sequence, id"

    contract_id = fields.Many2one("freight.rate.contract", required=True, ondelete="cascade",
                                  index=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="contract_id.company_id")
    origin_country_id = fields.Many2one("res.country")
    origin_state_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id', '=?', origin_country_id)]")
    origin_zip_prefix = fields.Char(string="Origin ZIP Prefix")
    destination_country_id = fields.Many2one("res.country")
    destination_state_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id', '=?', destination_country_id)]")
    destination_zip_prefix = fields.Char(string="Destination ZIP Prefix")
    mode = fields.Selection(MODES, help="Any mode when empty.")
    basis = fields.Selection(BASES, required=True, default="per_kg")
    rate = fields.Float(required=True, digits="Product Price")
    minimum = fields.Float(string="Minimum Charge")
    weight_min = fields.Float(
        string="From (kg)", help="Weight band: the lane prices shipments from this weight "
        "(included). No lower bound when 0.")
    weight_max = fields.Float(
        string="Up to (kg)", help="Weight band: the lane prices shipments up to this weight "
        "(included). No upper bound when 0.")
    transit_days = fields.Integer(
        help="Days from pickup to delivery the carrier commits to on this lane; rate "
        "shopping ranks by it. Not stated when 0.")
    ltl_tariff_id = fields.Many2one(
        "freight.ltl.tariff", string="Base Tariff", ondelete="restrict", index="btree_not_null",
        help="LTL lanes: the carrier's base tariff the discount is taken off.")
    ltl_revision_id = fields.Many2one(
        "freight.ltl.tariff.revision", string="Pinned Revision", ondelete="restrict",
        domain="[('tariff_id', '=', ltl_tariff_id)]",
        help="Rate with this revision of the tariff whatever the date. Empty: the newest "
             "revision valid on the pickup date.")
    ltl_discount = fields.Float(string="Discount (%)", help="Off the base tariff.")
    ltl_minimum = fields.Float(string="Absolute Minimum",
                               help="The least the lane charges after the discount.")
    ltl_deficit_weight = fields.Boolean(
        string="Deficit Weight", default=True,
        help="Bill as the next weight break when that is cheaper, as carriers do.")
    ltl_fak_ids = fields.One2many("freight.rate.fak", "line_id", string="FAK Rules",
                                  copy=True)

    @api.constrains("basis", "ltl_tariff_id", "ltl_revision_id", "ltl_discount",
                    "ltl_minimum")
    def _check_ltl_terms(self):
        for line in self.filtered(lambda line: line.basis == "ltl_tariff"):
            tariff = line.ltl_tariff_id
            if not tariff:
                raise ValidationError(_("Lane %s is rated by an LTL base tariff: choose the "
                                        "tariff.", line.display_name))
            if line.ltl_revision_id and line.ltl_revision_id.tariff_id != tariff:
                raise ValidationError(_("Lane %(lane)s: the pinned revision is not one of "
                                        "%(tariff)s.", lane=line.display_name,
                                        tariff=tariff.display_name))
            if not 0 <= line.ltl_discount <= 100:
                raise ValidationError(_("Lane %s: the discount is a percentage from 0 to "
                                        "100.", line.display_name))
            if line.ltl_minimum < 0:
                raise ValidationError(_("Lane %s: the minimum cannot be negative.",
                                        line.display_name))
            contract = line.contract_id
            if tariff.company_id != contract.company_id or (
                    tariff.currency_id != contract.currency_id):
                raise ValidationError(_(
                    "Lane %(lane)s: tariff %(tariff)s is in %(currency)s of %(company)s; the "
                    "contract's lanes must be rated in its own currency and company.",
                    lane=line.display_name, tariff=tariff.display_name,
                    currency=tariff.currency_id.name, company=tariff.company_id.name))

    @api.onchange("ltl_tariff_id")
    def _onchange_ltl_tariff(self):
        if self.ltl_revision_id.tariff_id != self.ltl_tariff_id:
            self.ltl_revision_id = False

    def _ltl_terms(self, revisions):
        """The lane's LTL terms, its tariff's revisions taken from ``revisions``."""
        if self.basis != "ltl_tariff":
            return None
        return LtlTerms(
            revisions=revisions.get(self.ltl_tariff_id.id, ()),
            discount_percent=self.ltl_discount,
            absolute_minimum=self.ltl_minimum,
            fak=tuple(FakRule(rule.class_from, rule.class_to, rule.rated_class)
                      for rule in self.ltl_fak_ids),
            deficit_weight=self.ltl_deficit_weight,
            pinned_revision=self.ltl_revision_id.id or None,
        )

    @api.constrains("weight_min", "weight_max")
    def _check_weight_band(self):
        for line in self:
            if line.weight_min < 0 or line.weight_max < 0 or (
                    line.weight_max and line.weight_max < line.weight_min):
                raise ValidationError(_(
                    "Lane %s: the weight band must run from a weight to a larger one.",
                    line.display_name))

    @api.constrains("transit_days")
    def _check_transit_days(self):
        if any(line.transit_days < 0 for line in self):
            raise ValidationError(_("Transit days cannot be negative."))

    def _lane_key(self):
        return tuple(self[name].id if hasattr(self[name], "id") else (self[name] or False)
                     for name in LANE_FIELDS)

    @api.depends("origin_country_id", "origin_state_id", "origin_zip_prefix",
                 "destination_country_id", "destination_state_id", "destination_zip_prefix",
                 "mode")
    def _compute_display_name(self):
        def zone(country, state, zip_prefix):
            parts = [country.code, state.code, f"{zip_prefix}*" if zip_prefix else None]
            return " ".join(p for p in parts if p) or _("anywhere")
        for line in self:
            origin = zone(line.origin_country_id, line.origin_state_id, line.origin_zip_prefix)
            destination = zone(line.destination_country_id, line.destination_state_id,
                               line.destination_zip_prefix)
            mode = f" ({line.mode.upper()})" if line.mode else ""
            line.display_name = f"{origin} → {destination}{mode}"


class FreightFuelBand(models.Model):
    _name = "freight.fuel.band"
    _inherit = ["freight.contract.term.mixin"]
    _description = "Fuel Surcharge Band"
    _order = "contract_id, index_from"

    contract_id = fields.Many2one("freight.rate.contract", required=True, ondelete="cascade",
                                  index=True)
    index_from = fields.Float(required=True)
    index_to = fields.Float(required=True)
    percent = fields.Float(string="Surcharge (%)", required=True)


class FreightAccessorialRate(models.Model):
    _name = "freight.accessorial.rate"
    _inherit = ["freight.contract.term.mixin"]
    _description = "Accessorial Tariff"
    _order = "contract_id, charge_code_id"

    contract_id = fields.Many2one("freight.rate.contract", required=True, ondelete="cascade",
                                  index=True)
    charge_code_id = fields.Many2one("freight.charge.code", required=True)
    basis = fields.Selection(
        [("flat", "Flat"), ("per_unit", "Per unit"), ("per_hour", "Per hour")],
        required=True, default="flat")
    amount = fields.Float(required=True)
    maximum = fields.Float(help="Cap of the charge; none when 0.")
    needs_approval = fields.Boolean(
        help="Billable only when a dispatcher approved it on the shipment.")
    free_hours = fields.Float(help="Detention: hours the carrier waits for free.")
    detention_at = fields.Selection(
        [("pickup", "Pickup"), ("delivery", "Delivery")],
        help="Detention: the stop whose arrival and departure milestones are measured.")

    _sql_constraints = [
        ("charge_unique", "unique(contract_id, charge_code_id)",
         "A contract has one tariff per charge code."),
    ]


class FreightRateFak(models.Model):
    """Freight-all-kinds on an LTL lane: the classes of a range are rated as one class."""

    _name = "freight.rate.fak"
    _inherit = ["freight.contract.term.mixin"]
    _description = "FAK Rule"
    _order = "line_id, sequence, id"

    line_id = fields.Many2one("freight.rate.line", string="Lane", required=True,
                              ondelete="cascade", index=True)
    contract_id = fields.Many2one(related="line_id.contract_id", store=True, index=True)
    sequence = fields.Integer(default=10, help="The first rule that maps a class wins.")
    class_from = fields.Selection(CLASS_SELECTION, string="From Class", required=True)
    class_to = fields.Selection(CLASS_SELECTION, string="To Class", required=True)
    rated_class = fields.Selection(CLASS_SELECTION, string="Rated As", required=True)

    @api.constrains("class_from", "class_to")
    def _check_range(self):
        for rule in self:
            if class_key(rule.class_from) > class_key(rule.class_to):
                raise ValidationError(_(
                    "FAK rule %(low)s–%(high)s: the range must run from a class to a higher "
                    "one.", low=rule.class_from, high=rule.class_to))
