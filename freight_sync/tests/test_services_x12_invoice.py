from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services.x12 import parse
from ..services.x12_invoice import map_210

FIXTURES = Path(__file__).parent / "fixtures" / "x12"


def invoices_of(name):
    interchange = parse((FIXTURES / name).read_text())
    results = [map_210(tset) for group in interchange.groups for tset in group.sets]
    return [invoice for invoice, _errors in results], [e for _i, errors in results for e in errors]


@tagged("freight_sync", "freight_pure")
class TestX12Invoice(BaseCase):
    def test_fixtures(self):
        # file, number, correction, charge codes, amounts, total
        cases = [
            ("210_single_line.edi", "BR-1001", "original", ["400"], [500.0], 500.0),
            ("210_fuel_and_accessorials.edi", "BR-1002", "original",
             ["400", "FSC", "LFT", "RES"], [500.0, 100.0, 85.0, 120.0], 805.0),
            ("210_corrected_co.edi", "BR-1001", "CO", ["400"], [480.0], 480.0),
            ("210_balance_due_bd.edi", "BR-1003", "BD", ["DTU"], [75.0], 75.0),
            ("210_cancel_ca.edi", "BR-1001", "CA", ["400"], [500.0], 500.0),
            ("210_rebill_rb_caret.edi", "BR-1004", "RB", ["400", "405"], [495.0, 99.0], 594.0),
        ]
        for name, number, correction, codes, amounts, total in cases:
            with self.subTest(name):
                (invoice,), errors = invoices_of(name)
                self.assertFalse(errors)
                self.assertEqual((invoice["number"], invoice["correction"], invoice["total"],
                                  invoice["scac"], invoice["date"], invoice["currency"]),
                                 (number, correction, total, "BRFL", "2024-07-12", "USD"))
                self.assertEqual([line["charge_code"] for line in invoice["lines"]], codes)
                self.assertEqual([line["amount"] for line in invoice["lines"]], amounts)
                self.assertEqual(invoice["lines"][0]["references"]["reference"], "PRO100")
                self.assertEqual(invoice["external_id"], f"210:BRFL:{number}:{correction}")

    def test_references_weights_and_explicit_decimals(self):
        (fuel,), _errors = invoices_of("210_fuel_and_accessorials.edi")
        self.assertEqual(fuel["lines"][0]["references"],
                         {"bol_number": "BOL-77", "reference": "PRO100"})
        (heavy, explicit), errors = invoices_of("210_5010_two_sets_weight_lb.edi")
        self.assertFalse(errors)
        self.assertEqual(heavy["lines"][0]["billed_weight_kg"], 1000.17)  # 2,205 lb
        self.assertEqual((explicit["number"], explicit["total"]), ("BR-1006", 85.0))

    def test_broken_total_names_the_element(self):
        invoices, errors = invoices_of("210_broken_total.edi")
        self.assertEqual(invoices, [None])
        self.assertEqual(errors[0].pointer, "/ST0001/L305")
        self.assertIn("differs from the sum of the charges 600.00", errors[0].message)
