"""Lane crons side by side in real transactions: a carrier, its robot user, two endpoints
(one per milestone shard) and eight shipments, committed and removed at the end."""

import json
import threading
import uuid

from odoo.modules.registry import Registry
from odoo.tests import BaseCase, new_test_user
from odoo.tests.common import get_db_name

from ..services.inbox import item_digest
from .common import committed_env


def invoices_body(*numbers, pro="PRO100"):
    return json.dumps({"invoices": [{
        "number": number, "date": "2024-07-12", "currency": "USD", "total": 500.0,
        "shipment": {"pro_number": pro},
        "lines": [{"charge_code": "400", "amount": 500.0}]} for number in numbers]}).encode()


class LanesCase(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with committed_env(self.registry) as env:
            carrier = env["res.partner"].create(
                {"name": "Lane carrier", "is_freight_carrier": True, "is_company": True})
            robot = new_test_user(env, login=f"lane_robot_{uuid.uuid4().hex}",
                                  groups="base.group_user,freight_sync.group_freight_integration")
            endpoints = env["freight.endpoint"].create([{
                "name": f"Lane {n}", "kind": "carrier", "carrier_id": carrier.id,
                "user_id": robot.id} for n in (0, 1)])
            shipments = env["freight.shipment"].create([{
                "carrier_id": carrier.id, "pro_number": f"LANE-{n}"} for n in range(8)])
            self.ids = (carrier.id, robot.id, endpoints.ids, shipments.ids)
        self.assertNotEqual(endpoints[0].id % 2, endpoints[1].id % 2)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        carrier_id, robot_id, endpoint_ids, shipment_ids = self.ids
        with committed_env(self.registry) as env:
            cr = env.cr
            cr.execute("DELETE FROM freight_milestone WHERE shipment_id = ANY(%s)",
                       [shipment_ids])
            cr.execute("DELETE FROM freight_message_event WHERE endpoint_id = ANY(%s)",
                       [endpoint_ids])
            cr.execute("SELECT id FROM freight_message WHERE endpoint_id = ANY(%s)",
                       [endpoint_ids])
            message_ids = [row[0] for row in cr.fetchall()]
            env["freight.invoice"]._with_guarded_rights().search(
                [("message_id", "in", message_ids)]).unlink()
            env["freight.exception"].search([("shipment_id", "in", shipment_ids)]).unlink()
            env["freight.message"].browse(message_ids).unlink()
            env["freight.shipment"].browse(shipment_ids).unlink()
            env["freight.endpoint"].browse(endpoint_ids).unlink()
            env["res.users"].browse(robot_id).active = False
            env["res.partner"].browse(carrier_id).active = False

    def _store(self, env, endpoint_id, kind, key, body, external_ids):
        endpoint = env["freight.endpoint"].browse(endpoint_id)
        message, _statuses = env["freight.message"]._store_batch(
            endpoint, kind, body, "application/json", key, None, len(external_ids),
            [(external_id, item_digest(external_id)) for external_id in external_ids])
        return message.id

    def _events(self, env, endpoint_id, key, *pairs):
        events = [{"id": event_id, "shipment": {"pro_number": pro}, "code": "picked_up",
                   "event_time": "2024-07-09T08:00:00-05:00"} for event_id, pro in pairs]
        return self._store(env, endpoint_id, "events", key,
                           json.dumps({"events": events}).encode(),
                           [event_id for event_id, _pro in pairs])

    def _threads(self, *targets, timeout=120):
        threads = [threading.Thread(target=target) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        self.assertFalse([thread for thread in threads if thread.is_alive()])

    def _states(self, message_ids):
        with committed_env(self.registry) as env:
            return {m.id: (m.state, m.attempts)
                    for m in env["freight.message"].browse(message_ids)}

