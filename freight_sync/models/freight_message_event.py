from odoo import api, fields, models
from odoo.tools import SQL

from ..services.inbox import classify_items

ITEM_STATES = [("pending", "Waiting"), ("applied", "Applied"), ("failed", "Failed")]


class FreightMessageEvent(models.Model):
    """One row per event id an endpoint ever sent: the key of per-event idempotency.

    Written with one ``INSERT … ON CONFLICT DO NOTHING`` per request, so concurrent
    requests carrying the same event store it once and the accept path does no ORM
    work per event.
    """

    _name = "freight.message.event"
    _inherit = ["freight.text.guard.mixin"]
    _description = "Received event id"
    _log_access = False

    endpoint_id = fields.Many2one("freight.endpoint", required=True, ondelete="cascade")
    external_id = fields.Char(required=True)
    digest = fields.Char(required=True)
    message_id = fields.Many2one(
        "freight.message", required=True, ondelete="cascade", index=True
    )
    # each item of a message is applied on its own: what failed is retried alone, and an
    # admin sees which item failed and why; empty on rows older than this field
    state = fields.Selection(ITEM_STATES, readonly=True)
    error = fields.Text(readonly=True)

    _sql_constraints = [
        ("endpoint_event_unique", "unique(endpoint_id, external_id)",
         "This endpoint already sent an event with this id."),
    ]

    @api.model
    def _record_keys(self, endpoint, message, keys):
        """Record ``keys`` [(event id, digest)] for ``message``; returns the item statuses."""
        first = dict(reversed(keys))  # the first occurrence of an id is the one stored
        self.env.cr.execute(SQL(
            """
            INSERT INTO freight_message_event
                   (endpoint_id, external_id, digest, message_id, state)
            SELECT %s, key.external_id, key.digest, %s, 'pending'
              FROM unnest(%s::varchar[], %s::varchar[]) AS key(external_id, digest)
            ON CONFLICT (endpoint_id, external_id) DO NOTHING
            RETURNING external_id
            """,
            endpoint.id, message.id, list(first), list(first.values()),
            # the item ids are the sender's data: a failure must not log them as parameters
        ), log_exceptions=False)
        inserted = {row[0] for row in self.env.cr.fetchall()}
        message.invalidate_recordset(["item_ids"])
        others = list(set(first) - inserted)
        existing = {}
        if others:
            self.env.cr.execute(SQL(
                """SELECT external_id, digest FROM freight_message_event
                    WHERE endpoint_id = %s AND external_id = ANY(%s)""",
                endpoint.id, others,
            ))
            existing = dict(self.env.cr.fetchall())
        return classify_items(keys, inserted, existing)

    @api.model
    def _ids_owned_by(self, message, unapplied=False):
        """The item ids ``message`` brought; with ``unapplied`` only those still to apply."""
        self.env.cr.execute(SQL(
            """SELECT external_id FROM freight_message_event
                WHERE message_id = %s AND (%s OR state IS DISTINCT FROM 'applied')""",
            message.id, not unapplied,
        ))
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _mark(self, message, applied, failures):
        """Record the outcome of a run: ``applied`` ids, ``failures`` {id: reason}."""
        self.env.cr.execute(SQL(
            """UPDATE freight_message_event SET state = 'applied', error = NULL
                WHERE message_id = %s AND external_id = ANY(%s)""",
            message.id, list(applied),
        ))
        if failures:
            self.env.cr.execute(SQL(
                """UPDATE freight_message_event AS row SET state = 'failed', error = f.error
                     FROM unnest(%s::varchar[], %s::text[]) AS f(external_id, error)
                    WHERE row.message_id = %s AND row.external_id = f.external_id""",
                list(failures), list(failures.values()), message.id,
            ))
        self.invalidate_model(["state", "error"])

    @api.model
    def _reset(self, messages):
        """A replay runs every item of these messages again."""
        self.env.cr.execute(SQL(
            """UPDATE freight_message_event SET state = 'pending', error = NULL
                WHERE message_id = ANY(%s)""", messages.ids,
        ))
        self.invalidate_model(["state", "error"])
