from odoo.tests import BaseCase, tagged

from ..services.ltl import lanes_from_cells
from ..services.ltl_tariff_csv import parse_break, parse_tariff

WIDE = """origin,destination,class,L5C,M5C,1M,2M
100,200,50,20.00,18.00,15.00,12.50
100,200,85,30.00,27.00,24.00,20.00
,,85,40.00,36.00,,30.00
"""
LONG = """origin_zip;dest;nmfc_class;min_weight_lb;rate
100;200;85;0;30,00
100;200;85;500;27,00
100;200;77.5;0;29,50
"""


@tagged("freight_sync", "freight_pure")
class TestLtlTariffCsv(BaseCase):
    def errors(self, text):
        return [str(error) for error in parse_tariff(text).errors]

    def assertError(self, text, row, fragment):
        errors = self.errors(text)
        self.assertTrue(any(e.startswith(f"Row {row}:") and fragment in e for e in errors),
                        f"no error on row {row} with {fragment!r} in {errors}")

    def test_wide_layout_as_carriers_publish(self):
        parsed = parse_tariff(WIDE)
        self.assertEqual(parsed.layout, "wide")
        self.assertEqual(parsed.errors, ())
        self.assertEqual(len(parsed.cells), 11)  # the empty 1M cell is no rate
        first = parsed.cells[0]
        self.assertEqual((first.row, first.origin_prefix, first.destination_prefix,
                          first.freight_class, first.break_lb, first.rate),
                         (2, "100", "200", "50", 0, 20.0))
        summary = parsed.summary
        self.assertEqual((summary.lanes, summary.classes, summary.breaks, summary.rates,
                          summary.min_rate, summary.max_rate),
                         (2, ("50", "85"), (0, 500, 1000, 2000), 11, 12.5, 40.0))
        lanes = lanes_from_cells((c.origin_prefix, c.destination_prefix, c.freight_class,
                                  c.break_lb, c.rate) for c in parsed.cells)
        self.assertEqual([lane.label for lane in lanes], ["100→200", "*→*"])
        self.assertEqual(lanes[1].rates["85"], ((0, 40.0), (500, 36.0), (2000, 30.0)))

    def test_long_layout_with_semicolons_decimal_commas_and_a_bom(self):
        parsed = parse_tariff(("\ufeff" + LONG).encode("utf-8"))
        self.assertEqual(parsed.layout, "long")
        self.assertEqual(parsed.errors, ())
        self.assertEqual([(c.freight_class, c.break_lb, c.rate) for c in parsed.cells],
                         [("85", 0, 30.0), ("85", 500, 27.0), ("77.5", 0, 29.5)])
        self.assertEqual(parsed.summary.lanes, 1)

    def test_tab_separated_and_break_headers_spelled_otherwise(self):
        text = "Origin\tDestination ZIP\tClass\t<500\t500\t1000\t5M\t10m\n\t9\t100\t1\t2\t3\t4\t5\n"
        parsed = parse_tariff(text)
        self.assertEqual(parsed.errors, ())
        self.assertEqual([c.break_lb for c in parsed.cells], [0, 500, 1000, 5000, 10000])
        self.assertEqual(parsed.cells[0].destination_prefix, "9")

    def test_break_names(self):
        for text, pounds in (("L5C", 0), ("<500", 0), ("0", 0), ("M5C", 500), ("500", 500),
                             ("1M", 1000), ("1000", 1000), ("2m", 2000), ("20M", 20000),
                             ("40M", 40000), ("1,000 lb", 1000)):
            self.assertEqual(parse_break(text), pounds, text)
        for text in ("X", "", "1.5", "M"):
            self.assertIsNone(parse_break(text), text)

    def test_an_unknown_class_names_its_row(self):
        self.assertError(WIDE + "100,300,80,1,1,1,1\n", 5, 'class "80" is not an NMFC class')

    def test_a_rate_not_a_number_or_negative_names_its_row(self):
        self.assertError(WIDE + "100,300,70,abc,1,1,1\n", 5, 'rate "abc" at L5C is not a number')
        self.assertError(WIDE + "100,300,70,5,-1,1,1\n", 5, "rate -1 at M5C is negative")
        self.assertError(LONG + "100;200;70;0;x\n", 5, 'rate "x" is not a number')

    def test_a_missing_cell_names_its_row(self):
        self.assertError(WIDE + "100,300,70,5\n", 5, "4 cells where the header has 7")
        self.assertError(WIDE + "100,300,,5,4,3,2\n", 5, "the class cell is empty")
        self.assertError(LONG + "100;200;70;;5\n", 5, "the break cell is empty")
        self.assertError(LONG + "100;200;70;0;\n", 5, "the rate cell is empty")

    def test_a_duplicate_rate_names_both_rows(self):
        self.assertError(WIDE + "100,200,85,1,1,1,1\n", 5,
                         "lane 100→200 class 85 break L5C is already rated on row 3")
        self.assertError(LONG + "100;200;85;M5C;20\n", 5,
                         "class 85 break M5C is already rated on row 3")

    def test_unknown_break_header_or_break(self):
        self.assertError("origin,destination,class,L5C,3X\n1,2,50,1,1\n", 1,
                         'column "3X" is not a weight break')
        self.assertError("origin,destination,class,L5C,0\n1,2,50,1,1\n", 1,
                         'column "0" repeats the L5C break')
        self.assertError(LONG + "100;200;70;heavy;5\n", 5, 'break "heavy" is not a weight break')

    def test_missing_required_columns(self):
        self.assertError("origin,class,L5C\n1,50,1\n", 1, "no destination column")
        self.assertError("origin,destination,L5C\n1,2,1\n", 1, "no class column")
        self.assertError("origin,destination,class,rate\n1,2,50,1\n", 1, "no break column")
        self.assertError("origin,destination,class,note\n1,2,50,x\n", 1, 'column "note"')
        self.assertError("origin,destination,class\n1,2,50\n", 1, "no weight break columns")

    def test_an_empty_file_or_one_without_rates(self):
        self.assertEqual(self.errors(b""), ["The file is empty."])
        self.assertEqual(self.errors("\ufeff \n ,,\n"), ["The file is empty."])
        self.assertEqual(self.errors("origin,destination,class,L5C\n"),
                         ["The file has a header but no rates."])

    def test_a_lane_class_without_the_lowest_break_is_an_error(self):
        self.assertError(WIDE + "100,300,70,,9,8,7\n", 5,
                         "lane 100→300 class 70 has no rate at the lowest break L5C")
        self.assertError(LONG + "100;200;92.5;500;5\n", 5,
                         "class 92.5 has no rate at the lowest break L5C")

    def test_every_error_is_reported_in_row_order(self):
        text = WIDE + "100,300,80,1,1,1,1\n100,300,70,x,1,1,1\n"
        self.assertEqual([e.row for e in parse_tariff(text).errors], [5, 6])

    def test_a_bad_zip_prefix_names_its_row(self):
        self.assertError(WIDE + "10-0,300,70,1,1,1,1\n", 5, 'origin "10-0" is not a ZIP prefix')
