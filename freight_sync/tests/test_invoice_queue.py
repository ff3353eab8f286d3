"""The audit queue: intake stages and commits, the audit follows in a transaction of its
own; a failing invoice is set aside alone; nothing is audited twice at once; a crash
between the two loses nothing (freight_invoice_queue.py)."""

import json
import threading
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import freight_invoice_queue
from ..models.freight_invoice_audit import FreightInvoiceAudit
from ..models.freight_invoice_queue import FreightInvoice
from ..models.freight_message import FreightMessage
from ..services.invoice_payload import parse_invoice_batch
from .common import committed_env, role_users
from .invoice_common import ContractCase
from .lanes_common import LanesCase, invoices_body

AUDITED = ("audited", "exception", "approved", "posted")


def external_ids(body):
    return [item["external_id"] for _index, item in parse_invoice_batch(json.loads(body))[0]]


def failing_for(bad_ids):
    """The audit's shell raising for any batch that holds one of ``bad_ids``."""
    run = FreightInvoiceAudit._run

    def maybe_fail(self, invoices, company):
        if set(invoices.ids) & set(bad_ids):
            raise ValueError("a rule no carrier file foresaw")
        return run(self, invoices, company)
    return patch.object(FreightInvoiceAudit, "_run", maybe_fail)


@tagged("freight_sync", "post_install", "-at_install")
class TestAuditQueue(ContractCase):

    def staged(self, count):
        return self.stage(*[self.canonical(f"Q-{self.id()[-6:]}-{n}") for n in range(count)])

    def test_the_lane_audits_what_its_round_staged(self):
        body = invoices_body("Q-LANE-1", "Q-LANE-2", pro="PRO100")
        message = self.env["freight.message"]._store_inbound(
            self.endpoint, "invoices", body, "application/json", "q-lane", None, 2)
        self.env["freight.message.event"]._record_keys(
            self.endpoint, message, [(key, key) for key in external_ids(body)])
        self.env["freight.message"]._cron_process_lane("invoices", 0, 1, time_budget=30)
        invoices = self.env["freight.invoice"].search([("message_id", "=", message.id)])
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(len(invoices), 2)
        self.assertTrue(all(state in AUDITED for state in invoices.mapped("state")))

    def test_a_failing_invoice_is_set_aside_alone(self):
        invoices = self.staged(3)
        bad = invoices[1]
        with failing_for(bad.ids), self.assertLogs(freight_invoice_queue.__name__, "ERROR"):
            invoices._audit_claimed()
        self.assertEqual(bad.state, "received")
        self.assertIn("a rule no carrier file foresaw", bad.audit_error)
        self.assertIn("The audit failed", bad.message_ids[0].body)
        self.assertTrue(all(state in AUDITED for state in (invoices - bad).mapped("state")))
        # the queue does not claim it again; a clerk's "Audit again" does
        Invoice = self.env["freight.invoice"]
        self.assertNotIn(bad, Invoice._claim_received(100))
        clerk = role_users(self.env, "queue")["clerk"]
        bad.with_user(clerk).action_reaudit()
        self.assertIn(bad.state, AUDITED)
        self.assertFalse(bad.audit_error)

    def test_audit_error_is_not_a_clerks_to_write(self):
        invoice = self.staged(1)
        clerk = role_users(self.env, "queue2")["clerk"]
        with self.assertRaises(AccessError):
            invoice.with_user(clerk).write({"audit_error": "forged"})
        self.assertFalse(invoice.audit_error)

    def test_the_queue_crons_audit_what_any_lane_left(self):
        invoices = self.staged(2)
        self.env["freight.invoice"]._cron_audit_received(time_budget=30)
        self.assertTrue(all(state in AUDITED for state in invoices.mapped("state")))

    def test_staging_wakes_the_audit_queue(self):
        crons = [("cron_id", "in", [self.env.ref(xmlid).id
                                    for xmlid in freight_invoice_queue.AUDIT_QUEUE_CRONS])]
        triggers = self.env["ir.cron.trigger"].search_count(crons)
        self.test_the_lane_audits_what_its_round_staged()
        self.assertEqual(self.env["ir.cron.trigger"].search_count(crons), triggers + 2)


