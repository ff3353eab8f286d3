from datetime import datetime, timedelta, timezone

from odoo.tests import BaseCase, tagged

from ..services.codemap import STATUS_CODES
from ..services.notify import (
    DELIVERED,
    ETA_CHANGED,
    EXCEPTION,
    PICKED_UP,
    build_payload,
    eta_change_due,
    eta_identity,
    event_of_milestone,
    milestone_identity,
    notification_key,
    superseded,
    wants,
)
from ..services.outbox import check_header_value
from ..services.x12 import parse
from ..services.x12_214 import map_214
from ..services.x12_214_out import build_214, status_code

T = datetime(2024, 7, 10, 12, 50, 30)
EXCEPTIONS = frozenset(code for code, (canonical, _label) in STATUS_CODES.items()
                       if canonical == "exception")


@tagged("freight_sync", "freight_pure")
class TestNotifyRules(BaseCase):
    def test_events_of_milestones(self):
        self.assertEqual(event_of_milestone("picked_up"), PICKED_UP)
        self.assertEqual(event_of_milestone("delivered"), DELIVERED)
        self.assertEqual(event_of_milestone("exception"), EXCEPTION)
        for code in ("in_transit", "stop_delivered", "pod_received", "tendered"):
            self.assertIsNone(event_of_milestone(code))
        self.assertTrue(wants([DELIVERED, EXCEPTION], DELIVERED))
        self.assertFalse(wants([DELIVERED], PICKED_UP))

    def test_pickup_after_delivery_is_stale(self):
        self.assertTrue(superseded(PICKED_UP, ["picked_up", "delivered"]))
        self.assertTrue(superseded(PICKED_UP, ["cancelled"]))
        self.assertFalse(superseded(PICKED_UP, ["picked_up", "in_transit"]))
        self.assertFalse(superseded(DELIVERED, ["delivered", "pod_received"]))
        self.assertFalse(superseded(EXCEPTION, ["delivered"]))

    def test_eta_threshold(self):
        self.assertTrue(eta_change_due(None, T, 60))  # a first estimate is news
        self.assertFalse(eta_change_due(T, None, 60))
        self.assertFalse(eta_change_due(T, T + timedelta(minutes=60), 60))  # not MORE
        self.assertTrue(eta_change_due(T, T + timedelta(minutes=61), 60))
        self.assertTrue(eta_change_due(T, T - timedelta(minutes=61), 60))  # earlier too
        self.assertFalse(eta_change_due(T, T + timedelta(minutes=30), 60))
        # naive is UTC; an aware time compares as its instant
        aware = (T + timedelta(hours=2)).replace(tzinfo=timezone(timedelta(hours=2)))
        self.assertFalse(eta_change_due(T, aware, 0))

    def test_identity_is_the_event_not_the_row(self):
        # progress: once per shipment and stop, whatever the reported time
        self.assertEqual(milestone_identity(7, DELIVERED, None, T),
                         milestone_identity(7, DELIVERED, 0, T - timedelta(hours=3)))
        self.assertNotEqual(milestone_identity(7, DELIVERED, 2, T),
                            milestone_identity(7, DELIVERED, 3, T))
        self.assertNotEqual(milestone_identity(7, DELIVERED, None, T),
                            milestone_identity(8, DELIVERED, None, T))
        # exceptions: once per instant
        self.assertEqual(milestone_identity(7, EXCEPTION, None, T),
                         "7:exception:S0:20240710T125030Z")
        self.assertNotEqual(milestone_identity(7, EXCEPTION, None, T),
                            milestone_identity(7, EXCEPTION, None, T + timedelta(hours=1)))
        self.assertEqual(eta_identity(7, T), "7:eta_changed:20240710T125030Z")
        key = notification_key(12, "webhook", milestone_identity(7, DELIVERED, None, T))
        self.assertEqual(key, "notify:12:webhook:7:delivered:S0")
        self.assertEqual(check_header_value("Idempotency-Key", key), key)

    def test_payload(self):
        body = build_payload(
            key="notify:1:webhook:7:eta_changed:20240710T125030Z", event=ETA_CHANGED,
            occurred_at=T, shipment={"name": "FS/0007", "pro_number": "PRO1", "bol_number": False},
            partner={"name": "Customer", "ref": ""}, eta=T, previous_eta=T - timedelta(hours=2))
        self.assertEqual(body, {
            "version": 1, "notification_id": "notify:1:webhook:7:eta_changed:20240710T125030Z",
            "event": "eta_changed", "event_label": "ETA changed",
            "occurred_at": "2024-07-10T12:50:30Z",
            "shipment": {"name": "FS/0007", "pro_number": "PRO1"},
            "partner": {"name": "Customer"},
            "eta": "2024-07-10T12:50:30Z", "previous_eta": "2024-07-10T10:50:30Z",
        })


