from odoo import fields, models

from ..services.milestones import CODE_SELECTION


class FreightCodeMap(models.Model):
    """A partner's own status codes where they differ from the X12 standard."""

    _name = "freight.code.map"
    _description = "Freight Status Code Map"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    line_ids = fields.One2many("freight.code.map.line", "map_id", string="Codes", copy=True)

    def _overrides(self):
        self.ensure_one()
        return {line.external_code: line.milestone_code for line in self.line_ids}


class FreightCodeMapLine(models.Model):
    _name = "freight.code.map.line"
    _inherit = ["freight.code.mixin"]
    _freight_code_field = "external_code"
    _description = "Freight Status Code Mapping"
    _order = "external_code"

    map_id = fields.Many2one("freight.code.map", required=True, ondelete="cascade", index=True)
    external_code = fields.Char(required=True, help="Code as the partner sends it, e.g. 'AF'.")
    milestone_code = fields.Selection(CODE_SELECTION, string="Milestone", required=True)

    _sql_constraints = [
        ("code_unique", "unique(map_id, external_code)", "Each code is mapped once per map."),
    ]

