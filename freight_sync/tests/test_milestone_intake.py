from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FreightCase


@tagged("freight_sync")
class TestMilestoneIntake(FreightCase):
    def setUp(self):
        super().setUp()
        self.shipment = self.make_shipment()

    def _count(self):
        return self.env["freight.milestone"].search_count([("shipment_id", "=", self.shipment.id)])

    def test_batch_is_stored_in_utc_with_source_zone(self):
        created = self.shipment.record_milestones(
            [
                {"code": "picked_up", "event_time": "2024-07-09T08:00:00-05:00",
                 "location": "Dallas, TX", "raw_code": "AF", "external_id": "e1"},
                {"code": "in_transit", "event_time": "2024-07-09T20:00:00Z",
                 "external_id": "e2"},
            ],
            source="tms",
        )
        self.assertEqual(len(created), 2)
        picked = created.filtered(lambda m: m.code == "picked_up")
        self.assertEqual(picked.event_time, datetime(2024, 7, 9, 13, 0))
        self.assertEqual(picked.event_tz, "-05:00")
        self.assertEqual(picked.source, "tms")
        self.assertEqual(self.shipment.status, "in_transit")

    def test_resent_events_are_not_stored_twice(self):
        batch = [{"code": "tendered", "event_time": "2024-07-09T08:00:00Z", "external_id": "t1"}]
        self.shipment.record_milestones(batch)
        again = self.shipment.record_milestones(batch + [
            {"code": "accepted", "event_time": "2024-07-09T09:00:00Z", "external_id": "a1"},
        ])
        self.assertEqual(again.mapped("code"), ["accepted"])
        self.assertEqual(self._count(), 2)

    def test_duplicate_within_one_batch(self):
        event = {"code": "tendered", "event_time": "2024-07-09T08:00:00Z", "external_id": "x"}
        self.assertEqual(len(self.shipment.record_milestones([event, dict(event)])), 1)

    def test_unknown_code_refused_nothing_stored(self):
        with self.assertRaisesRegex(ValidationError, r"/1/code: unknown milestone code 'AF'"):
            self.shipment.record_milestones([
                {"code": "tendered", "event_time": "2024-07-09T08:00:00Z"},
                {"code": "AF", "event_time": "2024-07-09T09:00:00Z"},
            ])
        self.assertEqual(self._count(), 0)
        self.assertEqual(self.shipment.status, "draft")

    def test_naive_datetime_refused_nothing_stored(self):
        with self.assertRaisesRegex(ValidationError, r"/0/event_time: .* no UTC offset"):
            self.shipment.record_milestones(
                [{"code": "delivered", "event_time": "2024-07-09T08:00:00"}]
            )
        self.assertEqual(self._count(), 0)

    def test_future_event_refused(self):
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self.shipment.record_milestones(
                [{"code": "delivered", "event_time": "2099-01-01T00:00:00Z"}]
            )
        self.assertEqual(self._count(), 0)

    def test_unknown_code_refused_by_orm(self):
        with self.assertRaises(ValueError):
            self.add(self.shipment, "teleported", 1)

    def test_exception_recorded_by_hand_opens_a_case(self):
        milestone = self.add(self.shipment, "exception", 1, note="Pallet crushed", raw_code="A9")
        case = self.env["freight.exception"].search([("milestone_id", "=", milestone.id)])
        self.assertEqual((case.exception_type, case.priority), ("damage", "1"))
        self.assertIn("Pallet crushed", case.name)
