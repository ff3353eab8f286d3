from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FreightCase


@tagged("freight_sync")
class TestShipment(FreightCase):
    def test_sequence_and_references_normalized(self):
        shipment = self.make_shipment(pro_number="br-4471 2093", load_ref=" ld-1 ")
        self.assertTrue(shipment.name.startswith("SHP/"))
        self.assertEqual(shipment.pro_number, "BR44712093")
        self.assertEqual(shipment.load_ref, "LD1")
        shipment.write({"bol_number": "bol 77/1"})
        self.assertEqual(shipment.bol_number, "BOL771")
        other = self.make_shipment()
        self.assertNotEqual(other.name, shipment.name)

    def test_search_by_any_reference(self):
        shipment = self.make_shipment(pro_number="PRO-555", carrier_ref="TRIP-9")
        Shipment = self.env["freight.shipment"]
        self.assertEqual(Shipment.name_search("PRO555")[0][0], shipment.id)
        self.assertEqual([r[0] for r in Shipment.name_search("trip-9")], shipment.ids)

    def test_pro_number_unique_per_carrier(self):
        self.make_shipment(pro_number="P-1")
        other_carrier = self.carrier.copy({"freight_scac": "OTHR"})
        self.make_shipment(pro_number="P-1", carrier_id=other_carrier.id)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.make_shipment(pro_number="p1")

    def test_carrier_must_be_flagged(self):
        customer = self.env["res.partner"].create({"name": "Just a customer"})
        with self.assertRaisesRegex(ValidationError, "not flagged as a freight carrier"):
            self.make_shipment(carrier_id=customer.id)

    def test_scac_validation(self):
        with self.assertRaisesRegex(ValidationError, "2 to 4 capital letters"):
            with self.env.cr.savepoint():
                self.carrier.freight_scac = "tst1"
        with self.assertRaisesRegex(ValidationError, "already used"):
            self.env["res.partner"].create(
                {"name": "Clone", "is_freight_carrier": True, "freight_scac": "TSTC"}
            )

    def test_status_follows_rank_and_never_regresses(self):
        shipment = self.make_shipment()
        self.assertEqual(shipment.status, "draft")
        self.add(shipment, "picked_up", 30)
        self.add(shipment, "delivered", 2)
        self.assertEqual(shipment.status, "delivered")
        # a scan from yesterday arrives now: it is stored but does not move the status back
        late = self.add(shipment, "in_transit", 20)
        self.assertEqual(shipment.status, "delivered")
        self.assertIn(late, shipment.milestone_ids)
        self.assertEqual(shipment.actual_pickup_date, self.hours_ago(30))
        self.assertEqual(shipment.actual_delivery_date, self.hours_ago(2))

    def test_exception_flag_clears_on_later_progress(self):
        shipment = self.make_shipment()
        self.add(shipment, "picked_up", 10)
        self.add(shipment, "exception", 5, reason_code="A7")
        self.assertTrue(shipment.has_exception)
        self.assertEqual(shipment.status, "picked_up")
        self.add(shipment, "delivered", 1)
        self.assertFalse(shipment.has_exception)

    def test_late_flag_and_search(self):
        late = self.make_shipment(planned_delivery_date=self.hours_ago(5))
        on_time = self.make_shipment(planned_delivery_date=self.hours_ago(5))
        self.add(on_time, "delivered", 6)
        delivered_late = self.make_shipment(planned_delivery_date=self.hours_ago(5))
        self.add(delivered_late, "delivered", 1)
        future = self.make_shipment(planned_delivery_date=self.hours_ago(-48))
        self.assertEqual(
            (late | on_time | delivered_late | future).mapped("is_late"),
            [True, False, True, False],
        )
        found = self.env["freight.shipment"].search([("is_late", "=", True)])
        self.assertIn(late, found)
        self.assertIn(delivered_late, found)
        self.assertNotIn(on_time, found)
        self.assertNotIn(future, found)
        self.assertIn(on_time, self.env["freight.shipment"].search([("is_late", "=", False)]))

    def test_cancel_records_milestone(self):
        shipment = self.make_shipment()
        self.add(shipment, "tendered", 3)
        shipment.action_cancel()
        self.assertEqual(shipment.status, "cancelled")
        self.assertEqual(shipment.milestone_ids[0].source, "manual")
        delivered = self.make_shipment()
        self.add(delivered, "delivered", 1)
        with self.assertRaises(UserError):
            delivered.action_cancel()
        self.assertEqual(delivered.status, "delivered")

    def test_record_milestone_dialog(self):
        shipment = self.make_shipment()
        action = shipment.action_add_milestone()
        form = Form(
            self.env["freight.milestone"].with_context(**action["context"]),
            view=action["views"][0][0],
        )
        form.code = "picked_up"
        form.event_time = self.hours_ago(1)
        form.location = "Dock 4"
        milestone = form.save()
        self.assertEqual(milestone.shipment_id, shipment)
        self.assertEqual(milestone.source, "manual")
        self.assertEqual(shipment.status, "picked_up")


