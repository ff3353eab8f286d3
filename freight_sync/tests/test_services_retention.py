import base64
import json
from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.retention import (
    ARCHIVE_STATES,
    PURGE_STATES,
    compress,
    cutoffs,
    decompress,
    export_line,
    period_bounds,
    retention_problem,
)


@tagged("freight_sync", "freight_pure")
class TestRetentionRules(BaseCase):
    def test_purge_comes_after_archive(self):
        self.assertIsNone(retention_problem(30, 365))
        self.assertIsNone(retention_problem(30, 0))  # never purged
        self.assertIsNone(retention_problem(0, 90))  # purged without an archive step
        self.assertIn("more than", retention_problem(30, 30))
        self.assertIn("more than", retention_problem(90, 30))
        self.assertIsNotNone(retention_problem(-1, 0))

    def test_cutoffs(self):
        now = datetime(2026, 6, 30, 12, 0)
        self.assertEqual(cutoffs(now, 30, 365), (datetime(2026, 5, 31, 12, 0),
                                                 datetime(2025, 6, 30, 12, 0)))
        self.assertEqual(cutoffs(now, 0, 0), (None, None))

    def test_waiting_and_dead_messages_are_never_purged(self):
        for state in ("received", "processing", "failed", "partial", "queued", "retry",
                      "dead"):
            self.assertNotIn(state, PURGE_STATES)
        for state in ("received", "processing", "failed", "partial", "queued", "retry"):
            self.assertNotIn(state, ARCHIVE_STATES)
        self.assertIn("dead", ARCHIVE_STATES)

    def test_archive_round_trip(self):
        raw = b'{"events": []}' * 50
        stored = compress(raw)
        self.assertLess(len(stored), len(raw))
        self.assertEqual(compress(raw), stored, "the same payload, the same archive")
        self.assertEqual(decompress(stored), raw)
        self.assertEqual(decompress(b"not gzip"), b"")

    def test_period_includes_both_days(self):
        self.assertEqual(period_bounds(date(2026, 1, 1), date(2026, 1, 31)),
                         (datetime(2026, 1, 1), datetime(2026, 2, 1)))
        with self.assertRaises(ValueError):
            period_bounds(date(2026, 2, 1), date(2026, 1, 31))

    def test_export_line_keeps_the_hash_without_the_payload(self):
        line = json.loads(export_line({"id": 1, "payload_sha256": "ab"}, b"\x00raw"))
        self.assertEqual(base64.b64decode(line["payload_base64"]), b"\x00raw")
        purged = json.loads(export_line({"id": 2, "payload_sha256": "cd"}, None))
        self.assertEqual((purged["payload_sha256"], purged["payload_base64"]), ("cd", None))
