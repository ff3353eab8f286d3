from odoo import _, api, fields, models

from ..models.freight_shipment import MODE_SELECTION


class FreightShipmentDemandWizard(models.TransientModel):
    """Group selected transfers into ONE shipment (the manual mode of shipment demand)."""

    _name = "freight.shipment.demand"
    _description = "Create a shipment from transfers"

    picking_ids = fields.Many2many(
        "stock.picking", string="Transfers", required=True,
        help="The transfers carried together by the new shipment: one company, one "
             "direction, not done or cancelled, not on another shipment yet.")
    mode = fields.Selection(MODE_SELECTION, default="ltl", required=True,
                            help="How the goods travel; the rate shop looks for this mode.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if ("picking_ids" in fields_list and not values.get("picking_ids")
                and context.get("active_model") == "stock.picking"):
            values["picking_ids"] = [fields.Command.set(context.get("active_ids") or [])]
        return values

    def action_create(self):
        self.ensure_one()
        shipment = self.picking_ids._freight_create_shipment({"mode": self.mode})
        return shipment._action_open_records(shipment, _("Shipment"))
