from odoo import fields, models

from ..models.freight_endpoint import ISSUED_KEY


class FreightEndpointKey(models.TransientModel):
    """Shows a freshly issued API key once, to the user who issued it.

    The key is not stored, not even here: ``api_key`` is the default taken from the context
    of the action that issued it (``freight.endpoint.action_rotate_api_key``), which only the
    issuing request answers and the dialog keeps in the browser until it is closed.
    Reading any record of this model later gives no key to anyone."""

    _name = "freight.endpoint.key"
    _description = "New API key of an endpoint"

    endpoint_id = fields.Many2one("freight.endpoint", ondelete="cascade")
    # the dialog of a new record takes its defaults, read from the issuing context; a
    # field that is neither stored nor computed reads empty on any record afterwards
    api_key = fields.Char(store=False, readonly=True,
                          default=lambda self: self.env.context.get(ISSUED_KEY))

    def init(self):
        # up to 17.0.1.4.0 the plaintext was a column of this table: drop it with the keys
        # it still held
        self.env.cr.execute("ALTER TABLE freight_endpoint_key DROP COLUMN IF EXISTS api_key")
