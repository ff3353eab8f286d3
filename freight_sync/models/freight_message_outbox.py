"""The outbox: ``freight.message`` with direction ``out``, queued once per idempotency key,
POSTed signed to the endpoint's outbound URL by a cron, retried with backoff, then dead."""

import logging
import threading
import time
import uuid

import requests
from psycopg2.errors import SerializationFailure, UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services import outbox
from ..services.signature import body_digest
from .cron_batches import run_batches
from .freight_message import KEY_CONSTRAINT
from .ir_attachment import IN_DATABASE

_logger = logging.getLogger(__name__)

OUTBOUND_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("retry", "Waiting to retry"),
]
# what the delivery cron picks up, once due
SENDABLE = ("queued", "retry")
TIMEOUT_PARAM = "freight_sync.outbound_timeout"
CRON = "freight_sync.ir_cron_deliver_outbox"


def _extension(content_type):
    if "json" in content_type:
        return "json"
    return "x12" if "edi" in content_type or "x12" in content_type else "txt"


class FreightMessageOutbox(models.Model):
    _inherit = "freight.message"

    state = fields.Selection(
        selection_add=OUTBOUND_STATES,
        ondelete={key: "set default" for key, _label in OUTBOUND_STATES},
    )
    sent_at = fields.Datetime(readonly=True, help="When the receiver accepted it (2xx).")
    outbound_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, index="btree_not_null",
        ondelete="set null",
        help="The shipment an outbound message is about (a tender, a status notification).")
    answer_excerpt = fields.Text(
        string="Answer", readonly=True,
        help="The beginning of the receiver's last answer to an outbound message.")

    # ---- queueing ----

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
        self.env.ref(CRON)._trigger()
        return message.with_env(self.env)

    @api.model
    def _find_outbound(self, endpoint, key):
        return self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "out"),
            ("idempotency_key", "=", key),
        ], limit=1)

    # ---- delivery ----

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
            self.env.ref(CRON)._trigger()
            return self.browse()

        return run_batches(self.env, claim, lambda batch: batch._deliver(), time_budget)

    def _deliver(self):
        timeout = self._outbound_timeout()
        for message in self:
            verdict, reason, status, answer, retry_after = message._post(timeout)
            message._record_delivery(verdict, reason, status, answer, retry_after)

    @api.model
    def _outbound_timeout(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM)
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
            return
        retry_at = outbox.next_attempt(attempts, now, retry_after) \
            if verdict == outbox.RETRY else None
        self.write({**values, "state": "retry" if retry_at else "dead",
                    "next_attempt_at": retry_at, "last_error": reason})
        if retry_at:
            _logger.info("outbound message %s to endpoint %s not delivered (%s); retry at %s",
                         self.correlation_id, self.endpoint_id.id, reason, retry_at)
            self.env.ref(CRON)._trigger(retry_at)
        else:
            _logger.warning("outbound message %s to endpoint %s is dead after %s attempt(s): %s",
                            self.correlation_id, self.endpoint_id.id, attempts, reason)
            self._notify_dead()

    def _notify_dead(self):
        if self.direction != "out":
            return super()._notify_dead()
        responsible = self.endpoint_id.responsible_id or self.env.ref("base.user_admin")
        return self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=responsible.id,
            summary=_("Not delivered to %s", self.endpoint_id.name),
            note=self.last_error,
        )

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
        self.env.ref(CRON)._trigger()

    def action_retry(self):
        outbound = self.filtered(lambda m: m.direction == "out")
        if outbound.filtered(lambda m: m.state not in ("dead", "retry")):
            raise UserError(_("Only outbound messages that are dead or waiting to retry can "
                              "be retried."))
        if outbound:
            outbound.write({"state": "queued", "attempts": 0, "next_attempt_at": False,
                            "last_error": False})
            for message in outbound:
                message.message_post(body=_("Retry requested"))
            self.env.ref(CRON)._trigger()
        inbound = self - outbound
        return super(FreightMessageOutbox, inbound).action_retry() if inbound else None

    def _ignore(self, reason):
        if self.filtered(lambda m: m.state in ("sent", "acknowledged")):
            raise UserError(_("Sent messages cannot be ignored."))
        return super()._ignore(reason)
