import json
from datetime import datetime, timedelta, timezone

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..services.x12 import parse
from ..services.x12_214 import map_214
from .inbound_common import InboundCase
from .outbox_common import FakeReceiver

CUSTOMER_PATH = "/customer/status"


@tagged("post_install", "-at_install", "freight_sync")
class TestSubscription(InboundCase):
    """A customer subscribed to its shipments' status; its system is a real HTTP server on
    loopback that checks our signature. Milestones come in through the real inbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = FakeReceiver(cls.secret)
        cls.addClassCleanup(cls.receiver.stop)
        customer_robot = new_test_user(
            cls.env, login="customer_robot",
            groups="base.group_user,freight_sync.group_freight_integration")
        cls.customer_endpoint = cls.env["freight.endpoint"].create({
            "name": "Customer TMS", "kind": "customer", "user_id": customer_robot.id,
            "hmac_secret": cls.secret, "outbound_url": cls.receiver.url(CUSTOMER_PATH),
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Retail", "is_company": True, "email": "status@acme.example",
            "ref": "ACME"})
        cls.contact = cls.env["res.partner"].create({
            "name": "Acme Dock 4", "parent_id": cls.customer.id, "email": "dock@acme.example"})
        # shipped to a contact of the customer: the customer (the company) is subscribed
        cls.shipment.destination_partner_id = cls.contact
        cls.planned = datetime(2024, 7, 12, 15, 0)
        cls.shipment.planned_delivery_date = cls.planned
        cls.clerk = new_test_user(cls.env, login="notify_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")
        cls.dispatcher = new_test_user(cls.env, login="notify_dispatcher",
                                       groups="base.group_user,freight_sync.group_freight_user")

    def setUp(self):
        super().setUp()
        # the receiver outlives each test's rollback: a path of its own per test
        self.path = f"{CUSTOMER_PATH}/{self._testMethodName}"
        self.customer_endpoint.outbound_url = self.receiver.url(self.path)
        self.resends = 0

    def subscribe(self, **values):
        return self.env["freight.subscription"].create({
            "partner_id": self.customer.id, "endpoint_id": self.customer_endpoint.id,
            "send_webhook": True, **values})

    def deliver(self):
        return self.env["freight.message"]._cron_deliver_outbox(time_budget=30)

    def received(self):
        return self.receiver.received(self.path)

    def outbound(self):
        return self.env["freight.message"].search([
            ("direction", "=", "out"), ("kind", "=", "notification"),
            ("outbound_shipment_id", "=", self.shipment.id)])

    def inbound(self, *events):
        # each call is a new request: the same events resent under another key
        self.resends += 1
        message = self.receive(*events, key=f"{self._testMethodName}-{self.resends}")
        self.process()
        return message

    def test_delivered_is_told_once_signed_despite_replays(self):
        subscription = self.subscribe(notify_picked_up=False)
        message = self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.assertEqual(self.shipment.status, "delivered")
        self.deliver()
        (request,) = self.received()
        self.assertIsNone(request["refusal"])  # our signature verified with the secret
        body = json.loads(request["body"])
        self.assertEqual(body["event"], "delivered")
        self.assertEqual(body["occurred_at"], "2024-07-12T15:00:00Z")
        self.assertEqual(body["shipment"]["name"], self.shipment.name)
        self.assertEqual(body["shipment"]["pro_number"], "PRO100")
        self.assertEqual(body["partner"], {"name": "Acme Retail", "ref": "ACME"})
        self.assertEqual(request["headers"]["Idempotency-Key"],
                         f"notify:{subscription.id}:webhook:{self.shipment.id}:delivered:S0")
        # the inbound message's correlation id follows what it caused
        self.assertEqual(request["headers"]["X-Correlation-Id"], message.correlation_id)
        # replayed message, the same event resent in a new message, an older delivery
        # scan arriving late, the same milestone typed again by hand: nothing more
        message.action_replay()
        self.process()
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.inbound(self.event("E0", "delivered", "2024-07-12T08:00:00-05:00"))
        self.shipment.record_milestones([{"code": "delivered",
                                          "event_time": "2024-07-12T10:00:00-05:00"}])
        self.deliver()
        self.assertEqual(len(self.received()), 1)
        outbound = self.outbound()
        self.assertEqual(len(outbound), 1)
        self.assertEqual((outbound.state, outbound.endpoint_id), ("sent", self.customer_endpoint))
        self.assertEqual(len(subscription.delivery_ids), 1)
        self.assertEqual(subscription.delivery_ids.message_id, outbound)
        # what the shipment's timeline shows for it
        self.assertEqual(subscription.delivery_ids.summary,
                         "Acme Retail told of Delivered (Webhook (JSON))")
        # listed on the shipment, and its dispatcher reads the delivery state
        as_dispatcher = self.shipment.with_user(self.dispatcher)
        self.assertEqual(as_dispatcher.outbound_message_ids.read(["state"]),
                         [{"id": outbound.id, "state": "sent"}])
        notes = self.shipment.message_ids.filtered(lambda m: "Notified" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn("Acme Retail", notes.body)
        self.assertIn("Delivered", notes.body)
        self.assertIn("webhook", notes.body)

    def test_x12_214_out_reads_back_to_the_same_status(self):
        self.subscribe(send_webhook=False, send_x12=True)
        self.inbound(self.event("P1", "picked_up", "2024-07-09T08:00:00-05:00",
                                location="ATLANTA, GA, USA"))
        self.deliver()
        (request,) = self.received()
        self.assertIsNone(request["refusal"])
        self.assertEqual(request["headers"]["Content-Type"], "application/edi-x12")
        interchange = parse(request["body"].decode())
        (group,) = interchange.groups
        (tset,) = group.sets
        self.assertTrue(tset.ok, tset.errors)
        (event,), errors = map_214(tset)
        self.assertEqual(errors, [])
        self.assertEqual((event["raw_code"], event["reason_code"], event["scac"]),
                         ("AF", "NS", "TSTC"))
        self.assertEqual(datetime.fromisoformat(event["event_time"]),
                         datetime(2024, 7, 9, 13, 0, tzinfo=timezone.utc))
        self.assertEqual(event["references"], {
            "pro_number": "PRO100", "reference": self.shipment.name, "load_ref": "LOAD100"})
        self.assertEqual(event["location"], "ATLANTA, GA, USA")
        # the same pick-up, found again by our own reader: the shipment it names
        (found,) = self.env["freight.shipment"]._resolve_references([event["references"]])
        self.assertEqual(found, self.shipment)

    def test_pickup_reported_after_delivery_is_not_news(self):
        self.subscribe()
        self.inbound(self.event("D1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.inbound(self.event("P1", "picked_up", "2024-07-09T08:00:00-05:00"))
        self.deliver()
        self.assertEqual([json.loads(r["body"])["event"] for r in self.received()],
                         ["delivered"])

    def test_email_is_queued_once_from_the_template(self):
        self.subscribe(send_webhook=False, send_email=True, endpoint_id=False)
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.shipment.record_milestones([{"code": "delivered",
                                          "event_time": "2024-07-12T09:00:00-05:00"}])
        mails = self.env["mail.mail"].search([("recipient_ids", "in", self.customer.ids)])
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")  # the mail queue sends it
        self.assertEqual(mails.subject, f"{self.shipment.name}: Delivered")
        self.assertIn("Acme Retail", mails.body_html)
        self.assertIn("PRO100", mails.body_html)
        # the email is on the shipment's chatter
        self.assertEqual(mails.mail_message_id.res_id, self.shipment.id)
        self.assertEqual(mails.mail_message_id.model, "freight.shipment")
        self.assertFalse(self.outbound())

    def test_eta_change_is_told_over_the_threshold_only(self):
        subscription = self.subscribe(notify_picked_up=False, notify_delivered=False,
                                      notify_exception=False, notify_eta=True,
                                      eta_threshold_minutes=60)

        def estimate(minutes):
            # what an inbound estimate does (X12 AG in _apply_inbound_events)
            self.shipment.with_user(self.robot).sudo().carrier_eta = \
                self.planned + timedelta(minutes=minutes)
            return len(self.outbound())

        self.assertEqual(estimate(30), 0)  # 30 min from the plan: not news
        self.assertEqual(estimate(-60), 0)  # exactly the threshold: not more
        self.assertEqual(estimate(90), 1)  # 90 min late: told
        self.assertEqual(estimate(120), 1)  # 30 min from what was told
        self.assertEqual(estimate(151), 2)  # 61 min from what was told
        self.assertEqual(estimate(90), 2)  # back to an estimate already told: its key
        self.deliver()
        bodies = [json.loads(r["body"]) for r in self.received()]
        self.assertEqual([(b["event"], b["eta"], b.get("previous_eta")) for b in bodies], [
            ("eta_changed", "2024-07-12T16:30:00Z", "2024-07-12T15:00:00Z"),
            ("eta_changed", "2024-07-12T17:31:00Z", "2024-07-12T16:30:00Z")])
        self.assertEqual(subscription.delivery_count, 2)

    def test_exceptions_are_told_once_each(self):
        self.subscribe(notify_picked_up=False, notify_delivered=False)
        self.inbound(self.event("X1", "exception", "2024-07-10T08:00:00-05:00",
                                reason_code="AO"))
        self.inbound(self.event("X1", "exception", "2024-07-10T08:00:00-05:00",
                                reason_code="AO"))
        self.inbound(self.event("X2", "exception", "2024-07-10T11:00:00-05:00"))
        self.deliver()
        bodies = [json.loads(r["body"]) for r in self.received()]
        self.assertEqual([(b["event"], b["occurred_at"], b.get("reason_code")) for b in bodies],
                         [("exception", "2024-07-10T13:00:00Z", "AO"),
                          ("exception", "2024-07-10T16:00:00Z", None)])

    def test_another_companys_subscription_does_not_fire(self):
        other = self.env["res.company"].create({"name": "Other freight company"})
        self.env["freight.subscription"].create({
            "partner_id": self.customer.id, "company_id": other.id, "send_email": True})
        # nor a subscription of another customer
        stranger = self.env["res.partner"].create({"name": "Stranger", "email": "s@x.example"})
        self.env["freight.subscription"].create({"partner_id": stranger.id, "send_email": True})
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.assertFalse(self.env["freight.subscription.delivery"].search(
            [("shipment_id", "=", self.shipment.id)]))
        # a system subscribed to all the company's shipments hears of it
        system = self.subscribe(partner_id=stranger.id, all_shipments=True)
        self.inbound(self.event("X1", "exception", "2024-07-12T11:00:00-05:00"))
        self.assertEqual(self.env["freight.subscription.delivery"].search(
            [("shipment_id", "=", self.shipment.id)]).subscription_id, system)

    def test_receiver_500_is_retried_never_duplicated(self):
        self.receiver.script(self.path, [(500, 0), (200, 0)])
        self.subscribe()
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        self.deliver()
        outbound = self.outbound()
        self.assertEqual(outbound.state, "retry")
        self.inbound(self.event("E1", "delivered", "2024-07-12T10:00:00-05:00"))
        outbound.next_attempt_at = "2000-01-01 00:00:00"
        self.deliver()
        self.assertEqual(self.outbound(), outbound)
        self.assertEqual(outbound.state, "sent")
        first, second = self.received()
        self.assertEqual(first["body"], second["body"])
        self.assertEqual(first["headers"]["Idempotency-Key"],
                         second["headers"]["Idempotency-Key"])

    def test_rights(self):
        subscription = self.subscribe()
        with self.assertRaises(AccessError):
            self.env["freight.subscription"].with_user(self.clerk).create(
                {"partner_id": self.customer.id, "send_email": True})
        with self.assertRaises(AccessError):
            subscription.with_user(self.clerk).write({"active": False})
        with self.assertRaises(AccessError):
            subscription.with_user(self.clerk).read(["partner_id"])
        # dispatchers read, never change
        self.assertEqual(subscription.with_user(self.dispatcher).partner_id, self.customer)
        with self.assertRaises(AccessError):
            subscription.with_user(self.dispatcher).write({"notify_eta": True})
        # a clerk still reads the shipment, not its notifications
        self.assertEqual(self.shipment.with_user(self.clerk).read(["name"])[0]["name"],
                         self.shipment.name)

    def test_subscription_needs_a_channel_an_endpoint_and_an_event(self):
        with self.assertRaises(ValidationError):
            self.env["freight.subscription"].create({"partner_id": self.customer.id})
        with self.assertRaises(ValidationError):
            self.env["freight.subscription"].create(
                {"partner_id": self.customer.id, "send_x12": True})
        with self.assertRaises(ValidationError):
            self.subscribe(notify_picked_up=False, notify_delivered=False,
                           notify_exception=False)

    def test_a_customer_endpoint_never_posts_inbound(self):
        action = self.customer_endpoint.action_rotate_api_key()
        key = action["context"]["freight_issued_api_key"]
        self.assertFalse(self.env["freight.endpoint"]._authenticate(key))
        self.assertEqual(self.env["freight.endpoint"]._authenticate(self.api_key), self.endpoint)
