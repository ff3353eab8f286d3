from odoo import fields, models

from ..services.ltl import CLASS_SELECTION
from ..services.milestones import NO_MILESTONE_STATUS

ITEM_FIELDS = frozenset({"freight_class", "nmfc_item"})


class ProductTemplate(models.Model):
    _inherit = "product.template"

    freight_class = fields.Selection(
        CLASS_SELECTION, string="NMFC Class",
        help="The product's NMFC freight class: LTL carriers rate its weight at this class. "
             "A transfer can rate all its goods at another class (a mixed pallet).")
    nmfc_item = fields.Char(
        string="NMFC Item", help="The NMFC item number the class comes from, e.g. 156600.")

    def write(self, vals):
        result = super().write(vals)
        if ITEM_FIELDS & set(vals):
            self._freight_items_changed()
        return result

    def _freight_items_changed(self):
        """A class set or corrected on the product reaches the shipments not tendered yet,
        as their weight does; shipments on their way keep what was tendered and audited."""
        shipments = self.env["freight.shipment"].sudo().search([
            ("picking_ids.move_ids.product_id.product_tmpl_id", "in", self.ids),
            ("status", "=", NO_MILESTONE_STATUS), ("tender_state", "=", False),
            ("items_corrected", "=", False)])
        if shipments:
            self.env["freight.shipment.item"]._build_from_transfers(shipments)
