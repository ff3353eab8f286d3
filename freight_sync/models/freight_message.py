import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.canonical import PayloadError
from ..services.signature import body_digest
from .ir_attachment import IN_DATABASE

STATES = [
    ("received", "Received"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("dead", "Dead letter"),
    ("ignored", "Ignored"),
]
KINDS = [
    ("events", "Milestone events (JSON)"),
    ("edi", "X12 interchange"),
    ("invoices", "Carrier invoices"),
    ("tender", "Tender"),
]


class FreightMessage(models.Model):
    """A request as received (inbox) or sent (outbox): raw payload first, work later."""

    _name = "freight.message"
    _description = "Freight Integration Message"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "correlation_id"

    direction = fields.Selection(
        [("in", "Inbound"), ("out", "Outbound")], required=True, default="in", index=True
    )
    endpoint_id = fields.Many2one(
        "freight.endpoint", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True, index=True)
    content_type = fields.Char()
    idempotency_key = fields.Char(required=True)
    correlation_id = fields.Char(
        required=True, index=True, default=lambda self: str(uuid.uuid4()),
        help="Carried by everything this message produced, and returned to the sender.",
    )
    payload_attachment_id = fields.Many2one("ir.attachment", string="Payload", readonly=True)
    payload_sha256 = fields.Char(readonly=True)
    payload_size = fields.Integer(string="Size (bytes)", readonly=True)
    item_count = fields.Integer(string="Items", readonly=True)
    ack_payload = fields.Text(
        string="Acknowledgment", readonly=True,
        help="The 997 answered to an X12 interchange, answered again to a resend.")
    state = fields.Selection(STATES, default="received", required=True, index=True, tracking=True)
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, index=True)
    last_error = fields.Text(readonly=True)
    ignore_reason = fields.Char(readonly=True, tracking=True)
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    processing_ms = fields.Integer(string="Processing (ms)", readonly=True)
    rules_version = fields.Char(readonly=True, help="Processing rules the last run applied.")
    milestone_ids = fields.One2many("freight.milestone", "message_id", string="Milestones")
    milestone_count = fields.Integer(compute="_compute_produced_counts")
    shipment_count = fields.Integer(compute="_compute_produced_counts")

    _sql_constraints = [
        (
            "idempotency_key_unique",
            "unique(endpoint_id, direction, idempotency_key)",
            "A message with this idempotency key was already received from this endpoint.",
        ),
    ]

    def _compute_produced_counts(self):
        for message in self:
            message.milestone_count = len(message.milestone_ids)
            message.shipment_count = len(message.milestone_ids.shipment_id)

    def _payload(self) -> bytes:
        """The stored request body, checked against the digest taken when it arrived."""
        self.ensure_one()
        raw = self.sudo().payload_attachment_id.raw or b""
        if body_digest(raw) != self.payload_sha256:
            raise PayloadError("", _("The stored payload is missing or altered: its sha256 no "
                                 "longer matches the one recorded at receipt."))
        return raw

    @api.model
    def _store_inbound(self, endpoint, kind, body, content_type, idempotency_key,
                       correlation_id, item_count):
        """Store a request durably: the message row and its raw bytes as an attachment."""
        message = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True).create({
            "endpoint_id": endpoint.id,
            "kind": kind,
            "content_type": content_type,
            "idempotency_key": idempotency_key,
            "correlation_id": correlation_id or str(uuid.uuid4()),
            "payload_sha256": body_digest(body),
            "payload_size": len(body),
            "item_count": item_count,
        })
        attachment = self.env["ir.attachment"].sudo().with_context(**{IN_DATABASE: True}).create({
            "name": f"{kind}-{message.id}.{'x12' if kind == 'edi' else 'json'}",
            "raw": body,
            "res_model": self._name,
            "res_id": message.id,
            "mimetype": content_type or "application/octet-stream",
        })
        message.payload_attachment_id = attachment
        return message

    @api.model
    def _find_by_key(self, endpoint, idempotency_key):
        return self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "in"),
            ("idempotency_key", "=", idempotency_key),
        ], limit=1)

    # ---- actions of admins -------------------------------------------------------------

    def action_retry(self):
        """Try failed or dead messages again now, with a fresh retry budget."""
        if self.filtered(lambda m: m.state not in ("failed", "dead")):
            raise UserError(_("Only failed or dead messages can be retried."))
        self._requeue(_("Retry requested"))

    def action_replay(self):
        """Run stored payloads again through today's rules; processing is idempotent, so
        what was already applied is not applied twice."""
        if self.filtered(lambda m: m.direction != "in" or m.state == "received"):
            raise UserError(_("Only inbound messages that were processed can be replayed."))
        self._requeue(_("Replay requested"))

    def _requeue(self, note):
        self.write({"state": "received", "attempts": 0, "next_attempt_at": False,
                    "last_error": False, "ignore_reason": False})
        for message in self:
            message.message_post(body=note)
        self.env.ref("freight_sync.ir_cron_process_inbox")._trigger()

    def action_ignore(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Ignore messages"),
            "res_model": "freight.message.ignore",
            "view_mode": "form",
            "target": "new",
            "context": {"default_message_ids": self.ids},
        }

    def _ignore(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Say why these messages are ignored."))
        if self.filtered(lambda m: m.state in ("done", "ignored")):
            raise UserError(_("Done or already ignored messages cannot be ignored."))
        self.write({"state": "ignored", "ignore_reason": reason.strip(), "next_attempt_at": False})

    def action_view_milestones(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_milestone")
        action["domain"] = [("message_id", "in", self.ids)]
        return action

