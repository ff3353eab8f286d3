from odoo.tests import TransactionCase, tagged


@tagged("freight_sync", "post_install", "-at_install")
class TestDemoOrderFlow(TransactionCase):
    """The demo order's flow (demo/order_flow.py), as a fresh demo database shows it."""

    def test_the_demo_order_went_all_the_way(self):
        customer = self.env.ref("freight_sync.demo_customer_mountain_tile",
                                raise_if_not_found=False)
        if not customer:
            self.skipTest("installed without demo data")
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(order), 1)
        shipment = order.freight_shipment_ids
        self.assertEqual(len(shipment), 1)
        self.assertEqual(shipment.weight, 840.0)  # 2 pallets of 420 kg
        tender = shipment.tender_ids
        self.assertEqual((tender.state, tender.outbound_message_id.state), ("accepted", "sent"))
        self.assertEqual(tender.carrier_id, shipment.carrier_id)
        self.assertEqual(shipment.service_level, "Standard LTL")
        self.assertEqual(
            shipment.milestone_ids.sorted("event_time").mapped("code"),
            ["tendered", "accepted", "picked_up", "delivered", "pod_received"])
        invoice = self.env["freight.invoice"].search([("name", "=", "DEMO-55120")])
        linehaul = invoice.line_ids.filtered(lambda line: line.charge_code_id.code == "400")
        # audited against the confirmed rate, within policy, and billed
        self.assertEqual(linehaul.amount, shipment.confirmed_rate)
        self.assertEqual(invoice.state, "approved")
        self.assertTrue(invoice.move_id)
        self.assertEqual(invoice.move_id.move_type, "in_invoice")
        # the customer was told of both events, by email, once each
        told = shipment.notification_ids
        self.assertEqual(sorted(told.mapped("event")), ["delivered", "picked_up"])
        self.assertEqual(set(told.mapped("channel")), {"email"})
