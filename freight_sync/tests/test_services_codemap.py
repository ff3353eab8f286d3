from odoo.tests import BaseCase, tagged

from ..services.codemap import (
    APPOINTMENT,
    ESTIMATE,
    MILESTONE,
    REASON_CODES,
    STATUS_CODES,
    NotAMilestoneError,
    UnknownCodeError,
    classify,
    reason_label,
    resolve,
)
from ..services.milestones import CODES


@tagged("freight_sync", "freight_pure")
class TestCodeMap(BaseCase):
    def test_standard_status_codes(self):
        cases = [
            ("X3", "pickup_arrived"),  # Arrived at Pick-up Location
            ("AF", "picked_up"),  # Carrier Departed Pick-up Location with Shipment
            ("CP", "picked_up"),  # Completed Loading at Pick-up Location
            ("X6", "in_transit"),  # En Route to Delivery Location
            ("P1", "in_transit"),  # Departed Terminal Location
            ("J1", "in_transit"),  # Delivered to Connecting Line: not to the consignee
            ("K1", "in_transit"),  # Arrived at Customs
            ("X4", "at_terminal"),  # Arrived at Terminal Location
            ("AV", "at_terminal"),  # Available for Delivery
            ("AJ", "out_for_delivery"),  # Tendered for Delivery
            ("X1", "out_for_delivery"),  # Arrived at Delivery Location: not yet unloaded
            ("X5", "out_for_delivery"),  # Arrived at Delivery Location Loading Dock
            ("D1", "delivered"),  # Completed Unloading at Delivery Location
            ("CD", "delivered"),  # Carrier Departed Delivery Location
            ("SD", "exception"),  # Shipment Delayed
            ("AP", "exception"),  # Delivery Not Completed
            ("AH", "exception"),  # Attempted Delivery
            ("A7", "exception"),  # Refused by Consignee
            ("A9", "exception"),  # Shipment Damaged
            ("A3", "exception"),  # Shipment Returned to Shipper
            ("AI", "exception"),  # Shipment has been Reconsigned
            ("CA", "cancelled"),  # Shipment Cancelled
            (" af ", "picked_up"),  # as some senders pad or lower-case it
        ]
        for raw, expected in cases:
            with self.subTest(raw=raw):
                self.assertEqual(resolve(raw), expected)
                self.assertEqual(classify(raw).kind, MILESTONE)

    def test_defaults_are_canonical(self):
        self.assertTrue({milestone for milestone, _label in STATUS_CODES.values()} <= CODES)
        self.assertGreaterEqual(len(STATUS_CODES), 20)

    def test_estimates_and_appointments_are_not_events(self):
        cases = [
            ("AG", ESTIMATE, "Estimated Delivery"),
            ("X2", ESTIMATE, "Estimated Date and/or Time of Arrival at Consignee's Location"),
            ("B6", ESTIMATE, "Estimated to Arrive at Carrier Terminal"),
            ("AB", APPOINTMENT, "Delivery Appointment Date and/or Time"),
            ("AA", APPOINTMENT, "Pick-up Appointment Date and/or Time"),
        ]
        for raw, kind, label in cases:
            with self.subTest(raw=raw):
                resolution = classify(raw)
                self.assertEqual((resolution.kind, resolution.code, resolution.label),
                                 (kind, None, label))
                with self.assertRaises(NotAMilestoneError) as caught:
                    resolve(raw)
                # a caller that only knows UnknownCodeError reports it instead of failing
                self.assertIsInstance(caught.exception, UnknownCodeError)
                self.assertEqual((caught.exception.raw_code, caught.exception.kind),
                                 (raw, kind))
                self.assertIn("not an event", str(caught.exception))

    def test_overrides_take_precedence(self):
        overrides = {"AF": "in_transit", "ag": "delivered", " ZZ ": "pod_received", "X3": ""}
        cases = [
            ("AF", "in_transit"),  # over a default milestone
            ("AG", "delivered"),  # over an estimate: this partner uses AG for delivered
            ("zz", "pod_received"),  # a private code
            ("X3", "pickup_arrived"),  # an empty override falls back to the default
            ("D1", "delivered"),
        ]
        for raw, expected in cases:
            with self.subTest(raw=raw):
                self.assertEqual(resolve(raw, overrides), expected)
        self.assertEqual(resolve("AF", None), "picked_up")

    def test_unknown_codes_are_refused(self):
        for raw, overrides, message in [
            ("Q7", None, "unknown status code 'Q7': map it in the endpoint's code map"),
            ("Q7", {"Q8": "delivered"}, "unknown status code 'Q7'"),
            ("", None, "a status code is required"),
            (None, None, "a status code is required"),
            ("AF", {"AF": "teleported"}, "not a milestone code"),
        ]:
            with self.subTest(raw=raw, overrides=overrides):
                with self.assertRaises(UnknownCodeError) as caught:
                    resolve(raw, overrides)
                self.assertEqual(caught.exception.raw_code, raw)
                self.assertIn(message, str(caught.exception))

    def test_reason_codes(self):
        self.assertGreaterEqual(len(REASON_CODES), 20)
        cases = [
            ("NS", "Normal Status"),
            ("A1", "Missed Delivery"),
            ("A2", "Incorrect Address"),
            ("AH", "Driver Related"),
            ("AM", "Shipper Related"),
            ("AO", "Weather or Natural Disaster Related"),
            ("BJ", "Customer Wanted Earlier Delivery"),
            ("B1", "Consignee Closed"),
            (" ns", "Normal Status"),
            ("ZZ", None),
            ("", None),
            (None, None),
        ]
        for code, label in cases:
            with self.subTest(code=code):
                self.assertEqual(reason_label(code), label)
