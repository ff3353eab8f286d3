import base64
import gzip
import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..services.retention import ARCHIVE_DAYS_PARAM, PURGE_DAYS_PARAM, PayloadPurged
from ..services.signature import body_digest
from .inbound_common import InboundCase


@tagged("freight_sync", "post_install", "-at_install")
class TestPayloadRetention(InboundCase):
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(ARCHIVE_DAYS_PARAM, "30")
        params.set_param(PURGE_DAYS_PARAM, "90")

    def age(self, messages, days=None, when=None):
        """Received ``days`` ago (or at ``when``)."""
        messages.flush_recordset()
        self.env.cr.execute(SQL(
            "UPDATE freight_message SET received_at = %s WHERE id = ANY(%s)",
            when or fields.Datetime.now() - timedelta(days=days), messages.ids))
        messages.invalidate_recordset(["received_at"])

    def retention(self):
        return self.env["freight.message"]._cron_payload_retention(batch_size=2)

    def test_archive_then_purge_keeps_the_hash(self):
        done = self.receive(self.event("ret-1"))
        body = done.payload_attachment_id.raw
        self.process()
        self.assertEqual(done.state, "done")
        waiting = self.receive(self.event("ret-2", code="delivered"))
        dead = self.receive(self.event("ret-3", code="delivered"))
        dead.write({"state": "dead"})
        messages = done | waiting | dead
        self.age(messages, days=40)

        self.assertEqual(self.retention(), {"purged": 0, "archived": 2})
        self.assertTrue(done.payload_archived_at)
        archive = done.payload_attachment_id
        self.assertEqual(archive.mimetype, "application/gzip")
        self.assertTrue(archive.store_fname, "the archive is in the filestore")
        self.assertFalse(archive.db_datas)
        self.assertEqual(gzip.decompress(archive.raw), body)
        self.assertEqual(done._payload(), body, "read back as received")
        self.assertFalse(self.env["ir.attachment"].sudo().search(
            [("res_model", "=", "freight.message"), ("res_id", "=", done.id),
             ("id", "!=", archive.id)]), "the database copy is gone")
        self.assertTrue(dead.payload_archived_at, "a dead letter is archived, still readable")
        self.assertFalse(waiting.payload_archived_at, "a waiting message is never archived")
        self.assertEqual(self.retention(), {"purged": 0, "archived": 0})

        self.age(messages, days=100)
        self.assertEqual(self.retention(), {"purged": 1, "archived": 0})
        self.assertTrue(done.payload_purged_at)
        self.assertFalse(done.payload_attachment_id)
        self.assertFalse(archive.exists())
        # the audit trail still proves what came in
        self.assertEqual((done.state, done.payload_sha256, done.payload_size),
                         ("done", body_digest(body), len(body)))
        with self.assertRaises(PayloadPurged) as refused:
            done._payload()
        self.assertIn(done.payload_sha256, str(refused.exception))
        with self.assertRaisesRegex(UserError, "purged"):
            done.action_replay()
        self.assertEqual(done.state, "done")
        # dead letters and waiting messages keep their payload, whatever their age
        self.assertTrue(dead.payload_attachment_id and waiting.payload_attachment_id)
        self.assertEqual(dead._payload(), dead.payload_attachment_id.raw and dead._payload())
        self.assertEqual(waiting._payload(), waiting.payload_attachment_id.raw)

    def test_an_archived_message_is_replayed_from_its_archive(self):
        message = self.receive(self.event("ret-10"))
        self.process()
        self.age(message, days=40)
        self.retention()
        self.assertTrue(message.payload_archived_at)
        message.action_replay()
        self.process()
        self.assertEqual(message.state, "done", message.last_error)

    def test_a_batch_costs_the_same_queries_whatever_its_size(self):
        def settled(prefix, count):
            messages = self.env["freight.message"].browse()
            for index in range(count):
                messages |= self.receive(self.event(f"{prefix}-{index}"))
            messages.write({"state": "done"})
            self.age(messages, days=40)
            return messages

        counts = []
        # the first run reads what stays cached (settings, ...): not counted
        for prefix, count in (("warm", 1), ("few", 3), ("many", 12)):
            messages = settled(prefix, count)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["freight.message"]._cron_payload_retention(batch_size=100)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(messages.filtered("payload_archived_at")), count)
        self.assertEqual(counts[1], counts[2], counts)

    def test_retention_is_off_when_set_to_zero_and_purge_comes_after_archive(self):
        self.env["ir.config_parameter"].sudo().set_param(ARCHIVE_DAYS_PARAM, "0")
        self.env["ir.config_parameter"].sudo().set_param(PURGE_DAYS_PARAM, "0")
        message = self.receive(self.event("ret-20"))
        self.process()
        self.age(message, days=1000)
        self.assertEqual(self.retention(), {"purged": 0, "archived": 0})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"freight_payload_archive_days": 60,
                                                    "freight_payload_purge_days": 30})


