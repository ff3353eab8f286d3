from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    freight_invoice_id = fields.Many2one(
        "freight.invoice", string="Carrier Invoice", readonly=True, copy=False,
        index="btree_not_null")

    _sql_constraints = [
        # the database, not only the code, guarantees one vendor bill per carrier invoice
        ("freight_invoice_unique", "unique(freight_invoice_id)",
         "This carrier invoice already has a vendor bill."),
    ]
