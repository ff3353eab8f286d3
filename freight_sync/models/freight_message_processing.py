import json
import logging
import threading
import time

from odoo import _, api, fields, models

from ..services.canonical import PayloadError, parse_event_batch
from ..services.inbox import RULES_VERSION, next_attempt
from ..services.invoice_payload import parse_invoice_batch
from ..services.x12 import parse
from ..services.x12_intake import inbound_items

_logger = logging.getLogger(__name__)

HANDLED_KINDS = ["events", "edi", "invoices"]
SOURCE_BY_KIND = {"tms": "tms", "carrier": "carrier", "audit": "api"}


class FreightMessage(models.Model):
    _inherit = "freight.message"

    @api.model
    def _claim(self, limit):
        """Lock up to ``limit`` due messages; other workers skip them instead of waiting,
        so any number of cron workers share the queue without doing work twice."""
        self.env["freight.message"].flush_model()
        self.env.cr.execute(
            """
            SELECT id FROM freight_message
             WHERE direction = 'in' AND state IN ('received', 'failed') AND kind = ANY(%s)
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [HANDLED_KINDS, fields.Datetime.now(), limit],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_process_inbox(self, batch_size=20, time_budget=55):
        testing = getattr(threading.current_thread(), "testing", False)
        deadline = time.monotonic() + time_budget
        processed = 0
        while time.monotonic() < deadline:
            batch = self._claim(batch_size)
            if not batch:
                break
            batch._process()
            processed += len(batch)
            if not testing:
                # each batch is durable on its own; locks are released for other workers
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return processed

    def _process(self):
        for message in self:
            started = time.perf_counter()
            try:
                with self.env.cr.savepoint():
                    errors = message._apply()
            except PayloadError as error:
                errors = [str(error)]
            except Exception as error:  # a bug or bad data must not stall the queue
                _logger.exception("freight message %s failed", message.id)
                errors = [_("Processing error: %s", error)]
            message._finish(errors, started)

    def _finish(self, errors, started):
        now = fields.Datetime.now()
        values = {
            "processed_at": now,
            "processing_ms": int((time.perf_counter() - started) * 1000),
            "rules_version": RULES_VERSION,
        }
        if not errors:
            self.write({**values, "state": "done", "last_error": False,
                        "next_attempt_at": False})
            return
        attempts = self.attempts + 1
        retry_at = next_attempt(attempts, now)
        self.write({
            **values,
            "attempts": attempts,
            "state": "failed" if retry_at else "dead",
            "next_attempt_at": retry_at,
            "last_error": "\n".join(errors[:50])
            + (_("\n… and %s more", len(errors) - 50) if len(errors) > 50 else ""),
        })
        if not retry_at:
            self._notify_dead()

    def _notify_dead(self):
        responsible = self.endpoint_id.responsible_id or self.env.ref("base.user_admin")
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=responsible.id,
            summary=_("Dead letter from %s", self.endpoint_id.name),
            note=self.last_error,
        )

    def _apply(self):
        """Apply the stored payload; returns the errors of items that could not be applied.

        Runs as the endpoint's technical user in its company, so record rules bound what
        a partner can touch. Items applied before an error stay applied: every handler is
        idempotent, and a retry only applies what is still missing.
        """
        endpoint = self.endpoint_id
        # the milestones are the audit trail of a status: no chatter line per status change
        message = self.with_user(endpoint.user_id).with_company(endpoint.company_id).with_context(
            tracking_disable=True)
        if self.kind == "invoices":
            return message._stage_invoices()
        if self.kind == "events":
            events, errors = message._events_from_json()
        else:
            events, errors = message._events_from_x12()
            errors += message._stage_invoices()
        shipments = message.env["freight.shipment"]
        errors += shipments._apply_inbound_events(events, endpoint, self)
        # recompute statuses here, in this context, not at commit in the default one
        message.env.flush_all()
        return errors

    def _events_from_json(self):
        document = json.loads(self._payload())
        valid, _rejected = parse_event_batch(document)
        owned = self.env["freight.message.event"].sudo()._ids_owned_by(self)
        # items rejected at intake, or owned by an earlier message, are not this one's
        return [event for _index, event in valid if event["external_id"] in owned], []

    def _stage_invoices(self):
        raw = self._payload()
        if raw.lstrip(b"\xef\xbb\xbf \r\n\t")[:3] == b"ISA":
            items, _errors, _rejected = inbound_items(
                parse(raw.decode("utf-8", "replace")), self.received_at)
            invoices = [event["invoice"] for _source, event in items if "invoice" in event]
        else:
            invoices = [invoice for _index, invoice in parse_invoice_batch(json.loads(raw))[0]]
        if not invoices:
            return []
        owned = self.env["freight.message.event"].sudo()._ids_owned_by(self)
        invoices = [invoice for invoice in invoices if invoice["external_id"] in owned]
        endpoint = self.endpoint_id
        carrier = endpoint.carrier_id if endpoint.kind == "carrier" else None
        staged, errors = self.env["freight.invoice"]._stage(
            invoices, endpoint.company_id, carrier, self)
        # auditing creates bills and cases: it runs with the freight application's rights,
        # not those of the partner's technical user
        staged.sudo()._audit()
        return errors

    def _events_from_x12(self):
        text = self._payload().decode("utf-8", "replace")
        # sets rejected at intake were answered in the 997: they are not this run's errors
        items, _errors, _rejected = inbound_items(parse(text), self.received_at)
        owned = self.env["freight.message.event"].sudo()._ids_owned_by(self)
        return [event for _source, event in items
                if "invoice" not in event and event["external_id"] in owned], []