@tagged("freight_sync", "post_install", "-at_install")
class TestMessageExport(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="export_manager",
                                    groups="base.group_user,freight_sync.group_freight_manager")
        cls.clerk = new_test_user(cls.env, login="export_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")
        cls.dispatcher = new_test_user(cls.env, login="export_dispatcher",
                                       groups="base.group_user,freight_sync.group_freight_user")
        robot = new_test_user(cls.env, login="other_robot",
                              groups="base.group_user,freight_sync.group_freight_integration")
        cls.other = cls.env["freight.endpoint"].create({
            "name": "Other carrier", "kind": "carrier", "carrier_id": cls.carrier.id,
            "user_id": robot.id, "hmac_secret": "other-secret"})

    def at(self, message, when):
        message.flush_recordset()
        self.env.cr.execute(SQL("UPDATE freight_message SET received_at = %s WHERE id = %s",
                                when, message.id))
        message.invalidate_recordset()
        return message

    def export(self, user, date_from="2026-01-01", date_to="2026-01-31"):
        wizard = self.env["freight.message.export"].with_user(user).create({
            "endpoint_id": self.endpoint.id, "date_from": date_from, "date_to": date_to})
        action = wizard.action_export()
        self.assertIn("/web/content/freight.message.export/", action["url"])
        lines = gzip.decompress(base64.b64decode(wizard.file)).splitlines()
        return [json.loads(line) for line in lines]

    def test_the_export_holds_exactly_the_period(self):
        first = self.at(self.receive(self.event("exp-1")), datetime(2026, 1, 1, 0, 0, 0))
        last = self.at(self.receive(self.event("exp-2")), datetime(2026, 1, 31, 23, 59, 59))
        self.at(self.receive(self.event("exp-3")), datetime(2026, 2, 1, 0, 0, 0))
        self.at(self.receive(self.event("exp-4")), datetime(2025, 12, 31, 23, 59, 59))
        other = self.env["freight.message"]._store_inbound(
            self.other, "events", self.body(self.event("exp-5")), "application/json",
            "other-key", None, 1)
        self.at(other, datetime(2026, 1, 15))
        purged = self.at(self.receive(self.event("exp-6")), datetime(2026, 1, 20))
        archived = self.at(self.receive(self.event("exp-7")), datetime(2026, 1, 10))
        body = archived._payload()
        (purged | archived).write({"state": "done"})
        purged._purge_payloads()
        archived._archive_payloads()
        self.assertTrue(archived.payload_archived_at)

        rows = self.export(self.manager)
        self.assertEqual([row["id"] for row in rows],
                         [first.id, archived.id, purged.id, last.id])
        by_id = {row["id"]: row for row in rows}
        self.assertEqual(base64.b64decode(by_id[first.id]["payload_base64"]),
                         first._payload())
        self.assertEqual(by_id[first.id]["payload_sha256"], first.payload_sha256)
        self.assertEqual(base64.b64decode(by_id[archived.id]["payload_base64"]), body)
        self.assertIsNone(by_id[purged.id]["payload_base64"])
        self.assertEqual(by_id[purged.id]["payload_sha256"], purged.payload_sha256)
        self.assertTrue(by_id[purged.id]["payload_purged_at"])
        self.assertEqual(self.export(self.env.ref("base.user_admin"), "2026-02-01",
                                     "2026-02-01")[0]["idempotency_key"],
                         self.env["freight.message"].search(
                             [("received_at", "=", datetime(2026, 2, 1))]).idempotency_key)

    def test_only_managers_and_admins_export(self):
        for user in (self.clerk, self.dispatcher, self.robot):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["freight.message.export"].with_user(user).create({
                    "endpoint_id": self.endpoint.id, "date_from": "2026-01-01",
                    "date_to": "2026-01-31"})
        wizard = self.env["freight.message.export"].with_user(self.manager).create({
            "endpoint_id": self.endpoint.id, "date_from": "2026-01-01",
            "date_to": "2026-01-31"})
        with self.assertRaises(AccessError):
            wizard.with_user(self.clerk).action_export()
        with self.assertRaises(UserError):
            wizard.write({"date_to": "2025-12-01"})
            wizard.action_export()

    def test_another_company_endpoint_is_refused(self):
        company_b = self.env["res.company"].create({"name": "Export B Corp"})
        robot_b = new_test_user(self.env, login="robot_b", company_id=company_b.id,
                                company_ids=[company_b.id],
                                groups="base.group_user,freight_sync.group_freight_integration")
        foreign = self.env["freight.endpoint"].create({
            "name": "B carrier", "kind": "carrier", "company_id": company_b.id,
            "carrier_id": self.carrier.id, "user_id": robot_b.id, "hmac_secret": "b-secret"})
        manager_a = new_test_user(
            self.env, login="export_manager_a", company_id=self.env.company.id,
            company_ids=[self.env.company.id],
            groups="base.group_user,freight_sync.group_freight_manager")
        wizard = self.env["freight.message.export"].with_user(manager_a).create({
            "endpoint_id": foreign.id, "date_from": "2026-01-01", "date_to": "2026-01-31"})
        with self.assertRaises(AccessError):
            wizard.action_export()
