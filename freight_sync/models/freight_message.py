import json
import logging
import time
import uuid

from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services.canonical import PayloadError, parse_event_batch
from ..services.evidence import REAUDITABLE
from ..services.inbox import (
    RULES_VERSION,
    IdempotencyKeyTaken,
    item_digest,
    next_attempt,
    run_state,
)
from ..services.invoice_payload import parse_invoice_batch
from ..services.signature import body_digest
from ..services.x12_intake import read_stored
from .cron_batches import run_batches
from .ir_attachment import IN_DATABASE

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("partial", "Partly applied"),
    ("failed", "Failed"),
    ("dead", "Dead letter"),
    ("ignored", "Ignored"),
    ("rejected", "Rejected"),
]
# what the queue picks up: new messages, and those with items still to retry
CLAIMABLE = ("received", "failed", "partial")
RETRYABLE = ("failed", "partial", "dead")
KINDS = [
    ("events", "Milestone events (JSON)"),
    ("edi", "X12 interchange"),
    ("invoices", "Carrier invoices"),
    ("tender", "Tender"),
]
HANDLED_KINDS = ["events", "edi", "invoices"]
# what may precede the ISA of an interchange: a byte order mark and blank space
X12_LEAD = b"\xef\xbb\xbf \r\n\t"
# the first errors of a failed run say what is wrong; a thousand would hide them
MAX_ERRORS = 50
KEY_CONSTRAINT = "freight_message_idempotency_key_unique"


class MessageRefused(Exception):
    """Nothing of a stored payload can be applied, for ``reasons`` that a retry cannot
    change: the message is rejected until an admin replays it under other rules."""

    def __init__(self, reasons):
        super().__init__("\n".join(reasons))
        self.reasons = reasons


