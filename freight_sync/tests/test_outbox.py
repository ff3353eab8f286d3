import json
import socket
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .outbox_common import OutboxCase

CRON = "freight_sync.ir_cron_deliver_outbox"


@tagged("freight_sync", "post_install", "-at_install")
class TestOutboxDelivery(OutboxCase):
    def test_accepted_message_is_sent_signed_once(self):
        path = self.point_to("/accept")
        message = self.queue("tender-1", {"shipment": "SHP-1", "rate": 1250.5})
        self.assertEqual((message.direction, message.state, message.kind),
                         ("out", "queued", "tender"))
        self.assertTrue(self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref(CRON).id)]), "queuing wakes the delivery job")
        self.assertEqual(message._payload(), b'{"rate":1250.5,"shipment":"SHP-1"}')

        self.assertEqual(self.deliver(), 1)
        self.assertEqual(message.state, "sent")
        self.assertEqual((message.attempts, message.answer_status), (1, 200))
        self.assertTrue(message.sent_at)
        self.assertIn('"status": 200', message.answer_excerpt)
        [request] = self.receiver.received(path)
        self.assertIsNone(request["refusal"], "the receiver verified our signature")
        self.assertEqual(request["body"], message._payload())
        headers = request["headers"]
        self.assertEqual(headers["Idempotency-Key"], "tender-1")
        self.assertEqual(headers["X-Correlation-Id"], message.correlation_id)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertNotIn(self.secret, json.dumps(headers) + request["body"].decode())

        self.assertEqual(self.deliver(), 0, "a sent message is not sent again")
        self.assertEqual(len(self.receiver.received(path)), 1)

    def test_500_then_200_retries_then_sent(self):
        path = self.point_to("/flaky")
        self.receiver.script(path, [(500, 0), (200, 0)])
        message = self.queue("tender-flaky")
        before = fields.Datetime.now()
        self.deliver()
        self.assertEqual((message.state, message.attempts, message.answer_status),
                         ("retry", 1, 500))
        self.assertIn("HTTP 500", message.last_error)
        self.assertAlmostEqual(message.next_attempt_at, before + timedelta(minutes=1),
                               delta=timedelta(seconds=5))
        self.assertEqual(self.deliver(), 0, "not due before its time")
        self.make_due(message)
        self.deliver()
        self.assertEqual((message.state, message.attempts, message.answer_status),
                         ("sent", 2, 200))
        self.assertFalse(message.last_error)
        requests = self.receiver.received(path)
        self.assertEqual(len(requests), 2)
        self.assertEqual({r["headers"]["Idempotency-Key"] for r in requests}, {"tender-flaky"})
        self.assertTrue(all(r["refusal"] is None for r in requests))

    def test_always_500_backs_off_then_dead_with_activity(self):
        path = self.point_to("/down")
        self.receiver.script(path, [(503, 0)])
        message = self.queue("tender-down")
        delays = []
        with self.assertLogs("odoo.addons.freight_sync", "DEBUG") as logs:
            for _attempt in range(6):
                started = fields.Datetime.now()
                self.make_due(message)
                self.deliver()
                if message.next_attempt_at:
                    delays.append(round((message.next_attempt_at - started).total_seconds()
                                        / 60))
        self.assertEqual(delays, [1, 5, 30, 120, 360])
        self.assertEqual((message.state, message.attempts), ("dead", 6))
        self.assertFalse(message.next_attempt_at)
        self.assertEqual(len(self.receiver.received(path)), 6)
        [activity] = message.activity_ids
        self.assertEqual(activity.user_id, self.responsible)
        self.assertIn("Outbox carrier", activity.summary)
        self.assertIn("503", activity.note)
        self.assertFalse(self.secret in "\n".join(logs.output))
        self.assertEqual(self.deliver(), 0, "a dead message is not sent")

        # the admin's retry starts a fresh budget; the receiver is back
        self.receiver.script(path, [(200, 0)])
        message.action_retry()
        self.assertEqual((message.state, message.attempts), ("queued", 0))
        self.deliver()
        self.assertEqual(message.state, "sent")

    def test_400_is_dead_at_once_with_the_reason(self):
        path = self.point_to("/refuse")
        self.receiver.script(path, [(400, 0)])
        message = self.queue("tender-bad")
        self.deliver()
        self.assertEqual((message.state, message.attempts, message.answer_status),
                         ("dead", 1, 400))
        self.assertIn("HTTP 400", message.last_error)
        self.assertIn('"status": 400', message.answer_excerpt)
        self.assertEqual(message.activity_ids.user_id, self.responsible)
        self.assertEqual(len(self.receiver.received(path)), 1)

    def test_slow_answer_is_a_timeout_and_retried(self):
        path = self.point_to("/slow")
        self.receiver.script(path, [(200, 2)])
        self.env["ir.config_parameter"].sudo().set_param("freight_sync.outbound_timeout", "0.5")
        message = self.queue("tender-slow")
        self.deliver()
        self.assertEqual((message.state, message.attempts), ("retry", 1))
        self.assertIn("no answer within the timeout", message.last_error)
        self.assertFalse(message.answer_status)

    def test_connection_refused_is_retried(self):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        self.endpoint.outbound_url = f"http://127.0.0.1:{port}/nobody"
        message = self.queue("tender-nobody")
        self.deliver()
        self.assertEqual(message.state, "retry")
        self.assertIn("connection failed", message.last_error)

    def test_wrong_secret_is_refused_by_the_receiver(self):
        """The receiver checks the signature: signed with another secret, it answers 401
        and the message is dead at once, the reason on it."""
        path = self.point_to("/signed")
        self.endpoint.hmac_secret = "not-the-shared-secret"
        message = self.queue("tender-wrong-secret")
        self.deliver()
        [request] = self.receiver.received(path)
        self.assertEqual(request["refusal"], "signature_invalid")
        self.assertEqual((message.state, message.answer_status), ("dead", 401))

    def test_no_url_or_no_secret_is_dead_without_a_request(self):
        for values, words in (({"outbound_url": False}, "no outbound URL"),
                              ({"hmac_secret": False}, "no signing secret")):
            with self.subTest(values=values):
                self.endpoint.write({"outbound_url": self.receiver.url("/none"),
                                     "hmac_secret": self.secret, **values})
                message = self.queue(f"tender-{words}")
                self.deliver()
                self.assertEqual(message.state, "dead")
                self.assertIn(words, message.last_error)
        self.assertFalse(self.receiver.received("/none"))

    def test_same_key_is_queued_and_sent_once(self):
        path = self.point_to("/once")
        first = self.queue("tender-once", {"v": 1})
        again = self.queue("tender-once", {"v": 2})
        self.assertEqual(first, again)
        self.assertEqual(self.env["freight.message"].search_count(
            [("direction", "=", "out"), ("idempotency_key", "=", "tender-once")]), 1)
        self.deliver()
        self.assertEqual(self.queue("tender-once", {"v": 3}), first)
        self.deliver()
        [request] = self.receiver.received(path)
        self.assertEqual(request["body"], b'{"v":1}')
        # an inbound message under the same key is another thing
        inbound = self.env["freight.message"]._store_inbound(
            self.endpoint, "events", b"{}", "application/json", "tender-once", None, 0)
        self.assertNotEqual(inbound, first)

    def test_send_now_makes_a_waiting_message_due(self):
        path = self.point_to("/later")
        self.receiver.script(path, [(500, 0), (200, 0)])
        message = self.queue("tender-later")
        self.deliver()
        self.assertEqual(message.state, "retry")
        message.action_send_now()
        self.assertFalse(message.next_attempt_at)
        self.deliver()
        self.assertEqual(message.state, "sent")
        with self.assertRaises(UserError):
            message.action_send_now()
        with self.assertRaises(UserError):
            message.action_retry()

    def test_header_injection_key_is_refused(self):
        with self.assertRaises(ValueError):
            self.queue("tender\r\nX-Evil: 1")

    def test_outbound_url_is_validated(self):
        for url in ("ftp://tms.example.com/in", "https://user:pw@tms.example.com/in",
                    "tms.example.com/in", "https://tms.example.com/a b"):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.endpoint.outbound_url = url
        self.endpoint.outbound_url = "https://tms.example.com/freight/in"
        manager = new_test_user(self.env, login="outbox_manager_url",
                                groups="base.group_user,freight_sync.group_freight_manager")
        with self.assertRaises(AccessError):
            self.endpoint.with_user(manager).read(["outbound_url"])


