from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.milestones import derive_status, first_event_time, has_open_exception
from ..services.references import is_valid_scac, normalize_reference

T0 = datetime(2024, 7, 9, 12, 0)


def at(hours):
    return T0 + timedelta(hours=hours)


@tagged("freight_sync", "freight_pure")
class TestDeriveStatus(BaseCase):
    def test_status_table(self):
        cases = [
            ("no milestones is draft", [], "draft"),
            ("single tender", [("tendered", at(0))], "tendered"),
            ("normal progress", [("tendered", at(0)), ("picked_up", at(5)), ("in_transit", at(9))],
             "in_transit"),
            ("late older scan never regresses",
             [("delivered", at(20)), ("in_transit", at(10))], "delivered"),
            ("arrival order does not matter",
             [("in_transit", at(10)), ("out_for_delivery", at(15)), ("picked_up", at(2))],
             "out_for_delivery"),
            ("exception is not progress", [("picked_up", at(1)), ("exception", at(3))],
             "picked_up"),
            ("only exception stays draft", [("exception", at(1))], "draft"),
            ("cancelled wins over delivered", [("delivered", at(5)), ("cancelled", at(1))],
             "cancelled"),
            ("pod after delivered", [("pod_received", at(9)), ("delivered", at(8))],
             "pod_received"),
            ("rejected tender", [("tendered", at(0)), ("rejected", at(1))], "rejected"),
            ("unknown codes ignored", [("teleported", at(1)), ("tendered", at(0))], "tendered"),
        ]
        for label, events, expected in cases:
            with self.subTest(label):
                self.assertEqual(derive_status(events), expected)

    def test_open_exception(self):
        cases = [
            ([], False),
            ([("exception", at(1))], True),
            ([("picked_up", at(1)), ("exception", at(2))], True),
            ([("exception", at(2)), ("delivered", at(3))], False),
            # a late scan of older progress does not clear a newer exception
            ([("exception", at(5)), ("in_transit", at(4))], True),
            ([("exception", at(1)), ("exception", at(6)), ("in_transit", at(4))], True),
        ]
        for events, expected in cases:
            with self.subTest(events=events):
                self.assertIs(has_open_exception(events), expected)

    def test_first_event_time(self):
        events = [("delivered", at(9)), ("delivered", at(7)), ("picked_up", at(1))]
        self.assertEqual(first_event_time(events, "delivered"), at(7))
        self.assertEqual(first_event_time(events, "picked_up"), at(1))
        self.assertIsNone(first_event_time(events, "pod_received"))


@tagged("freight_sync", "freight_pure")
class TestReferences(BaseCase):
    def test_normalize_reference(self):
        cases = [
            ("BR-4471 2093", "BR44712093"),
            (" br4471/2093 ", "BR44712093"),
            ("pro_1.2", "PRO12"),
            ("", None),
            ("  - ", None),
            (None, None),
            (12345, "12345"),
        ]
        for raw, expected in cases:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_reference(raw), expected)

    def test_scac(self):
        for code in ("BRFL", "UPS", "FX"):
            self.assertTrue(is_valid_scac(code), code)
        for code in ("", "B", "BRFLX", "brfl", "BR1L", None):
            self.assertFalse(is_valid_scac(code), code)
