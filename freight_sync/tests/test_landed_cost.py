from odoo import Command
from odoo.tests import tagged

from .accrual_common import AccrualCase


@tagged("freight_sync", "post_install", "-at_install")
class TestLandedCost(AccrualCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["product.category"].create({
            "name": "Valued goods", "property_cost_method": "fifo",
            "property_valuation": "real_time"})
        cls.goods = cls.env["product.product"].create([{
            "name": name, "type": "product", "categ_id": category.id, "standard_price": price,
        } for name, price in (("Steel coil", 40.0), ("Copper wire", 10.0))])
        cls.freight_product = cls.env["product.product"].create({
            "name": "Inbound freight", "type": "service", "landed_cost_ok": True})
        cls.env.company.write({"freight_landed_cost_product_id": cls.freight_product.id,
                               "freight_landed_cost_split": "by_quantity"})
        cls.vendor = cls.env["res.partner"].create({"name": "Steel mill"})

    def received_purchase(self):
        order = self.env["purchase.order"].create({
            "partner_id": self.vendor.id,
            "order_line": [Command.create({"product_id": product.id, "product_qty": qty,
                                           "price_unit": product.standard_price})
                           for product, qty in zip(self.goods, (30.0, 10.0))]})
        order.button_confirm()
        receipt = order.picking_ids
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
        receipt.move_ids.picked = True
        receipt.button_validate()
        return receipt

    def test_freight_bill_is_spread_over_the_received_goods(self):
        receipt = self.received_purchase()
        shipment = self.new_shipment(picking_ids=[Command.set(receipt.ids)])
        self.assertEqual(shipment.direction, "inbound")
        self.add(shipment, "picked_up", 30)
        self.add(shipment, "delivered", 6)
        value_before = sum(receipt.move_ids.stock_valuation_layer_ids.mapped("value"))
        invoice = self.bill(shipment, {"400": 500.0, "405": 100.0})
        self.assertEqual(invoice.move_id.state, "posted")
        cost = shipment.landed_cost_ids
        self.assertEqual((cost.state, cost.vendor_bill_id, cost.amount_total),
                         ("done", invoice.move_id, 600.0))
        # by quantity: 30 coils and 10 reels share 600.00 as 450 / 150
        layers = receipt.move_ids.stock_valuation_layer_ids
        self.assertEqual(round(sum(layers.mapped("value")) - value_before, 2), 600.0)
        by_product = {m.product_id.name: sum(m.stock_valuation_layer_ids.mapped("value"))
                      for m in receipt.move_ids}
        self.assertEqual(by_product, {"Steel coil": 1200.0 + 450.0, "Copper wire": 100.0 + 150.0})
        self.assertEqual(self.goods[0].standard_price, 55.0)  # (1200 + 450) / 30
        # the freight moved from expense into stock valuation
        entry = cost.account_move_id
        self.assertEqual(entry.state, "posted")
        credit = entry.line_ids.filtered("credit")
        self.assertEqual((credit.account_id, sum(credit.mapped("credit"))),
                         (invoice.move_id.invoice_line_ids[:1].account_id, 600.0))
