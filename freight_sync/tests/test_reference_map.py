import base64

from odoo.tests import tagged

from ..services.evidence import REFERENCE
from ..services.references import normalize_reference
from .invoice_common import ContractCase


@tagged("freight_sync", "post_install", "-at_install")
class TestOneReferenceMap(ContractCase):
    """A value the carrier sends without its kind (B303, B102, B1002, JSON or CSV
    ``reference``) is tried as PRO, load, BOL and carrier reference, in that order, among
    the sender's shipments: the same shipment whichever set or format carried it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the main shipment's load number is another shipment's PRO: the PRO wins
        cls.twin = cls.like_the_shipment("LOAD-100")

    def line(self, references, amount=500.0):
        return [{"line_no": 1, "references": references, "charge_code": "400",
                 "amount": amount}]

    def audited(self, number, references):
        invoice = self.stage(self.canonical(number=number, lines=self.line(references)))
        invoice._audit()
        return invoice

    def open_types(self, invoice):
        return set(invoice.exception_ids.filtered(lambda c: not c.is_closed)
                   .mapped("exception_type"))

    def test_an_invoice_and_an_event_find_the_same_shipment(self):
        for value, shipment in (("LOAD-100", self.twin), ("PRO 100", self.shipment)):
            with self.subTest(value=value):
                invoice = self.audited(f"REF-{value}", {"reference": value})
                self.assertEqual(invoice.line_ids.shipment_id, shipment)
                # kept in the stored form of every reference
                self.assertEqual(invoice.line_ids.reference, normalize_reference(value))
                [target] = self.env["freight.shipment"]._resolve_references(
                    [{"reference": value}], self.carrier)
                self.assertEqual(target, shipment)
        self.shipment.bol_number = "BOL-5"
        invoice = self.audited("REF-BOL", {"reference": "bol5"})
        self.assertEqual(invoice.line_ids.shipment_id, self.shipment)

    def test_only_the_senders_shipments(self):
        other_carrier = self.env["res.partner"].create(
            {"name": "Other Lines", "is_freight_carrier": True, "freight_scac": "OTHR"})
        theirs = self.make_shipment(pro_number="PRO-900", carrier_id=other_carrier.id)
        invoice = self.audited("REF-900", {"reference": "PRO-900"})
        self.assertFalse(invoice.line_ids.shipment_id)
        self.assertEqual(self.open_types(invoice), {"unknown_shipment"})
        self.assertIn(f"names {theirs.name}, not a shipment of this carrier",
                      invoice.exception_ids.mapped("description")[0])
        [error] = self.env["freight.shipment"]._resolve_references(
            [{"reference": "PRO-900"}], self.carrier)
        self.assertIn("no shipment matches", error)

    def test_a_line_naming_a_shipment_later_given_that_reference(self):
        unknown = self.audited("REF-NEW", {"reference": "BK 42"})
        self.assertEqual(self.open_types(unknown), {"unknown_shipment"})
        later = self.like_the_shipment("PRO-4242")
        later.carrier_ref = "BK-42"
        self.assertEqual(unknown.reaudit_evidence, REFERENCE)
        self.env["freight.audit.evidence"]._cron_reaudit()
        self.assertEqual(unknown.line_ids.shipment_id, later)
        self.assertNotIn("unknown_shipment", self.open_types(unknown))

    def test_a_clerks_csv_maps_the_reference_and_the_correction_columns(self):
        self.audited("CSV-1", {"pro_number": "PRO-100"})
        text = ("Invoice,Date,Shipment Reference,Correction,Corrects,Amount\n"
                "CSV-1B,2024-07-12,LOAD 100,BD,CSV-1,40.00\n")
        wizard = self.env["freight.invoice.import"].new({
            "file": base64.b64encode(text.encode()), "carrier_id": self.carrier.id})
        wizard._onchange_file()
        self.assertEqual((wizard.column_reference, wizard.column_correction,
                          wizard.column_corrects),
                         ("Shipment Reference", "Correction", "Corrects"))
        wizard = self.env["freight.invoice.import"].create(wizard._convert_to_write(
            {name: wizard[name] for name in wizard._fields if name not in ("id", "preview")
             and wizard._fields[name].store}))
        invoice = self.env["freight.invoice"].search(wizard.action_import()["domain"])
        self.assertEqual((invoice.correction, invoice.corrects_id.name),
                         ("BD", "CSV-1"))
        # LOAD 100 is the twin's PRO before it is this shipment's load number
        self.assertEqual(invoice.line_ids.shipment_id, self.twin)
