import json
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from psycopg2.errors import UniqueViolation

from odoo import fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.freight_monitor import read_health
from .inbound_common import InboundCase

HEALTH = "/freight_sync/v1/health"
METRICS = "/freight_sync/v1/metrics"


class MonitoringCase(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="mon_manager", password="mon_manager-pass-123",
            groups="base.group_user,freight_sync.group_freight_manager")
        cls.clerk = new_test_user(
            cls.env, login="mon_clerk", password="mon_clerk-pass-123",
            groups="base.group_user,freight_sync.group_freight_billing")

    def set_param(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(f"freight_sync.{name}", str(value))

    def waiting_since(self, minutes, event_id="w1"):
        """An inbound message stored ``minutes`` ago and never processed."""
        message = self.receive(self.event(event_id))
        message.flush_recordset()
        self.env.cr.execute("UPDATE freight_message SET received_at = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(minutes=minutes), message.id])
        message.invalidate_recordset()
        return message

    def dead_letters(self, count, prefix="dead"):
        messages = self.env["freight.message"]
        for index in range(count):
            messages |= self.receive(self.event(f"{prefix}{index}"))
        messages.sudo().write({"state": "dead"})
        return messages


@tagged("freight_sync", "post_install", "-at_install")
class TestHealthRoute(MonitoringCase, HttpCase):
    def health(self, headers=None):
        response = self.url_open(HEALTH, headers=headers or {}, timeout=30)
        return response.status_code, json.loads(response.content)

    def test_healthy_answers_200_and_no_counts_to_anyone(self):
        self.dead_letters(1)  # under the default limit
        status, answer = self.health()
        self.assertEqual((status, answer["status"], answer["reasons"]), (200, "ok", []))
        self.assertEqual(set(answer["checks"]),
                         {"database", "queue_age", "dead_letters", "latency"})
        self.assertEqual(answer["checks"]["dead_letters"], {"status": "ok"})
        self.assertNotIn("lanes", answer)

    def test_queue_older_than_the_threshold_degrades(self):
        self.set_param("health_max_queue_age_minutes", 10)
        self.waiting_since(5)
        self.assertEqual(self.health()[0], 200)
        self.waiting_since(30, "w2")
        status, answer = self.health()
        self.assertEqual((status, answer["status"], answer["reasons"]),
                         (503, "degraded", ["queue_age"]))

    def test_a_message_waiting_for_its_retry_is_not_late(self):
        self.set_param("health_max_queue_age_minutes", 10)
        message = self.waiting_since(60)
        message.sudo().write({"state": "failed",
                              "next_attempt_at": fields.Datetime.now() + timedelta(minutes=5)})
        self.assertEqual(self.health()[0], 200)

    def test_dead_letters_over_the_threshold_degrade(self):
        self.set_param("health_max_dead_letters", 1)
        self.dead_letters(2)
        status, answer = self.health()
        self.assertEqual((status, answer["reasons"]), (503, ["dead_letters"]))
        self.assertEqual(answer["checks"]["dead_letters"], {"status": "degraded"})

    def test_details_for_the_metrics_token_and_a_freight_manager(self):
        self.set_param("health_max_dead_letters", 1)
        self.dead_letters(2)
        token = self.env["freight.monitor"].with_user(self.manager)._issue_metrics_token()
        status, answer = self.health({"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 503)
        self.assertEqual(answer["checks"]["dead_letters"],
                         {"status": "degraded", "value": 2, "limit": 1})
        self.assertIn("lanes", answer)
        self.assertNotIn("value", self.health({"Authorization": "Bearer wrong"})[1]
                         ["checks"]["dead_letters"])
        self.authenticate("mon_manager", "mon_manager-pass-123")
        self.assertEqual(self.health()[1]["checks"]["dead_letters"]["value"], 2)
        self.authenticate("mon_clerk", "mon_clerk-pass-123")
        self.assertNotIn("value", self.health()[1]["checks"]["dead_letters"])

    def test_unreachable_database_is_degraded_with_reason_database(self):
        # a real connection failure: PostgreSQL refuses a database that does not exist
        missing = self.env.cr.dbname + "_no_such_database"
        health, lanes = read_health(lambda: sql_db.db_connect(missing).cursor())
        self.assertEqual((health.status, health.reasons, lanes), ("degraded", ["database"], []))
        # and the same function on the live database answers
        self.assertEqual(read_health(self.registry.cursor)[0].reasons, [])


def families(text):
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(page, name, **labels):
    return sum(sample.value for sample in page[name].samples
               if sample.name == name + ("_total" if page[name].type == "counter" else "")
               and all(sample.labels.get(key) == want for key, want in labels.items()))


def latency_count(page):
    return sum(sample.value for sample in page["freight_sync_processing_latency_seconds"].samples
               if sample.name.endswith("_count") and sample.labels["lane"] == "milestones")


@tagged("freight_sync", "post_install", "-at_install")
class TestMetricsRoute(MonitoringCase, HttpCase):
    def scrape(self, token):
        response = self.url_open(METRICS, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        return families(response.text)

    def post_events(self, *events):
        body = self.body(*events)
        response = self.url_open("/freight_sync/v1/events", data=body,
                                 headers=self.signed_headers(body), timeout=30)
        self.assertIn(response.status_code, (200, 202), response.text)

    def test_unauthenticated_is_refused(self):
        self.env["freight.monitor"].with_user(self.manager)._issue_metrics_token()
        for headers in ({}, {"Authorization": "Bearer not-the-token"},
                        {"Authorization": "Basic bW9uOnBhc3M="}):
            with self.subTest(headers=headers):
                response = self.url_open(METRICS, headers=headers, timeout=30)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["error"]["code"], "unauthenticated")
                self.assertIn("Bearer", response.headers["WWW-Authenticate"])
        self.authenticate("mon_clerk", "mon_clerk-pass-123")
        self.assertEqual(self.url_open(METRICS, timeout=30).status_code, 401)

    def test_no_token_issued_refuses_every_bearer(self):
        self.assertEqual(self.url_open(METRICS, headers={"Authorization": "Bearer "},
                                       timeout=30).status_code, 401)

    def test_only_a_manager_issues_the_token_and_a_new_one_replaces_it(self):
        with self.assertRaises(AccessError):
            self.env["freight.monitor"].with_user(self.clerk)._issue_metrics_token()
        old = self.env["freight.monitor"].with_user(self.manager)._issue_metrics_token()
        new = self.env["freight.monitor"].with_user(self.manager)._issue_metrics_token()
        self.assertFalse(self.env["freight.monitor"]._check_metrics_token(old))
        self.assertTrue(self.env["freight.monitor"]._check_metrics_token(new))
        stored = self.env["ir.config_parameter"].sudo().get_param(
            "freight_sync.metrics_token_hash")
        self.assertNotIn(new, stored)

    def test_page_parses_and_counters_move_with_traffic(self):
        token = self.env["freight.monitor"].with_user(self.manager)._issue_metrics_token()
        before = self.scrape(token)
        self.assertEqual(before["freight_sync_processing_latency_seconds"].type, "histogram")
        self.post_events(self.event("m1"), self.event("m2", code="in_transit"))
        waiting = self.scrape(token)
        self.assertEqual(value(waiting, "freight_sync_queue_depth", lane="milestones"),
                         value(before, "freight_sync_queue_depth", lane="milestones") + 1)
        self.process()
        # a resend of one event beside a new one: one item not stored
        self.post_events(self.event("m2", code="in_transit"), self.event("m3", code="delivered"))
        self.process()
        # resends that store nothing: the same request again, its two items under a new key
        self.post_events(self.event("m2", code="in_transit"), self.event("m3", code="delivered"))
        self.post_events(self.event("m3", code="delivered"), self.event("m2", code="in_transit"))
        after = self.scrape(token)
        for name, labels, grew_by in (
                ("freight_sync_messages_received", {"direction": "in", "kind": "events"}, 2),
                ("freight_sync_messages_processed", {"lane": "milestones"}, 2),
                ("freight_sync_items", {"state": "applied"}, 3),
                ("freight_sync_items_not_stored", {"kind": "events"}, 1),
                ("freight_sync_resent_requests", {"kind": "events"}, 2),
                ("freight_sync_resent_items", {"kind": "events"}, 4),
                ("freight_sync_messages", {"direction": "in", "kind": "events",
                                           "state": "done"}, 2)):
            with self.subTest(metric=name):
                self.assertEqual(value(after, name, **labels),
                                 value(before, name, **labels) + grew_by)
        # other tests may have committed messages: every figure is compared with before
        self.assertEqual(latency_count(after), latency_count(before) + 2)
        self.assertEqual(value(after, "freight_sync_queue_depth", lane="milestones"),
                         value(before, "freight_sync_queue_depth", lane="milestones"))
        self.assertEqual(value(after, "freight_sync_up"), 1)


@tagged("freight_sync", "post_install", "-at_install")
class TestHealthAlerts(MonitoringCase):
    def alerts(self):
        return self.env["freight.alert"].search([("reason", "=", "dead_letters")])

    def activities(self):
        return self.env["mail.activity"].search([("res_model", "=", "freight.alert"),
                                                 ("user_id", "=", self.manager.id)])

    def test_an_alert_fires_once_per_incident_and_again_after_recovery(self):
        self.set_param("health_max_dead_letters", 0)
        self.set_param("alert_user_id", self.manager.id)
        Alert = self.env["freight.alert"]
        first = self.dead_letters(1)
        self.assertEqual(Alert._cron_check_health().mapped("reason"), ["dead_letters"])
        self.assertEqual(self.activities().res_id, self.alerts().id)
        # still degraded, even worse: no second alert
        self.dead_letters(2, "more")
        self.assertFalse(Alert._cron_check_health())
        self.assertEqual((len(self.alerts()), len(self.activities())), (1, 1))
        # recovery resolves the incident
        self.env["freight.message"].search([("state", "=", "dead")]).sudo().write(
            {"state": "ignored"})
        self.assertFalse(Alert._cron_check_health())
        self.assertEqual(self.alerts().state, "resolved")
        self.assertTrue(self.alerts().resolved_at)
        # a new crossing: a new incident, a new activity
        first.sudo().write({"state": "dead"})
        second = Alert._cron_check_health()
        self.assertEqual((second.reason, second.state), ("dead_letters", "open"))
        self.assertEqual(len(self.alerts()), 2)
        self.assertEqual(len(self.activities()), 2)

    def test_one_open_incident_per_reason_in_the_database(self):
        Alert = self.env["freight.alert"].sudo()
        Alert.create({"reason": "latency"})
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            Alert.create({"reason": "latency"})

    def test_alerts_without_a_chosen_user_go_to_the_administrator(self):
        self.set_param("health_max_queue_age_minutes", 1)
        self.waiting_since(30)
        alert = self.env["freight.alert"]._cron_check_health()
        self.assertEqual(alert.activity_ids.user_id, self.env.ref("base.user_admin"))

    def test_access_rules(self):
        alert = self.env["freight.alert"].sudo().create({"reason": "latency"})
        self.assertEqual(alert.with_user(self.manager).read(["reason"])[0]["reason"], "latency")
        with self.assertRaises(AccessError):
            alert.with_user(self.manager).write({"state": "resolved"})
        with self.assertRaises(AccessError):
            self.env["freight.alert"].with_user(self.manager).create({"reason": "latency"})
        with self.assertRaises(AccessError):
            alert.with_user(self.clerk).read(["reason"])
        # the manager completes the activity assigned to them on the alert
        activity = alert.activity_schedule("mail.mail_activity_data_todo",
                                           user_id=self.manager.id)
        activity.with_user(self.manager).action_feedback("looked at it")
        self.assertFalse(activity.exists())

    def test_dashboard_shows_health_to_a_manager_only(self):
        self.set_param("health_max_dead_letters", 0)
        self.dead_letters(1)
        self.env["freight.alert"]._cron_check_health()
        today = fields.Date.today()
        health = self.env["freight.dashboard"].with_user(self.manager)._figures(
            today, today, None)["health"]
        self.assertEqual((health["status"], health["reasons"]), ("degraded", ["dead_letters"]))
        self.assertEqual(health["checks"]["dead_letters"]["value"], 1)
        self.assertEqual([a["reason"] for a in health["alerts"]], ["dead_letters"])
        clerk = self.env["freight.dashboard"].with_user(self.clerk)._figures(
            today, today, None)
        self.assertIsNone(clerk["health"])
