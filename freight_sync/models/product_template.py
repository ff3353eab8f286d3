from odoo import fields, models

from ..services.ltl import CLASSES

FREIGHT_CLASS_SELECTION = [(freight_class, freight_class) for freight_class in CLASSES]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    freight_class = fields.Selection(
        FREIGHT_CLASS_SELECTION, string="NMFC Class",
        help="The product's NMFC freight class: LTL carriers rate its weight at this class. "
             "A transfer can rate all its goods at another class (a mixed pallet).")
    nmfc_item = fields.Char(
        string="NMFC Item", help="The NMFC item number the class comes from, e.g. 156600.")
