from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.shipment_demand import changed_figures, picking_weight, refusal, shipment_values

DAY = datetime(2026, 3, 2, 8, 0)


def picking(name="WH/OUT/1", **values):
    base = {"name": name, "company_id": 1, "code": "outgoing", "state": "assigned",
            "shipment_id": False, "weight": 10.0, "shipping_weight": 0.0, "partner_id": 7,
            "warehouse_partner_id": 1, "scheduled_date": DAY, "date_deadline": None,
            "moves": [], "packages": []}
    base.update(values)
    return base


@tagged("post_install", "-at_install", "freight_sync")
class TestShipmentDemandService(BaseCase):
    def test_weight_follows_the_shipment_rule(self):
        self.assertEqual(picking_weight(picking(weight=10.0, shipping_weight=12.5)), 12.5)
        self.assertEqual(picking_weight(picking(weight=10.0, shipping_weight=0.0)), 10.0)
        self.assertEqual(picking_weight({"weight": None}), 0.0)

    def test_outgoing_values(self):
        values = shipment_values([
            picking("A", scheduled_date=DAY.replace(day=5), weight=100.0,
                    moves=[{"volume": 0.5, "qty": 4.0}], packages=[3, 4],
                    date_deadline=DAY.replace(day=9)),
            picking("B", scheduled_date=DAY, partner_id=8, weight=20.0, shipping_weight=25.0,
                    moves=[{"volume": 0.25, "qty": 2.0}, {"volume": 0.0, "qty": 9.0}],
                    packages=[4], date_deadline=DAY.replace(day=7)),
        ])
        self.assertEqual(values, {
            "weight": 125.0, "direction": "outbound", "volume": 2.5, "pallet_count": 2,
            "planned_pickup_date": DAY, "planned_delivery_date": DAY.replace(day=9),
            # the earliest picking (B) names the customer
            "origin_partner_id": 1, "destination_partner_id": 8,
        })

    def test_incoming_values_and_no_package_no_deadline(self):
        values = shipment_values([picking("IN", code="incoming", partner_id=9,
                                          moves=[{"volume": 1.0, "qty": 3.0}])])
        self.assertEqual((values["direction"], values["origin_partner_id"],
                          values["destination_partner_id"]), ("inbound", 9, 1))
        self.assertEqual((values["volume"], values["pallet_count"],
                          values["planned_delivery_date"]), (3.0, 0, False))

    def test_internal_and_missing_warehouse_partner(self):
        values = shipment_values([picking(code="internal", warehouse_partner_id=None,
                                          scheduled_date=None)])
        self.assertEqual((values["direction"], values["origin_partner_id"],
                          values["planned_pickup_date"]), ("internal", False, False))

    def test_refusals(self):
        self.assertIsNone(refusal([picking("A"), picking("B")]))
        self.assertEqual(refusal([]), ("empty", []))
        self.assertEqual(refusal([picking("A"), picking("B", company_id=2)]),
                         ("companies", ["A", "B"]))
        self.assertEqual(refusal([picking("A", shipment_id=4), picking("B")]), ("linked", ["A"]))
        self.assertEqual(refusal([picking("A", state="done"), picking("B", state="cancel")]),
                         ("closed", ["A", "B"]))
        self.assertEqual(refusal([picking("A"), picking("B", code="incoming")]),
                         ("directions", ["A", "B"]))
        # an internal transfer may travel with either direction
        self.assertIsNone(refusal([picking("A"), picking("B", code="internal")]))

    def test_changed_figures_ignores_weight_and_falsy_equivalents(self):
        wanted = shipment_values([picking(moves=[{"volume": 1.0, "qty": 1.0}])])
        current = dict(wanted, volume=0.0, planned_delivery_date=None, weight=3.0)
        self.assertEqual(changed_figures(current, wanted), {"volume": 1.0})
