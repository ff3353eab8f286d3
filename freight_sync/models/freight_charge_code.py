from odoo import api, fields, models

CHARGE_KINDS = [
    ("linehaul", "Linehaul"),
    ("fuel", "Fuel surcharge"),
    ("accessorial", "Accessorial"),
    ("detention", "Detention"),
    ("tax", "Tax"),
    ("discount", "Discount"),
]


class FreightChargeCode(models.Model):
    """What a carrier bills for, as X12 L108 names it, and where it is booked."""

    _name = "freight.charge.code"
    _inherit = ["freight.code.mixin", "freight.tolerance.mixin"]
    _description = "Freight Charge Code"
    _order = "sequence, code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, help="X12 L108 special charge code, or the carrier's own.")
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(CHARGE_KINDS, required=True, default="accessorial")
    expense_account_id = fields.Many2one(
        "account.account",
        company_dependent=True,
        domain="[('deprecated', '=', False)]",
        help="Account of vendor bill lines and accruals; the product's expense account when "
        "empty.",
    )
    pass_through = fields.Boolean(help="Rebilled to the customer of the shipment.")
    markup_percent = fields.Float(string="Markup (%)", help="Added when rebilled to the customer.")

    _sql_constraints = [("code_unique", "unique(code)", "Each charge code exists once.")]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for charge in self:
            charge.display_name = f"{charge.code} {charge.name}" if charge.code else charge.name

    @api.model
    def _codes_by_kind(self):
        """The code an expected linehaul and fuel amount are accrued under: the first of
        each kind (by sequence), 400 and 405 by default."""
        codes = {}
        for charge in self.search_fetch([("kind", "in", ("linehaul", "fuel"))],
                                        ["code", "kind"], order="sequence, id"):
            codes.setdefault(charge.kind, charge.code)
        return {"linehaul": codes.get("linehaul", "400"), "fuel": codes.get("fuel", "405")}

    @api.model
    def _kinds(self):
        """{code: kind} of every active charge code, for the audit engine."""
        return {charge.code: charge.kind for charge in self.search_fetch([], ["code", "kind"])}
