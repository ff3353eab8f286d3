from odoo import Command
from odoo.tests import tagged

from .accrual_common import AccrualCase


@tagged("freight_sync", "post_install", "-at_install")
class TestCustomerBilling(AccrualCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Chicago store"})
        cls.product = cls.env["product.product"].create({
            "name": "Pallet of widgets", "type": "product", "invoice_policy": "delivery",
            "list_price": 100.0, "taxes_id": [Command.clear()]})
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 100.0)
        cls.lift_gate = cls.env.ref("freight_sync.charge_lft")
        cls.lift_gate.markup_percent = 10.0
        cls.rebill = cls.env["product.product"].create(
            {"name": "Freight rebill", "type": "service", "taxes_id": [Command.clear()]})
        cls.env.company.write({"freight_customer_billing": "pod_received",
                               "freight_pass_through_product_id": cls.rebill.id})

    def delivered_sale(self, ordered=10.0, delivered=6.0):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id,
                                           "product_uom_qty": ordered})]})
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = delivered
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids
                             ).button_validate()
        shipment = self.new_shipment(picking_ids=[Command.set(picking.ids)],
                                     approved_accessorial_ids=[Command.set(self.lift_gate.ids)])
        return order, shipment

    def test_pod_invoices_delivered_quantities_and_rebills_pass_through(self):
        order, shipment = self.delivered_sale()
        self.add(shipment, "picked_up", 30)
        self.add(shipment, "delivered", 8)
        self.assertFalse(order.invoice_ids, "the setting waits for the proof of delivery")
        self.add(shipment, "pod_received", 6)
        invoice = order.invoice_ids
        self.assertEqual((len(invoice), invoice.freight_shipment_id, invoice.freight_move_role),
                         (1, shipment, "customer_invoice"))
        lines = {(line.product_id.name, line.name.split(" (")[0] if line.product_id == self.rebill
                  else None): (line.quantity, line.price_unit) for line in invoice.invoice_line_ids}
        # 6 of 10 delivered; lift gate 85.00 + 10 % markup
        self.assertEqual(lines, {("Pallet of widgets", None): (6.0, 100.0),
                                 ("Freight rebill", "Lift gate"): (1.0, 93.5)})
        self.assertEqual((invoice.amount_untaxed, shipment.billing_state), (693.5, "invoiced"))

    def test_ordered_quantity_products_are_billed_for_what_was_delivered(self):
        # Odoo's own invoicing would bill all 10 of an "ordered quantities" product
        self.product.invoice_policy = "order"
        order, shipment = self.delivered_sale(ordered=10.0, delivered=4.0)
        self.add(shipment, "pod_received", 6)
        product_lines = order.invoice_ids.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product)
        self.assertEqual(product_lines.mapped("quantity"), [4.0])
        self.assertEqual(order.order_line.qty_invoiced, 4.0)

    def test_replay_makes_no_second_invoice(self):
        order, shipment = self.delivered_sale()
        pod = self.add(shipment, "pod_received", 6)
        shipment._freight_on_milestones(pod)
        self.add(shipment, "pod_received", 5, external_id="again")
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(self.env["account.move"].search_count(
            [("freight_shipment_id", "=", shipment.id),
             ("freight_move_role", "=", "customer_invoice")]), 1)

    def test_already_invoiced_order_gets_a_supplementary_invoice_and_can_post(self):
        self.env.company.write({"freight_customer_billing": "delivered",
                                "freight_customer_invoice_post": True})
        order, shipment = self.delivered_sale(ordered=6.0, delivered=6.0)
        first = order._create_invoices()
        self.add(shipment, "delivered", 6)
        extra = self.env["account.move"].search([("freight_shipment_id", "=", shipment.id)])
        self.assertNotEqual(extra, first)
        self.assertEqual(
            (extra.state, extra.amount_untaxed, extra.partner_id, extra.invoice_origin),
            ("posted", 93.5, self.customer, order.name))

    def test_manual_setting_and_inbound_shipments_are_left_alone(self):
        self.env.company.freight_customer_billing = "manual"
        order, shipment = self.delivered_sale()
        self.add(shipment, "pod_received", 6)
        self.assertFalse(order.invoice_ids)
        self.assertEqual(shipment.billing_state, "none")
