"""Requests that stored nothing because everything in them was stored before: resends of
a request (its idempotency key taken) or of its items under a new key. No message keeps
them, so the metrics page counts duplicates from these rows (README "Monitoring")."""

from odoo import api, fields, models
from odoo.tools import SQL


class FreightIntakeResend(models.Model):
    _name = "freight.intake.resend"
    _description = "Freight Intake Resend"
    _order = "id desc"
    # one plain INSERT per resend, in the request's transaction: append-only, so two
    # resends of a sender never wait on one row (a counter row would serialize them)
    _log_access = False

    endpoint_id = fields.Many2one("freight.endpoint", required=True, index=True,
                                  ondelete="cascade", readonly=True)
    kind = fields.Char(required=True, readonly=True)
    item_count = fields.Integer(readonly=True, help="Items of the request already stored.")
    received_at = fields.Datetime(required=True, readonly=True)

    @api.model
    def _record(self, endpoint, kind, item_count):
        self.env.cr.execute(SQL(
            "INSERT INTO freight_intake_resend (endpoint_id, kind, item_count, received_at)"
            " VALUES (%s, %s, %s, %s)", endpoint.id, kind, item_count, fields.Datetime.now()))
