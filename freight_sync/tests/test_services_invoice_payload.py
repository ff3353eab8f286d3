from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError
from ..services.invoice_payload import parse_invoice, parse_invoice_batch


def invoice(**changes):
    data = {"number": "INV-9", "date": "2024-07-12", "currency": "usd", "total": 560,
            "scac": "brfl", "shipment": {"pro_number": "PRO-1"},
            "lines": [{"charge_code": "400", "amount": 500},
                      {"charge_code": "fsc", "amount": "60.00",
                       "shipment": {"bol_number": "B1"}}]}
    data.update(changes)
    return data


@tagged("freight_sync", "freight_pure")
class TestInvoicePayload(BaseCase):
    def test_canonical_invoice(self):
        parsed = parse_invoice(invoice(), "/invoices/0")
        self.assertEqual((parsed["number"], parsed["date"], parsed["currency"], parsed["scac"]),
                         ("INV-9", date(2024, 7, 12), "USD", "BRFL"))
        self.assertEqual(parsed["external_id"], "json:BRFL:INV-9:original")
        first, second = parsed["lines"]
        self.assertEqual((first["line_no"], first["references"], first["amount"]),
                         (1, {"pro_number": "PRO-1"}, 500.0))
        self.assertEqual((second["charge_code"], second["references"], second["amount"]),
                         ("FSC", {"bol_number": "B1"}, 60.0))

    def test_refusals_name_the_field(self):
        cases = [
            ("no number", {"number": ""}, "/invoices/0/number"),
            ("bad date", {"date": "12/07/2024"}, "/invoices/0/date"),
            ("bad currency", {"currency": "dollars"}, "/invoices/0/currency"),
            ("bad correction", {"correction": "XX"}, "/invoices/0/correction"),
            ("no lines", {"lines": []}, "/invoices/0/lines"),
            ("amount not a number", {"lines": [{"amount": "lots"}]},
             "/invoices/0/lines/0/amount"),
            ("no references at all", {"shipment": None, "lines": [{"amount": 560}]},
             "/invoices/0/lines/0/shipment"),
            ("total differs", {"total": 999}, "/invoices/0/total"),
            ("date before 2000", {"date": "1999-12-31"}, "/invoices/0/date"),
            ("date years ahead", {"date": "2999-01-01"}, "/invoices/0/date"),
            ("total beyond a billion", {"total": 2e9}, "/invoices/0/total"),
            ("rate beyond a billion", {"lines": [{"amount": 560, "rate": "-1e10"}]},
             "/invoices/0/lines/0/rate"),
            ("integer too big for a float", {"lines": [{"amount": 560, "quantity": 10**400}]},
             "/invoices/0/lines/0/quantity"),
        ]
        for label, changes, pointer in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    parse_invoice(invoice(**changes), "/invoices/0")
                self.assertEqual(caught.exception.pointer, pointer)

    def test_a_carriers_adjustment_and_its_certificate(self):
        line = {"charge_code": "400", "amount": 560, "billed_weight_kg": 680.4,
                "billed_class": 77.5, "dimensions": "48x40x60 in", "inspection_certificate":
                "WI-778"}
        parsed = parse_invoice(invoice(lines=[line]), "/invoices/0")["lines"][0]
        self.assertEqual((parsed["billed_class"], parsed["dimensions"],
                          parsed["inspection_certificate"]), ("77.5", "48x40x60 in", "WI-778"))
        with self.assertRaises(PayloadError) as caught:
            parse_invoice(invoice(lines=[dict(line, billed_class="80")]), "/invoices/0")
        self.assertEqual(caught.exception.pointer, "/invoices/0/lines/0/billed_class")
        self.assertIn("no NMFC class", caught.exception.message)

    def test_batch(self):
        valid, errors = parse_invoice_batch({"invoices": [invoice(), invoice(number="")]})
        self.assertEqual([index for index, _inv in valid], [0])
        self.assertEqual([e.pointer for e in errors], ["/invoices/1/number"])
        for document in ({}, {"invoices": []}, {"invoices": [invoice()] * 201}):
            with self.assertRaises(PayloadError):
                parse_invoice_batch(document)
        with self.assertRaises(PayloadError) as caught:
            parse_invoice_batch({"invoices": [invoice()] * 201})
        self.assertEqual(caught.exception.message, "at most 200 invoices per request")
