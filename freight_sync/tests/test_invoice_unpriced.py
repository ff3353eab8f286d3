"""Unknown expected amounts, the short-pay amount, the weight finding and the cumulative
cap, through the real audit, wizard, workbench and bills."""

from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..services.workbench import parse_queue
from . import test_workbench
from .common import load_migration
from .invoice_common import ContractCase


def charge(code, amount, pro="PRO-100", line_no=1, **extra):
    return {"line_no": line_no, "references": {"pro_number": pro}, "charge_code": code,
            "quantity": 1, "amount": amount, **extra}


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceUnpriced(ContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.freight_cumulative_cap = 50.0

    def audited(self, number, *lines, correction="original"):
        invoice = self.stage(self.canonical(number=number, lines=list(lines),
                                            correction=correction))
        invoice._audit()
        return invoice

    def resolve(self, invoice, resolution, **values):
        return self.env["freight.invoice.resolve"].create({
            "invoice_id": invoice.id, "resolution": resolution, "reason": "Checked the BOL",
            **values})

    def test_unmatched_line_is_unknown_and_sorted_first_for_attention(self):
        unknown = self.audited("UNK-1", charge("400", 500.0),
                               charge("400", 75.0, pro="NOPE", line_no=2))
        priced, unmatched = unknown.line_ids
        self.assertEqual((priced.decision, priced.expected), ("ok", 500.0))
        self.assertEqual(unmatched.decision, "unmatched")
        self.env.cr.execute("SELECT expected, variance FROM freight_invoice_line WHERE id = %s",
                            [unmatched.id])
        self.assertEqual(self.env.cr.fetchone(), (None, None), "unknown is NULL, not 0.00")
        self.assertEqual((unknown.expected_total, unknown.variance_total,
                          unknown.unpriced_line_count, unknown.state),
                         (500.0, 75.0, 1, "exception"))
        self.assertIn("against 500.00 expected", unknown.audit_summary)
        # a priced invoice with a larger variance still comes after the unknown one
        self.like_the_shipment("PRO-BIG")
        larger = self.audited("BIG-1", charge("400", 700.0, pro="PRO-BIG"))
        self.assertEqual((larger.variance_total, larger.unpriced_line_count), (200.0, 0))
        page = self.env["freight.workbench"]._queue(parse_queue(
            {"sort": "variance desc", "filters": {"state": ["exception"]}}))
        ids = [row["id"] for row in page["rows"]]
        self.assertLess(ids.index(unknown.id), ids.index(larger.id))
        self.assertEqual(next(r for r in page["rows"] if r["id"] == unknown.id)[
            "unpriced_lines"], 1)
        line = self.env["freight.workbench"]._detail(unknown)["lines"][1]
        self.assertEqual((line["expected"], line["variance"]), (None, None))
        self.assertIn("no shipment to check it against", line["explanation"])

    def test_dashboard_never_counts_an_unpriced_invoice_as_accurate(self):
        # billed as "expected" and no case: only its unknown line says it was not checked
        values = {"carrier_id": self.carrier.id, "currency_id": self.usd.id,
                  "date": date(2024, 7, 1), "amount_total": 90.0, "expected_total": 90.0,
                  "state": "approved", "audited_at": datetime(2024, 7, 2, 10)}
        Invoice = self.env["freight.invoice"]._with_guarded_rights()
        checked = Invoice.create(dict(values, name="ACC-1"))
        unpriced = Invoice.create(dict(values, name="ACC-2", unpriced_line_count=1))
        self.env.flush_all()  # as the dashboard's _figures does before its SQL
        chart = self.env["freight.dashboard"]._carrier_chart(
            date(2024, 7, 1), date(2024, 7, 14), self.carrier.id)
        accuracy = chart["series"][1]
        self.assertEqual(accuracy["values"], [50.0])
        self.assertEqual(Invoice.search(accuracy["drills"][0]["domain"]), checked)
        self.assertNotIn(unpriced, Invoice.search(accuracy["drills"][0]["domain"]))

    def test_short_pay_bills_the_amount_given(self):
        invoice = self.audited("SP-1", charge("400", 600.0),
                               charge("HAZ", 40.0, line_no=2))  # HAZ: not in the tariff
        self.assertEqual((invoice.expected_total, invoice.unpriced_line_count), (500.0, 1))
        self.assertEqual(invoice.line_ids[1].decision, "unpriced")
        wizard = self.resolve(invoice, "short_pay")
        self.assertEqual(wizard.amount, 500.0, "proposed: the priced lines' expected total")
        wizard.amount = 520.0
        wizard.action_confirm()
        self.assertEqual((invoice.state, invoice.move_id.amount_total,
                          invoice.amount_approved), ("approved", 520.0, 520.0))
        self.assertEqual(invoice.line_ids.mapped("approved_amount"), [500.0, 20.0])
        self.assertTrue(invoice.billed_on_expected)

    def test_short_pay_refuses_nothing_and_more_than_billed(self):
        invoice = self.audited("SP-0", charge("400", 90.0, pro="NOPE"))
        self.assertEqual((invoice.expected_total, invoice.unpriced_line_count), (0.0, 1))
        with self.assertRaises(UserError) as refused:
            self.resolve(invoice, "short_pay").action_confirm()
        self.assertIn("more than 0.00", str(refused.exception))
        with self.assertRaises(UserError) as refused:
            self.resolve(invoice, "short_pay", amount=95.0).action_confirm()
        self.assertIn("more than the 90.00 billed", str(refused.exception))
        self.assertEqual(invoice.state, "exception")
        # the model refuses it whoever calls: no 0.00 bill through the back door
        invoice._set_outcome({"state": "approved"})
        with self.assertRaises(UserError) as refused:
            invoice._post_bills(use_expected=True)
        self.assertIn("more than 0.00", str(refused.exception))
        self.assertFalse(self.env["account.move"].search(
            [("freight_invoice_id", "=", invoice.id)]))

    def test_weight_variance_is_one_case_and_money_is_at_stake_once(self):
        # 60 over on the linehaul, every line billed on 1,200 kg (the shipment: 1,000 kg)
        invoice = self.audited("WGT-1", charge("400", 560.0, billed_weight_kg=1200.0),
                               charge("405", 100.0, line_no=2, billed_weight_kg=1200.0))
        cases = invoice.exception_ids
        self.assertEqual(sorted(cases.mapped("exception_type")),
                         ["rate_variance", "weight_variance"])
        weight = cases.filtered(lambda c: c.exception_type == "weight_variance")
        for words in ("1,200.0 kg", "1,000.0 kg", "+20.0 %"):
            self.assertIn(words, weight.description)
        positive = sum(max(line.variance, 0.0) for line in invoice.line_ids)
        self.assertEqual(positive, 60.0)
        self.assertEqual(sum(cases.mapped("amount_at_stake")), 60.0)

    def wide_linehaul_band(self):
        """Each balance due within the linehaul's own band (+200.00), so that what stops
        the money is the shipment's cap."""
        self.env["freight.charge.code"].search([("code", "=", "400")]).write({
            "freight_tolerance_set": True, "freight_tolerance_percent": 20.0,
            "freight_tolerance_amount": 200.0, "freight_tolerance_combine": "greater"})

    def test_cumulative_cap_counts_an_under_billed_approval(self):
        self.wide_linehaul_band()
        first = self.audited("CAP-1", charge("400", 480.0), charge("405", 100.0, line_no=2))
        self.assertEqual((first.state, first.line_ids[0].decision), ("approved", "under"))
        self.assertEqual(first.line_ids.mapped("approved_amount"), [480.0, 100.0])
        balance = self.audited("CAP-2", charge("400", 100.0), correction="BD")
        self.assertEqual(balance.state, "exception")
        case = balance.exception_ids
        self.assertEqual((case.exception_type, case.amount_at_stake), ("rate_variance", 30.0))
        self.assertIn("approved before 580.00 + this invoice 100.00 = 680.00 against expected "
                      "600.00 + cap 50.00 = 650.00", balance.line_ids.trace)

    def test_cumulative_cap_counts_what_a_short_pay_paid(self):
        over = self.audited("CAP-SP", charge("400", 600.0))
        self.resolve(over, "short_pay").action_confirm()
        self.assertEqual(over.amount_approved, 500.0)
        self.wide_linehaul_band()
        within = self.audited("CAP-BD1", charge("400", 40.0), correction="BD")
        self.assertEqual(within.state, "approved", within.audit_summary)
        self.assertIn("approved before 500.00", within.line_ids.trace)
        beyond = self.audited("CAP-BD2", charge("400", 20.0), correction="BD")
        self.assertEqual((beyond.state, beyond.exception_ids.amount_at_stake),
                         ("exception", 10.0))


@tagged("freight_sync", "post_install", "-at_install")
class TestShortPayRoute(ContractCase, HttpCase):
    """The workbench's short-pay over real HTTP: the amount is asked, checked and billed."""

    # the workbench tests' JSON-RPC helpers (the class itself is not imported: it would run
    # its tests a second time from this module)
    rpc = test_workbench.TestWorkbenchRoutes.rpc
    call = test_workbench.TestWorkbenchRoutes.call
    error = test_workbench.TestWorkbenchRoutes.error

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, login="sp_clerk", password="sp_clerk-pass-123",
                      groups="base.group_user,freight_sync.group_freight_billing,"
                             "account.group_account_invoice")
        cls.invoice = cls.env["freight.invoice"]._stage([cls.canonical("SP-HTTP", [
            charge("400", 600.0), charge("HAZ", 40.0, line_no=2)])], cls.env.company,
            cls.carrier)[0]
        cls.invoice._audit()

    def test_short_pay_amount_is_checked_and_billed(self):
        route = f"/invoices/{self.invoice.id}/act"
        ask = {"action": "short_pay", "reason": "contract rate, HAZ half"}
        self.assertIn("more than 0.00", self.error("sp_clerk", route, dict(ask, amount=0)))
        self.assertIn("more than the 640.00 billed",
                      self.error("sp_clerk", route, dict(ask, amount=700)))
        self.assertFalse(self.invoice.move_id)
        detail = self.call("sp_clerk", route, dict(ask, amount=520))
        self.assertEqual((detail["state"], self.invoice.move_id.amount_total),
                         ("approved", 520.0))


@tagged("freight_sync", "post_install", "-at_install")
class TestApprovedAmountsMigration(ContractCase):
    def test_invoices_billed_before_the_upgrade_get_their_approved_amounts(self):
        migration = load_migration("17.0.1.1.0", "post-migration")
        billed = self.stage(self.canonical(number="MIG-1"))
        billed._audit()
        waiting = self.stage(self.canonical(number="MIG-2", lines=[
            {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
             "amount": 900.0}]))
        waiting._audit()
        self.assertEqual((billed.state, waiting.state), ("approved", "exception"))
        self.env.flush_all()
        # as an invoice billed by 17.0.1.0.0 stands in the database: nothing approved
        self.cr.execute("UPDATE freight_invoice_line SET approved_amount = NULL")
        self.cr.execute("UPDATE freight_invoice SET amount_approved = NULL")
        migration.fill_approved_amounts(self.cr)
        self.env.invalidate_all()
        self.assertEqual(billed.line_ids.mapped("approved_amount"), [500.0, 60.0])
        self.assertEqual(billed.amount_approved, 560.0)
        self.assertFalse(waiting.amount_approved)
        self.assertFalse(waiting.line_ids.approved_amount)
