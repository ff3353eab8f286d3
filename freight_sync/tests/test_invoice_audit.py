from odoo.tests import tagged

from .invoice_common import ContractCase


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceAuditFlow(ContractCase):
    def audited(self, *invoices):
        staged = self.stage(*invoices)
        staged._audit()
        return staged

    def test_clean_invoice_becomes_a_bill_with_its_trace(self):
        invoice = self.audited(self.canonical(lines=[
            {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
             "amount": 505.0},
            {"line_no": 2, "references": {"load_ref": "LOAD-100"}, "charge_code": "405",
             "amount": 100.0},
            {"line_no": 3, "references": {"pro_number": "PRO100"}, "charge_code": "LFT",
             "amount": 85.0},
        ]))
        self.assertEqual(invoice.state, "approved")
        self.assertEqual(invoice.move_id.amount_total, 690.0)
        self.assertEqual(invoice.expected_total, 685.0)
        self.assertEqual(invoice.line_ids.shipment_id, self.shipment)
        linehaul = invoice.line_ids[0]
        self.assertEqual((linehaul.expected, linehaul.variance, linehaul.decision,
                          linehaul.tolerance_layer), (500.0, 5.0, "ok", "company"))
        self.assertIn("1,000.0 kg × 0.5 = 500.00", linehaul.trace)
        self.assertFalse(invoice.exception_ids)

    def test_over_billing_opens_a_case_per_finding(self):
        invoice = self.audited(self.canonical(number="OVER", lines=[
            {"line_no": 1, "references": {"pro_number": "PRO100"}, "charge_code": "400",
             "amount": 600.0},
            {"line_no": 2, "references": {"pro_number": "PRO100"}, "charge_code": "HAZ",
             "amount": 40.0},
        ]))
        self.assertEqual(invoice.state, "exception")
        self.assertFalse(invoice.move_id)
        cases = invoice.exception_ids.sorted("amount_at_stake")
        self.assertEqual(cases.mapped("exception_type"),
                         ["unapproved_accessorial", "rate_variance"])
        self.assertEqual(cases.mapped("amount_at_stake"), [40.0, 100.0])
        self.assertEqual(cases.mapped("category"), ["billing", "billing"])
        self.assertEqual(cases[1].shipment_id, self.shipment)
        self.assertIn("over by 100.00", invoice.audit_summary)
        self.assertTrue(invoice.audit_summary.startswith("Billed "), invoice.audit_summary)
        self.assertIn("on 2 lines; 2 findings.", invoice.audit_summary)

    def test_pod_gate_and_duplicate_number_across_audits(self):
        first = self.audited(self.canonical(number="DUP"))
        self.assertEqual(first.state, "approved")
        again = self.stage(dict(self.canonical(number="DUP"), external_id="json:DUP:again"))
        self.assertFalse(again, "the same number is the same invoice, received once")
        self.assertEqual(first.exception_ids.mapped("exception_type"), ["duplicate_invoice"])
        self.shipment.milestone_ids.filtered(lambda m: m.code == "delivered").unlink()
        gated = self.audited(self.canonical(number="NOPOD", lines=[
            {"line_no": 1, "references": {"pro_number": "PRO100"}, "charge_code": "LFT",
             "amount": 85.0}]))
        self.assertEqual(gated.exception_ids.exception_type, "missing_pod")

    def test_cancel_invoice_cancels_the_unpaid_original(self):
        self.env.company.freight_auto_approve = False
        original = self.audited(self.canonical(number="C1"))
        self.assertEqual(original.state, "audited")
        cancel = self.audited(self.canonical(number="C1", correction="CA"))
        self.assertEqual((cancel.state, original.state), ("cancelled", "cancelled"))

    def _audit_queries(self, count, prefix):
        staged = self.stage(*[self.canonical(number=f"{prefix}{i}") for i in range(count)])
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        staged._audit()
        self.env.flush_all()
        return staged, self.cr.sql_log_count - before

    def test_audit_queries_do_not_grow_with_the_batch(self):
        self.env.company.freight_auto_approve = False
        few, few_queries = self._audit_queries(5, "F")
        many, many_queries = self._audit_queries(30, "M")
        # later invoices bill the same shipment's charges again: duplicates, as they should
        self.assertEqual(few[0].state, "audited")
        self.assertEqual(set(many.mapped("state")), {"exception"})
        # per invoice: one state/summary write and, here, one case: far below a query per line
        self.assertLess(many_queries, few_queries + 25 * 4, (few_queries, many_queries))

    def test_settings_preview_follows_the_tolerance(self):
        self.env.company.freight_auto_approve = False
        # the demo invoices were audited at install: out of the look-back window with them
        self.env["freight.invoice"].search([])._set_outcome({"audited_at": "2000-01-01 00:00:00"})
        self.audited(self.canonical(number="W1", lines=[
            {"line_no": 1, "references": {"pro_number": "PRO100"}, "charge_code": "400",
             "amount": 530.0}]))
        settings = self.env["res.config.settings"].create({})
        self.assertIn("0 of the last 1 invoices", settings.freight_whatif_summary)
        settings.freight_tolerance_percent = 10.0
        settings.freight_tolerance_amount = 50.0
        self.assertIn("1 of the last 1 invoices", settings.freight_whatif_summary)
        self.assertIn("over-billing accepted: $\xa030.00", settings.freight_whatif_summary)
