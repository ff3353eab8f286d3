from odoo import fields, models


class StockLandedCost(models.Model):
    _inherit = "stock.landed.cost"

    freight_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, copy=False,
        index="btree_not_null")
