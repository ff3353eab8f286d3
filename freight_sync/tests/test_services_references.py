import re
from datetime import datetime, timezone
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services.canonical import parse_references
from ..services.invoice_csv_rows import parse_rows, suggest_mapping
from ..services.references import (
    RESOLUTION_ORDER,
    UNQUALIFIED,
    ReferenceIndex,
    lines_naming_domain,
    references_domain,
)
from ..services.x12_intake import body_items

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
RECEIVED = datetime(2024, 7, 20, 12, tzinfo=timezone.utc)

# Shipment 1's PRO is shipment 2's load number, shipment 3's BOL is shipment 4's carrier
# reference: the cases where the kind tried first decides.
SHIPMENTS = [
    (1, 10, {"name": "SHP/1", "pro_number": "AB100", "load_ref": "L1"}),
    (2, 10, {"name": "SHP/2", "pro_number": "AB200", "load_ref": "AB100"}),
    (3, 10, {"name": "SHP/3", "bol_number": "B77", "load_ref": "L3"}),
    (4, 10, {"name": "SHP/4", "carrier_ref": "B77"}),
    (5, 20, {"name": "SHP/5", "pro_number": "C500", "load_ref": "L5"}),
]


def x12_references(fixture, pattern, replacement):
    """The shipment references of every item a fixture gives once one element is
    rewritten (the same value sent in another set)."""
    text = re.sub(pattern, replacement, (FIXTURES / fixture).read_text())
    found = []
    for _source, item in body_items(text.encode(), RECEIVED):
        if "invoice" in item:
            found.extend(line["references"] for line in item["invoice"]["lines"])
        else:
            found.append(item["references"])
    return [references for references in found if references]


@tagged("freight_sync", "freight_pure")
class TestReferenceResolution(BaseCase):
    index = ReferenceIndex(SHIPMENTS)

    def test_an_unqualified_value_is_tried_in_the_stated_order(self):
        self.assertEqual(RESOLUTION_ORDER, ("pro_number", "load_ref", "bol_number",
                                            "carrier_ref"))
        # PRO of 1 and load of 2: the PRO is tried first
        self.assertEqual(self.index.resolve({UNQUALIFIED: "ab-100"}), {1})
        self.assertEqual(self.index.resolve({UNQUALIFIED: "L3"}), {3})
        # BOL of 3 and carrier reference of 4: the BOL is tried first
        self.assertEqual(self.index.resolve({UNQUALIFIED: "B 77"}), {3})
        self.assertEqual(self.index.resolve({UNQUALIFIED: "nothing"}), set())

    def test_a_qualified_value_names_only_its_own_kind(self):
        self.assertEqual(self.index.resolve({"load_ref": "AB100"}), {2})
        self.assertEqual(self.index.resolve({"carrier_ref": "B77"}), {4})
        self.assertEqual(self.index.resolve({"name": "SHP/5"}), {5})

    def test_references_that_disagree_are_an_ambiguity_never_a_guess(self):
        self.assertEqual(self.index.resolve({UNQUALIFIED: "AB100", "load_ref": "AB100"}),
                         {1, 2})
        self.assertEqual(self.index.resolve({UNQUALIFIED: "AB100", "pro_number": "AB100"}),
                         {1})

    def test_within_the_senders_carrier(self):
        self.assertEqual(self.index.resolve({UNQUALIFIED: "C500"}, carrier_id=20), {5})
        self.assertEqual(self.index.resolve({UNQUALIFIED: "C500"}, carrier_id=10), set())
        self.assertEqual(self.index.resolve({"pro_number": "C500"}, carrier_id=10), set())
        self.assertEqual(self.index.resolve({UNQUALIFIED: "C500"}), {5})

    def test_the_domain_looks_for_an_unqualified_value_in_every_kind(self):
        self.assertEqual(references_domain([{UNQUALIFIED: "ab-100"}]), [
            "|", "|", "|",
            ("pro_number", "in", ["AB100"]), ("load_ref", "in", ["AB100"]),
            ("bol_number", "in", ["AB100"]), ("carrier_ref", "in", ["AB100"])])

    def test_invoice_lines_naming_a_shipment_by_an_unqualified_value(self):
        domain = lines_naming_domain([{"name": "SHP/1", "pro_number": "AB100",
                                       "load_ref": "L1"}])
        self.assertEqual(domain[:3], ["|", "|", "|"])
        self.assertEqual(sorted(domain[3:]), [
            ("load_ref", "in", ["L1"]), ("pro_number", "in", ["AB100"]),
            (UNQUALIFIED, "in", ["AB100", "L1"]), ("shipment_ref", "in", ["SHP/1"])])

    def test_the_same_value_finds_the_same_shipment_in_every_set_and_format(self):
        """B303 of a 210, B102 of a 990, B1002 of a 214, JSON and CSV ``reference``: one
        rule, one shipment, whichever kind the value turns out to be."""
        for value, shipment in (("AB100", 1), ("AB200", 2), ("L3", 3), ("B77", 3),
                                ("L5", 5)):
            with self.subTest(value=value):
                sent = {
                    "210 B303": x12_references("210_single_line.edi", r"\*PRO100\*",
                                               f"*{value}*"),
                    "990 B102": x12_references("990_004010_accept_decline.x12",
                                               r"B1\*([A-Z]+)\*[^*~]+\*", rf"B1*\1*{value}*"),
                    "214 B1002": x12_references("214_004010_star_tilde.x12",
                                                r"B10\*[^*]*\*[^*]*\*", f"B10**{value}*"),
                    "JSON reference": [parse_references({"reference": value}, "/0")],
                    "CSV Reference": self._csv(value),
                }
                for channel, reference_sets in sent.items():
                    self.assertTrue(reference_sets, channel)
                    for references in reference_sets:
                        named = {key: v for key, v in references.items()
                                 if key in (UNQUALIFIED, "name")}
                        self.assertEqual(self.index.resolve(named), {shipment},
                                         f"{channel}: {references}")

    @staticmethod
    def _csv(value):
        text = f"Invoice,Date,Currency,Reference,Amount\nINV-1,2024-07-20,USD,{value},100.00\n"
        headers = text.splitlines()[0].split(",")
        invoices, errors = parse_rows(text, suggest_mapping(headers))
        assert not errors, errors
        return [line["references"] for invoice in invoices for line in invoice["lines"]]
