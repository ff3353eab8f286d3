import gc
import threading
from unittest.mock import patch

from psycopg2.errors import DeadlockDetected

from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from ..models import cron_batches
from ..models.freight_message import FreightMessage
from ..services.inbox import item_digest
from .common import committed_env, load_migration
from .inbound_common import InboundCase
from .lanes_common import LanesCase, invoices_body
from .test_services_lanes import fixture, mixed


@tagged("freight_sync", "post_install", "-at_install")
class TestLaneTagging(InboundCase):
    """A message's lane is decided when it is stored, and its lane's crons claim it."""

    def store(self, kind, body, key):
        return self.env["freight.message"]._store_inbound(
            self.endpoint, kind, body, "application/json", key, None, 1)

    def test_lane_at_store(self):
        cases = [
            ("events", self.body(self.event("l-1")), "milestones"),
            ("invoices", invoices_body("L-INV-1"), "invoices"),
            ("edi", fixture("214_004010_star_tilde.x12"), "milestones"),
            ("edi", fixture("990_counter_offer.edi"), "milestones"),
            ("edi", fixture("210_single_line.edi"), "invoices"),
            ("edi", mixed(), "milestones"),
        ]
        for index, (kind, body, lane) in enumerate(cases):
            with self.subTest(kind=kind, lane=lane):
                self.assertEqual(self.store(kind, body, f"lane-{index}").lane, lane)

    def test_store_wakes_the_lanes_crons_only(self):
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([]).unlink()
        self.env["freight.message"]._store_batch(
            self.endpoint, "events", self.body(self.event("w-1")), "application/json", "w-1",
            None, 1, [("w-1", item_digest(self.event("w-1")))])[0]._wake_lanes()
        woken = Trigger.search([]).cron_id
        self.assertEqual(woken, self.env.ref("freight_sync.ir_cron_process_milestones_0")
                         | self.env.ref("freight_sync.ir_cron_process_milestones_1"))
        Trigger.search([]).unlink()
        self.store("invoices", invoices_body("W-INV"), "w-2")._wake_lanes()
        self.assertEqual(Trigger.search([]).cron_id,
                         self.env.ref("freight_sync.ir_cron_process_invoices_0"))

    def test_lane_crons_claim_their_lane_and_shard(self):
        other = self.env["freight.endpoint"].create({
            "name": "Other carrier EDI", "kind": "carrier", "carrier_id": self.carrier.id,
            "user_id": self.robot.id})
        self.assertNotEqual(self.endpoint.id % 2, other.id % 2)
        events = self.receive(self.event("c-1"))
        invoices = self.store("invoices", invoices_body("C-INV-1"), "c-2")
        foreign = events.copy({"endpoint_id": other.id, "idempotency_key": "c-3"})
        Message = self.env["freight.message"]
        shard = self.endpoint.id % 2
        self.assertEqual(Message._claim(50, "milestones", shard, 2), events)
        self.assertEqual(Message._claim(50, "milestones", 1 - shard, 2), foreign)
        self.assertEqual(Message._claim(50, "invoices", 0, 1), invoices)
        # the safety net takes every lane, milestones first
        self.assertEqual(Message._claim(50).ids, sorted((events | foreign).ids) + invoices.ids)
        Message._cron_process_lane("milestones", shard, 2, time_budget=30)
        self.assertEqual((events.state, foreign.state, invoices.state),
                         ("done", "received", "received"))
        self.assertEqual(self.shipment.status, "picked_up")

    def test_an_unknown_lane_or_shard_is_refused(self):
        Message = self.env["freight.message"]
        for args in (("tenders", 0, 1), ("milestones", 2, 2), ("invoices", -1, 1)):
            with self.subTest(args=args), self.assertRaises(UserError):
                Message._cron_process_lane(*args)

    def test_the_upgrade_gives_every_message_its_lane(self):
        migration = load_migration("17.0.1.4.0", "post-migration")
        events = self.receive(self.event("u-1"))
        invoice_edi = self.store("edi", fixture("210_single_line.edi"), "u-2")
        status_edi = self.store("edi", fixture("214_004010_star_tilde.x12"), "u-3")
        invoices = self.store("invoices", invoices_body("U-INV"), "u-4")
        messages = events | invoice_edi | status_edi | invoices
        self.env.flush_all()
        self.env.cr.execute("UPDATE freight_message SET lane = NULL WHERE id = ANY(%s)",
                            [messages.ids])
        migration.fill_lanes(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual(messages.mapped("lane"),
                         ["milestones", "invoices", "milestones", "invoices"])

    def test_the_invoice_lane_works_one_message_per_transaction(self):
        Message = self.env["freight.message"]
        for lane, size in (("invoices", 1), ("milestones", 5)):
            with patch.object(FreightMessage, "_claim", autospec=True,
                              return_value=Message) as claim:
                Message._cron_process_lane(lane, 0, 1)
            self.assertEqual(claim.call_args.args[1:], (size, lane, 0, 1))

    def test_a_lane_out_of_time_wakes_itself_again(self):
        Trigger = self.env["ir.cron.trigger"]
        messages = self.receive(self.event("t-1")) | self.receive(self.event("t-2"))
        shard = messages[0].endpoint_id.id % 2
        Trigger.search([]).unlink()
        self.env["freight.message"]._cron_process_lane("milestones", shard, 2, batch_size=1,
                                                       time_budget=0)
        self.assertEqual(set(messages.mapped("state")), {"received"})
        self.assertIn(self.env.ref(f"freight_sync.ir_cron_process_milestones_{shard}"),
                      Trigger.search([]).cron_id)
        Trigger.search([]).unlink()
        self.env["freight.message"]._cron_process_lane("milestones", shard, 2)
        self.assertEqual(set(messages.mapped("state")), {"done"})
        self.assertFalse(Trigger.search([]))

    def test_the_safety_net_leaves_fresh_messages_to_their_lane(self):
        message = self.receive(self.event("n-1"))
        Message = self.env["freight.message"]
        self.assertFalse(Message._claim(20, waited=10) & message)
        self.assertIn(message, Message._claim(20, "milestones", message.endpoint_id.id % 2, 2))
        message.flush_recordset()
        self.env.cr.execute("UPDATE freight_message SET create_date = create_date - "
                            "interval '11 minutes' WHERE id = %s", [message.id])
        self.assertIn(message, Message._claim(20, waited=10))
        self.assertIn("waited_minutes=10",
                      self.env.ref("freight_sync.ir_cron_process_inbox").code)

    def test_requeued_messages_wake_their_lane(self):
        message = self.receive(self.event("r-1", shipment={"load_ref": "UNKNOWN"}))
        self.process()
        self.assertEqual(message.state, "failed")
        self.env["ir.cron.trigger"].search([]).unlink()
        message.action_retry()
        self.assertIn(self.env.ref("freight_sync.ir_cron_process_milestones_0"),
                      self.env["ir.cron.trigger"].search([]).cron_id)


@tagged("freight_sync", "post_install", "-at_install")
class TestCollisionLoop(BaseCase):
    """The cron loop outside a test's transaction: a collision rolls the batch back and
    claims again, the work counted once."""

    def test_a_deadlock_is_claimed_again(self):
        class Cursor:
            commits = rollbacks = 0

            def commit(self):
                self.commits += 1

            def rollback(self):
                self.rollbacks += 1

        class Env:
            cr = Cursor()
            transaction = type("T", (), {"reset": lambda self: None})()

        queue, tries = [["a", "b"], ["a", "b"], []], []

        def work(batch):
            tries.append(list(batch))
            if len(tries) == 1:
                raise DeadlockDetected("deadlock detected")

        env, result = Env(), {}

        def run():
            result["done"] = cron_batches.run_batches(env, lambda: queue.pop(0), work, 30,
                                                      retry_on=DeadlockDetected)

        with patch.object(cron_batches, "_logger") as logger:
            thread = threading.Thread(target=run)  # not a test thread: it commits
            thread.start()
            thread.join(10)
        self.assertEqual(logger.info.call_args.args[1], "DeadlockDetected")
        self.assertEqual(tries, [["a", "b"], ["a", "b"]])
        self.assertEqual((env.cr.rollbacks, env.cr.commits), (1, 1))
        self.assertEqual(result["done"], 2)

    def test_the_collector_is_paused_for_one_batch_only(self):
        """The audit's batches run with the cyclic collector off: on again afterwards,
        after an error too, and left off when a caller had turned it off."""
        self.assertTrue(gc.isenabled())
        with cron_batches.paused_gc():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())
        with self.assertRaises(ZeroDivisionError), cron_batches.paused_gc():
            _ = 1 / 0
        self.assertTrue(gc.isenabled())
        gc.disable()
        try:
            with cron_batches.paused_gc():
                pass
            self.assertFalse(gc.isenabled())
        finally:
            gc.enable()


