import base64

from markupsafe import Markup, escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.ltl import break_label
from ..services.ltl_tariff_csv import parse_tariff

PREVIEW_ROWS = 20
# a refusal names this many errors; the preview shows them all
ERRORS_IN_REFUSAL = 50


class FreightLtlTariffImport(models.TransientModel):
    """A carrier's base tariff file: preview it with every error found, then import it as
    the tariff's next revision."""

    _name = "freight.ltl.tariff.import"
    _description = "Import an LTL base tariff"

    tariff_id = fields.Many2one("freight.ltl.tariff",
                                help="Empty: a new tariff of the name below.")
    new_tariff_name = fields.Char()
    currency_id = fields.Many2one("res.currency", default=lambda s: s.env.company.currency_id,
                                  help="Of a new tariff.")
    file = fields.Binary(required=True)
    filename = fields.Char()
    valid_from = fields.Date(required=True, default=fields.Date.context_today)
    valid_to = fields.Date()
    preview = fields.Html(readonly=True)
    error_count = fields.Integer(readonly=True)

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group("freight_sync.group_freight_manager"):
            raise AccessError(_("Only freight managers import LTL tariffs."))

    def _parsed(self):
        # the web client reads binaries with bin_size: ask for the bytes themselves
        raw = base64.b64decode(self.with_context(bin_size=False).file or b"")
        return parse_tariff(raw)

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": _("Import LTL Tariff")}

    def action_preview(self):
        self.ensure_one()
        self._check_manager()
        parsed = self._parsed()
        self.write({"preview": self._preview_html(parsed), "error_count": len(parsed.errors)})
        return self._reopen()

    def _preview_html(self, parsed):
        summary = parsed.summary
        # no f-string inside _(): the translation extractor evaluates its strings
        low, high = (format(rate, ",.2f") if rate is not None else "-"
                     for rate in (summary.min_rate, summary.max_rate))
        lines = [Markup("<p>%s</p>") % _(
            "%(layout)s layout: %(lanes)s lanes, classes %(classes)s, breaks %(breaks)s, "
            "%(rates)s rates from %(low)s to %(high)s per cwt.",
            layout=parsed.layout or "?", lanes=format(summary.lanes, ","),
            classes=", ".join(summary.classes) or "-",
            breaks=", ".join(break_label(b) for b in summary.breaks) or "-",
            rates=format(summary.rates, ","), low=low, high=high)]
        if parsed.errors:
            lines.append(Markup("<p class='text-danger'><b>%s</b></p><ul>") % _(
                "%s errors: nothing can be imported until they are fixed.", len(parsed.errors)))
            lines += [Markup("<li>%s</li>") % str(error) for error in parsed.errors]
            lines.append(Markup("</ul>"))
        head = (_("Row"), _("Origin"), _("Destination"), _("Class"), _("Break"),
                _("Rate per cwt"))
        lines.append(Markup("<table class='table table-sm'><tr>%s</tr>") % Markup("").join(
            Markup("<th>%s</th>") % title for title in head))
        for cell in parsed.cells[:PREVIEW_ROWS]:
            values = (cell.row, cell.origin_prefix or "*", cell.destination_prefix or "*",
                      cell.freight_class, break_label(cell.break_lb), f"{cell.rate:,.4f}")
            lines.append(Markup("<tr>%s</tr>") % Markup("").join(
                Markup("<td>%s</td>") % escape(value) for value in values))
        lines.append(Markup("</table>"))
        return Markup("").join(lines)

    def _tariff(self):
        """The tariff the file is a revision of, created when it is a new one."""
        if self.tariff_id:
            self.tariff_id.check_access_rights("write")
            self.tariff_id.check_access_rule("write")
            return self.tariff_id
        name = (self.new_tariff_name or "").strip()
        if not name:
            raise UserError(_("Choose the tariff the file is a revision of, or name a new "
                              "one."))
        Tariff = self.env["freight.ltl.tariff"]
        if Tariff.with_context(active_test=False).search_count(
                [("name", "=", name), ("company_id", "=", self.env.company.id)]):
            raise UserError(_("A tariff named %s exists: choose it to import a new "
                              "revision.", name))
        return Tariff.create({"name": name, "currency_id": self.currency_id.id
                              or self.env.company.currency_id.id})

    def action_import(self):
        self.ensure_one()
        self._check_manager()
        parsed = self._parsed()
        if parsed.errors:
            shown = [str(error) for error in parsed.errors[:ERRORS_IN_REFUSAL]]
            more = len(parsed.errors) - len(shown)
            if more:
                shown.append(_("... and %s more: see the preview.", more))
            raise UserError(_("The tariff file has errors, nothing was imported:\n%s",
                              "\n".join(shown)))
        tariff = self._tariff()
        # rates are made only here: no user may create or edit them otherwise
        revision = self.env["freight.ltl.tariff.revision"].sudo().create({
            "tariff_id": tariff.id, "valid_from": self.valid_from,
            "valid_to": self.valid_to or False, "filename": self.filename,
            "imported_by_id": self.env.uid,
            "rate_ids": [Command.create({
                "origin_prefix": cell.origin_prefix or False,
                "destination_prefix": cell.destination_prefix or False,
                "freight_class": cell.freight_class, "break_lb": cell.break_lb,
                "rate": cell.rate,
            }) for cell in parsed.cells],
        })
        # invoices held on a price a lane of this tariff gave are audited again with it
        lanes = self.env["freight.rate.line"].sudo().search([("ltl_tariff_id", "=", tariff.id)])
        self.env["freight.audit.evidence"]._on_contracts_changed(lanes.contract_id)
        tariff.message_post(body=_(
            "Revision %(revision)s imported from %(file)s: %(lanes)s lanes, %(rates)s rates, "
            "valid from %(date)s.", revision=revision.revision,
            file=self.filename or _("a file"), lanes=format(revision.lane_count, ","),
            rates=format(revision.rate_count, ","), date=revision.valid_from))
        return {"type": "ir.actions.act_window", "res_model": "freight.ltl.tariff",
                "res_id": tariff.id, "view_mode": "form", "target": "current"}
