from prometheus_client.parser import text_string_to_metric_families

from odoo.tests import BaseCase, tagged

from ..services.metrics import LATENCY_BUCKETS, Family, families, histogram_samples, render

SNAPSHOT = {
    "health": "degraded",
    "messages": [("in", "events", "done", 7), ("in", "events", "dead", 1),
                 ("out", "tender", "retry", 2)],
    "processed": [("milestones", 8)],
    "items": [("applied", 20), ("failed", 1)],
    "not_stored": [("events", 3)],
    # (bucket index, count, seconds): 4 within a second, 2 within 60 s, 1 over 6 h
    "latency": {"milestones": [(0, 4, 1.2), (3, 2, 90.0), (8, 1, 30000.0)]},
    "queues": [{"lane": "milestones", "depth": 2, "oldest_due_seconds": 75},
               {"lane": "invoices", "depth": 0, "oldest_due_seconds": None}],
    "dead_letters": [("in", 1)],
    "invoices": [("approved", 3), ("exception", 1)],
    "audit_lines": [("ok", 9), ("over", 2)],
    "bills": [("posted", 3)],
    "outbox_attempts": [("tender", 5)],
}


def parsed(text):
    return {family.name: family for family in text_string_to_metric_families(text)}


@tagged("freight_sync", "freight_pure")
class TestMetricsPage(BaseCase):
    def test_page_parses_with_types_and_values(self):
        page = parsed(render(families(SNAPSHOT)))
        self.assertEqual(page["freight_sync_up"].samples[0].value, 0)
        # the parser names a counter without its _total suffix
        received = {(s.labels["direction"], s.labels["kind"]): s.value
                    for s in page["freight_sync_messages_received"].samples}
        self.assertEqual(page["freight_sync_messages_received"].type, "counter")
        self.assertEqual(received, {("in", "events"): 8, ("out", "tender"): 2})
        depth = {s.labels["lane"]: s.value for s in page["freight_sync_queue_depth"].samples}
        self.assertEqual(depth, {"milestones": 2, "invoices": 0})
        ages = {s.labels["lane"]: s.value
                for s in page["freight_sync_queue_oldest_age_seconds"].samples}
        self.assertEqual(ages, {"milestones": 75, "invoices": 0})
        self.assertEqual(page["freight_sync_processing_latency_seconds"].type, "histogram")

    def test_histogram_is_cumulative_to_inf(self):
        page = parsed(render(families(SNAPSHOT)))
        samples = page["freight_sync_processing_latency_seconds"].samples
        buckets = [(s.labels["le"], s.value) for s in samples if s.name.endswith("_bucket")]
        self.assertEqual(buckets, [("1.0", 4), ("5.0", 4), ("15.0", 4), ("60.0", 6),
                                   ("300.0", 6), ("900.0", 6), ("3600.0", 6), ("21600.0", 6),
                                   ("+Inf", 7)])
        totals = {s.name: s.value for s in samples if not s.name.endswith("_bucket")}
        self.assertEqual(totals["freight_sync_processing_latency_seconds_count"], 7)
        self.assertAlmostEqual(totals["freight_sync_processing_latency_seconds_sum"], 30091.2)

    def test_empty_histogram_still_has_inf_sum_and_count(self):
        samples = histogram_samples({"lane": "x"}, {}, None)
        self.assertEqual(len(samples), len(LATENCY_BUCKETS) + 3)
        self.assertEqual(samples[-3:], [("_bucket", {"lane": "x", "le": "+Inf"}, 0),
                                        ("_sum", {"lane": "x"}, 0.0),
                                        ("_count", {"lane": "x"}, 0)])

    def test_label_values_and_help_are_escaped(self):
        text = render([Family("x_total", "counter", 'a \\ back\nslash',
                              [("", {"kind": 'say "hi"\\\n'}, 1)])])
        self.assertIn('# HELP x_total a \\\\ back\\nslash', text)
        self.assertIn('x_total{kind="say \\"hi\\"\\\\\\n"} 1', text)
        sample = parsed(text)["x"].samples[0]
        self.assertEqual(sample.labels["kind"], 'say "hi"\\\n')

    def test_every_family_has_help_and_type_before_its_samples(self):
        lines = render(families(SNAPSHOT)).splitlines()
        for family in families(SNAPSHOT):
            help_at = lines.index(f"# HELP {family.name} " + family.help.replace("\n", "\\n"))
            self.assertEqual(lines[help_at + 1], f"# TYPE {family.name} {family.kind}")
