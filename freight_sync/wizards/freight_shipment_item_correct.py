from odoo import Command, api, fields, models
from odoo.tools import clean_context

from ..services.ltl import CLASS_SELECTION

MODES = [("correct", "Correct Weights and Classes"), ("reload", "Reload from Transfers")]


class FreightShipmentItemCorrect(models.TransientModel):
    """A dispatcher's correction of a shipment's freight items, or their reload from the
    transfers, with the reason (kept in the shipment's chatter). The controls are the
    item model's (freight_shipment_item.py): this is only the screen."""

    _name = "freight.shipment.item.correct"
    _description = "Correct Weights and Classes"

    shipment_id = fields.Many2one("freight.shipment", required=True, readonly=True,
                                  ondelete="cascade")
    mode = fields.Selection(MODES, required=True, default="correct", readonly=True)
    line_ids = fields.One2many("freight.shipment.item.correct.line", "wizard_id",
                               string="Items")
    reason = fields.Text(
        required=True,
        help="Why the figures change, e.g. the carrier's inspection certificate number.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        shipment = self.env["freight.shipment"].browse(values.get("shipment_id"))
        if shipment and "line_ids" in fields_list and values.get("mode") != "reload":
            values["line_ids"] = [Command.create({
                "item_id": item.id, "description": item.description,
                "nmfc_item": item.nmfc_item, "freight_class": item.freight_class,
                "pieces": item.pieces, "weight_kg": item.weight_kg,
            }) for item in shipment.item_ids]
        return values

    def action_apply(self):
        self.ensure_one()
        # the action's default_* keys would fill fields of whatever the correction creates
        Items = self.env["freight.shipment.item"].with_context(
            clean_context(self.env.context))
        shipment = self.shipment_id.with_env(Items.env)
        if self.mode == "reload":
            Items._reload(shipment, self.reason)
        else:
            Items._correct(shipment, [{
                "item_id": line.item_id.id, "description": line.description,
                "nmfc_item": line.nmfc_item, "freight_class": line.freight_class,
                "pieces": line.pieces, "weight_kg": line.weight_kg,
            } for line in self.line_ids], self.reason)
        return {"type": "ir.actions.act_window_close"}


class FreightShipmentItemCorrectLine(models.TransientModel):
    _name = "freight.shipment.item.correct.line"
    _description = "Correct Weights and Classes: an item"

    wizard_id = fields.Many2one("freight.shipment.item.correct", required=True,
                                ondelete="cascade")
    item_id = fields.Many2one("freight.shipment.item", readonly=True)
    description = fields.Char()
    nmfc_item = fields.Char(string="NMFC Item")
    freight_class = fields.Selection(CLASS_SELECTION, string="NMFC Class")
    pieces = fields.Integer()
    weight_kg = fields.Float(string="Weight (kg)", digits="Stock Weight")
