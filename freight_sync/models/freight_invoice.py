from odoo import _, api, fields, models

INVOICE_STATES = [
    ("received", "Received"),
    ("audited", "Audited"),
    ("exception", "Exception"),
    ("disputed", "Disputed"),
    ("approved", "Approved"),
    ("posted", "Posted"),
    ("paid", "Paid"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
CORRECTIONS = [
    ("original", "Original"),
    ("CO", "Corrected (CO)"),
    ("BD", "Balance due (BD)"),
    ("RB", "Rebill (RB)"),
    ("CA", "Cancel (CA)"),
    ("AD", "Adjustment (AD)"),
    ("other", "Other"),
]
DECISIONS = [("ok", "Within policy"), ("under", "Under-billed"), ("over", "Over-billed"),
             ("review", "Needs review"), ("unmatched", "Not matched")]


class FreightInvoice(models.Model):
    """A carrier invoice as received, audited before it becomes a vendor bill."""

    _name = "freight.invoice"
    _description = "Carrier Invoice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Invoice Number", required=True, index="trigram", tracking=True)
    carrier_id = fields.Many2one(
        "res.partner", required=True, index=True, check_company=True,
        domain="[('is_freight_carrier', '=', True)]")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda s: s.env.company)
    currency_id = fields.Many2one("res.currency", required=True)
    date = fields.Date(required=True, index=True)
    correction = fields.Selection(CORRECTIONS, default="original", required=True,
                                  help="X12 B308: what this invoice does to earlier ones.")
    corrects = fields.Char(string="Corrects Invoice")
    amount_total = fields.Monetary(string="Billed", currency_field="currency_id")
    expected_total = fields.Monetary(string="Expected", currency_field="currency_id",
                                     readonly=True)
    variance_total = fields.Monetary(string="Variance", currency_field="currency_id",
                                     compute="_compute_variance", store=True)
    state = fields.Selection(INVOICE_STATES, default="received", required=True, index=True,
                             tracking=True)
    external_id = fields.Char(copy=False, readonly=True,
                              help="Sender's key: the same invoice resent is not staged twice.")
    upload_id = fields.Many2one("freight.invoice.upload", readonly=True,
                                index="btree_not_null", ondelete="set null")
    message_id = fields.Many2one("freight.message", string="Source Message", readonly=True,
                                 index="btree_not_null")
    line_ids = fields.One2many("freight.invoice.line", "invoice_id", string="Lines", copy=True)
    billed_on_expected = fields.Boolean(
        readonly=True, copy=False, help="Short-paid: the vendor bill is for the expected amounts.")
    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True, copy=False,
                              index="btree_not_null")
    exception_ids = fields.One2many("freight.exception", "invoice_id", string="Cases")
    audit_summary = fields.Text(readonly=True)
    audited_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("external_id_unique", "unique(carrier_id, external_id)",
         "This carrier invoice was already received."),
    ]

    @api.depends("amount_total", "expected_total")
    def _compute_variance(self):
        for invoice in self:
            invoice.variance_total = invoice.amount_total - invoice.expected_total

    @api.depends("name", "carrier_id")
    def _compute_display_name(self):
        for invoice in self:
            invoice.display_name = f"{invoice.carrier_id.name or ''} {invoice.name}".strip()

    def action_view_bill(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "account.move",
                "res_id": self.move_id.id, "view_mode": "form", "name": _("Vendor Bill")}


class FreightInvoiceLine(models.Model):
    _name = "freight.invoice.line"
    _description = "Carrier Invoice Line"
    _order = "invoice_id, line_no, id"

    invoice_id = fields.Many2one("freight.invoice", required=True, ondelete="cascade",
                                 index=True)
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, precompute=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    line_no = fields.Integer()
    shipment_id = fields.Many2one("freight.shipment", index="btree_not_null", readonly=True)
    pro_number = fields.Char(string="PRO", index="trigram")
    bol_number = fields.Char(string="BOL", index="trigram")
    load_ref = fields.Char(string="Load", index="trigram")
    shipment_ref = fields.Char(string="Shipment Ref.", index="trigram")
    carrier_ref = fields.Char()
    charge_code = fields.Char(string="Billed Code", required=True)
    charge_code_id = fields.Many2one("freight.charge.code", compute="_compute_charge_code_id",
                                     store=True, precompute=True)
    description = fields.Char()
    quantity = fields.Float(default=1.0)
    rate = fields.Float()
    amount = fields.Monetary(string="Billed", currency_field="currency_id")
    billed_weight_kg = fields.Float(string="Billed Weight (kg)")
    expected = fields.Monetary(currency_field="currency_id", readonly=True)
    variance = fields.Monetary(currency_field="currency_id", readonly=True)
    allowance = fields.Monetary(string="Tolerance", currency_field="currency_id", readonly=True)
    tolerance_layer = fields.Char(readonly=True)
    decision = fields.Selection(DECISIONS, readonly=True)
    trace = fields.Text(readonly=True, help="How the expected amount and the decision came.")

    @api.depends("charge_code")
    def _compute_charge_code_id(self):
        codes = {c.code: c for c in self.env["freight.charge.code"].search(
            [("code", "in", list({line.charge_code for line in self if line.charge_code}))])}
        for line in self:
            line.charge_code_id = codes.get((line.charge_code or "").upper(), False)

    def _references(self):
        pairs = (("pro_number", self.pro_number), ("bol_number", self.bol_number),
                 ("load_ref", self.load_ref), ("name", self.shipment_ref),
                 ("carrier_ref", self.carrier_ref))
        return {key: value for key, value in pairs if value}
