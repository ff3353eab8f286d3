from odoo import fields, models


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "freight.tolerance.mixin"]

    # the company band always applies when nothing more specific does
    freight_tolerance_set = fields.Boolean(default=True)
    freight_cumulative_cap = fields.Float(
        string="Cumulative Cap per Shipment", default=100.0,
        help="Everything approved to pay on a shipment (every invoice, whatever the line's "
        "decision; a short-pay counts what it paid) may exceed the shipment's expected cost "
        "by at most this amount.")
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

    # accruals (see freight_accrual_booking.py)
    freight_accrual_trigger = fields.Selection(
        [("accepted", "Tender accepted"), ("picked_up", "Picked up"),
         ("delivered", "Delivered")],
        string="Accrue Freight When", default="picked_up", required=True)
    freight_accrual_journal_id = fields.Many2one(
        "account.journal", string="Accrual Journal", domain="[('type', '=', 'general')]")
    freight_accrued_account_id = fields.Many2one(
        "account.account", string="Accrued Freight Account",
        help="Liability credited by accruals, debited by their reversals.")
    # customer billing (see freight_customer_billing.py)
    freight_customer_billing = fields.Selection(
        [("manual", "Manually"), ("delivered", "On delivery"),
         ("pod_received", "On proof of delivery")],
        string="Invoice Customers", default="manual", required=True)
    freight_customer_invoice_post = fields.Boolean(string="Post Customer Invoices")
    freight_pass_through_product_id = fields.Many2one(
        "product.product", string="Rebilled Freight Product",
        help="Product of the invoice lines that rebill accessorials to the customer.")
    # landed costs (see freight_shipment_landed_cost.py)
    freight_landed_cost_split = fields.Selection(
        [("equal", "Equal"), ("by_quantity", "By Quantity"),
         ("by_current_cost_price", "By Current Cost"), ("by_weight", "By Weight"),
         ("by_volume", "By Volume")],
        string="Split Inbound Freight", default="by_current_cost_price", required=True)
    freight_landed_cost_product_id = fields.Many2one(
        "product.product", string="Inbound Freight Product",
        domain="[('landed_cost_ok', '=', True)]")
    # tendering (see freight_tender.py)
    freight_tender_expiry_minutes = fields.Integer(
        string="Tender Expiry (minutes)", default=120,
        help="A carrier must answer a tender within this time; then the tender expires and "
        "the waterfall moves on. 0: tenders never expire.")
    freight_tender_waterfall = fields.Selection(
        [("auto", "Tender the next carrier automatically"), ("ask", "Ask the dispatcher")],
        string="After a Decline or Expiry", default="ask", required=True,
        help="Automatically: the next carrier of the rate shop not tendered yet gets the "
        "tender. Ask: the dispatcher gets an activity and chooses.")
    freight_tender_ack_minutes = fields.Integer(
        string="Alert Without 997 After (minutes)", default=60,
        help="An X12 tender not acknowledged by a 997 within this time alerts the "
        "dispatcher. 0: no alert.")

    # disputes with carriers (see freight_dispute.py)
    freight_dispute_response_days = fields.Integer(
        string="Carrier Answer Due (days)", default=14,
        help="A carrier must answer a dispute packet within this many days (a carrier may "
        "have its own term); then the case is escalated to the freight managers.")
    freight_dispute_reminder_days = fields.Integer(
        string="Remind Before Due (days)", default=3,
        help="The case's assignee gets a reminder activity this many days before the "
        "carrier's answer is due.")
    freight_dispute_urgent_days = fields.Integer(
        string="Dispute Window Urgent (days)", default=14,
        help="A case turns urgent this many days before the last day its carrier contract's "
        "dispute window allows a dispute to be sent (services/dispute_window.py).")
    freight_suggestion_min_cases = fields.Integer(
        string="Suggest From (similar cases)", default=5,
        help="A resolution is suggested only when at least this many similar cases (same "
        "carrier and finding) were settled before.")

    # shipment demand (see freight_shipment_demand.py)
    freight_shipment_creation = fields.Selection(
        [("manual", "From the Create Shipment button"),
         ("auto", "Automatically on confirmation")],
        string="Create Shipments", default="manual", required=True,
        help="Automatically: each confirmed delivery or receipt (sale order, purchase order, "
        "transfer, backorder) gets its own shipment. From the button: a dispatcher groups "
        "transfers into a shipment.")

    def _freight_setup_demo_accounting(self):
        """Demo data: the accounts, journal and products the freight settings point to."""
        for company in self.filtered(lambda c: not c.freight_accrued_account_id):
            Account = self.env["account.account"].with_company(company)
            journal = self.env["account.journal"].search(
                [("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
            if not journal:
                continue  # no chart of accounts yet: accruals stay off, and say so
            accrued = Account.create({"name": "Accrued freight", "code": "FS2100",
                                      "account_type": "liability_current", "reconcile": True})
            expense = Account.create({"name": "Freight expense", "code": "FS6100",
                                      "account_type": "expense"})
            Product = self.env["product.product"]
            company.write({
                "freight_accrual_journal_id": journal.id,
                "freight_accrued_account_id": accrued.id,
                "freight_expense_account_id": expense.id,
                "freight_pass_through_product_id": Product.create({
                    "name": "Rebilled freight charges", "type": "service"}).id,
                "freight_landed_cost_product_id": Product.create({
                    "name": "Inbound freight", "type": "service", "landed_cost_ok": True,
                    "property_account_expense_id": expense.id}).id,
            })
