from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.inbox import classify_items, next_attempt, run_state


@tagged("freight_sync", "post_install", "-at_install")
class TestInboxRules(BaseCase):
    def test_run_state(self):
        item = {"e2": "event e2: no shipment matches load_ref=X"}
        whole = {None: "Processing error: boom"}
        cases = [
            # failures, applied_any, retry_left, offers_only -> state
            ({}, True, True, False, "done"),
            ({}, False, True, False, "done"),  # every item known: nothing left to do
            ({}, False, True, True, "ignored"),  # counter-offers only: a case, no status
            (item, True, True, False, "partial"),
            (item, False, True, False, "failed"),
            (whole, True, True, False, "failed"),  # nothing was tried this run
            (item, True, False, False, "dead"),
            (whole, False, False, False, "dead"),
        ]
        for failures, applied_any, retry_left, offers_only, expected in cases:
            with self.subTest(failures=failures, applied=applied_any, retry=retry_left,
                              offers=offers_only):
                self.assertEqual(run_state(failures, applied_any, retry_left, offers_only),
                                 expected)

    def test_retry_schedule(self):
        now = datetime(2024, 7, 9, 12, 0)
        self.assertEqual(next_attempt(1, now), now + timedelta(minutes=1))
        self.assertEqual(next_attempt(4, now), now + timedelta(hours=2))
        self.assertIsNone(next_attempt(5, now))
        self.assertIsNone(next_attempt(0, now))

    def test_classify_items(self):
        keys = [("a", "1"), ("b", "2"), ("c", "3"), ("a", "1"), ("a", "9")]
        self.assertEqual(classify_items(keys, {"a"}, {"b": "2", "c": "x"}),
                         ["accepted", "duplicate", "conflict", "duplicate", "conflict"])
