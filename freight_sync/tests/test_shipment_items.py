from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..models.freight_shipment_item import PATH_KEY, ItemPath
from ..services.ltl import FreightItem
from .common import FreightCase, load_migration, role_users


@tagged("post_install", "-at_install", "freight_sync")
class TestShipmentItems(FreightCase):
    """LTL freight items of a shipment: from its transfers, corrected by a dispatcher with
    a reason, read by the audit (issue 17)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.freight_shipment_creation = "manual"
        cls.customer = cls.env["res.partner"].create({"name": "Items customer"})
        Product = cls.env["product.product"]
        cls.valves = Product.create({"name": "Crate of valves", "type": "product",
                                     "weight": 10.0, "freight_class": "85",
                                     "nmfc_item": "156600"})
        cls.hoses = Product.create({"name": "Roll of hose", "type": "product", "weight": 2.5,
                                    "freight_class": "100"})
        cls.loose = Product.create({"name": "Loose fittings", "type": "product",
                                    "weight": 4.0})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1)
        users = role_users(cls.env, "items", ("dispatcher", "clerk"), cls.company)
        cls.dispatcher, cls.clerk = users["dispatcher"], users["clerk"]

    def transfer(self, *lines):
        """A delivery of ``(product, quantity)`` lines, not linked to a shipment."""
        ptype = self.warehouse.out_type_id
        return self.env["stock.picking"].create({
            "picking_type_id": ptype.id, "partner_id": self.customer.id,
            "move_ids": [Command.create({
                "name": product.name, "product_id": product.id, "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": ptype.default_location_src_id.id,
                "location_dest_id": self.customer.property_stock_customer.id,
            }) for product, qty in lines],
        })

    def ship(self, *pickings):
        return self.make_shipment(picking_ids=[Command.set([p.id for p in pickings])])

    @staticmethod
    def figures(shipment):
        return [(i.freight_class, i.nmfc_item, i.pieces, round(i.weight_kg, 3))
                for i in shipment.item_ids.sorted("id")]

    def correction(self, shipment, user=None, mode="correct"):
        action = shipment.with_user(user or self.dispatcher).action_correct_items() \
            if mode == "correct" else \
            shipment.with_user(user or self.dispatcher).action_reload_items()
        return Form(self.env[action["res_model"]].with_user(user or self.dispatcher)
                    .with_context(**action["context"]))

    # ---- built from the transfers ----

    def test_two_classes_two_items(self):
        shipment = self.ship(self.transfer((self.valves, 3), (self.hoses, 4),
                                           (self.valves, 2)))
        self.assertEqual(self.figures(shipment),
                         [("85", "156600", 5, 50.0), ("100", False, 4, 10.0)])
        self.assertEqual(shipment.item_ids.sorted("id").mapped("description"),
                         ["Crate of valves", "Roll of hose"])
        self.assertEqual(shipment.item_ids.mapped("source"), ["transfers", "transfers"])
        # the transfers' weight rule: the shipment's weight is the items' sum
        self.assertAlmostEqual(shipment.weight, 60.0)

    def test_transfer_class_overrides_the_products(self):
        picking = self.transfer((self.valves, 3), (self.hoses, 4))
        shipment = self.ship(picking)
        picking.freight_class = "70"
        self.assertEqual(self.figures(shipment),
                         [("70", False, 4, 10.0), ("70", "156600", 3, 30.0)])

    def test_product_without_class_gives_an_item_without_class(self):
        shipment = self.ship(self.transfer((self.loose, 2.5)))
        self.assertEqual(self.figures(shipment), [(False, False, 3, 10.0)])
        facts = shipment._audit_facts()[0]
        self.assertEqual(facts.items, (FreightItem(None, 10.0, None, 3, "Loose fittings"),))

    def test_class_set_on_the_product_reaches_open_shipments(self):
        shipment = self.ship(self.transfer((self.loose, 2)))
        self.loose.freight_class = "125"
        self.assertEqual(self.figures(shipment), [("125", False, 2, 8.0)])

    def test_items_follow_links_and_moves(self):
        first, second = self.transfer((self.valves, 1)), self.transfer((self.hoses, 2))
        shipment = self.ship(first)
        second.freight_shipment_id = shipment
        self.assertEqual(len(shipment.item_ids), 2)
        second.move_ids.product_uom_qty = 8
        self.assertEqual(self.figures(shipment)[-1], ("100", False, 8, 20.0))
        second.move_ids._action_cancel()
        self.assertEqual(self.figures(shipment), [("85", "156600", 1, 10.0)])
        first.freight_shipment_id = False
        self.assertFalse(shipment.item_ids)

    def test_linking_many_transfers_is_set_based(self):
        def queries_to_link(count):
            pickings = self.env["stock.picking"].concat(
                *(self.transfer((self.valves, 1), (self.hoses, 1)) for _i in range(count)))
            shipment = self.make_shipment()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            pickings.write({"freight_shipment_id": shipment.id})
            self.env.flush_all()
            self.assertEqual(len(shipment.item_ids), 2 * count)
            return self.env.cr.sql_log_count - before

        queries_to_link(1)  # the first link fills caches the others find filled
        self.assertEqual(queries_to_link(3), queries_to_link(15))

    # ---- corrected by a dispatcher ----

    def test_dispatcher_corrects_with_a_reason(self):
        picking = self.transfer((self.valves, 3), (self.hoses, 4))
        shipment = self.ship(picking)
        form = self.correction(shipment)
        with form.line_ids.edit(0) as line:
            line.weight_kg = 42.5
            line.freight_class = "92.5"
        with form.line_ids.edit(1) as line:
            line.pieces = 1
        form.reason = "Carrier W&R certificate 4471"
        form.save().action_apply()
        self.assertEqual(self.figures(shipment),
                         [("92.5", "156600", 3, 42.5), ("100", False, 1, 10.0)])
        self.assertTrue(shipment.items_corrected)
        self.assertEqual(shipment.item_ids.mapped("corrected"), [True, True])
        self.assertAlmostEqual(shipment.weight, 52.5)
        body = shipment.message_ids[0].body
        self.assertIn("Carrier W&amp;R certificate 4471", body)
        self.assertIn("NMFC Class 85 → 92.5", body)
        self.assertIn("Weight (kg) 30 → 42.5", body)
        self.assertIn("Pieces 4 → 1", body)
        # the transfers no longer move corrected figures
        picking.move_ids.filtered(lambda m: m.product_id == self.hoses).product_uom_qty = 10
        self.assertEqual(self.figures(shipment)[-1], ("100", False, 1, 10.0))
        self.assertAlmostEqual(shipment.weight, 52.5)
        # until a dispatcher reloads them, saying why
        form = self.correction(shipment, mode="reload")
        form.reason = "Certificate withdrawn by the carrier"
        form.save().action_apply()
        self.assertEqual(self.figures(shipment),
                         [("85", "156600", 3, 30.0), ("100", False, 10, 25.0)])
        self.assertFalse(shipment.items_corrected)
        self.assertAlmostEqual(shipment.weight, 55.0)
        self.assertIn("Certificate withdrawn", shipment.message_ids[0].body)

    def test_dispatcher_adds_and_removes_items(self):
        shipment = self.ship(self.transfer((self.valves, 3), (self.hoses, 4)))
        form = self.correction(shipment)
        form.line_ids.remove(1)
        with form.line_ids.new() as line:
            line.description = "Pallet of returns"
            line.freight_class = "150"
            line.pieces = 1
            line.weight_kg = 80.0
        form.reason = "Carrier BOL: hoses left behind, returns picked up"
        form.save().action_apply()
        self.assertEqual(self.figures(shipment),
                         [("85", "156600", 3, 30.0), ("150", False, 1, 80.0)])
        self.assertEqual(shipment.item_ids.sorted("id").mapped("source"),
                         ["transfers", "dispatcher"])
        self.assertAlmostEqual(shipment.weight, 110.0)
        body = shipment.message_ids[0].body
        self.assertIn("Added Pallet of returns: NMFC Class 150", body)
        self.assertIn("Removed Roll of hose: NMFC Class 100", body)

    def test_other_company_does_not_see_the_items(self):
        shipment = self.ship(self.transfer((self.valves, 3)))
        other = self.env["res.company"].create({"name": "Items Other Co"})
        outsider = role_users(self.env, "items_outsider", ("dispatcher",), other)["dispatcher"]
        self.assertEqual(shipment.item_ids.company_id, self.company)
        self.assertFalse(self.env["freight.shipment.item"].with_user(outsider).search(
            [("shipment_id", "=", shipment.id)]))
        with self.assertRaises(AccessError):
            shipment.with_user(outsider).action_correct_items()

    def test_correction_needs_a_reason_and_a_change(self):
        shipment = self.ship(self.transfer((self.valves, 3)))
        Wizard = self.env["freight.shipment.item.correct"].with_user(self.dispatcher)
        wizard = Wizard.with_context(default_shipment_id=shipment.id).create({"reason": "  "})
        wizard.line_ids.weight_kg = 99.0
        with self.assertRaisesRegex(UserError, "Say why"):
            wizard.action_apply()
        wizard.write({"reason": "Reweighed", "line_ids": [
            Command.update(wizard.line_ids.id, {"weight_kg": 30.0})]})
        with self.assertRaisesRegex(UserError, "Nothing was changed"):
            wizard.action_apply()
        self.assertEqual(self.figures(shipment), [("85", "156600", 3, 30.0)])
        self.assertFalse(shipment.items_corrected)

    def test_direct_writes_are_refused(self):
        shipment = self.ship(self.transfer((self.valves, 3)))
        item = shipment.item_ids.with_user(self.dispatcher)
        for vals in ({"weight_kg": 1.0}, {"freight_class": "50"}, {"pieces": 9}):
            with self.assertRaisesRegex(UserError, "Correct Weights and Classes"):
                item.write(vals)
        # a client chooses its context: the key's value must be the server's object
        with self.assertRaisesRegex(UserError, "Correct Weights and Classes"):
            item.with_context(freight_item_path="correction").write({"weight_kg": 1.0})
        with self.assertRaisesRegex(UserError, "Correct Weights and Classes"):
            item.create({"shipment_id": shipment.id, "weight_kg": 5.0})
        with self.assertRaisesRegex(UserError, "Correct Weights and Classes"):
            item.unlink()
        with self.assertRaises(AccessError):
            shipment.with_user(self.dispatcher).write({"items_corrected": True})
        self.assertEqual(self.figures(shipment), [("85", "156600", 3, 30.0)])

    def test_clerk_reads_but_does_not_correct(self):
        shipment = self.ship(self.transfer((self.valves, 3)))
        item = shipment.item_ids.with_user(self.clerk)
        self.assertEqual(item.weight_kg, 30.0)
        with self.assertRaises(AccessError):
            item.write({"weight_kg": 1.0})
        with self.assertRaises(AccessError):
            shipment.with_user(self.clerk).action_correct_items()
        with self.assertRaises(AccessError):
            self.env["freight.shipment.item"].with_user(self.clerk)._correct(
                shipment.with_user(self.clerk), [], "because")
        with self.assertRaises(AccessError):
            self.env["freight.shipment.item.correct"].with_user(self.clerk).create(
                {"shipment_id": shipment.id, "reason": "because"})

    # ---- read by the audit ----

    def test_audit_facts_carry_the_items(self):
        shipment = self.ship(self.transfer((self.hoses, 4), (self.valves, 3)))
        other = self.make_shipment()
        facts = {f.id: f for f in (shipment | other)._audit_facts()}
        self.assertEqual(facts[shipment.id].items, (
            FreightItem("85", 30.0, "156600", 3, "Crate of valves"),
            FreightItem("100", 10.0, None, 4, "Roll of hose")))
        self.assertEqual(facts[other.id].items, ())

    def test_audit_facts_queries_do_not_grow(self):
        def queries(count):
            shipments = self.env["freight.shipment"].concat(*(
                self.ship(self.transfer((self.valves, 1), (self.hoses, 1)))
                for _i in range(count)))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            facts = shipments._audit_facts()
            self.assertEqual({len(f.items) for f in facts}, {2})
            return self.env.cr.sql_log_count - before

        queries(1)  # the first read fills caches the others find filled
        self.assertEqual(queries(5), queries(50))

    def test_the_upgrade_builds_the_items_of_linked_shipments(self):
        shipment = self.ship(self.transfer((self.valves, 3), (self.hoses, 4)))
        built = self.figures(shipment)
        shipment.item_ids.with_context(**{PATH_KEY: ItemPath("transfers")}).unlink()
        self.assertFalse(shipment.item_ids)
        load_migration("17.0.1.5.0", "post-migration").migrate(self.env.cr, "17.0.1.4.0")
        shipment.invalidate_recordset(["item_ids"])
        self.assertEqual(self.figures(shipment), built)