@tagged("freight_sync", "post_install", "-at_install")
class TestConcurrentLanes(LanesCase):
    """Lane crons side by side, as Odoo's cron threads run them: real transactions on the
    real database (committed, removed at the end)."""

    def test_two_shards_never_process_a_message_twice(self):
        _carrier_id, _robot_id, endpoint_ids, _shipment_ids = self.ids
        with committed_env(self.registry) as env:
            message_ids = {endpoint_id: [
                self._events(env, endpoint_id, f"s-{endpoint_id}-{n}",
                             (f"s-{endpoint_id}-{n}", f"LANE-{n % 4 + 4 * index}"))
                for n in range(12)] for index, endpoint_id in enumerate(endpoint_ids)}
        processed, process = {}, FreightMessage._process
        started = threading.Barrier(2, timeout=10)

        def recording(records):
            processed.setdefault(threading.current_thread().name, []).extend(records.ids)
            return process(records)

        def lane(shard):
            def run():
                threading.current_thread().name = f"shard-{shard}"
                with committed_env(self.registry) as env:
                    started.wait()
                    env["freight.message"]._cron_process_lane(
                        "milestones", shard, 2, batch_size=3, time_budget=60)
            return run

        with patch.object(FreightMessage, "_process", recording):
            self._threads(lane(0), lane(1))
        every = [i for ids in message_ids.values() for i in ids]
        self.assertEqual(sorted(processed["shard-0"] + processed["shard-1"]), sorted(every))
        for endpoint_id, ids in message_ids.items():
            self.assertEqual(sorted(processed[f"shard-{endpoint_id % 2}"]), sorted(ids))
        self.assertEqual(set(self._states(every).values()), {("done", 0)})

    def test_milestones_move_while_the_invoice_lane_holds_a_batch(self):
        _carrier_id, _robot_id, endpoint_ids, _shipment_ids = self.ids
        with committed_env(self.registry) as env:
            invoice_ids = [self._store(env, endpoint_ids[0], "invoices", f"i-{n}",
                                       invoices_body(f"LANE-INV-{n}", pro="LANE7"),
                                       [f"json:LANE-INV-{n}"]) for n in range(10)]
            event_ids = [self._events(env, endpoint_ids[n % 2], f"m-{n}",
                                      (f"m-{n}", f"LANE-{n % 6}")) for n in range(6)]
        held, milestones_done, outcome = threading.Event(), threading.Event(), {}

        def invoice_lane():
            with committed_env(self.registry) as env:
                batch = env["freight.message"]._claim(50, "invoices", 0, 1)
                outcome["held"] = len(batch)
                held.set()
                # a long audit and posting: the batch stays locked until milestones are done
                outcome["milestones_done_while_held"] = milestones_done.wait(60)
                env.cr.rollback()

        def milestone_lanes():
            held.wait(10)
            with committed_env(self.registry) as env:
                for shard in (0, 1):
                    env["freight.message"]._cron_process_lane(
                        "milestones", shard, 2, batch_size=2, time_budget=60)
            milestones_done.set()

        self._threads(invoice_lane, milestone_lanes)
        self.assertEqual(outcome, {"held": 10, "milestones_done_while_held": True})
        self.assertEqual(set(self._states(event_ids).values()), {("done", 0)})
        self.assertEqual(set(self._states(invoice_ids).values()), {("received", 0)})

    def test_a_collision_is_retried_without_counting_an_attempt(self):
        _carrier_id, _robot_id, endpoint_ids, shipment_ids = self.ids
        with committed_env(self.registry) as env:
            message_id = self._events(env, endpoint_ids[0], "x-1", ("x-1", "LANE-0"))
        locked, outcome = threading.Event(), {}

        def invoice_lane():
            # another lane's transaction writes the shipment (billed totals, say) and
            # commits after the milestone lane's snapshot
            with committed_env(self.registry) as env:
                env.cr.execute("UPDATE freight_shipment SET write_date = now() "
                               "WHERE id = %s", [shipment_ids[0]])
                locked.set()
                threading.Event().wait(1.5)

        def milestone_lane():
            locked.wait(10)
            with committed_env(self.registry) as env:
                outcome["done"] = env["freight.message"]._cron_process_lane(
                    "milestones", endpoint_ids[0] % 2, 2, time_budget=60)

        # (the logs of other threads do not reach assertLogs in Odoo's test runner)
        with mute_logger("odoo.sql_db"), patch.object(cron_batches, "_logger") as logger:
            self._threads(invoice_lane, milestone_lane)
        self.assertEqual([call.args[1] for call in logger.info.call_args_list],
                         ["SerializationFailure"])
        self.assertEqual(outcome["done"], 1)
        self.assertEqual(self._states([message_id]), {message_id: ("done", 0)})
        with committed_env(self.registry) as env:
            self.assertEqual(env["freight.shipment"].browse(shipment_ids[0]).status,
                             "picked_up")

    def test_the_same_journal_number_is_a_collision(self):
        """Two workers posting in one journal at once (an accrual from the milestones lane,
        a reversal from the invoices lane): the one whose snapshot missed the other's entry
        takes the same number; the unique index refuses it and the batch is worked again,
        in a new transaction that numbers it after the other's."""
        with committed_env(self.registry) as env:
            journal = env["account.journal"].search([("type", "=", "general")], limit=1)
            company = [("company_id", "=", journal.company_id.id), ("deprecated", "=", False)]
            expense, accrued = (env["account.account"].search(
                company + [("account_type", "=", kind)], limit=1)
                for kind in ("expense", "liability_current"))
            self.assertTrue(journal and expense and accrued)
            values = {"move_type": "entry", "journal_id": journal.id, "date": "2024-07-09",
                      "line_ids": [(0, 0, {"account_id": expense.id, "debit": 100.0}),
                                   (0, 0, {"account_id": accrued.id, "credit": 100.0})]}
        snapshot, posted, moves, tries = (threading.Event(), threading.Event(), [], [])

        def other_worker():
            snapshot.wait(10)
            with committed_env(self.registry) as env:
                moves.append(env["account.move"].create(values))
                moves[-1].action_post()
            posted.set()

        def lane():
            with committed_env(self.registry) as env:
                def claim():
                    env.cr.execute("SELECT 1")  # the transaction's snapshot, as a claim's
                    return [] if len(moves) == 2 else [1]

                def work(_batch):
                    tries.append(1)
                    snapshot.set()
                    posted.wait(10)
                    move = env["account.move"].create(values)
                    move.action_post()
                    env.flush_all()
                    moves.append(move)

                cron_batches.run_batches(env, claim, work, 60, retry_on=True)

        self.addCleanup(self._drop_moves, moves)
        with mute_logger("odoo.sql_db"), patch.object(cron_batches, "_logger") as logger:
            self._threads(other_worker, lane)
        self.assertEqual(len(tries), 2)
        self.assertIn(logger.info.call_args_list[0].args[1],
                      ("UniqueViolation", "SerializationFailure"))
        with committed_env(self.registry) as env:
            names = env["account.move"].browse([m.id for m in moves]).mapped("name")
        self.assertEqual(len(set(names)), 2, names)

    def _drop_moves(self, moves):
        with committed_env(self.registry) as env:
            env.cr.execute("DELETE FROM account_move WHERE id = ANY(%s)", [[m.id for m in moves]])
