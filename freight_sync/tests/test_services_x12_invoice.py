from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services.x12 import parse
from ..services.x12_invoice import LB_TO_KG, line_weight, map_210

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

    def test_reweigh_reclass_dimensions_and_certificate(self):
        (invoice,), errors = invoices_of("210_ltl_reweigh_reclass.edi")
        self.assertFalse(errors)
        [line] = invoice["lines"]
        self.assertEqual((line["billed_class"], line["dimensions"],
                          line["inspection_certificate"], line["billed_weight_kg"]),
                         ("100", "48x40x60 N x2", "WI-778", round(1500 * LB_TO_KG, 2)))
        (plain,), _errors = invoices_of("210_single_line.edi")
        self.assertFalse({"billed_class", "dimensions", "inspection_certificate"}
                         & set(plain["lines"][0]))

    def test_broken_total_names_the_element(self):
        invoices, errors = invoices_of("210_broken_total.edi")
        self.assertEqual(invoices, [None])
        self.assertEqual(errors[0].pointer, "/ST0001/L305")
        self.assertIn("differs from the sum of the charges 600.00", errors[0].message)

    def test_every_weight_kept_with_its_unit(self):
        (invoice,), errors = invoices_of("210_weights_l0_units.edi")
        self.assertFalse(errors)
        billed, largest, unitless = invoice["lines"]
        # the billed-weight L0 counts, not the last one of the group (187000 lb, not 1)
        self.assertEqual(billed["billed_weight_kg"], 84821.77)
        self.assertEqual([(w["weight"], w["qualifier"], w["unit"]) for w in billed["weights"]],
                         [(187000.0, "B", "L"), (1.0, "G", None)])
        self.assertNotIn("weight_problem", billed)
        # no billed-weight qualifier: the largest in kg, an L0 after its L1 included
        self.assertEqual(largest["billed_weight_kg"], 544.31)
        self.assertEqual([w["kg"] for w in largest["weights"]], [500.0, 544.31])
        self.assertIsNone(unitless["billed_weight_kg"])
        self.assertIn("900 sent with no unit", unitless["weight_problem"])

    def test_line_weight_rule(self):
        def weight(value, unit, qualifier=None):
            kg = {"L": round(value * LB_TO_KG, 2), "K": value}.get(unit)
            return {"weight": value, "unit": unit, "qualifier": qualifier, "kg": kg}

        cases = [
            ("none", [], (None, None)),
            ("kg", [weight(10, "K")], (10, None)),
            ("billed wins over larger", [weight(50, "K", "B"), weight(900, "K", "G")],
             (50, None)),
            ("unitless billed", [weight(50, None, "B"), weight(900, "K", "G")], (None, "50")),
            ("unitless among the largest", [weight(50, None), weight(900, "K")],
             (None, "50")),
        ]
        for label, weights, (kg, problem) in cases:
            with self.subTest(label):
                got_kg, got_problem = line_weight(weights)
                self.assertEqual(got_kg, kg)
                if problem:
                    self.assertIn(f"weight {problem} sent with no unit", got_problem)
                else:
                    self.assertIsNone(got_problem)

    def test_bounds_of_amounts_and_dates(self):
        text = (FIXTURES / "210_single_line.edi").read_text()
        cases = [
            ("huge L104", "L1*1***50000****", "L1*1***" + "9" * 14 + "****", "/L104"),
            ("rate beyond", "L1*1***50000****", "L1*1*1e12**50000****", "/L102"),
            ("inf rate", "L1*1***50000****", "L1*1*inf**50000****", "/L102"),
            ("digits beyond Python's limit", "L1*1***50000****",
             "L1*1***" + "1" * 5000 + "****", "/L104"),
            ("year 1999", "*20240712*50000", "*19991231*50000", "/B306"),
            ("month 13", "*20240712*50000", "*20241301*50000", "/B306"),
            ("next century", "*20240712*50000", "*21000101*50000", "/B306"),
            ("superscript digits", "*20240712*50000", "*2024071²*50000", "/B306"),
        ]
        for label, old, new, pointer in cases:
            with self.subTest(label):
                self.assertIn(old, text)
                interchange = parse(text.replace(old, new))
                (tset,) = interchange.groups[0].sets
                invoice, errors = map_210(tset)
                self.assertIsNone(invoice)
                self.assertTrue(errors[0].pointer.endswith(pointer), errors[0].pointer)
