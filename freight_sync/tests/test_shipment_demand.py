from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import FreightCase


@tagged("post_install", "-at_install", "freight_sync")
class TestShipmentDemand(FreightCase):
    """Shipments from sale orders, purchase receipts and transfers (issue 13 item 1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.freight_shipment_creation = "manual"
        cls.customer = cls.env["res.partner"].create({"name": "Demand customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Demand vendor"})
        # storable and never in stock: nothing is reserved, so the weight is the moves' weight
        cls.product = cls.env["product.product"].create({
            "name": "Crate of valves", "type": "product", "weight": 2.5, "volume": 0.1,
            "list_price": 10.0, "standard_price": 5.0})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1)
        cls.other_company = cls.env["res.company"].create({"name": "Demand Other Co"})
        cls.dispatcher = new_test_user(
            cls.env, login="demand_dispatcher",
            groups="base.group_user,stock.group_stock_user,freight_sync.group_freight_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.clerk = new_test_user(
            cls.env, login="demand_clerk",
            groups="base.group_user,stock.group_stock_user,freight_sync.group_freight_billing",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def transfer(self, code="outgoing", qty=10.0, partner=None, company=None):
        company = company or self.company
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)],
                                                      limit=1)
        ptype = warehouse.out_type_id if code == "outgoing" else warehouse.in_type_id
        Picking = self.env["stock.picking"].with_company(company)
        picking = Picking.create({
            "picking_type_id": ptype.id,
            "partner_id": (partner or (self.customer if code == "outgoing" else self.vendor)).id,
        })
        Picking.env["stock.move"].create({
            "name": self.product.name, "product_id": self.product.id, "product_uom_qty": qty,
            "product_uom": self.product.uom_id.id, "picking_id": picking.id,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
        })
        picking.action_confirm()
        return picking

    def wizard(self, pickings, user=None):
        Wizard = self.env["freight.shipment.demand"].with_user(user or self.dispatcher)
        return Wizard.with_context(active_model="stock.picking", active_ids=pickings.ids).create({})

    def shipments_of(self, pickings):
        return self.env["freight.shipment"].search([("picking_ids", "in", pickings.ids)])

    # ---- automatic ----

    def test_manual_by_default_creates_nothing(self):
        fresh = self.env["res.company"].create({"name": "Fresh"})
        self.assertEqual(fresh.freight_shipment_creation, "manual")
        picking = self.transfer()
        self.assertFalse(self.shipments_of(picking))
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id,
                                           "product_uom_qty": 1.0})]})
        order.action_confirm()
        self.assertEqual((order.freight_shipment_count, order.freight_unshipped), (0, True))

    def test_auto_on_sale_order_confirmation(self):
        self.company.freight_shipment_creation = "auto"
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id,
                                           "product_uom_qty": 10.0})]})
        order.action_confirm()
        picking = order.picking_ids
        shipment = self.shipments_of(picking)
        self.assertEqual(len(shipment), 1)
        self.assertEqual(shipment.picking_ids, picking)
        self.assertEqual(shipment.sale_order_ids, order)
        self.assertEqual(order.freight_shipment_count, 1)
        self.assertFalse(order.freight_unshipped)  # nothing left for "Create Shipment"
        self.assertEqual(
            (shipment.direction, shipment.weight, shipment.volume, shipment.pallet_count,
             shipment.company_id),
            ("outbound", 25.0, 1.0, 0, self.company))
        self.assertEqual(shipment.origin_partner_id, self.warehouse.partner_id)
        self.assertEqual(shipment.destination_partner_id, picking.partner_id)
        self.assertEqual(shipment.planned_pickup_date, picking.scheduled_date)
        self.assertEqual(shipment.planned_delivery_date, picking.date_deadline or False)
        # idempotent: confirming again or re-running the hook adds nothing
        picking.move_ids._action_confirm()
        picking._freight_auto_shipments()
        self.assertEqual(self.shipments_of(picking), shipment)

    def test_auto_on_purchase_receipt(self):
        self.company.freight_shipment_creation = "auto"
        order = self.env["purchase.order"].create({
            "partner_id": self.vendor.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_qty": 4.0,
                                           "price_unit": 5.0})]})
        order.button_confirm()
        receipt = order.picking_ids
        shipment = self.shipments_of(receipt)
        self.assertEqual(len(shipment), 1)
        self.assertEqual(shipment.purchase_order_ids, order)
        self.assertEqual((shipment.direction, shipment.weight, shipment.volume),
                         ("inbound", 10.0, 0.4))
        self.assertEqual(shipment.origin_partner_id, self.vendor)
        self.assertEqual(shipment.destination_partner_id, self.warehouse.partner_id)

    def test_auto_backorder_gets_its_own_shipment(self):
        self.company.freight_shipment_creation = "auto"
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.warehouse.lot_stock_id, 4.0)
        picking = self.transfer(qty=10.0)
        first = picking.freight_shipment_id
        self.assertTrue(first)
        picking.action_assign()
        picking.move_ids.quantity = 4.0
        picking.move_ids.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual(len(backorder), 1)
        self.assertTrue(backorder.freight_shipment_id)
        self.assertNotEqual(backorder.freight_shipment_id, first)
        self.assertEqual(backorder.freight_shipment_id.picking_ids, backorder)

    # ---- manual ----

    def test_wizard_groups_two_pickings(self):
        one, two = self.transfer(qty=10.0), self.transfer(qty=2.0)
        action = self.wizard(one | two).action_create()
        shipment = self.env["freight.shipment"].browse(action["res_id"])
        self.assertEqual(shipment.picking_ids, one | two)
        self.assertEqual((shipment.weight, shipment.volume, shipment.direction),
                         (30.0, 1.2, "outbound"))
        self.assertEqual(shipment.planned_pickup_date,
                         min(one.scheduled_date, two.scheduled_date))
        self.assertEqual(shipment.user_id, self.dispatcher)

    def test_order_button_opens_the_wizard_with_its_deliveries(self):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id,
                                           "product_uom_qty": 1.0})]})
        order.action_confirm()
        action = order.with_user(self.dispatcher).action_freight_create_shipment()
        self.assertEqual(action["res_model"], "freight.shipment.demand")
        self.assertEqual(action["context"]["default_picking_ids"],
                         [Command.set(order.picking_ids.ids)])

    def test_refusals(self):
        out = self.transfer()
        cases = [
            (out | self.transfer(code="incoming"), "Outgoing and incoming"),
        ]
        linked = self.transfer()
        self.wizard(linked).action_create()
        cases.append((linked | self.transfer(), "Already on a shipment"))
        cancelled = self.transfer()
        cancelled.action_cancel()
        cases.append((cancelled, "Done or cancelled"))
        for pickings, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                self.wizard(pickings).action_create()

    def test_different_companies_refused(self):
        foreign = self.transfer(company=self.other_company)
        both = self.company | self.other_company
        self.dispatcher.company_ids = [Command.set(both.ids)]
        pickings = (self.transfer() | foreign).with_context(allowed_company_ids=both.ids)
        with self.assertRaisesRegex(UserError, "different companies"):
            pickings.with_user(self.dispatcher)._freight_create_shipment()

    def test_other_company_pickings_refused_to_outsider(self):
        foreign = self.transfer(company=self.other_company)
        with self.assertRaises(AccessError):
            self.wizard(foreign).action_create()
        self.assertFalse(foreign.freight_shipment_id)

    def test_finance_clerk_may_not_create_shipments(self):
        picking = self.transfer()
        with self.assertRaises(AccessError):
            self.wizard(picking, user=self.clerk)
        with self.assertRaises(AccessError):
            picking.with_user(self.clerk).action_freight_create_shipment()
        with self.assertRaises(AccessError):
            picking.with_user(self.clerk)._freight_create_shipment()
        self.assertFalse(self.shipments_of(picking))

    # ---- changes to the pickings ----

    def test_changes_before_tender_update_the_shipment(self):
        picking = self.transfer(qty=10.0)
        self.wizard(picking).action_create()
        shipment = picking.freight_shipment_id
        other = self.env["res.partner"].create({"name": "Another dock"})
        picking.move_ids.product_uom_qty = 20.0
        picking.write({"partner_id": other.id, "scheduled_date": self.hours_ago(-72)})
        self.assertEqual((shipment.weight, shipment.volume), (50.0, 2.0))
        self.assertEqual(shipment.destination_partner_id, other)
        self.assertEqual(shipment.planned_pickup_date, self.hours_ago(-72))

    def test_changes_after_tender_leave_a_note(self):
        picking = self.transfer(qty=10.0)
        self.wizard(picking).action_create()
        shipment = picking.freight_shipment_id
        robot = new_test_user(self.env, login="demand_robot",
                              groups="base.group_user,freight_sync.group_freight_integration")
        endpoint = self.env["freight.endpoint"].create({
            "name": "Demand carrier", "kind": "carrier", "carrier_id": self.carrier.id,
            "user_id": robot.id, "hmac_secret": "s3cret-demand-key-0123456789"})
        shipment.carrier_id = self.carrier
        self.env["freight.tender"].create({
            "shipment_id": shipment.id, "carrier_id": self.carrier.id,
            "endpoint_id": endpoint.id, "channel": "json", "state": "sent"})
        self.assertEqual(shipment.tender_state, "sent")
        picking.move_ids.product_uom_qty = 20.0
        self.assertEqual((shipment.weight, shipment.volume), (25.0, 1.0), "tendered figures stay")
        notes = shipment.message_ids.filtered(lambda m: picking.name in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn("Weight", notes.body)
        self.assertIn("Volume", notes.body)

    def test_packing_counts_pallets_before_tender(self):
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.warehouse.lot_stock_id, 10.0)
        picking = self.transfer(qty=10.0)
        picking.action_assign()
        self.wizard(picking).action_create()
        shipment = picking.freight_shipment_id
        self.assertEqual(shipment.pallet_count, 0, "nothing packed yet")
        picking.action_put_in_pack()
        self.assertTrue(picking.move_line_ids.result_package_id)
        self.assertEqual(shipment.pallet_count, 1)
