from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.dispute_packet import (
    amount_disputed,
    closing_request,
    is_image,
    local_time,
    milestone_words,
)


@tagged("freight_sync", "at_install")
class TestDisputePacketRules(BaseCase):
    def test_disputed_amount_prefers_the_clerk_then_the_variance_then_the_stake(self):
        self.assertEqual(amount_disputed(42.0, 30.0, 10.0), 42.0)
        self.assertEqual(amount_disputed(0.0, 30.004, 10.0), 30.0)
        self.assertEqual(amount_disputed(None, -5.0, 10.0), 10.0)
        self.assertEqual(amount_disputed(None, None, None), 0.0)

    def test_local_time_names_the_zone(self):
        when = datetime(2024, 7, 9, 13, 0)
        self.assertEqual(local_time(when, "America/Chicago"),
                         "2024-07-09 08:00 CDT (America/Chicago)")
        self.assertEqual(local_time(when, None), "2024-07-09 13:00 UTC")
        self.assertEqual(local_time(when, "Mars/Olympus"), "2024-07-09 13:00 UTC")
        self.assertEqual(local_time(None, "UTC"), "")

    def test_words(self):
        self.assertEqual(milestone_words("Delivered", "left at dock", "NS"),
                         "Delivered: left at dock (reason NS)")
        self.assertEqual(milestone_words("Picked up", None, None), "Picked up")
        text = closing_request("INV-9", 600.0, 30.0, "USD", None)
        self.assertIn("600.00 USD", text)
        self.assertIn("quoting invoice INV-9, by the agreed term.", text)
        self.assertTrue(is_image("image/PNG"))
        self.assertFalse(is_image("application/pdf"))
