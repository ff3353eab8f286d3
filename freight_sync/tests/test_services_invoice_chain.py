import random
from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.invoice_chain import (
    bill_kind,
    credit_left,
    identity,
    number_key,
    pick_target,
    replaced_bill_fate,
    resend_difference,
    settlement,
    withheld,
)


@tagged("freight_sync", "freight_pure")
class TestInvoiceIdentity(BaseCase):
    def test_number_key(self):
        self.assertEqual({number_key(n) for n in ("INV-00123", "inv 00123", "Inv/00123")},
                         {"INV00123"})
        # a spreadsheet drops the leading zeros of an all-digit number
        self.assertEqual(number_key("0012345"), number_key("12345"))
        self.assertEqual(number_key("000"), "0")

    def test_an_original_is_its_number_whatever_else_is_sent(self):
        day = date(2024, 7, 12)
        self.assertEqual(identity("BR-1", "original", day, 250.0),
                         identity("br1", None, "2024-07-30", 999.0))
        # any code is a link of its own, kept for a clerk when nobody knows it
        self.assertNotEqual(identity("BR-1", "DR", day, 1.0), identity("BR-1", None, day, 1.0))

    def test_a_chain_link_is_its_number_code_date_and_total(self):
        day = date(2024, 7, 12)
        first = identity("BR-1", "CO", day, 250.0)
        self.assertEqual(first, identity("BR 1", "CO", "2024-07-12", 250))
        self.assertNotEqual(first, identity("BR-1", "CO", day, 260.0))
        self.assertNotEqual(first, identity("BR-1", "RB", day, 250.0))
        self.assertNotEqual(first, identity("BR-1", "original", day, 250.0))

    def test_resend_difference(self):
        before = {"total": 250.0, "date": "2024-07-12", "currency": "USD", "lines": 2}
        self.assertEqual(resend_difference(before, dict(before)), [])
        self.assertEqual(resend_difference(before, dict(before, total=300.0, lines=3)),
                         ["total 300.00 instead of 250.00", "3 lines instead of 2"])


@tagged("freight_sync", "freight_pure")
class TestInvoiceChain(BaseCase):
    def test_pick_target(self):
        live = [(1, "original", "paid"), (2, "BD", "posted"), (3, "CO", "rejected"),
                (4, "PD", "cancelled"), (9, "CO", "audited")]
        # the latest restatement before the link, not a balance due, not a later invoice,
        # not a rejected one but for a rebuttal
        self.assertEqual(pick_target("RB", 5, live), (1,))
        self.assertEqual(pick_target("BD", 5, live), (1,))
        self.assertEqual(pick_target("RF", 5, live), (3,))
        self.assertEqual(pick_target("CA", 5, live), (2, 1))
        self.assertEqual(pick_target("CO", 1, live), ())
        # a rejection that asked for a rebill is what the rebill names; nothing else does
        self.assertEqual(pick_target("RB", 5, live, frozenset({3})), (3,))
        self.assertEqual(pick_target("BD", 5, live, frozenset({3})), (1,))
        self.assertEqual(pick_target("CA", 5, live, frozenset({3})), (2, 1))

    def test_a_credit_names_a_rejected_invoice(self):
        candidates = [(1, "original", "rejected")]
        self.assertEqual(pick_target("AD", 2, candidates), ())
        self.assertEqual(pick_target("AD", 2, candidates, credit=True), (1,))
        self.assertEqual(pick_target("BD", 2, candidates, credit=True), (1,))
        # a credit is not a rebill: a CO still skips a rejection that asked for none
        self.assertEqual(pick_target("CO", 2, candidates, credit=True), ())

    def test_replaced_bill_fate(self):
        self.assertEqual(replaced_bill_fate(None, None), "none")
        self.assertEqual(replaced_bill_fate("cancel", "not_paid"), "none")
        self.assertEqual(replaced_bill_fate("posted", "reversed"), "none")
        self.assertEqual(replaced_bill_fate("draft", "not_paid"), "cancel")
        self.assertEqual(replaced_bill_fate("posted", "not_paid"), "reverse")
        for paid in ("paid", "in_payment", "partial"):
            self.assertEqual(replaced_bill_fate("posted", paid), "settle")

    def test_settlement_and_bill_kind(self):
        self.assertEqual(settlement({"400": 500.0, "405": 100.0}, {"400": 500.0}),
                         {"405": 100.0})
        self.assertEqual(bill_kind(settlement({"400": 450.0}, {"400": 500.0})),
                         ("in_refund", {"400": 50.0}))
        self.assertEqual(bill_kind(settlement({"400": 500.0}, {"400": 500.0})), (None, {}))
        self.assertEqual(bill_kind({"400": 80.0, "405": -20.0}),
                         ("in_invoice", {"400": 80.0, "405": -20.0}))

    def test_replacements_pay_the_last_restatement_exactly(self):
        """Property: however many replacements, each billing the difference with what was
        paid before it, the bills and credit notes add up to the last one's amounts."""
        rng = random.Random(11)
        for _run in range(300):
            paid = {}
            booked = 0.0
            for _link in range(rng.randint(1, 6)):
                approved = {code: round(rng.uniform(0, 900), 2)
                            for code in rng.sample(["400", "405", "LFT"], rng.randint(1, 3))}
                kind, amounts = bill_kind(settlement(approved, paid))
                booked += sum(amounts.values()) * (-1 if kind == "in_refund" else 1)
                paid = approved
            self.assertAlmostEqual(booked, sum(paid.values()), places=2)


@tagged("freight_sync", "freight_pure")
class TestCreditsOnKeptMoney(BaseCase):
    def test_withheld(self):
        self.assertEqual(withheld("approved", 680.0, 500.0), 180.0)  # short-paid
        self.assertEqual(withheld("posted", 600.0, 600.0), 0.0)
        self.assertEqual(withheld("rejected", 680.0, 0.0), 680.0)
        for held in ("exception", "disputed", "audited", "superseded"):
            self.assertEqual(withheld(held, 680.0, 0.0), 0.0, held)

    def test_credit_left(self):
        self.assertEqual(credit_left([-180.0], 180.0), [0.0])
        self.assertEqual(credit_left([-200.0], 180.0), [-20.0])
        self.assertEqual(credit_left([-100.0, -100.0], 150.0), [0.0, -50.0])
        self.assertEqual(credit_left([25.0, -100.0], 60.0), [25.0, -40.0])
        self.assertEqual(credit_left([-100.0], 0.0), [-100.0])
        self.assertEqual(credit_left([-100.0], -5.0), [-100.0])

    def test_kept_money_is_never_claimed_twice(self):
        """Property: an invoice billed T, of which we paid P (a short-pay, or 0 rejected),
        then credit notes of C in all: we end up paying min(P, T - C), whatever the number,
        sizes and order of the credits."""
        rng = random.Random(7)
        for _run in range(500):
            billed = round(rng.uniform(50, 2000), 2)
            state = rng.choice(["approved", "rejected"])
            paid = round(rng.uniform(1, billed), 2) if state == "approved" else 0.0
            kept, refunded, credited = withheld(state, billed, paid), 0.0, 0.0
            for _credit in range(rng.randint(1, 4)):
                lines = [-round(rng.uniform(1, billed / 2), 2) for _ in range(rng.randint(1, 3))]
                left = credit_left(lines, kept)
                kept = round(kept - (sum(left) - sum(lines)), 2)
                refunded += -sum(left)
                credited += -sum(lines)
                self.assertGreaterEqual(kept, -0.005)
            self.assertAlmostEqual(paid - refunded, min(paid, billed - credited), places=2)
