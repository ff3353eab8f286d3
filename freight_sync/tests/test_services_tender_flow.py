from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError, parse_inbound_event
from ..services.milestones import current_tender_events, derive_status
from ..services.tender_build import Party, ShipmentTender, build_tender
from ..services.tender_flow import (
    appointment_times,
    expires_at,
    is_expired,
    judge_response,
    next_carrier,
    unacknowledged,
)
from ..services.x12 import parse
from ..services.x12_204 import build_204, map_204
from ..services.x12_intake import acknowledgments

NOW = datetime(2024, 7, 9, 12, 0)


def facts(**values):
    return ShipmentTender(**{
        "shipment_id": "SHP/00042", "scac": "TSTC", "mode": "ltl", "weight_kg": 1200.0,
        "origin": Party("Warehouse", "1 Dock Rd", None, "Dallas", "TX", "75201", "US"),
        "destination": Party("Customer", "9 Main St", None, "Austin", "TX", "73301", "US"),
        "load_ref": "LOAD100", "pallets": 4, "references": {"bol_number": "BOL1"},
        "requested_rate": (1250.5, "USD"), **values})


@tagged("freight_sync", "post_install", "-at_install")
class TestServicesTenderFlow(BaseCase):
    def test_build_tender_fills_windows_and_round_trips_through_the_204(self):
        doc = build_tender(facts(), NOW, NOW + timedelta(hours=2))
        self.assertEqual(doc["respond_by"], "2024-07-09T14:00:00+00:00")
        self.assertEqual([s["window_start"] for s in doc["stops"]],
                         ["2024-07-09T12:00:00+00:00", "2024-07-10T12:00:00+00:00"])
        self.assertEqual(doc["requested_rate"], {"amount": 1250.5, "currency": "USD"})
        text = build_204(doc, sender="FREIGHTSYNC", receiver="TSTC", interchange_control=7,
                         group_control=7, when=NOW)
        tset = parse(text).groups[0].sets[0]
        self.assertEqual(map_204(tset), doc)

    def test_build_tender_refuses_what_a_204_cannot_carry(self):
        with self.assertRaises(PayloadError):
            build_tender(facts(weight_kg=0.0), NOW, None)

    def test_expiry(self):
        self.assertEqual(expires_at(NOW, 120), NOW + timedelta(hours=2))
        self.assertIsNone(expires_at(NOW, 0))
        self.assertTrue(is_expired("sent", NOW, NOW))
        self.assertFalse(is_expired("accepted", NOW, NOW + timedelta(hours=1)))
        self.assertFalse(is_expired("sent", None, NOW))

    def test_judge_response(self):
        cases = [
            (None, "accepted", ("refuse", "the shipment was never tendered to this carrier")),
            ("sent", "accepted", ("apply", None)),
            ("queued", "rejected", ("apply", None)),
            ("counter_offer", "accepted", ("apply", None)),
            ("accepted", "accepted", ("same", None)),
            ("declined", "rejected", ("same", None)),
            ("expired", "accepted", ("refuse", "tender expired")),
            ("accepted", "rejected", ("refuse", "the tender to this carrier is already "
                                                "accepted")),
            ("undeliverable", "accepted", ("refuse", "the tender to this carrier is already "
                                                     "undeliverable")),
        ]
        for state, decision, expected in cases:
            with self.subTest(state=state, decision=decision):
                self.assertEqual(judge_response(state, decision), expected)

    def test_next_carrier_skips_tendered_and_unreachable(self):
        self.assertEqual(next_carrier([5, 3, 9, 2], [5], [3, 9, 2]), 3)
        self.assertEqual(next_carrier([5, 3, 9, 2], [5, 3], [2]), 2)
        self.assertIsNone(next_carrier([5, 3], [5, 3], [5, 3]))

    def test_appointments(self):
        found = appointment_times([
            {"qualifier": "69", "date": "2024-07-10", "time": "08:00", "at":
             "2024-07-10T08:00:00-04:00"},
            {"qualifier": "70", "date": "2024-07-11", "time": "14:30", "at": None},
            {"qualifier": "69", "date": "2024-07-12", "time": None, "at": None},
        ])
        self.assertEqual(found, {"pickup": datetime(2024, 7, 10, 12, 0),
                                 "delivery": datetime(2024, 7, 11, 14, 30)})
        self.assertEqual(appointment_times([{"kind": "delivery",
                                             "at": "2024-07-11T10:00:00Z"}]),
                         {"delivery": datetime(2024, 7, 11, 10, 0)})

    def test_unacknowledged(self):
        self.assertTrue(unacknowledged(NOW, 60, NOW + timedelta(minutes=60)))
        self.assertFalse(unacknowledged(NOW, 60, NOW + timedelta(minutes=59)))
        self.assertFalse(unacknowledged(NOW, 0, NOW + timedelta(days=9)))

    def test_retender_after_a_decline_is_tendered_not_rejected(self):
        t0 = NOW
        events = [("tendered", t0), ("rejected", t0 + timedelta(minutes=5)),
                  ("tendered", t0 + timedelta(minutes=5))]
        self.assertEqual(current_tender_events(events), [events[0], events[2]])
        self.assertEqual(derive_status(events), "tendered")
        self.assertEqual(derive_status(events + [("accepted", t0 + timedelta(minutes=9))]),
                         "accepted")
        # the latest tender declined: rejected
        self.assertEqual(derive_status(events + [("rejected", t0 + timedelta(minutes=9))]),
                         "rejected")
        self.assertEqual(derive_status(events[:2]), "rejected")
        # the same second: the order recorded tells which came first
        same = [("tendered", t0), ("rejected", t0)]
        self.assertEqual(derive_status(same), "rejected")
        self.assertEqual(derive_status(same + [("tendered", t0)]), "tendered")

    def test_json_tender_answer(self):
        event = parse_inbound_event({
            "id": "r1", "shipment": {"name": "SHP/00042"}, "code": "accepted",
            "event_time": "2024-07-09T10:00:00Z",
            "tender": {"rate": {"amount": 1850.25, "currency": "usd"},
                       "service_level": "Standard", "carrier_ref": "BR-1",
                       "appointments": [{"kind": "pickup",
                                         "at": "2030-07-10T08:00:00-04:00"}]}}, "/events/0")
        self.assertEqual(event["tender"]["rate"], (1850.25, "USD"))
        self.assertEqual(event["tender"]["appointments"],
                         [{"kind": "pickup", "at": "2030-07-10T08:00:00-04:00"}])
        offer = parse_inbound_event({
            "id": "r2", "shipment": {"name": "SHP/00042"}, "code": "counter_offer",
            "event_time": "2024-07-09T10:00:00Z", "note": "2100 USD",
            "tender": {"offer": "Counter Proposal Made"}}, "/events/0")
        self.assertEqual((offer["code"], offer["counter_offer"], offer["raw_code"]),
                         (None, "Counter Proposal Made", "counter_offer"))
        plain = parse_inbound_event({"id": "r3", "shipment": {"name": "X"}, "code": "accepted",
                                     "event_time": "2024-07-09T10:00:00Z"}, "")
        self.assertNotIn("tender", plain)
        with self.assertRaises(PayloadError) as caught:
            parse_inbound_event({"id": "r4", "shipment": {"name": "X"}, "code": "accepted",
                                 "event_time": "2024-07-09T10:00:00Z",
                                 "tender": {"rate": {"amount": -1, "currency": "USD"}}}, "")
        self.assertEqual(caught.exception.pointer, "/tender/rate/amount")

    def test_997_acknowledgments(self):
        text = ("ISA*00*          *00*          *02*TSTC           *ZZ*FREIGHTSYNC    *"
                "240709*1200*U*00401*000000900*0*P*>~GS*FA*TSTC*FREIGHTSYNC*20240709*1200*900*X*"
                "004010~ST*997*0001~AK1*SM*000000042~AK2*204*0001~AK5*A~AK2*204*0002~"
                "AK3*S5*4**8~AK5*R*5~AK9*P*2*2*1~SE*9*0001~GE*1*900~IEA*1*000000900~")
        acks = acknowledgments(parse(text))
        self.assertEqual([(a["group_control"], a["set_control"], a["accepted"]) for a in acks],
                         [("42", "0001", True), ("42", "0002", False)])
        self.assertIn("AK5 R 5", acks[1]["reason"])
        self.assertIn("AK3*S5*4**8", acks[1]["reason"])