@tagged("freight_sync", "post_install", "-at_install")
class TestShipmentOrderLinks(FreightCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Pallet of widgets", "type": "product", "weight": 12.5}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor"})

    def _sale_picking(self):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id,
                                           "product_uom_qty": 4})],
        })
        order.action_confirm()
        return order, order.picking_ids

    def test_links_through_pickings(self):
        sale, sale_picking = self._sale_picking()
        purchase = self.env["purchase.order"].create({
            "partner_id": self.vendor.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_qty": 2})],
        })
        purchase.button_confirm()
        outbound = self.make_shipment(picking_ids=[Command.set(sale_picking.ids)])
        self.assertEqual(outbound.sale_order_ids, sale)
        self.assertEqual(outbound.direction, "outbound")
        self.assertEqual(outbound.weight, 50.0)
        self.assertEqual(sale.freight_shipment_ids, outbound)
        self.assertEqual(sale.freight_shipment_count, 1)
        inbound = self.make_shipment(picking_ids=[Command.set(purchase.picking_ids.ids)])
        self.assertEqual(inbound.purchase_order_ids, purchase)
        self.assertEqual(inbound.direction, "inbound")
        self.assertEqual(purchase.freight_shipment_count, 1)
        unlinked = self.make_shipment()
        self.assertEqual(unlinked.direction, "outbound")

    def test_smart_button_actions(self):
        sale, picking = self._sale_picking()
        shipment = self.make_shipment(picking_ids=[Command.set(picking.ids)])
        for action in (sale.action_view_freight_shipments(),
                       picking.action_view_freight_shipment()):
            self.assertEqual((action["res_model"], action["res_id"]),
                             ("freight.shipment", shipment.id))
        self.assertEqual(shipment.action_view_sale_orders()["res_id"], sale.id)
        self.assertEqual(shipment.action_view_pickings()["res_id"], picking.id)
        second_sale, second_picking = self._sale_picking()
        shipment.picking_ids |= second_picking
        action = shipment.action_view_sale_orders()
        self.assertEqual(action["view_mode"], "tree,form")
        self.assertEqual(set(action["domain"][0][2]), {sale.id, second_sale.id})

    def test_demo_data_is_consistent(self):
        shipments = self.env["freight.shipment"].search([("load_ref", "like", "LD")])
        if not shipments:
            self.skipTest("demo data not loaded")
        self.assertEqual(
            self.env.ref("freight_sync.demo_shipment_1").status, "pod_received"
        )
        self.assertTrue(self.env.ref("freight_sync.demo_shipment_2").is_late)
        self.assertTrue(self.env.ref("freight_sync.demo_shipment_3").has_exception)
        linked = shipments.filtered("picking_ids")
        self.assertGreaterEqual(len(linked), 6)
        self.assertTrue(linked.sale_order_ids and linked.purchase_order_ids)


@tagged("freight_sync", "post_install", "-at_install")
class TestTimelineVersion(FreightCase):
    def test_version_follows_milestones_and_respects_access(self):
        shipment = self.make_shipment()
        self.assertEqual(shipment.timeline_version(), {"count": 0, "last_id": 0})
        milestone = self.add(shipment, "tendered", 1)
        self.assertEqual(shipment.timeline_version(), {"count": 1, "last_id": milestone.id})
        self.assertEqual(milestone.source_message_ref, 0)
        outsider = new_test_user(self.env, login="outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            shipment.with_user(outsider).timeline_version()
