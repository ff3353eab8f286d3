"""LTL invoices through the real audit: the trace a clerk reads, a reweigh settled by the
certificate a clerk attaches, a reclass settled by a dispatcher's correction, and a new
tariff revision named on the re-audit (or not used, when the lane is pinned).

Tariff (rates per cwt, lane 372 → 606): class 70 120.00 at 1M, class 100 170.00 at 1M; the
contract takes 50 % off, has a 95.00 minimum and maps classes 77.5-85 to 70; fuel 20 %.
The shipment: 1,240 lb of class 85 → 12.40 cwt × 120.00 = 1,488.00 → 744.00.
"""

import base64

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.freight_shipment_item import PATH_KEY, ItemPath
from ..services.expected_cost import LB_PER_KG
from .common import role_users
from .invoice_common import InvoiceCase

TARIFF = """origin,destination,class,L5C,M5C,1M,2M
372,606,70,180.00,142.10,120.00,101.20
372,606,100,240.00,200.00,170.00,140.00
"""


@tagged("freight_sync", "post_install", "-at_install")
class TestLtlAudit(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = role_users(cls.env, "ltl_audit")
        cls.clerk, cls.dispatcher, cls.manager = (users["clerk"], users["dispatcher"],
                                                  users["manager"])
        # a clean invoice stays audited: what the audit decided is what the tests read
        cls.env.company.freight_auto_approve = False
        us = cls.env.ref("base.us")
        cls.shipment.write({
            "mode": "ltl", "weight": 1240 / LB_PER_KG,
            "origin_partner_id": cls.env["res.partner"].create(
                {"name": "Nashville DC", "country_id": us.id, "zip": "37201"}).id,
            "destination_partner_id": cls.env["res.partner"].create(
                {"name": "Chicago store", "country_id": us.id, "zip": "60601"}).id,
        })
        cls.env["freight.shipment.item"].with_context(
            **{PATH_KEY: ItemPath("correction", "test")}).create({
                "shipment_id": cls.shipment.id, "freight_class": "85",
                "weight_kg": 1240 / LB_PER_KG, "pieces": 2, "description": "Machine parts"})
        cls.add(cls.shipment, "picked_up", 40)
        cls.add(cls.shipment, "delivered", 10)
        cls.tariff = cls.import_tariff(TARIFF, new_tariff_name="T")
        cls.contract = cls.env["freight.rate.contract"].create({
            "name": "LTL", "carrier_id": cls.carrier.id, "currency_id": cls.usd.id,
            "date_start": "2024-01-01", "fuel_percent": 20.0,
            "line_ids": [Command.create({
                "origin_country_id": us.id, "destination_country_id": us.id, "mode": "ltl",
                "basis": "ltl_tariff", "rate": 0.0, "ltl_tariff_id": cls.tariff.id,
                "ltl_discount": 50.0, "ltl_minimum": 95.0, "ltl_deficit_weight": True,
                "ltl_fak_ids": [Command.create({"class_from": "77.5", "class_to": "85",
                                                "rated_class": "70"})]})],
        })

    @classmethod
    def import_tariff(cls, text, **values):
        wizard = cls.env(user=cls.manager)["freight.ltl.tariff.import"].create({
            "file": base64.b64encode(text.encode()), "filename": "t.csv",
            "valid_from": "2024-01-01", **values})
        return cls.env["freight.ltl.tariff"].browse(wizard.action_import()["res_id"])

    def audit(self, amount, **billed):
        line = {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
                "quantity": 1, "rate": amount, "amount": amount, **billed}
        invoice = self.stage(self.canonical(lines=[line]))
        invoice._audit()
        return invoice

    def reaudit(self, invoice):
        self.assertTrue(invoice.reaudit_evidence, "no evidence marked the invoice")
        self.env["freight.audit.evidence"]._cron_reaudit()
        invoice.invalidate_recordset()

    def test_the_trace_a_clerk_reads(self):
        invoice = self.audit(744.00)
        self.assertEqual(invoice.state, "audited")
        line = invoice.line_ids
        self.assertEqual((line.expected, line.tariff_revision), (744.00, "T rev 1"))
        self.assertIn("T rev 1 lane 372→606, class 85 → FAK 70, 1,240 lb → 1M break, base "
                      "120.00/cwt × 12.40 cwt = 1,488.00 − 50 % discount → 744.00, minimum "
                      "95.00", line.trace)
        # the workbench's contract panel says what the lane adds to the tariff
        [lane] = self.env["freight.workbench"]._contract(invoice)["lanes"]
        self.assertEqual((lane["basis"], lane["terms"], lane["minimum"]),
                         ("LTL base tariff", "T, 50 % off, FAK 77.5–85 → 70, deficit weight",
                          95.0))

    def test_a_reweigh_waits_for_its_certificate(self):
        invoice = self.audit(900.00, billed_weight_kg=1500 / LB_PER_KG)
        self.assertEqual(invoice.state, "exception")
        case = invoice.exception_ids
        self.assertEqual((case.exception_type, case.amount_at_stake), ("reweigh", 156.00))
        self.assertIn("reweigh 1,240 → 1,500 lb without an inspection certificate", case.name)
        as_clerk = invoice.with_user(self.clerk)
        with self.assertRaises(ValidationError):
            as_clerk.certificate_ids = [Command.create({
                "name": "notes.txt", "raw": b"not a certificate", "mimetype": "text/plain"})]
        as_clerk.certificate_ids = [Command.create({
            "name": "WI-778.pdf", "raw": b"%PDF-1.4 inspection", "mimetype": "application/pdf",
            "res_model": "freight.invoice", "res_id": invoice.id})]
        self.assertEqual(invoice.reaudit_evidence, "certificate")
        self.reaudit(invoice)
        self.assertEqual(invoice.state, "audited")
        self.assertEqual(invoice.line_ids.expected, 900.00)
        self.assertIn("inspection certificate WI-778.pdf: rated with the carrier's figures",
                      invoice.line_ids.trace)

    def test_a_dispatchers_correction_settles_a_reclass(self):
        invoice = self.audit(1054.00, billed_class="100")
        self.assertEqual(invoice.exception_ids.exception_type, "reclass")
        item = self.shipment.item_ids
        self.env["freight.shipment.item"].with_user(self.dispatcher)._correct(
            self.shipment.with_user(self.dispatcher),
            [{"item_id": item.id, "freight_class": "100", "weight_kg": item.weight_kg,
              "pieces": 2, "nmfc_item": False}],
            "Carrier's inspection: density puts it in class 100")
        self.reaudit(invoice)
        self.assertEqual(invoice.state, "audited")
        self.assertEqual(invoice.line_ids.expected, 1054.00)

    def test_a_new_revision_is_named_on_the_reaudit(self):
        invoice = self.audit(818.40)  # what 10 % dearer rates would give
        self.assertEqual(invoice.state, "exception")
        self.import_tariff(TARIFF.replace("120.00", "132.00"), tariff_id=self.tariff.id)
        self.reaudit(invoice)
        line = invoice.line_ids
        self.assertEqual((invoice.state, line.expected, line.tariff_revision),
                         ("audited", 818.40, "T rev 2"))
        self.assertIn("Tariff: rated with T rev 2; the last audit rated with T rev 1", line.trace)
        self.assertTrue(any("T rev 2 (the last audit: T rev 1)" in message.body
                            for message in invoice.message_ids))

    def test_a_pinned_lane_keeps_its_revision(self):
        first = self.tariff.revision_ids
        self.contract.line_ids.ltl_revision_id = first
        invoice = self.audit(818.40)
        self.import_tariff(TARIFF.replace("120.00", "132.00"), tariff_id=self.tariff.id)
        self.reaudit(invoice)
        self.assertEqual((invoice.state, invoice.line_ids.tariff_revision),
                         ("exception", "T rev 1"))
