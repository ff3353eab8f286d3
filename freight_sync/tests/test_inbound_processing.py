import importlib.util
import json
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from ..models import freight_milestone
from ..models.freight_shipment import FreightShipment
from .inbound_common import InboundCase

APPLY = FreightShipment._apply_inbound_events


@tagged("freight_sync", "post_install", "-at_install")
class TestInboxProcessing(InboundCase):
    def test_events_become_milestones_with_provenance(self):
        message = self.receive(self.event("e1", location="Dallas, TX"),
                               self.event("e2", code="in_transit",
                                          when="2024-07-09T20:00:00Z"))
        self.assertEqual(self.process(), 1)
        self.assertEqual(message.state, "done")
        self.assertEqual(self.shipment.status, "in_transit")
        self.assertEqual(len(message.milestone_ids), 2)
        self.assertEqual(set(message.milestone_ids.mapped("source")), {"carrier"})
        self.assertEqual(message.rules_version, "17.0.1.3")
        picked = message.milestone_ids.filtered(lambda m: m.code == "picked_up")
        self.assertEqual(picked.event_time, datetime(2024, 7, 9, 13, 0))

    def test_payload_lives_in_the_database_and_is_checked_before_use(self):
        # the filestore would hold the bytes outside the accepting transaction, where
        # Odoo's filestore garbage collector can take them (see models/ir_attachment.py)
        self.env["ir.config_parameter"].sudo().set_param("ir_attachment.location", "file")
        message = self.receive(self.event("e1"))
        attachment = message.payload_attachment_id
        self.assertFalse(attachment.store_fname)
        self.assertTrue(attachment.db_datas)
        # bytes changed behind the inbox's back are refused, never half-applied
        attachment.raw = attachment.raw.replace(b"picked_up", b"delivered")
        self.process()
        self.assertEqual((message.state, message.attempts), ("failed", 1))
        self.assertIn("sha256 no longer matches", message.last_error)
        self.assertFalse(self.shipment.milestone_ids)

    def test_out_of_order_stream_keeps_status_monotonic(self):
        stream = [("d", "delivered", "2024-07-10T15:00:00Z"),
                  ("p", "picked_up", "2024-07-09T08:00:00Z"),
                  ("o", "out_for_delivery", "2024-07-10T09:00:00Z"),
                  ("t", "in_transit", "2024-07-09T20:00:00Z")]
        seen = []
        for event_id, code, when in stream:
            self.receive(self.event(event_id, code=code, when=when))
            self.process()
            seen.append(self.shipment.status)
        self.assertEqual(seen, ["delivered"] * 4)
        self.assertEqual(len(self.shipment.milestone_ids), 4)

    def test_replay_changes_nothing(self):
        message = self.receive(self.event("e1"), self.event("x1", code="exception",
                                                             raw_code="A7"))
        self.process()
        self.assertEqual(len(self.shipment.milestone_ids), 2)
        cases = self.env["freight.exception"].search([("shipment_id", "=", self.shipment.id)])
        self.assertEqual(len(cases), 1)
        message.action_replay()
        self.assertEqual(message.state, "received")
        self.process()
        self.assertEqual(message.state, "done")
        self.assertEqual(len(self.shipment.milestone_ids), 2)
        self.assertEqual(
            self.env["freight.exception"].search_count([("shipment_id", "=", self.shipment.id)]), 1)

    def test_exception_milestone_opens_operational_case(self):
        self.receive(self.event("x1", code="exception", raw_code="A7", reason_code="AM",
                                location="Dayton, OH", note="Refused by consignee"))
        self.process()
        case = self.env["freight.exception"].search([("shipment_id", "=", self.shipment.id)])
        self.assertEqual((case.exception_type, case.category), ("delivery_exception", "operations"))
        self.assertEqual(case.stage_id, self.env.ref("freight_sync.exception_stage_new"))
        self.assertTrue(self.shipment.has_exception)

    def test_unknown_shipment_retries_with_backoff_then_dead(self):
        lost = dict(self.event("lost"), shipment={"pro_number": "NOPE"})
        message = self.receive(lost)
        expected_delays = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                           timedelta(hours=2)]
        for attempt, delay in enumerate(expected_delays, 1):
            before = fields.Datetime.now()
            message.next_attempt_at = False  # due now: the test does not wait
            self.process()
            self.assertEqual((message.state, message.attempts), ("failed", attempt))
            self.assertIn("no shipment matches pro_number=NOPE", message.last_error)
            self.assertAlmostEqual(message.next_attempt_at, before + delay,
                                   delta=timedelta(seconds=5))
            self.assertEqual(self.process(), 0, "not due yet: must not be claimed")
        message.next_attempt_at = False
        self.process()
        self.assertEqual(message.state, "dead")
        self.assertEqual(message.activity_ids.user_id, self.endpoint.responsible_id)
        message.action_retry()
        self.assertEqual((message.state, message.attempts), ("received", 0))

    def test_partial_failure_keeps_good_events(self):
        message = self.receive(self.event("good"),
                               dict(self.event("bad"), shipment={"load_ref": "UNKNOWN"}))
        self.process()
        self.assertEqual((message.state, message.attempts), ("partial", 1))
        self.assertEqual(self.shipment.milestone_ids.external_id, "good")
        self.assertEqual(self.item_states(message), {
            "good": ("applied", False),
            "bad": ("failed", "event bad: no shipment matches load_ref=UNKNOWN")})
        # the shipment arrives later: the retry applies only what was missing
        other = self.make_shipment(load_ref="UNKNOWN")
        message.next_attempt_at = False
        tried = []

        def apply(shipments, events, *args):
            tried.extend(event["external_id"] for event in events)
            return APPLY(shipments, events, *args)

        with patch.object(type(self.env["freight.shipment"]), "_apply_inbound_events", apply):
            self.process()
        self.assertEqual(tried, ["bad"])
        self.assertEqual(message.state, "done")
        self.assertEqual(len(message.milestone_ids), 2)
        self.assertEqual(other.milestone_ids.external_id, "bad")
        self.assertEqual(set(self.item_states(message).values()), {("applied", False)})

    def test_the_upgrade_gives_every_item_an_outcome(self):
        path = file_path("freight_sync/migrations/17.0.1.3.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("freight_sync_migration_1_3", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        done = self.receive(self.event("old-1"))
        self.process()
        failed = self.receive(dict(self.event("old-2"), shipment={"load_ref": "UNKNOWN"}))
        self.process()
        self.assertEqual((done.state, failed.state), ("done", "failed"))
        # as before the upgrade: items without an outcome
        self.env.flush_all()
        self.env.cr.execute("UPDATE freight_message_event SET state = NULL, error = NULL "
                            "WHERE message_id = ANY(%s)", [(done | failed).ids])
        migration.fill_item_states(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual(self.item_states(done), {"old-1": ("applied", False)})
        self.assertEqual(self.item_states(failed), {"old-2": ("pending", False)})

    def item_states(self, message):
        return {item.external_id: (item.state, item.error) for item in message.item_ids}

    def test_an_item_the_database_refuses_fails_alone(self):
        soon = (datetime.now(timezone.utc) + timedelta(minutes=30)).isoformat()
        message = self.receive(self.event("early"), self.event("ahead", code="in_transit",
                                                               when=soon))
        # the intake allows an hour of clock skew; a milestone allowing none fails at
        # creation, as an event would if the clocks drifted between intake and processing
        with patch.object(freight_milestone, "FUTURE_TOLERANCE", timedelta(0)), \
                mute_logger("odoo.addons.freight_sync.models.freight_shipment"):
            self.process()
        self.assertEqual(message.state, "partial")
        self.assertEqual(self.shipment.milestone_ids.external_id, "early")
        states = self.item_states(message)
        self.assertEqual(states["early"], ("applied", False))
        self.assertEqual(states["ahead"][0], "failed")
        self.assertIn("in the future", states["ahead"][1])
        self.assertIn("event ahead:", message.last_error)
        message.next_attempt_at = False
        self.process()
        self.assertEqual(message.state, "done")
        self.assertEqual(len(self.shipment.milestone_ids), 2)

    def test_an_item_todays_parser_refuses_fails_alone(self):
        message = self.receive(self.event("fine"), self.event("nul", note="a\x00b"))
        self.process()
        self.assertEqual(message.state, "partial")
        self.assertEqual(self.shipment.milestone_ids.external_id, "fine")
        self.assertEqual(self.item_states(message)["nul"][0], "failed")
        self.assertIn("nul", message.last_error)

    def test_retries_run_out_on_the_failed_item_alone(self):
        message = self.receive(self.event("good"),
                               dict(self.event("bad"), shipment={"load_ref": "UNKNOWN"}))
        for _attempt in range(5):
            message.next_attempt_at = False
            self.process()
        self.assertEqual((message.state, message.attempts), ("dead", 5))
        self.assertEqual(len(self.shipment.milestone_ids), 1)
        self.assertEqual(self.item_states(message)["bad"][0], "failed")
        message.action_replay()
        self.assertEqual(set(message.item_ids.mapped("state")), {"pending"})

    def test_raw_codes_use_code_map_and_unknown_codes_fail(self):
        message = self.receive(
            {"id": "r1", "shipment": {"pro_number": "PRO100"}, "raw_code": "AF",
             "event_time": "2024-07-09T08:00:00Z"},
            {"id": "r2", "shipment": {"pro_number": "PRO100"}, "raw_code": "ZZ",
             "event_time": "2024-07-09T09:00:00Z"},
        )
        self.process()
        self.assertEqual(message.state, "partial")
        self.assertIn("ZZ", message.last_error)
        self.assertEqual(self.shipment.milestone_ids.code, "picked_up")
        self.endpoint.code_map_id = self.env["freight.code.map"].create({
            "name": "Carrier specials",
            "line_ids": [(0, 0, {"external_code": "zz", "milestone_code": "at_terminal"})],
        })
        message.next_attempt_at = False
        self.process()
        self.assertEqual(message.state, "done")
        self.assertEqual(set(self.shipment.milestone_ids.mapped("code")),
                         {"picked_up", "at_terminal"})

    def test_ignore_needs_reason(self):
        message = self.receive(dict(self.event("lost"), shipment={"pro_number": "NOPE"}))
        self.process()
        wizard = self.env["freight.message.ignore"].create(
            {"message_ids": [(6, 0, message.ids)], "reason": "  "})
        with self.assertRaisesRegex(UserError, "Say why"):
            wizard.action_confirm()
        wizard.reason = "Test shipment of the carrier's onboarding"
        wizard.action_confirm()
        self.assertEqual((message.state, message.ignore_reason),
                         ("ignored", "Test shipment of the carrier's onboarding"))
        self.assertEqual(self.process(), 0)

    def test_endpoint_cannot_touch_other_company_or_carrier(self):
        company_b = self.env["res.company"].create({"name": "Other Co"})
        self.make_shipment(pro_number="PRO-B", company_id=company_b.id)
        other_carrier = self.carrier.copy({"freight_scac": "OTHC"})
        self.make_shipment(pro_number="PRO-C", carrier_id=other_carrier.id)
        message = self.receive(dict(self.event("b1"), shipment={"pro_number": "PRO-B"}),
                               dict(self.event("c1"), shipment={"pro_number": "PRO-C"}))
        self.process()
        self.assertEqual(message.state, "failed")
        self.assertIn("no shipment matches pro_number=PROB", message.last_error)
        self.assertIn("no shipment matches pro_number=PROC", message.last_error)
        self.assertFalse(message.milestone_ids)

    def test_run_as_user_must_be_technical_and_of_the_company(self):
        admin_like = new_test_user(self.env, login="adm", groups="base.group_system")
        with self.assertRaisesRegex(ValidationError, "Freight / Integration"), \
                self.env.cr.savepoint():
            self.endpoint.user_id = admin_like
        other = self.env["res.company"].create({"name": "Elsewhere Inc"})
        with self.assertRaisesRegex(ValidationError, "cannot work in Elsewhere Inc"), \
                self.env.cr.savepoint():
            self.endpoint.company_id = other

    def test_api_key_is_stored_hashed(self):
        self.assertNotIn(self.api_key, json.dumps(self.endpoint.sudo().read()[0], default=str))
        self.assertEqual(self.env["freight.endpoint"]._authenticate(self.api_key), self.endpoint)
        self.assertFalse(self.env["freight.endpoint"]._authenticate(self.api_key + "x"))
