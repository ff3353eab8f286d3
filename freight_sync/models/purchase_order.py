from odoo import models


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "freight.order.mixin"]

    def action_freight_create_shipment(self):
        """The order's open receipts not on a shipment yet, in the Create Shipment wizard."""
        return self.picking_ids._freight_open_for_shipment()._freight_shipment_wizard()
