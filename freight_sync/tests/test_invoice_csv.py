import base64
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services.invoice_csv_rows import parse_amount, parse_rows, sniff, suggest_mapping
from .invoice_common import ContractCase

CSV = Path(__file__).parent / "fixtures" / "csv"


@tagged("freight_sync", "freight_pure")
class TestInvoiceCsvRows(BaseCase):
    def test_amounts(self):
        cases = [("1,234.50", 1234.5), ("1.234,50", 1234.5), ("246,90", 246.9),
                 ("1,234", 1234.0), ("-12", -12.0), ("1 000.5", 1000.5)]
        for text, expected in cases:
            with self.subTest(text):
                self.assertEqual(parse_amount(text), expected)

    def test_good_file(self):
        text = (CSV / "invoices_good.csv").read_text()
        mapping = suggest_mapping(sniff(text)[1])
        self.assertEqual(mapping, {"number": "Invoice #", "date": "Invoice Date",
                                   "pro_number": "PRO", "charge_code": "Charge Code",
                                   "description": "Description", "amount": "Amount"})
        invoices, errors = parse_rows(text, mapping, defaults={"currency": "USD"})
        self.assertFalse(errors)
        self.assertEqual([(i["number"], i["total"], len(i["lines"])) for i in invoices],
                         [("BR-2001", 600.0, 2), ("BR-2002", 85.0, 1)])
        self.assertEqual(invoices[0]["external_id"], "csv:-:BR-2001:original")

    def test_bad_rows_block_only_their_invoice(self):
        text = (CSV / "invoices_bad_rows.csv").read_text()
        invoices, errors = parse_rows(text, suggest_mapping(sniff(text)[1]),
                                      defaults={"currency": "USD"})
        self.assertEqual([(i["number"], i["total"]) for i in invoices], [("BR-3001", 600.0)])
        self.assertEqual([(e["row"], e["column"]) for e in errors], [
            (3, "Amount"), (4, "Invoice #"), (5, "Invoice Date"), (6, "Currency")])

    def test_semicolon_and_decimal_comma(self):
        text = (CSV / "invoices_semicolon_decimal_comma.csv").read_text()
        mapping = {"number": "Rechnung", "date": "Datum", "pro_number": "PRO",
                   "charge_code": "Code", "amount": "Betrag"}
        invoices, errors = parse_rows(text, mapping, "eu", {"currency": "EUR"})
        self.assertFalse(errors)
        self.assertEqual((invoices[0]["total"], invoices[0]["date"].isoformat()),
                         (1481.4, "2024-07-12"))

    def test_required_columns(self):
        _invoices, errors = parse_rows("a,b\n1,2\n", {"number": "a"})
        self.assertEqual({e["column"] for e in errors}, {"date", "amount"})


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceImportWizard(ContractCase):
    def test_clerk_imports_the_good_invoices_and_sees_the_bad_rows(self):
        wizard = self.env["freight.invoice.import"].new({
            "file": base64.b64encode((CSV / "invoices_bad_rows.csv").read_bytes()),
            "carrier_id": self.carrier.id})
        wizard._onchange_file()
        self.assertEqual((wizard.column_number, wizard.column_amount), ("Invoice #", "Amount"))
        self.assertIn("1 invoice(s) ready, 4 row error(s)", wizard.preview)
        wizard = self.env["freight.invoice.import"].create(wizard._convert_to_write(
            {name: wizard[name] for name in wizard._fields if name not in ("id", "preview")
             and wizard._fields[name].store}))
        action = wizard.action_import()
        invoice = self.env["freight.invoice"].search(action["domain"])
        self.assertEqual((invoice.name, invoice.amount_total, invoice.carrier_id),
                         ("BR-3001", 600.0, self.carrier))
        self.assertEqual(invoice.state, "approved")
        self.assertIn("Row 3, Amount: 'lots' is not a number", wizard.error_report)