@tagged("freight_sync", "post_install", "-at_install")
class TestOutboxSecurity(OutboxCase):
    def test_outbound_messages_are_for_freight_managers(self):
        outbound = self.queue("tender-secret")
        inbound = self.env["freight.message"]._store_inbound(
            self.endpoint, "events", b"{}", "application/json", "in-1", None, 0)
        Message = self.env["freight.message"]
        self.assertEqual(Message.with_user(self.responsible).search(
            [("id", "in", (outbound | inbound).ids)]), outbound | inbound)
        self.assertEqual(Message.with_user(self.robot).search(
            [("id", "in", (outbound | inbound).ids)]), inbound)
        with self.assertRaises(AccessError):
            outbound.with_user(self.robot).read(["state"])
        dispatcher = new_test_user(self.env, login="outbox_dispatcher",
                                   groups="base.group_user,freight_sync.group_freight_user")
        with self.assertRaises(AccessError):
            outbound.with_user(dispatcher).read(["state"])

    def test_a_dispatcher_can_queue_but_not_read(self):
        """A tender queued from a dispatcher's action: stored, sent, but not readable by
        the dispatcher."""
        dispatcher = new_test_user(self.env, login="outbox_queuer",
                                   groups="base.group_user,freight_sync.group_freight_user")
        message = self.env["freight.message"].with_user(dispatcher)._queue_outbound(
            self.endpoint.with_user(dispatcher), "tender", b"ISA*00~", "tender-by-dispatcher",
            "application/edi-x12")
        self.assertEqual(message.env.uid, dispatcher.id)
        with self.assertRaises(AccessError):
            message.read(["state"])
        self.assertEqual(message.sudo().payload_attachment_id.name,
                         f"tender-out-{message.id}.x12")
        self.deliver()
        self.assertEqual(message.sudo().state, "sent")

    def test_other_company_manager_does_not_see_them(self):
        outbound = self.queue("tender-company")
        other = self.env["res.company"].create({"name": "Other freight company"})
        manager = new_test_user(self.env, login="outbox_other_manager", company_id=other.id,
                                company_ids=[(6, 0, other.ids)],
                                groups="base.group_user,freight_sync.group_freight_manager")
        self.assertFalse(self.env["freight.message"].with_user(manager).search(
            [("id", "=", outbound.id)]))
