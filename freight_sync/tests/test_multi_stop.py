from odoo.tests import HttpCase, tagged

from ..services.stops import STOP_DELIVERED
from .inbound_common import InboundCase
from .test_inbound_edi import URL, interchange


def stops_set(pro, *stops):
    """A 214 of ``(status, stop, date, time, city)`` loops; ``stop`` None sends no QN."""
    segments = [["B10", pro, pro, "TSTC"]]
    for number, (code, stop, date, time, city) in enumerate(stops, 1):
        segments += [["LX", str(number)], ["AT7", code, "NS", "", "", date, time, "CT"],
                     ["MS1", city, "TX", "US"]]
        if stop:
            segments.append(["L11", str(stop), "QN"])
    return ("214", segments)


@tagged("freight_sync", "post_install", "-at_install")
class TestMultiStop(InboundCase, HttpCase):
    """A trip with several stops: the shipment is delivered at its last stop; a delivery
    at a stop on the way is a stop milestone on the timeline, whatever order the
    carrier's reports arrive in."""

    control = 500

    def send(self, *stops):
        TestMultiStop.control += 1
        body = interchange([stops_set("PRO100", *stops)], control=self.control)
        headers = {**self.signed_headers(body), "Content-Type": "application/edi-x12"}
        response = self.url_open(URL, data=body, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 202, response.text)
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        message = self.env["freight.message"].search([], order="id desc", limit=1)
        self.assertEqual(message.state, "done", message.last_error)

    def codes(self):
        return sorted((m.stop, m.code) for m in self.shipment.milestone_ids)

    def test_one_report_of_three_stops(self):
        self.send(("AF", 1, "20240710", "0600", "Dallas"),
                  ("D1", 2, "20240710", "1100", "Waco"),
                  ("D1", 3, "20240710", "1600", "Austin"))
        self.assertEqual(self.codes(), [(1, "picked_up"), (2, STOP_DELIVERED),
                                        (3, "delivered")])
        self.assertEqual(self.shipment.status, "delivered")
        self.assertEqual(str(self.shipment.actual_delivery_date), "2024-07-10 21:00:00")
        on_the_way = self.shipment.milestone_ids.filtered(lambda m: m.stop == 2)
        self.assertEqual((on_the_way.reported_code, on_the_way.raw_code), ("delivered", "D1"))

    def test_the_planned_stop_count_holds_the_delivery_for_the_last_stop(self):
        self.shipment.stop_count = 3
        self.send(("D1", 2, "20240710", "1100", "Waco"))
        self.assertEqual(self.codes(), [(2, STOP_DELIVERED)])
        self.assertNotEqual(self.shipment.status, "delivered")
        self.assertFalse(self.shipment.actual_delivery_date)
        self.send(("D1", 3, "20240710", "1600", "Austin"))
        self.assertEqual(self.shipment.status, "delivered")

    def test_the_last_stop_reported_first(self):
        self.send(("D1", 3, "20240710", "1600", "Austin"))
        self.send(("D1", 2, "20240710", "1100", "Waco"))
        self.assertEqual(self.codes(), [(2, STOP_DELIVERED), (3, "delivered")])
        self.assertEqual(self.shipment.status, "delivered")
        self.assertEqual(str(self.shipment.actual_delivery_date), "2024-07-10 21:00:00")

    def test_a_later_stop_learned_afterwards_makes_the_earlier_one_a_stop(self):
        self.send(("D1", 2, "20240710", "1100", "Waco"))
        self.assertEqual(self.shipment.status, "delivered", "no later stop known yet")
        self.send(("X1", 3, "20240710", "1500", "Austin"))
        self.assertEqual(self.codes()[0], (2, STOP_DELIVERED))
        self.assertNotEqual(self.shipment.status, "delivered")
        # the dispatcher corrects the plan: two stops after all
        self.shipment.stop_count = 2
        self.env["freight.milestone"].search([("stop", "=", 3)]).unlink()
        self.shipment._reclassify_stops()
        self.assertEqual(self.codes(), [(2, "delivered")])
        self.assertEqual(self.shipment.status, "delivered")

    def test_the_same_status_at_two_stops_at_one_time_is_two_milestones(self):
        self.send(("D1", None, "20240710", "0000", "Waco"),
                  ("D1", None, "20240710", "0000", "Austin"))
        # one identity each: neither is refused as a conflicting resend of the other
        self.assertEqual(self.codes(), [(1, STOP_DELIVERED), (2, "delivered")])
