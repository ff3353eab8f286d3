"""The audit's arithmetic around unknowns and caps (pure): unpriced lines, the weight
finding, money at stake counted once, the cumulative cap and the short-pay spread."""

import random

from odoo.tests import BaseCase, tagged

from ..services.invoice_audit import (
    Policy,
    Prior,
    Tolerance,
    audit_batch,
    audit_invoice,
    short_pay_problem,
    spread_payment,
)
from .test_services_invoice_audit import context, contract, invoice, kinds_of, line

# expected on shipment 1 (1,000 kg, lane 2): linehaul 400, fuel 80, lift gate 85
EXPECTED = {"400": 400.0, "405": 80.0, "LFT": 85.0}
MONEY_FINDINGS = ("rate_variance", "weight_variance")


def at_stake(result, *kinds):
    return round(sum(f.amount_at_stake for f in result.findings if f.type in kinds), 2)


def positive_variance(result):
    return round(sum(max(line.variance, 0.0) for line in result.lines
                     if line.expected is not None), 2)


@tagged("freight_sync", "freight_pure")
class TestUnpricedLines(BaseCase):
    def test_unpriced_line_has_no_expected_and_stays_out_of_the_total(self):
        result = audit_invoice(invoice(line(1, "400", 400.0), line(2, "HAZ", 40.0),
                                       line(3, "400", 75.0, pro="NOPE")), context(), Prior())
        decisions = [(r.expected, r.decision) for r in result.lines]
        self.assertEqual(decisions, [(400.0, "ok"), (None, "unpriced"), (None, "unmatched")])
        self.assertEqual((result.expected_total, result.billed_total, result.unpriced_lines),
                         (400.0, 515.0, 2))
        self.assertIn("Expected: unknown", result.lines[1].trace[-1])

    def test_nothing_priced_expects_nothing_not_the_billed_amount(self):
        expired = contract(valid_from=contract().valid_from, valid_to=contract().valid_from)
        result = audit_invoice(invoice(line(1, "400", 400.0), line(2, "405", 80.0)),
                               context(contracts=[expired]), Prior())
        self.assertEqual((result.expected_total, result.unpriced_lines, result.decision),
                         (0.0, 2, "exception"))
        self.assertEqual({r.decision for r in result.lines}, {"unpriced"})


@tagged("freight_sync", "freight_pure")
class TestWeightAndMoneyAtStake(BaseCase):
    def test_weight_variance_is_one_finding_with_the_weights_and_percent(self):
        heavy = audit_invoice(invoice(line(1, "400", 400.0, weight=1250.0),
                                      line(2, "405", 80.0, weight=1250.0)), context(), Prior())
        self.assertEqual(kinds_of(heavy), ["weight_variance"])
        message = heavy.findings[0].message
        for words in ("1,250.0 kg", "1,000.0 kg", "+25.0 %", "tolerance 10 %", "SHP1"):
            self.assertIn(words, message)
        self.assertIn("Weight: billed 1,250.0 kg, shipment 1,000.0 kg (+25.0 %)",
                      "\n".join(heavy.lines[0].trace))
        # priced from the shipment's weight, billed as expected: no money at stake
        self.assertEqual(heavy.findings[0].amount_at_stake, 0.0)
        self.assertEqual([r.decision for r in heavy.lines], ["review", "review"])

    def test_an_over_bill_explained_by_the_weight_is_at_stake_once(self):
        # 60 over on the linehaul, billed on 1,150 kg: the rate case holds the 60
        result = audit_invoice(invoice(line(1, "400", 460.0, weight=1150.0)), context(),
                               Prior())
        self.assertEqual(kinds_of(result), ["rate_variance", "weight_variance"])
        self.assertEqual(at_stake(result, *MONEY_FINDINGS), 60.0)
        # within the price tolerance: the weight case holds the 5 over, not 405 × 15/115
        within = audit_invoice(invoice(line(1, "400", 405.0, weight=1150.0)), context(),
                               Prior())
        self.assertEqual(at_stake(within, "weight_variance"), 5.0)

    def test_money_at_stake_never_exceeds_the_positive_variance(self):
        """Random invoices on one shipment, no earlier approvals: the price findings
        (rate, weight, cap) never put more at stake than the invoice's over-billing."""
        rng = random.Random(11)
        policy = Policy(Tolerance(2.0, 10.0), pod_required=False)
        for run in range(300):
            codes = rng.sample(sorted(EXPECTED), rng.randint(1, 3))
            weight = rng.choice([None, 1000.0, 1080.0, 1200.0, 1600.0])
            lines = [line(i + 1, code, round(EXPECTED[code] * rng.uniform(0.8, 1.4), 2),
                          weight=weight) for i, code in enumerate(codes)]
            cap = rng.choice([None, 0.0, 20.0, 100.0])
            result = audit_invoice(invoice(*lines), context(policy=Policy(
                policy.default, cumulative_cap=cap, pod_required=False)), Prior())
            with self.subTest(run=run):
                self.assertLessEqual(at_stake(result, *MONEY_FINDINGS),
                                     positive_variance(result) + 0.01)
                self.assertLessEqual(sum(f.type == "weight_variance" for f in result.findings),
                                     1)


