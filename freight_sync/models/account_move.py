from odoo import fields, models

MOVE_ROLES = [("accrual", "Freight accrual"), ("accrual_reversal", "Freight accrual reversal"),
              ("customer_invoice", "Freight customer invoice")]


class AccountMove(models.Model):
    _inherit = "account.move"

    freight_invoice_id = fields.Many2one(
        "freight.invoice", string="Carrier Invoice", readonly=True, copy=False,
        index="btree_not_null")

    freight_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, copy=False,
        index="btree_not_null")
    freight_move_role = fields.Selection(MOVE_ROLES, readonly=True, copy=False)
    freight_message_id = fields.Many2one(
        "freight.message", string="Triggering Message", readonly=True, copy=False)

    _sql_constraints = [
        # the database, not only the code, guarantees one vendor bill per carrier invoice
        ("freight_invoice_unique", "unique(freight_invoice_id)",
         "This carrier invoice already has a vendor bill."),
    ]

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        bills = posted.filtered("freight_invoice_id")
        # a bill posted by hand (no auto-post) moves its carrier invoice along
        approved = bills.freight_invoice_id.filtered(lambda i: i.state == "approved")
        approved.sudo()._set_outcome({"state": "posted"})
        shipments = bills.freight_invoice_id.line_ids.shipment_id
        if shipments:
            shipments.sudo()._freight_on_bills_posted(bills.sudo())
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    freight_charge_code = fields.Char(readonly=True, copy=False, index="btree_not_null",
                                      help="Charge code an accrual line expects.")
