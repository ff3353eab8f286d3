"""Received carrier invoices waiting for their audit: a queue of its own.

Intake stages an invoice and commits, then the invoice is audited in a transaction of its
own (``freight.message._run_claims``). Two reasons: a crash or a bad invoice in the audit
no longer undoes the intake, and PostgreSQL re-checks every foreign key of a row updated in
the transaction that inserted it (six on a line, whatever columns change): about a fifth
of the audit's database time at 100,000 lines, gone once the staging is committed.

Received invoices are claimed ``FOR UPDATE SKIP LOCKED`` by the lane that staged them and
by the audit queue's crons, woken by each staging: while the lane stages the next messages,
the crons audit what it committed, side by side on a backlog, and they pick up whatever a
lane stopped between staging and audit left. Two audits of the same shipment's money at
once are refused by PostgreSQL and the second is retried (``freight.invoice.audit.
_claim_shipments``). An invoice whose audit fails (a bug, data no rule foresaw) is set
aside with the error, alone: the others of its batch are audited, and a clerk's *Audit
again* tries it again."""

import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

from .cron_batches import is_collision, run_batches
from .freight_invoice import AUDIT_BATCH

_logger = logging.getLogger(__name__)
AUDIT_QUEUE_CRONS = ("freight_sync.ir_cron_audit_queue_0", "freight_sync.ir_cron_audit_queue_1")


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    audit_error = fields.Text(
        readonly=True, copy=False,
        help="Why the audit of this received invoice failed; it waits for an 'Audit again'.")

    @api.model
    def _claim_received(self, limit, message_ids=None):
        """Lock up to ``limit`` received invoices no audit has failed on, oldest first
        (those staged by ``message_ids`` when given)."""
        self.flush_model(["state", "audit_error", "message_id"])
        scope = (SQL("message_id = ANY(%s)", list(message_ids)) if message_ids is not None
                 else SQL("TRUE"))
        self.env.cr.execute(SQL(
            """
            SELECT id FROM freight_invoice
             WHERE state = 'received' AND audit_error IS NULL AND %s
             ORDER BY date, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """, scope, limit), log_exceptions=False)
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _audit_claimed(self):
        """Audit these claimed invoices as a batch; when the batch fails for something
        other than a collision, audit them one by one and set aside the ones that fail."""
        try:
            with self.env.cr.savepoint():
                self._audit()
            return
        except Exception as error:
            if is_collision(error):
                raise  # another transaction won: the caller claims again
        self.env.invalidate_all()
        for invoice in self:
            try:
                with self.env.cr.savepoint():
                    invoice._audit()
            except Exception as error:
                if is_collision(error):
                    raise
                _logger.exception("freight invoice %s: audit failed", invoice.id)
                invoice._set_aside(error)

    def _set_aside(self, error):
        self.env.invalidate_all()
        self._set_outcome({"audit_error": str(error) or type(error).__name__})
        self.message_post(body=_(
            "The audit failed and the invoice waits: %s. 'Audit again' tries it once more.",
            str(error) or type(error).__name__))

    @api.model
    def _audit_received(self, claim, time_budget):
        """Claim and audit received invoices until ``claim()`` finds none; each batch
        committed on its own outside tests, a batch that collided claimed again."""
        return run_batches(self.env, claim, lambda invoices: invoices._audit_claimed(),
                           time_budget, retry_on=True)

    @api.model
    def _audit_staged_by(self, messages, time_budget):
        """Audit what ``messages`` staged, once their staging is committed."""
        return self._audit_received(
            lambda: self._claim_received(AUDIT_BATCH, message_ids=messages.ids), time_budget)

    @api.model
    def _cron_audit_received(self, batch_size=None, time_budget=55):
        """An audit queue cron's run: received invoices, whoever staged them."""
        return self.sudo()._audit_received(
            lambda: self.sudo()._claim_received(batch_size or AUDIT_BATCH), time_budget)

    @api.model
    def _wake_auditors(self):
        """Wake the audit queue's crons at commit (invoices were staged)."""
        env = self.sudo().env  # the lane runs as the partner's technical user
        for xmlid in AUDIT_QUEUE_CRONS:
            cron = env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.active:
                cron._trigger()
