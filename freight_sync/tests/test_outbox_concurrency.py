import logging
import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .outbox_common import FakeReceiver

SECRET = "race-outbound-secret"
COUNT = 8


@tagged("freight_sync", "post_install", "-at_install")
class TestOutboxConcurrency(BaseCase):
    """Two delivery runs at once, each on its own real cursor (two cron workers), share the
    queue without POSTing a message twice. The rows this test commits are removed at the
    end."""

    def setUp(self):
        super().setUp()
        self.receiver = FakeReceiver(SECRET)
        self.addCleanup(self.receiver.stop)
        # each answer takes a moment, so both workers are busy at the same time
        self.receiver.script("/race", [(200, 0.15)])
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = self._env(cr)
            robot = env["res.users"].create({
                "name": "Outbox race robot", "login": "outbox_race_robot_test",
                "groups_id": [(6, 0, [env.ref("base.group_user").id,
                                      env.ref("freight_sync.group_freight_integration").id])],
            })
            endpoint = env["freight.endpoint"].create({
                "name": "Outbox race", "kind": "tms", "user_id": robot.id,
                "hmac_secret": SECRET, "outbound_url": self.receiver.url("/race"),
            })
            messages = env["freight.message"].browse()
            for index in range(COUNT):
                messages |= env["freight.message"]._queue_outbound(
                    endpoint, "tender", {"n": index}, f"race-{index}")
            self.ids = (robot.id, endpoint.id, messages.ids)
        self.addCleanup(self._cleanup)

    @staticmethod
    def _env(cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _cleanup(self):
        robot_id, endpoint_id, message_ids = self.ids
        with self.registry.cursor() as cr:
            env = self._env(cr)
            cr.execute("DELETE FROM ir_attachment WHERE res_model = 'freight.message' "
                       "AND res_id = ANY(%s)", [message_ids])
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'freight.message' "
                       "AND res_id = ANY(%s)", [message_ids])
            cr.execute("DELETE FROM freight_message WHERE id = ANY(%s)", [message_ids])
            cr.execute("DELETE FROM freight_endpoint WHERE id = %s", [endpoint_id])
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s",
                       [env.ref("freight_sync.ir_cron_deliver_outbox").id])
            env["res.users"].browse(robot_id).unlink()

    def test_two_workers_never_post_the_same_message_twice(self):
        done, errors = {}, []
        start = threading.Barrier(2)

        def worker(name):
            try:
                with self.registry.cursor() as cr:
                    start.wait(10)
                    done[name] = self._env(cr)["freight.message"]._cron_deliver_outbox(
                        time_budget=20)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(errors)

        keys = [r["headers"]["Idempotency-Key"] for r in self.receiver.received("/race")]
        self.assertEqual(sorted(keys), sorted(f"race-{i}" for i in range(COUNT)),
                         "every message POSTed exactly once")
        self.assertTrue(all(r["refusal"] is None for r in self.receiver.received("/race")))
        self.assertEqual(sum(done.values()), COUNT)
        self.assertEqual(len(done), 2, "both workers ran")
        with self.registry.cursor() as cr:
            states = self._env(cr)["freight.message"].browse(self.ids[2]).mapped("state")
        self.assertEqual(set(states), {"sent"})

    def test_a_worker_with_an_older_snapshot_never_sends_again(self):
        """Worker B's transaction began before worker A sent and committed everything: B
        still sees the messages as queued, PostgreSQL refuses B the lock on rows A changed,
        and B claims again in a new transaction, where nothing is left to send."""
        snapshot_taken, a_finished = threading.Event(), threading.Event()
        done, errors = {}, []

        def worker_b():
            try:
                with self.registry.cursor() as cr:
                    cr.execute("SELECT count(*) FROM freight_message")  # B's snapshot
                    snapshot_taken.set()
                    a_finished.wait(30)
                    done["b"] = self._env(cr)["freight.message"]._cron_deliver_outbox(
                        time_budget=20)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        def worker_a():
            try:
                with self.registry.cursor() as cr:
                    done["a"] = self._env(cr)["freight.message"]._cron_deliver_outbox(
                        time_budget=20)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                a_finished.set()

        self.receiver.script("/race", [(200, 0)])
        b = threading.Thread(target=worker_b)
        lines = []
        handler = logging.Handler(logging.INFO)
        handler.emit = lambda record: lines.append(record.getMessage())
        outbox_logger = logging.getLogger("odoo.addons.freight_sync.models.freight_message")
        outbox_logger.addHandler(handler)
        try:
            b.start()
            snapshot_taken.wait(10)
            a = threading.Thread(target=worker_a)
            a.start()
            a.join(60)
            b.join(60)
        finally:
            outbox_logger.removeHandler(handler)
        self.assertFalse(errors)
        self.assertEqual(done, {"a": COUNT, "b": 0})
        self.assertEqual(len(self.receiver.received("/race")), COUNT)
        self.assertTrue(any("lost a race" in line for line in lines), lines)
