import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.ir_attachment import IN_DATABASE
from ..services.invoice_csv_rows import parse_rows, sniff, suggest_mapping
from ..services.invoice_files import is_x12, x12_invoices

COLUMN_FIELDS = {
    "column_number": "number", "column_date": "date", "column_currency": "currency",
    "column_pro": "pro_number", "column_bol": "bol_number", "column_reference": "reference",
    "column_correction": "correction", "column_corrects": "corrects",
    "column_charge": "charge_code",
    "column_description": "description", "column_quantity": "quantity",
    "column_amount": "amount", "column_weight": "billed_weight_kg",
}
PREVIEW_ROWS = 8
# above this many invoices the import runs in the background, with a progress bar
BACKGROUND_FROM = 200


class FreightInvoiceImport(models.TransientModel):
    """A clerk's file of carrier invoices, CSV or X12 210: for a CSV map the columns;
    preview, import the good ones."""

    _name = "freight.invoice.import"
    _description = "Import carrier invoices (CSV or X12 210)"

    file = fields.Binary(required=True)
    filename = fields.Char()
    carrier_id = fields.Many2one("res.partner", required=True,
                                 domain="[('is_freight_carrier', '=', True)]")
    currency_id = fields.Many2one("res.currency", required=True,
                                  default=lambda s: s.env.company.currency_id,
                                  help="For rows without a currency column.")
    date_format = fields.Selection(
        [("iso", "2024-07-31"), ("us", "07/31/2024"), ("eu", "31.07.2024")], default="iso",
        required=True)
    column_number = fields.Char(string="Invoice Number")
    column_date = fields.Char(string="Date")
    column_currency = fields.Char(string="Currency Column")
    column_pro = fields.Char(string="PRO")
    column_bol = fields.Char(string="Bill of Lading")
    column_reference = fields.Char(
        string="Shipment Reference",
        help="A shipment reference of no stated kind: tried as PRO, load, BOL and carrier "
             "reference, in that order, among the carrier's shipments.")
    column_correction = fields.Char(string="Correction Code",
                                    help="CO, RB, BD, AD, CA, PD, RF or RP; empty for an original.")
    column_corrects = fields.Char(string="Corrects Invoice")
    column_charge = fields.Char(string="Charge Code")
    column_description = fields.Char(string="Description")
    column_quantity = fields.Char(string="Quantity")
    column_amount = fields.Char(string="Amount")
    column_weight = fields.Char(string="Billed Weight (kg)")
    headers = fields.Char(readonly=True, help="Columns found in the file.")
    preview = fields.Text(compute="_compute_preview")
    error_report = fields.Text(readonly=True)
    is_x12 = fields.Boolean(string="X12 File", compute="_compute_is_x12",
                            help="An X12 210 interchange: its columns need no mapping.")

    def _raw(self):
        # the web client reads binaries with bin_size: ask for the bytes themselves
        return base64.b64decode(self.with_context(bin_size=False).file or b"")

    def _text(self):
        raw = self._raw()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    @api.depends("file")
    def _compute_is_x12(self):
        for wizard in self:
            wizard.is_x12 = bool(wizard.file) and is_x12(wizard._raw())

    @api.onchange("file")
    def _onchange_file(self):
        if not self.file or self.is_x12:
            return
        _dialect, headers = sniff(self._text())
        self.headers = ", ".join(headers)
        suggested = suggest_mapping(headers)
        for column_field, canonical in COLUMN_FIELDS.items():
            self[column_field] = suggested.get(canonical) or False

    def _mapping(self):
        return {canonical: self[column_field] for column_field, canonical
                in COLUMN_FIELDS.items() if self[column_field]}

    def _parse(self):
        """``(invoices, problems)`` of the file, each problem already in words."""
        if self.is_x12:
            invoices, problems = x12_invoices(self._raw())
        else:
            invoices, problems = parse_rows(self._text(), self._mapping(), self.date_format,
                                            {"currency": self.currency_id.name})
        return invoices, [problem_text(problem) for problem in problems]

    @api.depends("file", "is_x12", "date_format", *COLUMN_FIELDS)
    def _compute_preview(self):
        for wizard in self:
            if not wizard.file:
                wizard.preview = False
                continue
            invoices, errors = wizard._parse()
            lines = [_("%(i)s invoice(s) ready, %(e)s row error(s).", i=len(invoices),
                       e=len(errors))]
            lines += [f"{inv['number']}  {inv['date']}  {inv['currency']} {inv['total']:,.2f}"
                      f"  ({len(inv['lines'])} line(s))" for inv in invoices[:PREVIEW_ROWS]]
            lines += errors[:PREVIEW_ROWS]
            wizard.preview = "\n".join(lines)

    def action_import(self):
        self.ensure_one()
        invoices, report = self._parse()
        if not invoices:
            raise UserError(_("Nothing to import:\n%s", "\n".join(report[:20])))
        if len(invoices) > BACKGROUND_FROM:
            return self._queue_upload(len(invoices), report)
        staged, stage_errors = self.env["freight.invoice"]._stage(
            invoices, self.env.company, self.carrier_id)
        staged._audit()
        self.error_report = "\n".join(report + stage_errors) or False
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_invoice")
        action["domain"] = [("id", "in", staged.ids)]
        if self.error_report:
            action["help"] = f"<pre>{self.error_report}</pre>"
        return action

    def _queue_upload(self, invoice_total, report):
        # the file goes into the database row, as inbound payloads do (see ir_attachment.py)
        upload = self.env["freight.invoice.upload"].with_context(**{IN_DATABASE: True}).create({
            "name": self.filename or _("Carrier invoices"),
            "carrier_id": self.carrier_id.id,
            "currency_id": self.currency_id.id,
            "date_format": self.date_format,
            "mapping": self._mapping(),
            "file_format": "x12" if self.is_x12 else "csv",
            "file": self.file,
            "invoice_total": invoice_total,
            "row_error_count": len(report),
            "error_report": "\n".join(report) or False,
        })
        self.env.ref("freight_sync.ir_cron_import_uploads")._trigger()
        return {
            "type": "ir.actions.act_window",
            "res_model": "freight.invoice.upload",
            "res_id": upload.id,
            "view_mode": "form",
            "target": "current",
        }


def problem_text(problem):
    """A problem of the file in words: a CSV's names its row and column, an X12's its
    interchange and set."""
    if "row" in problem:
        return _("Row %(row)s, %(column)s: %(message)s", **problem)
    return _("%(where)s: %(message)s", **problem)
