import random
from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.invoice_chain import (
    bill_kind,
    identity,
    number_key,
    pick_target,
    replaced_bill_fate,
    resend_difference,
    settlement,
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
