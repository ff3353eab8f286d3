import threading

from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from ..services.inbox import item_digest


@tagged("freight_sync", "post_install", "-at_install")
class TestConcurrentIntake(BaseCase):
    """Two transactions that store the same event id at once keep one row.

    Real cursors on the real database: the second INSERT waits on the unique index until
    the first commits; under Odoo's REPEATABLE READ it then fails to serialize, and Odoo's
    request retry (``odoo.service.model.retrying``, which wraps every HTTP request) runs it
    again, when it sees a duplicate. The rows this test commits are removed at the end.
    """

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = self._env(cr)
            robot = env["res.users"].create({
                "name": "Race robot", "login": "race_robot_test",
                "groups_id": [(6, 0, [env.ref("base.group_user").id,
                                      env.ref("freight_sync.group_freight_integration").id])],
            })
            endpoint = env["freight.endpoint"].create(
                {"name": "Race", "kind": "tms", "user_id": robot.id})
            messages = env["freight.message"].create([
                {"endpoint_id": endpoint.id, "kind": "events", "idempotency_key": key}
                for key in ("race-1", "race-2")
            ])
            self.ids = (robot.id, endpoint.id, messages.ids)
        self.addCleanup(self._cleanup)

    def _env(self, cr):
        from odoo import SUPERUSER_ID, api
        return api.Environment(cr, SUPERUSER_ID, {})

    def _cleanup(self):
        robot_id, endpoint_id, message_ids = self.ids
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM freight_message_event WHERE endpoint_id = %s", [endpoint_id])
            cr.execute("DELETE FROM freight_message WHERE id = ANY(%s)", [message_ids])
            cr.execute("DELETE FROM freight_endpoint WHERE id = %s", [endpoint_id])
            self._env(cr)["res.users"].browse(robot_id).unlink()

    def test_same_event_from_two_transactions_is_stored_once(self):
        _robot, endpoint_id, message_ids = self.ids
        keys = [("shared-event", item_digest({"id": "shared-event"}))]
        results, attempts = {}, {}
        first_inserted = threading.Event()

        def store(index, wait_for=None):
            with self.registry.cursor() as cr:
                env = self._env(cr)
                endpoint = env["freight.endpoint"].browse(endpoint_id)
                message = env["freight.message"].browse(message_ids[index])
                if wait_for:
                    wait_for.wait(10)

                def attempt():
                    attempts[index] = attempts.get(index, 0) + 1
                    return env["freight.message.event"]._record_keys(endpoint, message, keys)

                results[index] = retrying(attempt, env)
                if index == 0:
                    first_inserted.set()
                    # hold the row lock a moment so the other transaction must wait on it
                    threading.Event().wait(0.5)

        threads = [threading.Thread(target=store, args=(0,)),
                   threading.Thread(target=store, args=(1, first_inserted))]
        # the expected serialization failure is logged by odoo.sql_db before the retry
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertEqual(results, {0: ["accepted"], 1: ["duplicate"]})
        self.assertEqual(attempts[0], 1)
        self.assertGreaterEqual(attempts[1], 1)
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM freight_message_event WHERE endpoint_id = %s",
                       [endpoint_id])
            self.assertEqual(cr.fetchone()[0], 1)