class FreightMessage(models.Model):
    """A request as received (inbox) or sent (outbox): raw payload first, work later."""

    _name = "freight.message"
    _description = "Freight Integration Message"
    _inherit = ["mail.thread", "mail.activity.mixin", "freight.text.guard.mixin"]
    _order = "id desc"
    _rec_name = "correlation_id"

    # ---- fields ----

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
    answer_status = fields.Integer(
        string="HTTP status answered", readonly=True,
        help="The status the sender got, answered again to a resend of the same body.")
    ack_payload = fields.Text(
        string="Acknowledgment", readonly=True,
        help="The 997 answered to an X12 interchange, answered again to a resend.")
    state = fields.Selection(STATES, default="received", required=True, index=True, tracking=True)
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, index=True)
    last_error = fields.Text(readonly=True)
    ignore_reason = fields.Char(readonly=True, tracking=True)
    notes = fields.Text(
        readonly=True,
        help="What was received and not applied, or is worth a look: sets refused or not "
             "supported, a sender's control number used again with other content.")
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    processing_ms = fields.Integer(string="Processing (ms)", readonly=True)
    rules_version = fields.Char(readonly=True, help="Processing rules the last run applied.")
    milestone_ids = fields.One2many("freight.milestone", "message_id", string="Milestones")
    item_ids = fields.One2many("freight.message.event", "message_id", string="Item Outcomes",
                               readonly=True)
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

    # ---- intake: what the machine routes store ----

    @api.model
    def _store_inbound(self, endpoint, kind, body, content_type, idempotency_key,
                       correlation_id, item_count):
        """Store a request durably: the message row and its raw bytes as an attachment.

        Raises ``IdempotencyKeyTaken`` when a concurrent request committed the same key
        first, so that its twin can answer as a duplicate instead of failing.
        """
        values = {
            "endpoint_id": endpoint.id,
            "kind": kind,
            "content_type": content_type,
            "idempotency_key": idempotency_key,
            "correlation_id": correlation_id or str(uuid.uuid4()),
            "payload_sha256": body_digest(body),
            "payload_size": len(body),
            "item_count": item_count,
        }
        try:
            with self.env.cr.savepoint():
                message = self.sudo().with_context(
                    tracking_disable=True, mail_create_nolog=True).create(values)
        except UniqueViolation as error:
            if error.diag.constraint_name != KEY_CONSTRAINT:
                raise
            raise IdempotencyKeyTaken(idempotency_key) from None
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

    def _payload(self) -> bytes:
        """The stored request body, checked against the digest taken when it arrived."""
        self.ensure_one()
        raw = self.sudo().payload_attachment_id.raw or b""
        if body_digest(raw) != self.payload_sha256:
            raise PayloadError("", _("The stored payload is missing or altered: its sha256 no "
                                 "longer matches the one recorded at receipt."))
        return raw

    # ---- processing: claim, apply, finish, dead letters ----

    @api.model
    def _claim(self, limit):
        """Lock up to ``limit`` due messages; other workers skip them instead of waiting,
        so any number of cron workers share the queue without doing work twice."""
        self.env["freight.message"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM freight_message
             WHERE direction = 'in' AND state = ANY(%s) AND kind = ANY(%s)
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            list(CLAIMABLE), HANDLED_KINDS, fields.Datetime.now(), limit,
        ))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_process_inbox(self, batch_size=20, time_budget=55):
        return run_batches(self.env, lambda: self._claim(batch_size),
                           lambda batch: batch._process(), time_budget)

    def _process(self):
        for message in self:
            started = time.perf_counter()
            applied, failures, offers = set(), {}, []
            try:
                with self.env.cr.savepoint():
                    applied, failures, offers = message._apply()
            except MessageRefused as refused:
                message._finish_refused(refused.reasons, started)
                continue
            except PayloadError as error:
                failures = {None: str(error)}
            except Exception as error:  # a bug or bad data must not stall the queue
                _logger.exception("freight message %s failed", message.id)
                failures = {None: _("Processing error: %s", error)}
            message._finish(applied, failures, started, offers)

    def _apply(self):
        """Apply the items of the stored payload still to apply, each on its own; returns
        ``(applied ids, {id: reason}, counter-offer events applied)``.

        Runs as the endpoint's technical user in its company, so record rules bound what
        a partner can touch. An item that fails leaves the others applied: every handler
        is idempotent, and a retry only applies what is still missing.
        """
        endpoint = self.endpoint_id
        # the milestones are the audit trail of a status: no chatter line per status change
        message = self.with_user(endpoint.user_id).with_company(endpoint.company_id).with_context(
            tracking_disable=True)
        events, invoices, unreadable = message._owned_items()
        failures = {item_id: _("item %s: no longer passes today's checks of the payload",
                               item_id) for item_id in unreadable}
        failures.update(message._stage_invoices(invoices) if invoices else {})
        if self.kind != "invoices":
            failures.update(message.env["freight.shipment"]._apply_inbound_events(
                events, endpoint, self))
            # recompute statuses here, in this context, not at commit in the default one
            message.env.flush_all()
        tried = {item["external_id"] for item in events + invoices}
        offers = [event for event in events
                  if event.get("counter_offer") and event["external_id"] not in failures]
        return tried - set(failures), failures, offers

    def _owned_items(self):
        """``(events, invoices, unreadable ids)`` of the stored payload that this message
        still has to apply: items rejected at intake were answered then, items an earlier
        message brought are that message's, and items applied by an earlier run are done.
        An item accepted at intake that today's parser refuses is one of the unreadable."""
        raw = self._payload()
        if raw.lstrip(X12_LEAD)[:3] == b"ISA" or self.kind == "edi":
            items, refusals = read_stored(raw, self.received_at)
            if refusals and not items:
                raise MessageRefused(refusals)
            self._adopt(items)
            events = [event for _source, event in items if "invoice" not in event]
            invoices = [event["invoice"] for _source, event in items if "invoice" in event]
        elif self.kind == "invoices":
            events, invoices = [], [item for _i, item in parse_invoice_batch(json.loads(raw))[0]]
        else:
            events, invoices = [item for _i, item in parse_event_batch(json.loads(raw))[0]], []
        owned = self.env["freight.message.event"].sudo()._ids_owned_by(self, unapplied=True)
        read = {item["external_id"] for item in events + invoices}
        return ([event for event in events if event["external_id"] in owned],
                [invoice for invoice in invoices if invoice["external_id"] in owned],
                owned - read)

    def _adopt(self, items):
        """Record the ids of items no message owns yet: those of an interchange refused
        at receipt that today's rules can read, when an admin replays it. Ids another
        message owns stay its own."""
        if items:
            self.env["freight.message.event"].sudo()._record_keys(
                self.endpoint_id, self, [(event["external_id"], item_digest(source))
                                         for source, event in items])

    def _stage_invoices(self, invoices):
        """Stage each invoice on its own; returns ``{external id: reason}`` of those that
        could not be staged."""
        endpoint = self.endpoint_id
        carrier = endpoint.carrier_id if endpoint.kind == "carrier" else None
        Invoice = self.env["freight.invoice"]
        # a replay stages nothing twice: what this message staged before, still held by
        # the audit, is matched and audited again with today's shipments and rules
        earlier = Invoice.sudo().search(
            [("message_id", "=", self.id), ("state", "in", REAUDITABLE)])
        staged, failures = Invoice.browse(), {}
        for invoice in invoices:
            try:
                with self.env.cr.savepoint():
                    done, errors = Invoice._stage([invoice], endpoint.company_id, carrier, self)
                    self.env.flush_all()
            except Exception as error:  # recorded on the item, retried alone
                _logger.warning("invoice %s not staged: %s", invoice["external_id"], error)
                done, errors = Invoice.browse(), [str(error)]
            staged |= done
            if errors:
                failures[invoice["external_id"]] = "\n".join(errors)
        # auditing creates bills and cases: it runs with the freight application's rights,
        # not those of the partner's technical user
        staged.sudo()._audit()
        earlier._reaudit(_("Audited again: message %s replayed.", self.correlation_id))
        return failures

    def _finish(self, applied, failures, started, offers=()):
        """Record each item's outcome and the message's (``services.inbox.run_state``):
        done, ignored (only counter-offers: cases, no status), partly applied (some items
        applied, the others waiting for a retry), failed, or dead once retries ran out."""
        now = fields.Datetime.now()
        values = {
            "processed_at": now,
            "processing_ms": int((time.perf_counter() - started) * 1000),
            "rules_version": RULES_VERSION,
        }
        items = {key: reason for key, reason in failures.items() if key is not None}
        Item = self.env["freight.message.event"].sudo()
        Item._mark(self, applied, items)
        applied_count = Item.search_count([("message_id", "=", self.id),
                                           ("state", "=", "applied")])
        offers_only = bool(offers) and applied_count == len(offers)
        if not failures:
            state = run_state(failures, bool(applied_count), True, offers_only)
            self.write({**values, "state": state, "last_error": False,
                        "next_attempt_at": False,
                        "ignore_reason": self._offers_reason(offers) if offers_only else False})
            return
        attempts = self.attempts + 1
        retry_at = next_attempt(attempts, now)
        errors = list(failures.values())
        more = len(errors) - MAX_ERRORS
        self.write({
            **values,
            "attempts": attempts,
            "state": run_state(failures, bool(applied_count), bool(retry_at)),
            "next_attempt_at": retry_at,
            "last_error": "\n".join(errors[:MAX_ERRORS])
            + (_("\n… and %s more", more) if more > 0 else ""),
        })
        if not retry_at:
            self._notify_dead()

    @api.model
    def _offers_reason(self, offers):
        """Why a message of counter-offers moved no status: the carrier's offers, each a
        case for the dispatcher."""
        return _("Counter-offer, not a decision: no status changed, a case is open for the "
                 "dispatcher (%s)", "; ".join(
                     f"{event['raw_code']} {event['counter_offer']}, "
                     + ", ".join(f"{key} {value}" for key, value in
                                 sorted(event["references"].items()))
                     for event in offers))

    def _finish_refused(self, reasons, started):
        self.write({
            "state": "rejected",
            "processed_at": fields.Datetime.now(),
            "processing_ms": int((time.perf_counter() - started) * 1000),
            "rules_version": RULES_VERSION,
            "next_attempt_at": False,
            "last_error": "\n".join(reasons[:MAX_ERRORS]),
        })

    def _notify_dead(self):
        responsible = self.endpoint_id.responsible_id or self.env.ref("base.user_admin")
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=responsible.id,
            summary=_("Dead letter from %s", self.endpoint_id.name),
            note=self.last_error,
        )

    # ---- actions of admins ----

    def action_retry(self):
        """Try failed or dead messages again now, with a fresh retry budget."""
        if self.filtered(lambda m: m.state not in RETRYABLE):
            raise UserError(_("Only failed, partly applied or dead messages can be retried."))
        self._requeue(_("Retry requested"))

    def action_replay(self):
        """Run stored payloads again through today's rules; processing is idempotent, so
        what was already applied is not applied twice."""
        if self.filtered(lambda m: m.direction != "in" or m.state == "received"):
            raise UserError(_("Only inbound messages that were processed can be replayed."))
        self.env["freight.message.event"].sudo()._reset(self)
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
