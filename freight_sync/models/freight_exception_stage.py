from odoo import fields, models


class FreightExceptionStage(models.Model):
    _name = "freight.exception.stage"
    _description = "Freight Exception Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban: cases here are closed.")
    is_closed = fields.Boolean(string="Closes the case")
