from odoo import api, models

# a change of these fields can change the figures of the shipment built from the transfer
MOVE_FIELDS = frozenset({"product_uom_qty", "quantity", "product_id", "product_uom", "state",
                         "date", "date_deadline", "picking_id"})
# the figures of the shipment's freight items (a cancelled move weighs nothing)
ITEM_FIELDS = frozenset({"product_id", "product_uom_qty", "product_uom", "picking_id"})


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # confirmed sale orders, purchase receipts and transfers marked "to do"
        moves.picking_id._freight_auto_shipments()
        return moves

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        moves.picking_id._freight_items_changed()
        return moves

    def write(self, vals):
        before = self.picking_id if "picking_id" in vals else self.env["stock.picking"]
        result = super().write(vals)
        if MOVE_FIELDS & set(vals):
            (before | self.picking_id)._freight_demand_changed()
        if ITEM_FIELDS & set(vals) or vals.get("state") == "cancel":
            (before | self.picking_id)._freight_items_changed()
        return result

    def unlink(self):
        pickings = self.picking_id
        result = super().unlink()
        pickings.exists()._freight_items_changed()
        return result