@tagged("freight_sync", "freight_pure")
class TestCumulativeCap(BaseCase):
    def test_an_earlier_under_billed_approval_counts(self):
        # linehaul approved at 380 (under-billed); a balance due bills 400 more
        prior = Prior()
        prior.add_approved(1, "400", 380.0, 400.0)
        result = audit_invoice(invoice(line(1, "400", 400.0), correction="BD"), context(),
                               prior)
        self.assertEqual(kinds_of(result), ["rate_variance"])
        finding = result.findings[0]
        self.assertIn("would reach 780.00, above its expected cost 400.00 plus the cap of "
                      "50.00", finding.message)
        self.assertEqual(finding.amount_at_stake, 330.0)
        self.assertIn("Shipment SHP1: approved before 380.00 + this invoice 400.00 = 780.00 "
                      "against expected 400.00 + cap 50.00 = 450.00: over the cap by 330.00",
                      result.trace)
        self.assertIn("Cumulative cap: Shipment SHP1", "\n".join(result.lines[0].trace))

    def test_a_short_paid_approval_counts_what_was_paid(self):
        # 450 billed, short-paid at the expected 400: 45 more stays within 400 + 50
        prior = Prior()
        prior.add_approved(1, "400", 400.0, 400.0)
        within = audit_invoice(invoice(line(1, "400", 45.0), correction="BD"), context(),
                               prior)
        self.assertNotIn("rate_variance", kinds_of(within))
        self.assertIn("within the cap", "\n".join(within.trace))
        over = audit_invoice(invoice(line(1, "400", 60.0), correction="BD"), context(), prior)
        self.assertEqual(over.findings[0].amount_at_stake, 10.0)

    def test_expected_cost_counts_each_charge_once(self):
        prior = Prior()
        prior.add_approved(1, "400", 400.0, 400.0)
        prior.add_approved(1, "HAZ", 40.0, None)  # overridden: what was approved is its cost
        result = audit_invoice(invoice(line(1, "405", 80.0)), context(), prior)
        self.assertIn("= 520.00 against expected 520.00", "\n".join(result.trace))
        self.assertEqual(result.decision, "approve")

    def test_batch_counts_the_invoices_approved_before(self):
        first = invoice(line(1, "400", 380.0), id_=1, number="A")
        second = invoice(line(2, "400", 100.0), id_=2, number="B", correction="BD")
        results = audit_batch([first, second], context())
        self.assertEqual([r.decision for r in results], ["approve", "exception"])
        self.assertIn("approved before 380.00", "\n".join(results[1].trace))


@tagged("freight_sync", "freight_pure")
class TestShortPay(BaseCase):
    def test_refused_amounts(self):
        self.assertIsNone(short_pay_problem(400.0, 450.0))
        self.assertIn("more than 0.00", short_pay_problem(0.0, 450.0))
        self.assertIn("more than 0.00", short_pay_problem(None, 450.0))
        self.assertIn("more than the 450.00 billed", short_pay_problem(450.01, 450.0))

    def test_spread_priced_lines_first_then_the_unpriced(self):
        lines = [(450.0, 400.0), (100.0, None)]
        cases = [(400.0, [400.0, 0.0]), (200.0, [200.0, 0.0]), (450.0, [400.0, 50.0]),
                 (550.0, [450.0, 100.0])]
        for amount, paid in cases:
            with self.subTest(amount=amount):
                self.assertEqual(spread_payment(lines, amount), paid)
        self.assertEqual(spread_payment([(100.0, None), (50.0, None)], 90.0), [60.0, 30.0])

    def test_spread_adds_up_to_the_cent(self):
        rng = random.Random(7)
        for _run in range(200):
            lines = [(round(rng.uniform(1, 500), 2), rng.choice([None, round(
                rng.uniform(1, 500), 2)])) for _i in range(rng.randint(1, 5))]
            billed = round(sum(b for b, _e in lines), 2)
            amount = round(rng.uniform(0.01, billed), 2)
            paid = spread_payment(lines, amount)
            self.assertAlmostEqual(sum(paid), amount, places=2, msg=lines)
            for (line_billed, _e), part in zip(lines, paid):
                self.assertLessEqual(part, line_billed + 0.001)