def read_back(text):
    interchange = parse(text)  # raises on any envelope error
    (group,) = interchange.groups
    (tset,) = group.sets
    assert tset.ok, tset.errors
    assert group.functional_id == "QM"
    events, errors = map_214(tset)
    assert not errors, errors
    (event,) = events
    return event


def write(status, **extra):
    return build_214(status, sender="FREIGHTSYNC", receiver="CUSTOMER",
                     interchange_control=41, group_control=41, when=T, **extra)


@tagged("freight_sync", "freight_pure")
class TestX12Status214Out(BaseCase):
    status = {
        "status_code": "D1", "reason_code": None, "shipment_id": "FS/0042",
        "pro_number": "PRO77", "scac": "TSTC",
        "event_time": datetime(2024, 7, 10, 7, 50, 30, tzinfo=timezone(timedelta(hours=-5))),
        "references": {"load_ref": "LOAD-1", "bol_number": "BOL-9", "carrier_ref": "NOQUAL"},
        "city": "MEMPHIS", "state": "TN", "country": "USA", "note": "Left at dock 4*ok",
    }

    def test_round_trip_through_our_reader(self):
        event = read_back(write(self.status))
        self.assertEqual(event["raw_code"], "D1")
        self.assertEqual(event["reason_code"], "NS")
        self.assertEqual(datetime.fromisoformat(event["event_time"]),
                         self.status["event_time"])
        self.assertEqual(event["event_time"], "2024-07-10T12:50:30+00:00")
        self.assertEqual(event["references"], {
            "pro_number": "PRO77", "reference": "FS/0042", "load_ref": "LOAD-1",
            "bol_number": "BOL-9"})  # carrier_ref has no 214 qualifier: not written
        self.assertEqual(event["scac"], "TSTC")
        self.assertEqual(event["location"], "MEMPHIS, TN, USA")
        self.assertEqual(event["note"], "Left at dock 4 ok")  # the delimiter cleaned
        self.assertIsNone(event["stop"])

    def test_stop_and_exception_reason(self):
        status = {**self.status, "status_code": status_code("exception", "a7", EXCEPTIONS),
                  "reason_code": "AG", "stop": 3, "pro_number": "", "scac": "",
                  "city": "", "note": ""}
        event = read_back(write(status))
        self.assertEqual((event["raw_code"], event["reason_code"], event["stop"]),
                         ("A7", "AG", 3))
        self.assertEqual(event["references"]["reference"], "FS/0042")
        self.assertTrue(event["external_id"].endswith(":S3"))
        self.assertEqual(status_code("exception", "X6", EXCEPTIONS), "SD")
        self.assertEqual(status_code("delivered"), "D1")
        self.assertEqual(status_code("eta_changed"), "AG")

    def test_refusals(self):
        with self.assertRaises(ValueError):
            write({**self.status, "shipment_id": "FS*1"})  # an id is never altered
        with self.assertRaises(ValueError):
            write({**self.status, "shipment_id": "", "pro_number": ""})
        with self.assertRaises(ValueError):
            write({**self.status, "event_time": datetime(2024, 7, 10)})  # no offset
        with self.assertRaises(ValueError):
            build_214(self.status, sender="FREIGHTSYNC", receiver="C",
                      interchange_control=0, group_control=1, when=T)
