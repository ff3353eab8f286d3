import functools
import json
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import psycopg2
import requests
from psycopg2.errors import SerializationFailure, UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services import outbox, tender_flow
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
from ..services.lanes import BATCH_SIZE, LANES, MILESTONES, STAGING_ROUND, lane_of
from ..services.rule_snapshot import processing_config
from ..services.signature import body_digest
from ..services.x12_intake import read_stored
from .cron_batches import is_collision, run_batches
from .freight_text_guard_mixin import without_nul
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
    # the outbox's (direction out)
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("retry", "Waiting to retry"),
]
# what the queue picks up: new messages, and those with items still to retry
CLAIMABLE = ("received", "failed", "partial")
RETRYABLE = ("failed", "partial", "dead")
KINDS = [
    ("events", "Milestone events (JSON)"),
    ("edi", "X12 interchange"),
    ("invoices", "Carrier invoices"),
    ("tender", "Tender"),
    ("notification", "Status notification"),
    ("dispute", "Dispute packet"),
]
HANDLED_KINDS = ["events", "edi", "invoices"]
# what may precede the ISA of an interchange: a byte order mark and blank space
X12_LEAD = b"\xef\xbb\xbf \r\n\t"
# the first errors of a failed run say what is wrong; a thousand would hide them
MAX_ERRORS = 50
KEY_CONSTRAINT = "freight_message_idempotency_key_unique"
# what the outbox's delivery cron picks up, once due
SENDABLE = ("queued", "retry")
OUTBOUND_TIMEOUT_PARAM = "freight_sync.outbound_timeout"
DELIVERY_CRON = "freight_sync.ir_cron_deliver_outbox"
# the safety net over every lane (data/ir_cron_data.xml): not woken by intake
INBOX_CRON = "freight_sync.ir_cron_process_inbox"
# what a lane cron's code calls: ``model._cron_process_lane('<lane>', shard, shards)``
LANE_CRON_CODE = "model._cron_process_lane('%s'"


@contextmanager
def _key_guard(idempotency_key):
    """``IdempotencyKeyTaken`` for the unique violation of the message's key."""
    try:
        yield
    except UniqueViolation as error:
        if error.diag.constraint_name != KEY_CONSTRAINT:
            raise
        raise IdempotencyKeyTaken(idempotency_key) from None


