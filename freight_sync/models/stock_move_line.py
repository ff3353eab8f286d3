from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def write(self, vals):
        result = super().write(vals)
        if "result_package_id" in vals:
            self.picking_id._freight_demand_changed()
        return result
