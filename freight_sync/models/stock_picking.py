from odoo import _, fields, models

from .freight_order_mixin import FREIGHT_GROUPS


class StockPicking(models.Model):
    _inherit = "stock.picking"

    freight_shipment_id = fields.Many2one(
        "freight.shipment",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        check_company=True,
        groups=FREIGHT_GROUPS,
    )

    def action_view_freight_shipment(self):
        shipments = self.freight_shipment_id
        return shipments._action_open_records(shipments, _("Shipments"))
