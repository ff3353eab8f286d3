import base64
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..models import freight_invoice_upload
from ..services.invoice_csv_rows import parse_amount, parse_rows, sniff, suggest_mapping
from ..wizards import freight_invoice_import
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

    def test_amounts_and_dates_are_bounded(self):
        mapping = {"number": "inv", "date": "date", "amount": "amount", "pro_number": "pro",
                   "quantity": "qty"}
        cases = [("amount", "2000000000", "1", "2024-07-12", "beyond the bound"),
                 ("qty", "5", "inf", "2024-07-12", "finite"),
                 ("date", "5", "1", "1999-01-01", "outside 2000-01-01")]
        for column, amount, quantity, day, words in cases:
            with self.subTest(column):
                text = f"inv,date,amount,pro,qty\nA-1,{day},{amount},P1,{quantity}\n"
                invoices, errors = parse_rows(text, mapping, defaults={"currency": "USD"})
                self.assertEqual(invoices, [])
                self.assertEqual((errors[0]["row"], errors[0]["column"]), (2, column))
                self.assertIn(words, errors[0]["message"])

    def test_reweigh_columns(self):
        text = ("Invoice,Date,PRO,Amount,Billed Weight,Freight Class,Dims,Inspection Certificate\n"
                "A-1,2024-07-12,P1,900,680.4,100,48x40x60 in,WI-778\n"
                "A-2,2024-07-12,P2,900,680.4,80,,\n")
        invoices, errors = parse_rows(text, suggest_mapping(sniff(text)[1]),
                                      defaults={"currency": "USD"})
        self.assertEqual([(e["row"], e["column"]) for e in errors], [(3, "Freight Class")])
        [line] = invoices[0]["lines"]
        self.assertEqual((line["billed_class"], line["dimensions"],
                          line["inspection_certificate"]), ("100", "48x40x60 in", "WI-778"))

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
        # the web client reads it back with bin_size (the file's size, not its bytes)
        self.assertIn("1 invoice(s) ready", wizard.with_context(bin_size=True).preview)
        action = wizard.action_import()
        invoice = self.env["freight.invoice"].search(action["domain"])
        self.assertEqual((invoice.name, invoice.amount_total, invoice.carrier_id),
                         ("BR-3001", 600.0, self.carrier))
        self.assertEqual(invoice.state, "approved")
        self.assertIn("Row 3, Amount: 'lots' is not a number", wizard.error_report)


