from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError, parse_inbound_event
from ..services.stops import (
    STOP_DELIVERED,
    code_at_stop,
    infer_stops,
    last_stop,
    stop_number,
)
from ..services.x12 import parse
from ..services.x12_214 import map_214

FIXTURES = Path(__file__).parent / "fixtures" / "x12"


def statuses(name):
    interchange = parse((FIXTURES / name).read_text())
    events = []
    for tset in (tset for group in interchange.groups for tset in group.sets):
        found, errors = map_214(tset)
        assert not errors, errors
        events.extend(found)
    return events


@tagged("freight_sync", "freight_pure")
class TestStops(BaseCase):
    def test_stop_numbers_as_sent(self):
        self.assertEqual([stop_number(v) for v in ("2", " 3 ", 4, "0", "-1", "A", "", None,
                                                    True, 1000, "999")],
                         [2, 3, 4, None, None, None, None, None, None, None, 999])
        # what int() refuses or reads wrongly is no stop number, never a crash
        self.assertEqual([stop_number(v) for v in ("1" * 5000, "²", "007", "0001000")],
                         [None, None, 7, None])

    def test_a_set_with_one_status_at_several_places_has_stops(self):
        self.assertEqual(infer_stops([("AF", "DALLAS"), ("D1", "WACO"), ("D1", "AUSTIN"),
                                      ("POD", "AUSTIN")]), [1, 2, 3, 3])
        # a trip told status by status, each once: no stops
        self.assertEqual(infer_stops([("AF", "DALLAS"), ("X6", "TEXARKANA"), ("D1", "MEMPHIS")]),
                         [None, None, None])
        self.assertEqual(infer_stops([("D1", None), ("D1", None)]), [None, None])

    def test_only_a_delivery_before_the_last_stop_is_a_stop_delivery(self):
        self.assertEqual(last_stop([1, None, 2], planned=0), 2)
        self.assertEqual(last_stop([1, 2], planned=4), 4)
        self.assertIsNone(last_stop([None], planned=0))
        self.assertEqual(code_at_stop("delivered", 2, 3), STOP_DELIVERED)
        self.assertEqual(code_at_stop("pod_received", 1, 3), STOP_DELIVERED)
        self.assertEqual(code_at_stop("delivered", 3, 3), "delivered")
        self.assertEqual(code_at_stop("delivered", None, 3), "delivered")
        self.assertEqual(code_at_stop("picked_up", 1, 3), "picked_up")
        self.assertEqual(code_at_stop("delivered", 1, None), "delivered")

    def test_stop_numbers_from_l11_qn_are_part_of_the_identity(self):
        events = statuses("214_multi_stop_qn.edi")
        self.assertEqual([(e["raw_code"], e["stop"]) for e in events],
                         [("AF", 1), ("D1", 2), ("D1", 3)])
        self.assertTrue(all(e["external_id"].endswith(f":S{e['stop']}") for e in events))

    def test_the_same_status_at_two_places_at_one_time_is_two_events(self):
        first, second = statuses("214_multi_stop_same_time.edi")
        self.assertEqual((first["stop"], second["stop"]), (1, 2))
        self.assertEqual(first["event_time"], second["event_time"])
        self.assertNotEqual(first["external_id"], second["external_id"])

    def test_a_trip_told_status_by_status_keeps_its_identities(self):
        for event in statuses("214_004010_star_tilde.x12"):
            self.assertIsNone(event["stop"])
            self.assertNotRegex(event["external_id"], r":S\d+$")

    def test_json_events_may_name_their_stop(self):
        base = {"id": "E1", "shipment": {"pro_number": "P1"}, "code": "delivered",
                "event_time": "2024-07-10T11:00:00-05:00"}
        self.assertEqual(parse_inbound_event({**base, "stop": 2}, "/events/0")["stop"], 2)
        self.assertIsNone(parse_inbound_event(base, "/events/0")["stop"])
        for bad in (0, -1, "two", 1000, True, 2.5):
            with self.subTest(stop=bad), self.assertRaises(PayloadError) as caught:
                parse_inbound_event({**base, "stop": bad}, "/events/0")
            self.assertEqual(caught.exception.pointer, "/events/0/stop")