@tagged("freight_sync", "post_install", "-at_install")
class TestAuditQueueTransactions(LanesCase):
    """Real transactions: the lane's staging committed before its audit; two workers on
    the same queue."""

    def _invoices(self, message_ids):
        with committed_env(self.registry) as env:
            return {i.id: (i.state, i.audit_error)
                    for i in env["freight.invoice"].search([("message_id", "in", message_ids)])}

    def test_a_crash_between_staging_and_audit_loses_nothing(self):
        _carrier_id, _robot_id, endpoint_ids, _shipment_ids = self.ids
        with committed_env(self.registry) as env:
            body = invoices_body("CRASH-1", "CRASH-2", pro="LANE1")
            message_id = self._store(env, endpoint_ids[0], "invoices", "crash-1", body,
                                     external_ids(body))
        outcome = {}

        def killed(self, time_budget=60):
            raise KeyboardInterrupt("worker killed after the staging's commit")

        def lane():
            with committed_env(self.registry) as env:
                try:
                    env["freight.message"]._cron_process_lane("invoices", 0, 1,
                                                              time_budget=30)
                except KeyboardInterrupt as stop:
                    outcome["stopped"] = str(stop)
                    env.cr.rollback()

        with patch.object(FreightMessage, "_audit_staged", killed):
            self._threads(lane)
        self.assertIn("killed", outcome["stopped"])
        self.assertEqual(self._states([message_id]), {message_id: ("done", 0)})
        self.assertEqual({state for state, _error in self._invoices([message_id]).values()},
                         {"received"})
        with committed_env(self.registry) as env:
            env["freight.invoice"]._cron_audit_received(time_budget=30)
        states = self._invoices([message_id])
        self.assertEqual(len(states), 2)
        self.assertTrue(all(state in AUDITED for state, _error in states.values()), states)

    def _stage_and_drain(self, bills):
        """Stage one message of ``bills`` ((number, pro)...) and commit, then let two audit
        queue workers drain it at once, two invoices a batch; returns the invoice ids
        each worker's committed batches audited."""
        _carrier_id, _robot_id, endpoint_ids, _shipment_ids = self.ids
        with committed_env(self.registry) as env:
            body = json.dumps({"invoices": [{
                "number": number, "date": "2024-07-12", "currency": "USD", "total": 500.0,
                "shipment": {"pro_number": pro},
                "lines": [{"charge_code": "400", "amount": 500.0}]} for number, pro in bills]
            }).encode()
            message_id = self._store(env, endpoint_ids[0], "invoices", bills[0][0], body,
                                     external_ids(body))
            env["freight.message"].browse(message_id)._process()  # staged, not audited
        audited, claimed = {}, FreightInvoice._audit_claimed
        started = threading.Barrier(2, timeout=10)

        def recording(records):
            claimed(records)  # a collision raises here: nothing recorded
            audited.setdefault(threading.current_thread().name, []).extend(records.ids)
            threading.Event().wait(0.2)  # both workers hold a batch at once

        def worker(name):
            def run():
                threading.current_thread().name = name
                with committed_env(self.registry) as env:
                    started.wait()
                    env["freight.invoice"]._cron_audit_received(time_budget=60)
            return run

        with patch.object(freight_invoice_queue, "AUDIT_BATCH", 2), \
                patch.object(FreightInvoice, "_audit_claimed", recording), \
                mute_logger("odoo.sql_db"):
            self._threads(worker("a"), worker("b"))
        states = self._invoices([message_id])
        self.assertEqual(len(states), len(bills))
        self.assertTrue(all(state in AUDITED for state, _error in states.values()), states)
        return audited, message_id

    def test_two_workers_share_the_queue_and_audit_each_invoice_once(self):
        audited, _message_id = self._stage_and_drain(
            [(f"TWO-{n}", f"LANE{n}") for n in range(8)])
        every = audited.get("a", []) + audited.get("b", [])
        self.assertEqual(len(every), 8)
        self.assertEqual(len(set(every)), 8)
        self.assertTrue(audited.get("a") and audited.get("b"), audited)

    def test_two_audits_of_one_shipment_at_once_never_both_pass_its_charge(self):
        """Six invoices billing the same linehaul of one shipment, audited by two workers at
        once: only the first audited may find nothing billed before; without the shipment
        rows (``_claim_shipments``) each worker's first batch would pass it."""
        _audited, message_id = self._stage_and_drain(
            [(f"SAME-{n}", "LANE3") for n in range(6)])
        with committed_env(self.registry) as env:
            traces = env["freight.invoice.line"].search(
                [("invoice_id.message_id", "=", message_id)]).mapped("trace")
        self.assertEqual(len(traces), 6)
        self.assertEqual(len([trace for trace in traces if "Already billed" not in trace]), 1,
                         traces)