@tagged("freight_sync", "post_install", "-at_install")
@patch.object(freight_invoice_import, "BACKGROUND_FROM", 20)
@patch.object(freight_invoice_upload, "CHUNK_SIZE", 10)
class TestInvoiceUpload(ContractCase):
    """A file too big for one request is imported in the background, chunk by chunk
    (with thresholds 10 times smaller than in production, to keep the test fast)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, "upload_clerk",
                                  groups="base.group_user,account.group_account_invoice,"
                                  "freight_sync.group_freight_billing")

    def _big_file(self, invoices, bad_rows):
        rows = ["Invoice #,Invoice Date,PRO,Charge Code,Amount"]
        rows += [f"BIG-{n:05d},2024-07-12,PRO-100,400,500.00" for n in range(invoices)]
        rows += [f"BAD-{n},2024-07-12,PRO-100,400,lots" for n in range(bad_rows)]
        return base64.b64encode("\n".join(rows).encode())

    def _import(self, file):
        Wizard = self.env["freight.invoice.import"].with_user(self.clerk)
        wizard = Wizard.new({"file": file, "filename": "july.csv", "carrier_id": self.carrier.id})
        wizard._onchange_file()
        wizard = Wizard.create(wizard._convert_to_write(
            {name: wizard[name] for name in wizard._fields if name not in ("id", "preview")
             and wizard._fields[name].store}))
        return wizard.action_import()

    def test_large_file_imports_in_chunks_with_progress(self):
        action = self._import(self._big_file(45, 3))
        self.assertEqual(action["res_model"], "freight.invoice.upload")
        upload = self.env["freight.invoice.upload"].browse(action["res_id"])
        self.assertEqual((upload.state, upload.invoice_total, upload.row_error_count,
                          upload.progress, upload.create_uid),
                         ("queued", 45, 3, 0.0, self.clerk))
        self.assertFalse(upload.invoice_ids, "nothing is staged inside the clerk's request")
        self.assertIn("Row 47, Amount: 'lots' is not a number", upload.error_report)

        # a run out of time stops after one chunk; the clerk sees how far it got
        self.assertFalse(upload._import_chunks(deadline=0))
        self.assertEqual((upload.state, upload.invoice_done, upload.invoice_count),
                         ("running", 10, 10))
        self.assertAlmostEqual(upload.progress, 22.2, places=1)

        self.env["freight.invoice.upload"]._cron_import_uploads()
        self.assertEqual((upload.state, upload.invoice_done, upload.invoice_count,
                          upload.progress), ("done", 45, 45, 100.0))
        # every invoice bills the same shipment's linehaul: the first is approved, the
        # others are duplicate charges waiting in exception
        states = upload.invoice_ids.mapped("state")
        self.assertEqual((states.count("approved"), states.count("exception")), (1, 44))
        self.assertEqual(upload.invoice_ids.create_uid, self.clerk,
                         "the import runs with the rights of the clerk who uploaded")
        note = upload.message_ids[0]
        self.assertIn("45 carrier invoice(s) imported from july.csv, 3 row error(s)", note.body)
        self.assertIn(self.clerk.partner_id, note.partner_ids)

        # the same file again stages nothing twice: every invoice is a duplicate receipt
        again = self.env["freight.invoice.upload"].browse(self._import(
            self._big_file(45, 0))["res_id"])
        self.env["freight.invoice.upload"]._cron_import_uploads()
        self.assertEqual((again.state, again.invoice_count), ("done", 0))

    @staticmethod
    def _big_x12(invoices, bad_dates):
        """One interchange of ``invoices`` 210 sets, then ``bad_dates`` dated 1999."""
        sets = [(f"X12-{n:05d}", "20240712") for n in range(invoices)]
        sets += [(f"OLD-{n}", "19990712") for n in range(bad_dates)]
        out = ["ISA*00*          *00*          *02*TSTC           *ZZ*FREIGHTSYNC    *"
               "240712*0900*U*00401*000000900*0*P*>~",
               "GS*IM*TSTC*FREIGHTSYNC*20240712*0900*900*X*004010~"]
        for control, (number, day) in enumerate(sets, 1):
            out += [f"ST*210*{control:04d}~", f"B3**{number}*PRO100*PP**{day}*50000**{day}"
                    "*035*TSTC~", "LX*1~", "L0*1***2205*B***1*PLT**L~", "L1*1***50000****~",
                    f"SE*6*{control:04d}~"]
        out += [f"GE*{len(sets)}*900~", "IEA*1*000000900~"]
        return base64.b64encode("\n".join(out).encode())

    def test_large_x12_file_imports_in_chunks_with_progress(self):
        action = self._import(self._big_x12(25, 2))
        upload = self.env["freight.invoice.upload"].browse(action["res_id"])
        self.assertEqual((upload.file_format, upload.state, upload.invoice_total,
                          upload.row_error_count), ("x12", "queued", 25, 2))
        self.assertIn("Interchange 000000900, set 0026: /ST0026/B306: 1999-07-12 is outside",
                      upload.error_report)
        self.assertFalse(upload._import_chunks(deadline=0))
        self.assertEqual((upload.invoice_done, upload.progress), (10, 40.0))
        self.env["freight.invoice.upload"]._cron_import_uploads()
        self.assertEqual((upload.state, upload.invoice_count), ("done", 25))
        line = upload.invoice_ids[:1].line_ids
        self.assertEqual(line.billed_weight_kg, 1000.17)  # 2,205 lb

    def test_small_x12_file_keeps_a_unitless_weight_in_words(self):
        path = Path(__file__).parent / "fixtures" / "x12" / "210_weights_l0_units.edi"
        action = self._import(base64.b64encode(path.read_bytes().replace(b"BRFL", b"TSTC")))
        invoice = self.env["freight.invoice"].search(action["domain"])
        self.assertEqual(invoice.name, "BR-1010")
        lines = invoice.line_ids.sorted("line_no")
        self.assertEqual(lines.mapped("billed_weight_kg"), [84821.77, 544.31, 0.0])
        self.assertIn("900 sent with no unit", lines[2].description)
        with self.assertRaisesRegex(UserError, "ISA: the ISA header is 105 characters"):
            self._import(base64.b64encode(b"  ISA*0*broken"))

    def test_small_file_is_imported_at_once(self):
        action = self._import(self._big_file(20, 0))
        self.assertEqual(action["res_model"], "freight.invoice")
        self.assertEqual(self.env["freight.invoice"].search_count(action["domain"]), 20)
