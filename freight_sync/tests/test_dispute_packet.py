import base64
import io
import os
import shutil
import subprocess
import tempfile

from PIL import Image

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .invoice_common import ContractCase

REPORT = "freight_sync.action_report_dispute_packet"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts")
POD_NAME = "pod-PRO100-signed.png"
SECTIONS = ("Disputed invoice", "Billed vs expected", "How each line was checked",
            "Contract terms applied", "Shipment milestones", "Proof of delivery")


def pod_png():
    """A small receipt-like picture: white page, a dark band where the signature goes."""
    image = Image.new("RGB", (240, 120), "white")
    for x in range(20, 220):
        for y in range(80, 90):
            image.putpixel((x, y), (20, 20, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@tagged("freight_sync", "post_install", "-at_install")
class TestDisputePacket(ContractCase, HttpCase):
    """The dispute packet as the carrier receives it: a PDF rendered by wkhtmltopdf (an
    HttpCase, so wkhtmltopdf can load the report's styles from this server), read back
    with poppler's tools."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.freight_auto_approve = False
        cls.clerk = new_test_user(
            cls.env, login="pk_clerk", tz="America/Chicago",
            groups="base.group_user,freight_sync.group_freight_billing,"
                   "account.group_account_invoice")
        cls.dispatcher = new_test_user(
            cls.env, login="pk_dispatcher",
            groups="base.group_user,freight_sync.group_freight_user")
        cls.shipment.write({"bol_number": "BOL-7781"})
        for milestone in cls.shipment.milestone_ids:
            milestone.location = {"picked_up": "Nashville TN", "delivered": "Chicago IL"}[
                milestone.code]
        cls.add(cls.shipment, "pod_received", 8, location="Chicago IL, dock 4", raw_code="D1",
                note="signed by J. Smith")
        cls.pod = cls.env["ir.attachment"].create({
            "name": POD_NAME, "datas": base64.b64encode(pod_png()), "mimetype": "image/png",
            "res_model": "freight.shipment", "res_id": cls.shipment.id})
        cls.shipment.pod_attachment_ids = cls.pod
        lines = [
            {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
             "amount": 530.0, "description": "Linehaul Nashville to Chicago"},
            {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
             "amount": 120.0, "description": "Fuel surcharge"},
            {"line_no": 3, "references": {"pro_number": "PRO-100"}, "charge_code": "LFT",
             "amount": 85.0, "description": "Lift gate at delivery"},
            # not in the contract's tariff: nothing prices it
            {"line_no": 4, "references": {"pro_number": "PRO-100"}, "charge_code": "RES",
             "amount": 75.0, "description": "Residential delivery"},
        ]
        cls.invoice, errors = cls.env["freight.invoice"]._stage(
            [cls.canonical("PK-DISPUTE-1", lines)], cls.env.company, cls.carrier)
        assert not errors, errors
        cls.invoice._audit()
        cls.invoice.with_user(cls.clerk)._dispute("rate", "linehaul and fuel above contract")
        cls.case = cls.invoice.exception_ids.filtered(
            lambda case: case.exception_type == "rate_variance")[:1]

    def render(self, user=None, case=None):
        report = self.env["ir.actions.report"].with_user(user or self.clerk)
        return report.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, (case or self.case).ids)

    def tool(self, name):
        if not shutil.which(name):
            self.skipTest(f"{name} is not installed (apt-get install poppler-utils)")
        return name

    def test_audit_as_the_packet_tells_it(self):
        self.assertEqual(self.invoice.state, "disputed")
        # the unpriced line's 75.00 is over by what nobody can say: in the variance
        self.assertEqual((self.invoice.amount_total, self.invoice.expected_total,
                          self.invoice.variance_total), (810.0, 685.0, 125.0))
        self.assertTrue(self.case)

    def test_values_are_plain_data_from_the_workbench(self):
        values = self.env["report.freight_sync.report_dispute_packet"].with_user(
            self.clerk)._get_report_values(self.case.ids)
        packet = values["packets"][self.case.id]
        self.assertEqual(packet["amount_disputed"], 125.0)
        self.assertEqual(packet["reason_words"], "Rate not as contracted")
        by_code = {line["charge_code"]: line for line in packet["lines"]}
        self.assertEqual(by_code["400"]["terms"]["lane"]["rate"], 0.5)
        self.assertEqual(by_code["405"]["terms"]["fuel"], "20.0 % of the linehaul")
        self.assertEqual(by_code["LFT"]["terms"]["tariff"]["amount"], 85.0)
        self.assertEqual((by_code["RES"]["expected"], by_code["RES"]["terms"]), (None, None))
        shipment = packet["shipments"][0]
        self.assertEqual([pod["name"] for pod in shipment["pods"]], [POD_NAME])
        self.assertIn("(America/Chicago)", shipment["milestones"][-1]["when"])
        self.assertIn("Please send a rebill (RB)", packet["closing"])
        self.assertIn("by the agreed term.", packet["closing"])
        self.case.sudo()._with_guarded_rights().dispute_deadline = "2024-08-01 17:00:00"
        packet = self.env["report.freight_sync.report_dispute_packet"].with_user(
            self.clerk)._get_report_values(self.case.ids)["packets"][self.case.id]
        self.assertIn("by 2024-08-01 12:00 CDT (America/Chicago).", packet["closing"])

    def test_pdf_shows_every_section_the_numbers_and_the_pod(self):
        pdf, kind = self.render()
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.tool("pdftotext")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "packet.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            text = subprocess.run([self.tool("pdftotext"), "-layout", path, "-"],
                                  capture_output=True, check=True, text=True).stdout
            images = subprocess.run([self.tool("pdfimages"), "-list", path],
                                    capture_output=True, check=True, text=True).stdout
            os.makedirs(ARTIFACTS, exist_ok=True)
            subprocess.run([self.tool("pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1", path,
                            os.path.join(ARTIFACTS, "dispute_packet")],
                           capture_output=True, check=True)
        text = " ".join(text.split())  # a table cell or a long sentence wraps its words
        for title in SECTIONS:
            self.assertIn(title, text)
        for words in ("PK-DISPUTE-1", "Test Carrier", "PRO100", "BOL7781", "810.00", "685.00",
                      "AMOUNT DISPUTED", "125.00", "not priced",
                      "No contract line priced this charge", "Rate not as contracted", "Test LTL",
                      "0.5", "150.00", "20.0 % of the linehaul", "LFT", "Chicago IL, dock 4",
                      "D1", "America/Chicago", POD_NAME, "Please send a rebill (RB)",
                      "quoting invoice PK-DISPUTE-1"):
            self.assertIn(words, text)
        # the POD picture is in the PDF (pdfimages lists a header line, a rule, then images)
        self.assertGreaterEqual(len(images.strip().splitlines()) - 2, 1, images)

    def test_without_pod_the_packet_says_so_with_the_delivery_time(self):
        self.shipment.pod_attachment_ids = False
        values = self.env["report.freight_sync.report_dispute_packet"].with_user(
            self.clerk)._get_report_values(self.case.ids)
        shipment = values["packets"][self.case.id]["shipments"][0]
        self.assertFalse(shipment["pods"])
        self.assertIn("America/Chicago", shipment["pod_time"])
        html = self.env["ir.actions.report"].with_user(self.clerk)._render_qweb_html(
            REPORT, self.case.ids)[0].decode()
        self.assertIn("No proof of delivery document on file", html)

    def test_render_packet_gives_the_file_and_the_pods(self):
        pdf, filename, pods = self.env["report.freight_sync.report_dispute_packet"].with_user(
            self.clerk).with_context(force_report_rendering=True)._render_packet(self.case)
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(filename, "Dispute - PK-DISPUTE-1.pdf")
        self.assertEqual(pods, self.pod)

    def test_a_dispatcher_cannot_print_it(self):
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.dispatcher)._render_qweb_html(
                REPORT, self.case.ids)

    def test_another_company_case_is_not_rendered(self):
        other = self.env["res.company"].create({"name": "Other freight co"})
        self.case.sudo().write({"company_id": other.id, "shipment_id": False})
        self.assertNotIn(other, self.clerk.company_ids)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.clerk)._render_qweb_html(
                REPORT, self.case.ids)
