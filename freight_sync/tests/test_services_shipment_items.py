from odoo.tests import BaseCase, tagged

from ..services.shipment_items import changed, pieces, shown_names, weight_text


@tagged("freight_sync", "freight_pure")
class TestServicesShipmentItems(BaseCase):
    def test_shown_names(self):
        self.assertEqual(shown_names(["Valve", "Crate", "Valve", None]), (["Crate", "Valve"], 0))
        self.assertEqual(shown_names(list("EDCBA")), (["A", "B", "C"], 2))

    def test_pieces_count_a_started_unit(self):
        self.assertEqual([pieces(q) for q in (0, None, 2.0, 2.5, 3.0000000001)], [0, 0, 2, 3, 3])

    def test_changed_ignores_noise_and_empty_values(self):
        before = {"nmfc_item": "", "freight_class": "85", "pieces": 3, "weight_kg": 30.0}
        self.assertEqual(changed(before, {**before, "nmfc_item": None,
                                          "weight_kg": 30.0000001}), {})
        self.assertEqual(changed(before, {**before, "freight_class": "92.5", "pieces": 1}),
                         {"freight_class": ("85", "92.5"), "pieces": (3, 1)})

    def test_weight_text(self):
        self.assertEqual([weight_text(w) for w in (30.0, 42.5, 1240.125, None)],
                         ["30", "42.5", "1,240.125", "0"])
