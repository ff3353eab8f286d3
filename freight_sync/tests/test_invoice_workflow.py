from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .invoice_common import InvoiceCase


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceWorkflow(InvoiceCase):
    def test_staging_is_idempotent_and_normalizes_references(self):
        invoice = self.stage(self.canonical())
        self.assertEqual((invoice.name, invoice.carrier_id, invoice.currency_id, invoice.state),
                         ("INV-1", self.carrier, self.usd, "received"))
        self.assertEqual(invoice.line_ids.mapped("pro_number"), ["PRO100", "PRO100"])
        self.assertEqual(invoice.line_ids.mapped("charge_code_id.code"), ["400", "405"])
        again, errors = self.env["freight.invoice"]._stage(
            [self.canonical()], self.env.company, self.carrier)
        self.assertFalse(again or errors)
        corrected = self.stage(self.canonical(correction="CO"))
        self.assertEqual(corrected.correction, "CO")

    def test_unknown_currency_is_an_error_not_a_guess(self):
        bad = dict(self.canonical(), currency="XXX")
        staged, errors = self.env["freight.invoice"]._stage([bad], self.env.company, self.carrier)
        self.assertFalse(staged)
        self.assertIn("unknown currency XXX", errors[0])

    def test_approved_invoice_becomes_one_bill_per_charge_code(self):
        invoice = self.stage(self.canonical(lines=[
            {"line_no": 1, "references": {"pro_number": "PRO100"}, "charge_code": "400",
             "amount": 400.0},
            {"line_no": 2, "references": {"pro_number": "PRO100"}, "charge_code": "400",
             "amount": 100.0},
            {"line_no": 3, "references": {"pro_number": "PRO100"}, "charge_code": "LFT",
             "amount": 75.0},
        ]))
        invoice._set_outcome({"state": "audited"})
        invoice.action_approve()
        bill = invoice.move_id
        self.assertEqual((bill.move_type, bill.ref, bill.partner_id, bill.freight_invoice_id),
                         ("in_invoice", "INV-1", self.carrier, invoice))
        self.assertEqual(sorted(bill.invoice_line_ids.mapped("price_unit")), [75.0, 500.0])
        self.assertEqual(bill.amount_total, 575.0)
        self.assertEqual(bill.state, "draft", "auto-post is off by default")
        invoice.action_post()
        self.assertEqual(self.env["account.move"].search_count(
            [("freight_invoice_id", "=", invoice.id)]), 1)

    def test_auto_post(self):
        self.env.company.freight_auto_post = True
        invoice = self.stage(self.canonical())
        invoice._set_outcome({"state": "audited"})
        invoice.action_approve()
        self.assertEqual((invoice.state, invoice.move_id.state), ("posted", "posted"))

    def _in_exception(self, variance):
        self.counter = getattr(self, "counter", 0) + 1
        invoice = self.stage(self.canonical(number=f"EXC-{self.counter}"))
        first, second = invoice.line_ids._with_guarded_rights()[:2]
        first.expected, second.expected = 500.0 - variance, 60.0
        invoice._set_outcome({"state": "exception", "expected_total": 560.0 - variance})
        case = self.env["freight.exception"].create({
            "name": "Over-billed", "exception_type": "rate_variance", "invoice_id": invoice.id,
            "amount_at_stake": variance})
        return invoice, case

    def resolve(self, invoice, resolution, user=None):
        wizard = self.env["freight.invoice.resolve"].with_user(user or self.env.user).create(
            {"invoice_id": invoice.id, "resolution": resolution, "reason": "Checked the BOL"})
        return wizard.action_confirm()

    def test_short_pay_bills_expected_and_keeps_the_dispute_open(self):
        invoice, case = self._in_exception(40.0)
        self.resolve(invoice, "short_pay")
        self.assertEqual(invoice.move_id.amount_total, 520.0)
        self.assertEqual(case.stage_id, self.env.ref("freight_sync.exception_stage_waiting"))
        self.assertIn("Short-pay", invoice.message_ids[0].body)

    def test_override_above_threshold_needs_a_manager(self):
        self.env.company.freight_override_threshold = 30.0
        clerk = new_test_user(self.env, login="clerk_t", groups=(
            "freight_sync.group_freight_billing,account.group_account_invoice"))
        manager = new_test_user(self.env, login="manager_t", groups=(
            "freight_sync.group_freight_manager,account.group_account_invoice"))
        invoice, case = self._in_exception(40.0)
        with self.assertRaisesRegex(AccessError, "only a Freight Manager"):
            self.resolve(invoice, "override", clerk)
        self.assertFalse(invoice.move_id)
        self.resolve(invoice, "override", manager)
        self.assertEqual(invoice.move_id.amount_total, 560.0)
        self.assertEqual(case.stage_id, self.env.ref("freight_sync.exception_stage_resolved"))
        small, _case = self._in_exception(10.0)
        self.resolve(small, "override", clerk)
        self.assertTrue(small.move_id)

    def test_reject_and_rebill(self):
        rejected, case = self._in_exception(40.0)
        self.resolve(rejected, "reject")
        self.assertEqual((rejected.state, rejected.move_id.id), ("rejected", False))
        self.assertTrue(case.is_closed)
        rebill, case = self._in_exception(40.0)
        self.resolve(rebill, "rebill")
        self.assertEqual(rebill.state, "rejected")
        self.assertEqual(case.stage_id, self.env.ref("freight_sync.exception_stage_waiting"))


@tagged("freight_sync", "post_install", "-at_install")
class TestDemoInvoices(TransactionCase):
    def test_demo_data_holds_the_nineteen_audited_invoices(self):
        """The README and the e2e tests name them: BR-90101..BR-90119 as staged and audited
        by demo/invoices.py when the module is installed with demo data."""
        if not self.env.ref("freight_sync.carrier_blue_ridge", raise_if_not_found=False):
            self.skipTest("installed without demo data")
        invoices = self.env["freight.invoice"].search([("name", "=like", "BR-901%")],
                                                      order="name")
        self.assertEqual(invoices.mapped("name"), [f"BR-{n}" for n in range(90101, 90120)])
        self.assertEqual(invoices.mapped("state"),
                         ["approved"] * 6 + ["audited"] * 8 + ["exception"] * 5)
        history = invoices[:6]
        self.assertTrue(all(history.mapped("approved_by_rule")))
        self.assertTrue(all(invoice.move_id for invoice in history))
        self.assertFalse(any((invoices - history).mapped("approved_by_rule")))
        self.assertTrue(all(invoice.exception_ids for invoice in invoices[14:]))
