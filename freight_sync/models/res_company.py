from odoo import fields, models


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "freight.tolerance.mixin"]

    # the company band always applies when nothing more specific does
    freight_tolerance_set = fields.Boolean(default=True)
    freight_cumulative_cap = fields.Float(
        string="Cumulative Cap per Shipment", default=100.0,
        help="Over-billing accepted within tolerance, summed over every invoice of a "
        "shipment, may not exceed this amount.")
    freight_weight_tolerance_percent = fields.Float(string="Weight Tolerance (%)", default=10.0)
    freight_auto_approve = fields.Boolean(string="Auto-approve Within Policy", default=True)
    freight_auto_post = fields.Boolean(string="Post Vendor Bills", default=False)
    freight_pod_required = fields.Boolean(string="Proof of Delivery Required", default=True)
    freight_override_threshold = fields.Float(
        string="Override Threshold", default=500.0,
        help="Variance above which only a Freight Manager may approve with override.")
    freight_expense_account_id = fields.Many2one(
        "account.account",
        help="Used for charge codes without an account of their own.")
    freight_purchase_journal_id = fields.Many2one(
        "account.journal", string="Freight Bills Journal", domain="[('type', '=', 'purchase')]")
