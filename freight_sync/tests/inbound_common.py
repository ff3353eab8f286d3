import json
import time

from odoo.tests import new_test_user

from ..services.inbox import item_digest
from ..services.signature import sign
from .common import FreightCase


class InboundCase(FreightCase):
    """An integration user, a carrier endpoint with key and secret, and a shipment."""

    secret = "s3cr3t-shared-with-the-carrier"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.robot = new_test_user(
            cls.env, login="carrier_robot",
            groups="base.group_user,freight_sync.group_freight_integration",
        )
        cls.endpoint = cls.env["freight.endpoint"].create({
            "name": "Test carrier EDI", "kind": "carrier", "carrier_id": cls.carrier.id,
            "user_id": cls.robot.id, "hmac_secret": cls.secret,
        })
        action = cls.endpoint.action_rotate_api_key()
        cls.api_key = action["context"]["freight_issued_api_key"]
        cls.shipment = cls.make_shipment(pro_number="PRO-100", load_ref="LOAD-100")

    @staticmethod
    def event(event_id, code="picked_up", when="2024-07-09T08:00:00-05:00", **extra):
        return {"id": event_id, "shipment": {"pro_number": "PRO100"}, "code": code,
                "event_time": when, **extra}

    @classmethod
    def body(cls, *events):
        return json.dumps({"events": list(events)}).encode()

    def receive(self, *events, key=None):
        """Store a request like the route does and return its message."""
        body = self.body(*events)
        message = self.env["freight.message"]._store_inbound(
            self.endpoint, "events", body, "application/json", key or item_digest(list(events)),
            None, len(events))
        self.env["freight.message.event"]._record_keys(
            self.endpoint, message, [(e["id"], item_digest(e)) for e in events])
        return message

    def process(self):
        return self.env["freight.message"]._cron_process_inbox(time_budget=30)

    @classmethod
    def signed_headers(cls, body, secret=None, timestamp=None, key=None):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": "application/json",
            "X-Freight-Key": cls.api_key if key is None else key,
            "X-Freight-Timestamp": timestamp,
            "X-Freight-Signature": sign(secret or cls.secret, timestamp, body),
        }

    def sent_tender(self, shipment, carrier=None):
        """A tender of ``shipment`` sent to the endpoint's carrier: what makes its 990
        or JSON answer apply (freight.tender); without one the answer is refused."""
        return self.env["freight.tender"].create({
            "shipment_id": shipment.id, "carrier_id": (carrier or self.carrier).id,
            "endpoint_id": self.endpoint.id, "channel": "x12", "state": "sent"})
