from odoo import models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "freight.order.mixin"]

    def action_freight_create_shipment(self):
        """The order's open deliveries not on a shipment yet, in the Create Shipment wizard."""
        return self.picking_ids._freight_open_for_shipment()._freight_shipment_wizard()
