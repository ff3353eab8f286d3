from odoo import _, api, fields, models

FREIGHT_GROUPS = "freight_sync.group_freight_user,freight_sync.group_freight_billing"


class FreightOrderMixin(models.AbstractModel):
    """Shipments of an order, reached through its transfers (sales and purchases)."""

    _name = "freight.order.mixin"
    _description = "Order with freight shipments"

    freight_shipment_ids = fields.Many2many(
        "freight.shipment",
        compute="_compute_freight_shipments",
        string="Freight Shipments",
        groups=FREIGHT_GROUPS,
    )
    freight_shipment_count = fields.Integer(
        compute="_compute_freight_shipments", groups=FREIGHT_GROUPS
    )
    freight_unshipped = fields.Boolean(
        string="Transfers Without Shipment", compute="_compute_freight_shipments",
        groups=FREIGHT_GROUPS,
        help="An open delivery or receipt of the order is on no shipment yet.")

    @api.depends("picking_ids.freight_shipment_id", "picking_ids.state")
    def _compute_freight_shipments(self):
        for order in self:
            order.freight_shipment_ids = order.picking_ids.freight_shipment_id
            order.freight_shipment_count = len(order.freight_shipment_ids)
            order.freight_unshipped = bool(order.picking_ids._freight_open_for_shipment())

    def action_view_freight_shipments(self):
        shipments = self.freight_shipment_ids
        return shipments._action_open_records(shipments, _("Shipments"))
