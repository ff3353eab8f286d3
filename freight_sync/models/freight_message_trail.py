"""The stored messages as an audit trail.

Retention of raw payloads (services/retention.py says which and when): a daily cron
archives settled messages' payloads to the filestore, gzip-compressed, and later purges
them, keeping the digest, the size and the message. Set-based: one claim, one read of the
payloads, one ``create`` of the archives, one UPDATE and one ``unlink`` per batch.

What today's rules read otherwise in a processed message: the status codes its events
carried, through the code map its run applied (its rule snapshot) and through today's. A
dry run: nothing is applied; **Replay** applies today's rules."""

import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..services.retention import (
    ARCHIVE_DAYS_PARAM,
    ARCHIVE_MIMETYPE,
    ARCHIVE_STATES,
    DEFAULT_ARCHIVE_DAYS,
    DEFAULT_PURGE_DAYS,
    PURGE_DAYS_PARAM,
    PURGE_STATES,
    PayloadPurged,
    compress,
    cutoffs,
    decompress,
)
from ..services.rule_snapshot import status_changes
from ..services.signature import body_digest
from .cron_batches import run_batches

_logger = logging.getLogger(__name__)
RETENTION_BATCH = 1000


class FreightMessage(models.Model):
    _inherit = "freight.message"

    payload_archived_at = fields.Datetime(
        string="Payload Archived On", readonly=True, copy=False,
        help="The payload was compressed into the filestore under the retention policy.")
    payload_purged_at = fields.Datetime(
        string="Payload Purged On", readonly=True, copy=False,
        help="The payload was removed under the retention policy: its sha256 and size are "
             "kept as the proof of what came in; the message cannot be replayed.")

    def init(self):
        result = super().init()
        # the daily claim reads the settled messages not purged yet by age, not the table
        create_index(self.env.cr, "freight_message__retention_index", self._table,
                     ["received_at"], where="payload_purged_at IS NULL")
        return result

    # ---- reading a payload back ----

    def _stored_payload(self):
        """The bytes as received, whatever retention did to them; ``PayloadPurged`` once
        they were removed."""
        message = self.sudo()
        if message.payload_purged_at:
            raise PayloadPurged("", _(
                "The payload of message %(message)s was purged on %(date)s under the "
                "retention policy; its sha256 %(sha)s and size (%(size)s bytes) are kept.",
                message=message.correlation_id, date=message.payload_purged_at,
                sha=message.payload_sha256, size=message.payload_size))
        return message._raw_payloads().get(message.id, b"")

    def _raw_payloads(self):
        """``{message id: bytes as received}`` of these messages' stored payloads (none
        for a purged one), archives decompressed, in one query whatever their number:
        ``ir.attachment.raw`` would read each row's bytes with a query of its own."""
        self.flush_model(["payload_attachment_id", "payload_archived_at"])
        self.env.cr.execute(SQL(
            """
            SELECT m.id, a.db_datas, a.store_fname, m.payload_archived_at IS NOT NULL
              FROM freight_message AS m
              JOIN ir_attachment AS a ON a.id = m.payload_attachment_id
             WHERE m.id = ANY(%s)
            """, self.ids))
        Attachment = self.env["ir.attachment"].sudo()
        payloads = {}
        for message_id, datas, fname, archived in self.env.cr.fetchall():
            raw = bytes(datas) if datas is not None else (
                Attachment._file_read(fname) if fname else b"")
            payloads[message_id] = decompress(raw) if archived else raw
        return payloads

    def _check_replayable(self):
        purged = self.filtered("payload_purged_at")
        if purged:
            raise UserError(_(
                "The payload of %s was purged under the retention policy (only its sha256 "
                "and size are kept): it cannot be replayed.",
                ", ".join(purged.mapped("correlation_id"))))

    # ---- the daily cron ----

    @api.model
    def _retention_days(self):
        params = self.env["ir.config_parameter"].sudo()
        return (int(params.get_param(ARCHIVE_DAYS_PARAM, DEFAULT_ARCHIVE_DAYS) or 0),
                int(params.get_param(PURGE_DAYS_PARAM, DEFAULT_PURGE_DAYS) or 0))

    @api.model
    def _cron_payload_retention(self, batch_size=RETENTION_BATCH, time_budget=55):
        """Purge, then archive, batch after batch, each committed on its own, within the
        run's time; returns ``{"purged": n, "archived": n}``."""
        archive_before, purge_before = cutoffs(fields.Datetime.now(), *self._retention_days())
        started = time.monotonic()
        done = {"purged": 0, "archived": 0}
        if purge_before:
            done["purged"] = run_batches(
                self.env, lambda: self._claim_retention(purge_before, PURGE_STATES, batch_size),
                lambda batch: batch._purge_payloads(), time_budget, retry_on=True)
        spent = time.monotonic() - started
        if archive_before and spent < time_budget:
            done["archived"] = run_batches(
                self.env, lambda: self._claim_retention(archive_before, ARCHIVE_STATES,
                                                        batch_size, archived=False),
                lambda batch: batch._archive_payloads(), time_budget - spent, retry_on=True)
        if any(done.values()):
            _logger.info("payload retention: %(purged)s purged, %(archived)s archived", done)
        return done

    @api.model
    def _claim_retention(self, before, states, limit, archived=None):
        """Settled messages received before ``before`` whose payload is still stored
        (``archived=False``: not archived yet); rows another worker holds are skipped."""
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM freight_message
             WHERE payload_purged_at IS NULL AND payload_attachment_id IS NOT NULL
               AND received_at < %s AND state = ANY(%s) %s
             ORDER BY received_at, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """, before, list(states),
            SQL("AND payload_archived_at IS NULL") if archived is False else SQL(""), limit))
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _archive_payloads(self):
        """Compress each payload into a filestore attachment, point the message to it and
        drop the database copy. A payload whose bytes no longer match the digest taken at
        receipt is left as it is, for someone to look at."""
        Attachment = self.env["ir.attachment"].sudo()
        # A file is written before its row: holding this lock makes Odoo's filestore
        # garbage collector (LOCK ... IN SHARE MODE) wait for this commit, so it cannot
        # take a just-written archive for an orphan. Other writers are not blocked.
        self.env.cr.execute("LOCK ir_attachment IN ROW EXCLUSIVE MODE")
        kept, values = [], []
        payloads = self._raw_payloads()
        for message in self:
            stored = message.payload_attachment_id
            raw = payloads.get(message.id, b"")
            if body_digest(raw) != message.payload_sha256:
                _logger.warning("freight message %s: payload does not match its sha256, "
                                "not archived", message.id)
                continue
            kept.append(message)
            values.append({
                "name": f"{stored.name}.gz", "res_model": self._name, "res_id": message.id,
                "mimetype": ARCHIVE_MIMETYPE, "raw": compress(raw),
                "company_id": stored.company_id.id,
            })
        if not kept:
            return
        archives = Attachment.create(values)
        originals = self.browse([m.id for m in kept]).payload_attachment_id
        self._set_payloads([m.id for m in kept], archives.ids, "payload_archived_at")
        originals.unlink()

    def _purge_payloads(self):
        stored = self.payload_attachment_id
        self._set_payloads(self.ids, [None] * len(self), "payload_purged_at")
        stored.sudo().unlink()

    def _set_payloads(self, ids, attachment_ids, stamp):
        """One UPDATE for the batch: each message's attachment and the retention date."""
        self.env.cr.execute(SQL(
            """
            UPDATE freight_message AS m
               SET payload_attachment_id = v.attachment, %s = now() AT TIME ZONE 'UTC'
              FROM unnest(%s::int[], %s::int[]) AS v(id, attachment)
             WHERE m.id = v.id
            """, SQL.identifier(stamp), ids, attachment_ids))
        self.invalidate_model(["payload_attachment_id", stamp])

    # ---- the rules applied, compared with today's ----

    def compare_rules(self):
        """Per message, each status code whose meaning today's code map reads otherwise
        than the code map of its last run, posted in its chatter. Returns
        ``[{"message_id", "changes": [{"code", "then", "today"}]}]``."""
        # those who may replay a message: the rest may not learn what a replay would do
        self.check_access_rights("write")
        self.check_access_rule("write")
        results = []
        for message in self:
            message._check_replayable()
            original = message._code_map_applied()
            endpoint = message.sudo().endpoint_id
            today = endpoint.code_map_id._overrides() if endpoint.code_map_id else {}
            events = message._read_items()[0]
            changes = status_changes(
                [event.get("raw_code") for event in events if not event.get("code")],
                original, today)
            message.message_post(body=message._rules_note(changes))
            results.append({"message_id": message.id, "changes": [
                {"code": code, "then": then, "today": now} for code, then, now in changes]})
        return results

    def _code_map_applied(self):
        """The codes of the code map the last run applied (``{}``: none, the standard
        meanings); a UserError when the run recorded no codes."""
        config = self.rule_snapshot_id._config() if self.rule_snapshot_id else {}
        if self.direction != "in" or config.get("kind") != "processing":
            raise UserError(_("%s has no processing run with its rules recorded: only a "
                              "replay with today's rules is possible.", self.display_name))
        code_map = config.get("code_map")
        if code_map and "codes" not in code_map:
            raise UserError(_("%(message)s was processed before the code maps' codes were "
                              "recorded (revision %(revision)s only): only a replay with "
                              "today's rules is possible.", message=self.display_name,
                              revision=code_map["revision"]))
        return code_map["codes"] if code_map else {}

    def action_compare_rules(self):
        self.compare_rules()

    def _rules_note(self, changes):
        if not changes:
            return _("Compared with today's rules: every status code of this message means "
                     "what it meant when it was processed.")
        return _("Compared with today's rules (a dry run, nothing applied): %s. Replay "
                 "applies today's meaning.", "; ".join(f"{code} {then} → {now}"
                                                      for code, then, now in changes))