def _extension(content_type):
    if "json" in content_type:
        return "json"
    return "x12" if "edi" in content_type or "x12" in content_type else "txt"


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
    lane = fields.Selection(
        [(lane, lane.capitalize()) for lane in LANES], index=True, readonly=True,
        help="The queue an inbound message waits in, set when it is stored: milestones "
             "(events, X12 214/990/997, and any interchange holding them) never wait "
             "behind invoices (carrier invoices, X12 210 only).")
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
    rule_snapshot_id = fields.Many2one(
        "freight.rule.snapshot", string="Rules Applied", readonly=True, index="btree_not_null",
        ondelete="restrict",
        help="The rules version and the code map revision the last run applied.")
    milestone_ids = fields.One2many("freight.milestone", "message_id", string="Milestones")
    item_ids = fields.One2many("freight.message.event", "message_id", string="Item Outcomes",
                               readonly=True)
    milestone_count = fields.Integer(compute="_compute_produced_counts")
    shipment_count = fields.Integer(compute="_compute_produced_counts")
    # the outbox's (direction out)
    sent_at = fields.Datetime(readonly=True, help="When the receiver accepted it (2xx).")
    outbound_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, index="btree_not_null",
        ondelete="set null",
        help="The shipment an outbound message is about (a tender, a status notification).")
    answer_excerpt = fields.Text(
        string="Answer", readonly=True,
        help="The beginning of the receiver's last answer to an outbound message.")
    tender_ids = fields.One2many("freight.tender", "outbound_message_id", string="Tenders")
    x12_group_control = fields.Char(
        string="GS Control Number", readonly=True, index="btree_not_null",
        help="Group control number of an outbound X12 204: its 997 names it (AK102).")
    x12_set_control = fields.Char(string="ST Control Number", readonly=True)
    acknowledged_at = fields.Datetime(readonly=True,
                                      help="When the carrier's 997 acknowledged it.")
    ack_alert_sent = fields.Boolean(readonly=True)

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

        One SQL statement writes both rows, as the ORM's ``create`` of each would, without
        its per-request reads and updates: it is the whole cost of the accept path that
        does not grow with the items. Raises ``IdempotencyKeyTaken`` when a message is
        stored under the same key already (an earlier request's, or a concurrent one's
        that committed first), so that the request can answer as its duplicate.
        """
        with _key_guard(idempotency_key), self.env.cr.savepoint():
            return self._insert_inbound(endpoint, kind, body, content_type, idempotency_key,
                                        correlation_id, item_count)

    @api.model
    def _insert_inbound(self, endpoint, kind, body, content_type, idempotency_key,
                        correlation_id, item_count):
        """``_store_inbound`` without its savepoint, for a caller that holds one."""
        values = without_nul({
            "kind": kind,
            "content_type": content_type,
            "idempotency_key": idempotency_key,
            "correlation_id": correlation_id or str(uuid.uuid4()),
        })
        mimetype = content_type or "application/octet-stream"
        Attachment = self.env["ir.attachment"]
        extension = "x12" if kind == "edi" else "json"
        lane = lane_of(kind, body)
        self.env.cr.execute(SQL(
            """
            WITH message AS (SELECT nextval('freight_message_id_seq') AS id),
            attachment AS (
                INSERT INTO ir_attachment
                       (name, res_model, res_id, mimetype, type, db_datas, file_size,
                        checksum, index_content, company_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(kind)s || '-' || message.id || %(extension)s, %(model)s,
                       message.id, %(mimetype)s, 'binary', %(body)s, %(size)s,
                       %(checksum)s, %(index)s, %(company)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM message
                RETURNING id, res_id)
            INSERT INTO freight_message
                   (id, payload_attachment_id, direction, state, endpoint_id,
                    company_id, kind, content_type, idempotency_key, correlation_id,
                    payload_sha256, payload_size, item_count, lane, received_at,
                    create_uid, create_date, write_uid, write_date)
            SELECT attachment.res_id, attachment.id, 'in', 'received', %(endpoint)s,
                   %(endpoint_company)s, %(kind)s, %(content_type)s, %(key)s,
                   %(correlation)s, %(sha256)s, %(size)s, %(items)s, %(lane)s,
                   %(received_at)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM attachment
            RETURNING id
            """,
            kind=values["kind"], extension=f".{extension}", model=self._name,
            mimetype=mimetype, body=psycopg2.Binary(body), size=len(body),
            checksum=Attachment._compute_checksum(body),
            index=Attachment._index(body, mimetype) or None,
            company=endpoint.company_id.id or self.env.company.id, uid=self.env.uid,
            # the transaction's time, as the ORM stamps records (cr.now() costs a query)
            now=SQL("now() AT TIME ZONE 'UTC'"),
            endpoint=endpoint.id, endpoint_company=endpoint.company_id.id or None,
            content_type=values["content_type"], key=values["idempotency_key"],
            correlation=values["correlation_id"], sha256=body_digest(body),
            items=item_count, lane=lane, received_at=fields.Datetime.now(),
        ), log_exceptions=False)
        message = self.sudo().browse(self.env.cr.fetchone()[0])
        # known here: waking its lane reads no row
        self.env.cache.set(message, self._fields["lane"], lane)
        return message

    @api.model
    def _store_batch(self, endpoint, kind, body, content_type, idempotency_key, correlation_id,
                     item_count, keys):
        """Store a request and its items' ``(external id, digest)`` keys at once:
        ``(message, statuses)``. When no item is new the request is not kept either
        (``message`` is ``None``), so a resent batch leaves no trace but its answer.
        Raises ``IdempotencyKeyTaken`` as ``_store_inbound`` does."""
        with _key_guard(idempotency_key), self.env.cr.savepoint() as savepoint:
            message = self._insert_inbound(endpoint, kind, body, content_type, idempotency_key,
                                           correlation_id, item_count)
            statuses = self.env["freight.message.event"].sudo()._record_keys(
                endpoint, message, keys) if keys else []
            if keys and "accepted" not in statuses:
                savepoint.rollback()
                return None, statuses
        return message, statuses

    @api.model
    def _find_by_key(self, endpoint, idempotency_key):
        return self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "in"),
            ("idempotency_key", "=", idempotency_key),
        ], limit=1)

    def _payload(self) -> bytes:
        """The stored request body, checked against the digest taken when it arrived
        (decompressed when retention archived it; refused once purged)."""
        self.ensure_one()
        raw = self._stored_payload()
        if body_digest(raw) != self.payload_sha256:
            raise PayloadError("", _("The stored payload is missing or altered: its sha256 no "
                                 "longer matches the one recorded at receipt."))
        return raw

    # ---- processing: claim, apply, finish, dead letters ----

    @api.model
    def _claim(self, limit, lane=None, shard=0, shards=1, waited=0):
        """Lock up to ``limit`` due messages; other workers skip them instead of waiting,
        so any number of cron workers share the queue without doing work twice.

        With a ``lane``, only that lane's messages of shard ``shard`` of ``shards``: the
        shard key is the sender (endpoint), so one sender's messages, which touch the same
        shipments, are worked by one cron in arrival order and two shards of a lane do not
        fight over a shipment's row. Without a lane (the safety net), every lane,
        milestones first. ``waited``: only messages due for at least that many minutes."""
        self.env["freight.message"].flush_model()
        now = fields.Datetime.now()
        due = SQL("(next_attempt_at IS NULL OR next_attempt_at <= %s)", now)
        if waited:
            due = SQL("%s AND COALESCE(next_attempt_at, create_date) <= %s", due,
                      now - timedelta(minutes=waited))
        where, order = SQL("TRUE"), SQL("lane IS DISTINCT FROM %s, id", MILESTONES)
        if lane:
            where = SQL("lane = %s AND mod(endpoint_id, %s) = %s", lane, max(shards, 1), shard)
            order = SQL("id")
        self.env.cr.execute(SQL(
            """
            SELECT id FROM freight_message
             WHERE direction = 'in' AND state = ANY(%s) AND kind = ANY(%s)
               AND %s AND %s
             ORDER BY %s
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            list(CLAIMABLE), HANDLED_KINDS, due, where, order, limit,
        ), log_exceptions=False)
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_process_inbox(self, batch_size=20, time_budget=55, waited_minutes=0):
        """The safety net: every lane and shard, milestones first. The lane crons do the
        work; this one, on a slow schedule and never woken by intake, picks up what a
        deactivated or misconfigured lane cron left behind. Its cron passes
        ``waited_minutes``: only messages due for that long, so that it does not work a
        sender's fresh messages beside the lane cron working that sender's others (the two
        would collide on the same shipments, and the sender's order would be lost)."""
        return self._run_claims(lambda: self._claim(batch_size, waited=waited_minutes),
                                time_budget)

    @api.model
    def _cron_process_lane(self, lane, shard=0, shards=1, batch_size=None, time_budget=25):
        """One lane cron's run: the messages of ``lane`` in shard ``shard`` of ``shards``
        (data/ir_cron_data.xml). Each cron is its own ``ir.cron`` job, so Odoo runs the
        lanes and shards side by side, one cron thread each. Batches of ``BATCH_SIZE``
        messages by default: the time budget is looked at between batches only, and a
        transaction longer than Odoo's ``limit_time_real_cron`` (120 s by default) is
        killed with its cron worker, then claimed and killed again; a cron worker may run
        several jobs in a row within that limit, hence a budget well under it.

        A run that stops on its budget wakes its lane again: Odoo has deleted the triggers
        that started it, and the backlog would otherwise wait for the next schedule."""
        if lane not in LANES or not 0 <= shard < max(shards, 1):
            raise UserError(_("No processing lane %(lane)s with shard %(shard)s of %(shards)s.",
                              lane=lane, shard=shard, shards=shards))
        batch_size = batch_size or BATCH_SIZE[lane]
        deadline = time.monotonic() + time_budget
        done = self._run_claims(lambda: self._claim(batch_size, lane, shard, shards),
                                time_budget)
        if time.monotonic() >= deadline:
            self._wake({lane})
        return done

    @api.model
    def _run_claims(self, claim, time_budget):
        """Claim and process batches; a batch that collided with another lane's
        transaction (a serialization failure or a deadlock on a shipment, an accrual) is
        rolled back whole and claimed again in a new transaction, counting no attempt.

        In rounds of ``STAGING_ROUND`` messages: their invoices are staged and committed,
        then audited together, in batches of their own (``_audit_staged``)."""
        deadline = time.monotonic() + time_budget
        done = 0
        while True:
            claimed = set()
            worked = run_batches(self.env, functools.partial(self._claim_round, claim, claimed),
                                 lambda batch: batch._process(), deadline - time.monotonic(),
                                 retry_on=True)
            # the round's invoices are audited even when staging spent the budget
            self.browse(claimed)._audit_staged(max(deadline - time.monotonic(), 1))
            done += worked
            if not worked or len(claimed) < STAGING_ROUND or time.monotonic() >= deadline:
                return done

    @api.model
    def _claim_round(self, claim, claimed):
        """``claim()`` while the round holds fewer than ``STAGING_ROUND`` messages."""
        if len(claimed) >= STAGING_ROUND:
            return self.browse()
        batch = claim()
        claimed.update(batch.ids)
        return batch

    def _audit_staged(self, time_budget=60):
        """Audit the received invoices these messages staged, in a transaction of their
        own (``freight_invoice_queue.py`` says why)."""
        if not self:
            return 0
        return self.env["freight.invoice"].sudo()._audit_staged_by(self, time_budget)

    def _wake_lanes(self):
        """Wake the cron jobs of these messages' lanes, right after they were stored or
        queued again: the shard's job claims them, the others find nothing and stop.

        What ``ir.cron._trigger`` does for each active cron, done in one statement for
        all of them, with one notification of the cron workers: it runs for every
        request of the machine routes."""
        self._wake(set(self.mapped("lane")))

    @api.model
    def _wake(self, lanes):
        """Wake the cron jobs of ``lanes`` (a lane ``False``: the safety net's)."""
        codes = [LANE_CRON_CODE % lane + "%" for lane in lanes if lane]
        inbox = self.env.ref(INBOX_CRON).id if None in lanes or False in lanes else None
        self.env.cr.execute(SQL(
            """
            INSERT INTO ir_cron_trigger
                   (cron_id, call_at, create_uid, create_date, write_uid, write_date)
            SELECT cron.id, %(now)s, %(uid)s, %(stamp)s, %(uid)s, %(stamp)s
              FROM ir_cron cron
              JOIN ir_act_server action ON action.id = cron.ir_actions_server_id
             WHERE cron.active AND (action.code LIKE ANY(%(codes)s::text[]) OR cron.id = %(inbox)s)
            RETURNING cron_id
            """,
            now=fields.Datetime.now(), uid=self.env.uid, stamp=SQL("now() AT TIME ZONE 'UTC'"),
            codes=codes, inbox=inbox,
        ))
        woken = [row[0] for row in self.env.cr.fetchall()]
        if woken:
            self.env["ir.cron.trigger"].invalidate_model()
            self.env.cr.postcommit.add(self.env["ir.cron"].browse(woken[0])._notifydb)

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
                if is_collision(error):
                    # another transaction holds or changed what this one writes: the batch
                    # is claimed again in a new transaction (_run_claims), no attempt counted
                    raise
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

    def _read_items(self):
        """``(events, invoices, X12 items or None)`` as today's parsers read the stored
        payload, whatever was applied of it."""
        raw = self._payload()
        if raw.lstrip(X12_LEAD)[:3] == b"ISA" or self.kind == "edi":
            items, refusals = read_stored(raw, self.received_at)
            if refusals and not items:
                raise MessageRefused(refusals)
            return ([event for _source, event in items if "invoice" not in event],
                    [event["invoice"] for _source, event in items if "invoice" in event], items)
        if self.kind == "invoices":
            return [], [item for _i, item in parse_invoice_batch(json.loads(raw))[0]], None
        return [item for _i, item in parse_event_batch(json.loads(raw))[0]], [], None

    def _owned_items(self):
        """``(events, invoices, unreadable ids)`` of the stored payload that this message
        still has to apply: items rejected at intake were answered then, items an earlier
        message brought are that message's, and items applied by an earlier run are done.
        An item accepted at intake that today's parser refuses is one of the unreadable."""
        events, invoices, interchange = self._read_items()
        if interchange is not None:
            self._adopt(interchange)
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
        failures, staged = {}, False
        for invoice in invoices:
            try:
                with self.env.cr.savepoint():
                    done, errors = Invoice._stage([invoice], endpoint.company_id, carrier, self)
                    self.env.flush_all()
            except Exception as error:  # recorded on the item, retried alone
                if is_collision(error):
                    raise  # not the invoice's fault: the batch is claimed again
                _logger.warning("invoice %s not staged: %s", invoice["external_id"], error)
                done, errors = Invoice.browse(), [str(error)]
            if errors:
                failures[invoice["external_id"]] = "\n".join(errors)
            staged = staged or bool(done)
        if staged:
            # audited once committed: by this lane (_run_claims) or the audit queue's crons
            Invoice._wake_auditors()
        # a replay's invoices, held by the audit, are audited again here
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
            "rule_snapshot_id": self._rules_applied().id,
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
            "rule_snapshot_id": self._rules_applied().id,
            "next_attempt_at": False,
            "last_error": "\n".join(reasons[:MAX_ERRORS]),
        })

    def _rules_applied(self):
        """The rules of this run: version and the revision of the endpoint's code map (a
        partner's own status codes), one snapshot row per distinct configuration."""
        self.ensure_one()
        endpoint = self.sudo().endpoint_id
        code_map = endpoint.code_map_id
        config = processing_config(RULES_VERSION, code_map.id or None,
                                   code_map._overrides() if code_map else {})
        return self.env["freight.rule.snapshot"]._for(
            config, endpoint.company_id or self.env.company)

    def _notify_dead(self):
        responsible = self.endpoint_id.responsible_id or self.env.ref("base.user_admin")
        outbound = self.direction == "out"
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=responsible.id,
            summary=_("Not delivered to %s", self.endpoint_id.name) if outbound
            else _("Dead letter from %s", self.endpoint_id.name),
            note=self.last_error,
        )
        if not outbound:
            return
        tenders = self.sudo().tender_ids.filtered(lambda t: t.state in ("queued", "sent"))
        if tenders:
            tenders.write({"state": "undeliverable"})
            for tender in tenders:
                tender.shipment_id._tender_activity(
                    _("Tender to %s not delivered", tender.carrier_id.name), self.last_error)

    # ---- outbox: queueing and delivery (direction out) ----

    @api.model
    def _queue_outbound(self, endpoint, kind, payload, key, content_type=None,
                        correlation_id=None):
        """Queue ``payload`` (bytes, text or JSON data) for ``endpoint`` under idempotency
        ``key``; returns the message. The same business event is queued once: a key already
        queued for the endpoint returns the message queued first, whatever the payload.

        Any code path may queue (the row is written as superuser), but the message comes back
        in the caller's environment: only freight managers read outbound messages."""
        key = outbox.check_header_value("Idempotency-Key", key)
        Message = self.sudo()
        existing = Message._find_outbound(endpoint, key)
        if existing:
            return existing.with_env(self.env)
        body, content_type = outbox.encode_payload(payload, content_type)
        values = {
            "direction": "out",
            "state": "queued",
            "endpoint_id": endpoint.id,
            "kind": kind,
            "content_type": content_type,
            "idempotency_key": key,
            "correlation_id": outbox.check_header_value(
                "X-Correlation-Id", correlation_id or str(uuid.uuid4())),
            "payload_sha256": body_digest(body),
            "payload_size": len(body),
            "item_count": 1,
        }
        try:
            with self.env.cr.savepoint():
                message = Message.with_context(
                    tracking_disable=True, mail_create_nolog=True).create(values)
        except UniqueViolation as error:
            if error.diag.constraint_name != KEY_CONSTRAINT:
                raise
            existing = Message._find_outbound(endpoint, key)
            if existing:
                return existing.with_env(self.env)
            raise
        attachment = self.env["ir.attachment"].sudo().with_context(**{IN_DATABASE: True}).create({
            "name": f"{kind}-out-{message.id}.{_extension(content_type)}",
            "raw": body,
            "res_model": self._name,
            "res_id": message.id,
            "mimetype": content_type,
        })
        message.payload_attachment_id = attachment
        self.env.ref(DELIVERY_CRON)._trigger()
        return message.with_env(self.env)

    @api.model
    def _find_outbound(self, endpoint, key):
        return self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "out"),
            ("idempotency_key", "=", key),
        ], limit=1)

    @api.model
    def _claim_outbound(self, limit):
        """Lock up to ``limit`` due outbound messages; other workers skip them. ``None``
        when a message another worker sent meanwhile (committed after this transaction's
        snapshot) makes PostgreSQL refuse the lock: never sent twice, claimed again."""
        self.env["freight.message"].flush_model()
        query = SQL(
            """
            SELECT id FROM freight_message
             WHERE direction = 'out' AND state = ANY(%s)
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            list(SENDABLE), fields.Datetime.now(), limit,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except SerializationFailure:
            return None
        return self.browse(ids)

    @api.model
    def _cron_deliver_outbox(self, batch_size=1, time_budget=55):
        """POST due outbound messages. Each claim is committed with its outcome before the
        next (``batch_size`` 1): a message recorded as sent is never sent again, and a crash
        between a POST and its commit sends that one message again under the same
        ``Idempotency-Key``."""
        testing = getattr(threading.current_thread(), "testing", False)

        def claim():
            for _try in range(3):
                batch = self._claim_outbound(batch_size)
                if batch is not None:
                    return batch
                # lost a race: this transaction's snapshot predates another worker's
                # commit; everything before was committed, a new transaction sees it
                _logger.info("outbox claim lost a race with another worker; claiming again")
                if testing:
                    break
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.ref(DELIVERY_CRON)._trigger()
            return self.browse()

        return run_batches(self.env, claim, lambda batch: batch._deliver(), time_budget)

    def _deliver(self):
        timeout = self._outbound_timeout()
        for message in self:
            verdict, reason, status, answer, retry_after = message._post(timeout)
            message._record_delivery(verdict, reason, status, answer, retry_after)

    @api.model
    def _outbound_timeout(self):
        value = self.env["ir.config_parameter"].sudo().get_param(OUTBOUND_TIMEOUT_PARAM)
        try:
            timeout = float(value) if value else outbox.DEFAULT_TIMEOUT
        except ValueError:
            timeout = outbox.DEFAULT_TIMEOUT
        return timeout if timeout > 0 else outbox.DEFAULT_TIMEOUT

    def _post(self, timeout):
        """One attempt: ``(verdict, reason, status, answer excerpt, retry after)``."""
        self.ensure_one()
        endpoint = self.endpoint_id.sudo()
        url = endpoint.outbound_url
        problem = outbox.url_problem(url)
        if problem:
            return outbox.DEAD, _("Endpoint %(endpoint)s: %(problem)s",
                                  endpoint=endpoint.name, problem=problem), 0, "", None
        try:
            body = self._payload()
            headers = outbox.build_headers(endpoint.hmac_secret, body, int(time.time()),
                                           self.correlation_id, self.idempotency_key,
                                           self.content_type or "application/octet-stream")
        except (outbox.OutboxError, ValueError) as error:
            return outbox.DEAD, str(error), 0, "", None
        try:
            with requests.post(url, data=body, headers=headers, timeout=timeout,
                               allow_redirects=False, stream=True) as response:
                answer = outbox.excerpt(response.raw.read(outbox.EXCERPT_CHARS * 4,
                                                          decode_content=True))
                status = response.status_code
                retry_after = outbox.parse_retry_after(response.headers.get("Retry-After"))
        except requests.Timeout:
            verdict, reason = outbox.classify_error("timeout", f"{timeout:g} s")
            return verdict, reason, 0, "", None
        except requests.ConnectionError as error:
            verdict, reason = outbox.classify_error("connection", type(error).__name__)
            return verdict, reason, 0, "", None
        except requests.RequestException as error:
            verdict, reason = outbox.classify_error("invalid", type(error).__name__)
            return verdict, reason, 0, "", None
        verdict, reason = outbox.classify_status(status)
        return verdict, reason, status, answer, retry_after

    def _record_delivery(self, verdict, reason, status, answer, retry_after=None):
        now = fields.Datetime.now()
        attempts = self.attempts + 1
        values = {"attempts": attempts, "answer_status": status, "answer_excerpt": answer,
                  "processed_at": now}
        if verdict == outbox.DELIVERED:
            self.write({**values, "state": "sent", "sent_at": now, "next_attempt_at": False,
                        "last_error": False})
            _logger.info("outbound message %s sent to endpoint %s: HTTP %s",
                         self.correlation_id, self.endpoint_id.id, status)
            self.tender_ids.filtered(lambda t: t.state == "queued").sudo().write(
                {"state": "sent", "sent_at": self.sent_at})
            return
        retry_at = outbox.next_attempt(attempts, now, retry_after) \
            if verdict == outbox.RETRY else None
        self.write({**values, "state": "retry" if retry_at else "dead",
                    "next_attempt_at": retry_at, "last_error": reason})
        if retry_at:
            _logger.info("outbound message %s to endpoint %s not delivered (%s); retry at %s",
                         self.correlation_id, self.endpoint_id.id, reason, retry_at)
            self.env.ref(DELIVERY_CRON)._trigger(retry_at)
        else:
            _logger.warning("outbound message %s to endpoint %s is dead after %s attempt(s): %s",
                            self.correlation_id, self.endpoint_id.id, attempts, reason)
            self._notify_dead()

    # ---- outbox: acknowledgments of our X12 tenders ----

    @api.model
    def _reconcile_997(self, endpoint, acks):
        """The 997s of ``endpoint`` acknowledging our 204s: an accepted set makes its
        message ``acknowledged``, a rejected one ``dead`` with the reason (and the tender
        undeliverable, the dispatcher told). Returns how many messages were matched."""
        acks = [ack for ack in acks if ack["set_code"] == "204"]
        if not acks:
            return 0
        messages = self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "out"),
            ("x12_group_control", "in", [ack["group_control"] for ack in acks])])
        by_control = {(m.x12_group_control, m.x12_set_control.lstrip("0")): m
                      for m in messages}
        matched = 0
        for ack in acks:
            message = by_control.get((ack["group_control"], ack["set_control"].lstrip("0")))
            if not message:
                _logger.info("997 of endpoint %s names no 204 of ours (group %s set %s)",
                             endpoint.id, ack["group_control"], ack["set_control"])
                continue
            matched += 1
            if ack["accepted"]:
                if message.state in ("queued", "retry", "sent"):
                    message.write({"state": "acknowledged",
                                   "acknowledged_at": fields.Datetime.now()})
            elif message.state != "dead":
                message.write({"state": "dead", "next_attempt_at": False,
                               "last_error": _("Rejected by the carrier's 997: %s",
                                               ack["reason"])})
                message._notify_dead()
        return matched

    @api.model
    def _cron_tender_ack_alert(self):
        """X12 tenders sent without a 997 back within the company's minutes: an activity
        for the shipment's dispatcher, once per message."""
        now = fields.Datetime.now()
        candidates = self.sudo().search([
            ("direction", "=", "out"), ("kind", "=", "tender"), ("state", "=", "sent"),
            ("x12_group_control", "!=", False), ("ack_alert_sent", "=", False),
            ("sent_at", "<=", now - timedelta(minutes=1))])
        late = candidates.filtered(lambda m: tender_flow.unacknowledged(
            m.sent_at, m.endpoint_id.company_id.freight_tender_ack_minutes, now))
        for message in late:
            for tender in message.tender_ids:
                tender.shipment_id._tender_activity(
                    _("No 997 from %s for the tender", tender.carrier_id.name),
                    _("The X12 204 (group %(group)s) was sent at %(sent)s and not "
                      "acknowledged.", group=message.x12_group_control, sent=message.sent_at))
        late.write({"ack_alert_sent": True})

    # ---- actions of admins ----

    def action_send_now(self):
        """Make queued or waiting messages due now and wake the delivery job; the job, not
        this request, sends them, so that only one worker ever holds a message."""
        if self.filtered(lambda m: m.direction != "out" or m.state not in SENDABLE):
            raise UserError(_("Only queued outbound messages or those waiting to retry can "
                              "be sent now."))
        self.write({"next_attempt_at": False})
        for message in self:
            message.message_post(body=_("Sending requested"))
        self.env.ref(DELIVERY_CRON)._trigger()


    def action_retry(self):
        """Try failed or dead messages again now, with a fresh retry budget (outbound:
        dead or waiting ones are queued again)."""
        outbound = self.filtered(lambda m: m.direction == "out")
        inbound = self - outbound
        if outbound.filtered(lambda m: m.state not in ("dead", "retry")):
            raise UserError(_("Only outbound messages that are dead or waiting to retry can "
                              "be retried."))
        if inbound.filtered(lambda m: m.state not in RETRYABLE):
            raise UserError(_("Only failed, partly applied or dead messages can be retried."))
        if outbound:
            outbound.write({"state": "queued", "attempts": 0, "next_attempt_at": False,
                            "last_error": False})
            for message in outbound:
                message.message_post(body=_("Retry requested"))
            self.env.ref(DELIVERY_CRON)._trigger()
        if inbound:
            inbound._requeue(_("Retry requested"))

    def action_replay(self):
        """Run stored payloads again through today's rules; processing is idempotent, so
        what was already applied is not applied twice."""
        if self.filtered(lambda m: m.direction != "in" or m.state == "received"):
            raise UserError(_("Only inbound messages that were processed can be replayed."))
        self._check_replayable()
        self.env["freight.message.event"].sudo()._reset(self)
        self._requeue(_("Replay requested"))

    def _requeue(self, note):
        self.write({"state": "received", "attempts": 0, "next_attempt_at": False,
                    "last_error": False, "ignore_reason": False})
        for message in self:
            message.message_post(body=note)
        self._wake_lanes()

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
        if self.filtered(lambda m: m.state in ("sent", "acknowledged")):
            raise UserError(_("Sent messages cannot be ignored."))
        self.write({"state": "ignored", "ignore_reason": reason.strip(), "next_attempt_at": False})

    def action_view_milestones(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_milestone")
        action["domain"] = [("message_id", "in", self.ids)]
        return action
