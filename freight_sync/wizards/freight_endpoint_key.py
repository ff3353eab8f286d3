from odoo import fields, models


class FreightEndpointKey(models.TransientModel):
    """Shows a freshly issued API key once."""

    _name = "freight.endpoint.key"
    _description = "New API key of an endpoint"

    endpoint_id = fields.Many2one("freight.endpoint", required=True, ondelete="cascade")
    api_key = fields.Char(readonly=True)
