import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..services.invoice_audit import shipment_linehaul
from ..services.tender_build import build_tender
from ..services.x12 import parse
from ..services.x12_204 import map_204
from .tender_common import TenderCase

MESSAGE_LOG = "odoo.addons.freight_sync.models.freight_message"


@tagged("freight_sync", "post_install", "-at_install")
class TestTender(TenderCase, HttpCase):
    def test_json_tender_accepted_with_rate_and_appointments(self):
        shipment = self.draft()
        tender = self.tender(shipment)
        message = tender.outbound_message_id
        self.assertEqual((tender.state, tender.channel, tender.attempt, message.state),
                         ("queued", "json", 1, "queued"))
        self.assertEqual(message.idempotency_key,
                         f"tender:{shipment.id}:{self.carrier.id}:1")
        self.assertEqual(shipment.status, "tendered")
        self.deliver()
        request = self.receiver.received("/tstc")[-1]
        self.assertIsNone(request["refusal"], "the fake carrier verified our signature")
        sent = json.loads(request["body"])
        self.assertEqual((sent["schema"], sent["tender"]["shipment_id"], sent["tender"]["scac"]),
                         ("freight_sync.tender/1", shipment.name, "TSTC"))
        self.assertEqual(request["headers"]["Idempotency-Key"], message.idempotency_key)
        self.assertEqual((tender.state, message.state), ("sent", "sent"))
        self.assertTrue(tender.expires_at)
        response = self.post_events(self.answer(
            shipment, "ans-1", "accepted", note="Driver assigned",
            tender={"rate": {"amount": 700, "currency": "USD"}, "service_level": "Standard",
                    "carrier_ref": "TS-778",
                    "appointments": [{"kind": "pickup", "at": "2030-07-10T08:00:00-04:00"},
                                     {"kind": "delivery", "at": "2030-07-11T14:30:00Z"}]}))
        self.assertEqual(response.status_code, 202, response.text)
        self.process()
        self.assertEqual((tender.state, tender.confirmed_rate, tender.carrier_ref),
                         ("accepted", 700.0, "TS-778"))
        self.assertEqual((shipment.confirmed_rate, shipment.confirmed_rate_currency_id.name,
                          shipment.service_level, shipment.carrier_ref),
                         (700.0, "USD", "Standard", "TS778"))
        self.assertEqual((str(shipment.planned_pickup_date), str(shipment.planned_delivery_date)),
                         ("2030-07-10 12:00:00", "2030-07-11 14:30:00"))
        self.assertEqual((shipment.status, shipment.tender_state), ("accepted", "accepted"))
        self.assertEqual(sorted(shipment.milestone_ids.mapped("code")), ["accepted", "tendered"])

    def test_x12_204_reads_back_as_the_tender_990_accepts_once_997_acknowledges(self):
        self.endpoint.tender_format = "x12"
        shipment = self.draft()
        tender = self.tender(shipment)
        message = tender.outbound_message_id
        self.assertEqual((tender.channel, message.content_type, message.x12_set_control),
                         ("x12", "application/edi-x12", "0001"))
        self.deliver()
        body = self.receiver.received("/tstc")[-1]["body"].decode()
        read = map_204(parse(body).groups[0].sets[0])
        # the tender as built when queued (its pickup window opened then)
        queued_at = datetime.fromisoformat(read["stops"][0]["window_start"]).replace(
            tzinfo=None)
        expected = build_tender(shipment._tender_facts(self.carrier), queued_at,
                                tender.expires_at)
        self.assertEqual(read, expected)
        self.assertEqual(read["respond_by"][:19], tender.expires_at.isoformat())
        # the carrier's 997 acknowledges the 204
        response = self.post_x12(self.ack_997(message))
        self.assertIn(response.status_code, (200, 202), response.text)
        self.assertEqual((message.state, bool(message.acknowledged_at)), ("acknowledged", True))
        # its 990: accepted, with its reference and appointments
        answer = self.response_990(shipment, "A", extra=[
            ["N9", "CN", "TS-990"], ["G62", "69", "20300710", "U", "0800", "UT"]])
        self.assertEqual(self.post_x12(answer).status_code, 202)
        self.process()
        self.assertEqual((tender.state, shipment.carrier_ref, shipment.status),
                         ("accepted", "TS990", "accepted"))
        self.assertEqual(str(shipment.planned_pickup_date), "2030-07-10 08:00:00")
        # the same 990 again, in a new interchange: nothing changes
        again = self.post_x12(self.response_990(shipment, "A", control=502, extra=[
            ["N9", "CN", "TS-990"], ["G62", "69", "20300710", "U", "0800", "UT"]]))
        self.assertIn(again.status_code, (200, 202), again.text)
        self.process()
        self.assertEqual(shipment.milestone_ids.mapped("code").count("accepted"), 1)
        self.assertEqual(tender.state, "accepted")

    def test_997_rejection_kills_the_tender_and_no_997_alerts(self):
        self.endpoint.tender_format = "x12"
        late, rejected = self.draft(), self.draft()
        late_tender, rejected_tender = self.tender(late), self.tender(rejected)
        self.deliver()
        with mute_logger(MESSAGE_LOG):
            self.post_x12(self.ack_997(rejected_tender.outbound_message_id, accepted=False))
        message = rejected_tender.outbound_message_id
        self.assertEqual(message.state, "dead")
        self.assertIn("AK5 R 5", message.last_error)
        self.assertEqual(rejected_tender.state, "undeliverable")
        self.assertIn("not delivered", rejected.activity_ids.summary)
        # the other: sent two hours ago, still no 997
        late_tender.outbound_message_id.sent_at = self.now - timedelta(hours=2)
        self.env["freight.message"]._cron_tender_ack_alert()
        self.assertIn("No 997", late.activity_ids.summary)
        self.assertEqual(late.activity_ids.user_id, self.dispatcher)
        self.env["freight.message"]._cron_tender_ack_alert()
        self.assertEqual(len(late.activity_ids), 1, "alerted once")

    def test_decline_then_automatic_waterfall_to_the_next_carrier(self):
        self.env.company.freight_tender_waterfall = "auto"
        shipment = self.draft()
        first = self.tender(shipment)
        self.deliver()
        answer = self.response_990(shipment, "D", extra=[["K1", "NO CAPACITY"]])
        self.assertEqual(self.post_x12(answer).status_code, 202)
        self.process()
        self.assertEqual((first.state, first.reason), ("declined", "NO CAPACITY"))
        second = shipment.tender_ids - first
        self.assertEqual((second.carrier_id, second.state, second.rank),
                         (self.quick, "queued", 1))
        self.assertEqual(shipment.carrier_id, self.quick)
        self.assertEqual((shipment.status, shipment.tender_state), ("tendered", "queued"))
        self.deliver()
        self.assertEqual(len(self.receiver.received("/quick")), 1)
        # the decline is the first carrier's, not the shipment's new carrier's; a tender
        # still waiting for its answer counts for nobody yet
        percents = self.env["freight.carrier.scorecard"]._percents(
            (first.carrier_id | self.quick).ids, shipment.company_id)
        self.assertEqual(percents[first.carrier_id.id]["tender_acceptance"], 0.0)
        self.assertIsNone(percents.get(self.quick.id, {}).get("tender_acceptance"))
        # a late answer from the first carrier is not matched to this shipment any more
        self.post_x12(self.response_990(shipment, "A", control=503))
        with mute_logger("odoo.addons.freight_sync.models.freight_message"):
            self.process()
        self.assertEqual(first.state, "declined")

    def test_decline_asks_the_dispatcher_and_counter_offer_opens_a_case(self):
        shipment, other = self.draft(), self.draft()
        self.tender(shipment)
        tender = self.tender(other)
        self.deliver()
        self.post_x12(self.response_990(shipment, "D", extra=[["K1", "NO TRUCK"]]))
        self.post_events(self.answer(other, "offer-1", "counter_offer", note="2100 USD",
                                     tender={"offer": "Counter Proposal Made"}))
        self.process()
        self.assertEqual((shipment.status, len(shipment.tender_ids)), ("rejected", 1))
        self.assertIn("choose the next carrier", shipment.activity_ids.summary)
        self.assertEqual(shipment.activity_ids.user_id, self.dispatcher)
        self.assertEqual((tender.state, tender.reason), ("counter_offer", "2100 USD"))
        case = self.env["freight.exception"].search([("shipment_id", "=", other.id)])
        self.assertEqual(case.exception_type, "tender_counter_offer")
        self.assertEqual(other.status, "tendered", "an offer moves no status")

    def test_answers_without_an_open_tender_are_refused(self):
        never, expired = self.draft(), self.draft()
        tender = self.tender(expired)
        self.deliver()
        tender.expires_at = self.now - timedelta(minutes=1)
        self.env["freight.tender"]._cron_expire_tenders()
        self.assertEqual(tender.state, "expired")
        self.assertIn("expired", expired.activity_ids.summary)
        self.post_x12(self.response_990(never, "A"))
        self.post_events(self.answer(expired, "late-1", "accepted"))
        with mute_logger("odoo.addons.freight_sync.models.freight_message"):
            self.process()
        messages = self.env["freight.message"].search(
            [("endpoint_id", "=", self.endpoint.id), ("direction", "=", "in")], order="id")
        self.assertEqual(messages.mapped("state"), ["failed", "failed"])
        self.assertIn("never tendered to this carrier", messages[0].last_error)
        self.assertIn("tender expired", messages[1].last_error)
        self.assertFalse(never.milestone_ids)
        self.assertEqual((expired.status, tender.state), ("tendered", "expired"))

    def test_withdrawing_a_tender_before_and_after_it_was_sent(self):
        waiting, sent = self.draft(), self.draft()
        before = len(self.receiver.received("/tstc"))
        unsent = self.tender(waiting)
        # a standing tender holds the carrier: choosing another is refused
        with self.assertRaisesRegex(UserError, "withdraw it first"):
            waiting.with_user(self.dispatcher).action_choose_carrier(self.quick.id)
        waiting.with_user(self.dispatcher).action_cancel_tender()
        self.assertEqual((unsent.state, unsent.outbound_message_id.state),
                         ("cancelled", "ignored"))
        self.deliver()
        self.assertEqual(len(self.receiver.received("/tstc")), before)  # never sent
        waiting.with_user(self.dispatcher).action_choose_carrier(self.quick.id)
        self.assertEqual(waiting.carrier_id, self.quick)
        # sent: the carrier gets the cancellation, signed, and its late answer is refused
        tender = self.tender(sent)
        self.deliver()
        with self.assertRaises(AccessError):
            sent.with_user(self.clerk).action_cancel_tender()
        sent.with_user(self.dispatcher).action_cancel_tender()
        self.deliver()
        first, cancel = self.receiver.received("/tstc")[before:]
        self.assertEqual(json.loads(first["body"])["tender"]["purpose"], "original")
        self.assertEqual(json.loads(cancel["body"])["tender"]["purpose"], "cancel")
        self.assertIsNone(cancel["refusal"])
        self.assertEqual(tender.state, "cancelled")
        self.post_events(self.answer(sent, "after-withdrawal", "accepted"))
        with mute_logger("odoo.addons.freight_sync.models.freight_message"):
            self.process()
        self.assertEqual(tender.state, "cancelled")
        self.assertFalse(sent.confirmed_rate)
        with self.assertRaisesRegex(UserError, "no tender waiting"):
            sent.with_user(self.dispatcher).action_cancel_tender()

    def test_undeliverable_after_retries(self):
        shipment = self.draft()
        tender = self.tender(shipment)
        message = tender.outbound_message_id
        self.env["ir.config_parameter"].set_param("freight_sync.outbound_timeout", "0.5")
        self.receiver.script("/tstc", [(500, 0), (200, 2), (422, 0)])
        self.addCleanup(self.receiver.script, "/tstc", [(200, 0)])
        self.deliver()
        self.assertEqual((message.state, message.answer_status), ("retry", 500))
        self.make_due(message)
        self.deliver()
        self.assertEqual((message.state, message.attempts), ("retry", 2), "a timeout")
        self.make_due(message)
        with mute_logger(MESSAGE_LOG):
            self.deliver()
        self.assertEqual((message.state, tender.state), ("dead", "undeliverable"))
        self.assertIn("not delivered", shipment.activity_ids.summary)
        self.assertEqual(shipment.activity_ids.user_id, self.dispatcher)
        attempts = [r for r in self.receiver.received("/tstc")
                    if r["headers"]["Idempotency-Key"] == message.idempotency_key]
        self.assertEqual([r["refusal"] for r in attempts], [None, None, None],
                         "each attempt signed, with the same key")

    def test_the_fake_carrier_refuses_a_tender_signed_with_another_secret(self):
        shipment = self.draft()
        tender = self.tender(shipment)
        self.endpoint.hmac_secret = "not-the-secret-the-carrier-has"
        with mute_logger(MESSAGE_LOG):
            self.deliver()
        self.assertEqual(self.receiver.received("/tstc")[-1]["refusal"], "signature_invalid")
        self.assertEqual((tender.outbound_message_id.answer_status, tender.state),
                         (401, "undeliverable"))

    @staticmethod
    def make_due(message):
        message.next_attempt_at = "2000-01-01 00:00:00"

    def test_accrual_and_audit_price_the_linehaul_at_the_confirmed_rate(self):
        self.env.company.freight_accrual_trigger = "accepted"
        shipment = self.draft()
        self.tender(shipment)
        self.deliver()
        self.post_events(self.answer(shipment, "rate-1", "accepted",
                                     tender={"rate": {"amount": 700, "currency": "USD"}}))
        self.process()
        # contract: 0.5/kg would be 500; confirmed 700, fuel 20 % of it
        self.assertEqual((shipment.accrual_state, shipment.expected_cost), ("accrued", 840.0))
        facts = shipment._audit_facts()[0]
        self.assertEqual(shipment_linehaul(None, facts)[:2], (700.0, "USD"))

    def test_roles_and_the_panel_route(self):
        shipment = self.draft()
        with self.assertRaises(AccessError):
            shipment.with_user(self.clerk).action_tender()
        self.authenticate("tender_dispatcher", "tender_dispatcher-pass-123")
        answer = self.url_open("/freight_sync/ui/v1/tender", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"shipment_id": shipment.id, "carrier_id": self.quick.id}}),
            headers={"Content-Type": "application/json"}).json()["result"]
        tender = shipment.tender_ids
        self.assertEqual(answer, {"tender_id": tender.id, "state": "queued",
                                  "carrier_id": self.quick.id, "carrier_name": "Quick Freight",
                                  "channel": "json", "shipment_id": shipment.id,
                                  "tender_state": "queued"})
        # a dispatcher reads the tender and its outbound message, not inbound traffic
        as_dispatcher = shipment.with_user(self.dispatcher)
        self.assertEqual(as_dispatcher.outbound_message_ids.read(["state"])[0]["state"], "queued")
        inbound = self.env["freight.message"].with_user(self.dispatcher).search(
            [("direction", "=", "in")])
        self.assertFalse(inbound)
        with self.assertRaises(AccessError):
            as_dispatcher.outbound_message_ids.write({"state": "dead"})
