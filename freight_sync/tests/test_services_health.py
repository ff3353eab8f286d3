from odoo.tests import BaseCase, tagged

from ..services.health import (
    DEFAULT_THRESHOLDS,
    evaluate,
    plan_incidents,
    public_view,
    thresholds_from,
    unreachable,
)

LIMITS = {"max_queue_age_minutes": 15, "max_dead_letters": 2, "max_p95_seconds": 60}


@tagged("freight_sync", "freight_pure")
class TestHealthRules(BaseCase):
    def test_healthy_when_nothing_is_measured(self):
        health = evaluate({"oldest_due_seconds": None, "dead_letters": 0,
                           "p95_seconds": None}, LIMITS)
        self.assertEqual((health.status, health.reasons), ("ok", []))

    def test_each_threshold_degrades_on_its_own_past_the_limit(self):
        at_limit = {"oldest_due_seconds": 900, "dead_letters": 2, "p95_seconds": 60}
        self.assertEqual(evaluate(at_limit, LIMITS).status, "ok")
        for reading, reason in (("oldest_due_seconds", "queue_age"),
                                ("dead_letters", "dead_letters"), ("p95_seconds", "latency")):
            health = evaluate({**at_limit, reading: at_limit[reading] + 1}, LIMITS)
            self.assertEqual((health.status, health.reasons), ("degraded", [reason]))
            self.assertEqual(health.checks[reason]["status"], "degraded")

    def test_unreachable_database_is_the_only_reason(self):
        self.assertEqual(unreachable().reasons, ["database"])
        self.assertEqual(unreachable().status, "degraded")

    def test_public_view_carries_no_counts(self):
        health = evaluate({"oldest_due_seconds": 5000, "dead_letters": 37,
                           "p95_seconds": 1.5}, LIMITS)
        view = public_view(health)
        self.assertEqual(view["reasons"], ["queue_age", "dead_letters"])
        self.assertNotIn("37", str(view))
        self.assertNotIn("5000", str(view))
        self.assertEqual(view["checks"]["latency"], {"status": "ok"})

    def test_stored_thresholds_fall_back_rather_than_switch_off(self):
        self.assertEqual(thresholds_from({}), DEFAULT_THRESHOLDS)
        read = thresholds_from({"max_queue_age_minutes": " 30 ", "max_dead_letters": "x",
                                "max_p95_seconds": "-5"})
        self.assertEqual(read, {**DEFAULT_THRESHOLDS, "max_queue_age_minutes": 30})


@tagged("freight_sync", "freight_pure")
class TestIncidentPlan(BaseCase):
    def test_new_crossing_opens(self):
        plan = plan_incidents([], ["dead_letters"])
        self.assertEqual((plan.open, plan.keep, plan.resolve), (["dead_letters"], [], []))

    def test_lasting_crossing_keeps_quiet(self):
        plan = plan_incidents(["dead_letters"], ["dead_letters", "latency"])
        self.assertEqual((plan.open, plan.keep, plan.resolve),
                         (["latency"], ["dead_letters"], []))

    def test_recovery_resolves(self):
        plan = plan_incidents(["queue_age", "latency"], ["latency"])
        self.assertEqual((plan.open, plan.keep, plan.resolve), ([], ["latency"], ["queue_age"]))
