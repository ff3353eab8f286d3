from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.dispute import (
    CANCEL,
    CREDIT,
    ESCALATE,
    REMIND,
    REPLACEMENT,
    answer_due,
    deadline_steps,
    decision_recovers,
    dispute_document,
    disputed_amount,
    outcome,
    settlement_recovers,
)

SENT = datetime(2026, 11, 2, 9, 0)


@tagged("freight_sync", "freight_pure")
class TestDisputeMoney(BaseCase):
    def test_disputed_amount(self):
        # priced and over: billed less expected
        self.assertEqual(disputed_amount(1180.0, 1000.0, [180.0]), 180.0)
        # not priced (a duplicate, an unknown shipment): the biggest finding, at most billed
        self.assertEqual(disputed_amount(500.0, None, [500.0, 40.0]), 500.0)
        self.assertEqual(disputed_amount(500.0, None, [900.0]), 500.0)
        # priced but under (a missing POD holds an invoice that is not over): what is at stake
        self.assertEqual(disputed_amount(900.0, 1000.0, [900.0]), 900.0)
        self.assertEqual(disputed_amount(0.0, None, [10.0]), 0.0)
        self.assertEqual(disputed_amount(100.0, None, []), 0.0)

    def test_outcome_caps_and_writes_off(self):
        self.assertEqual(outcome(180.0, 180.0), (180.0, 0.0, 100.0))
        self.assertEqual(outcome(180.0, 45.0), (45.0, 135.0, 25.0))
        # a credit bigger than the dispute recovers the dispute, no more; nothing is negative
        self.assertEqual(outcome(180.0, 500.0), (180.0, 0.0, 100.0))
        self.assertEqual(outcome(180.0, -20.0), (0.0, 180.0, 0.0))
        self.assertEqual(outcome(0.0, 50.0), (0.0, 0.0, 0.0))

    def test_what_a_decision_recovers(self):
        self.assertEqual(decision_recovers("override", 1180.0, None), 0.0)
        self.assertEqual(decision_recovers("short_pay", 1180.0, 1000.0), 180.0)
        self.assertEqual(decision_recovers("reject", 1180.0, None), 1180.0)
        self.assertIsNone(decision_recovers("rebill", 1180.0, None), "the carrier decides")

    def test_what_a_carrier_document_recovers(self):
        self.assertEqual(settlement_recovers(REPLACEMENT, 1180.0, 1000.0), 180.0)
        self.assertEqual(settlement_recovers(REPLACEMENT, 1180.0, 1250.0), -70.0)
        self.assertEqual(settlement_recovers(CREDIT, 1180.0, -150.0), 150.0)
        self.assertEqual(settlement_recovers(CANCEL, 1180.0, 0.0), 1180.0)


@tagged("freight_sync", "freight_pure")
class TestDisputeDeadline(BaseCase):
    def test_answer_due(self):
        self.assertEqual(answer_due(SENT, 14), SENT + timedelta(days=14))
        self.assertEqual(answer_due(SENT, 0), SENT + timedelta(days=1), "never due at once")

    def test_steps(self):
        due = answer_due(SENT, 14)
        steps = lambda now, reminded=False, escalated=False, days=3: deadline_steps(  # noqa: E731
            now, due, days, reminded, escalated)
        self.assertEqual(steps(SENT), ())
        self.assertEqual(steps(due - timedelta(days=3, seconds=1)), ())
        self.assertEqual(steps(due - timedelta(days=3)), (REMIND,))
        self.assertEqual(steps(due - timedelta(days=1), reminded=True), ())
        self.assertEqual(steps(due - timedelta(days=1), days=0), (), "no reminder wanted")
        self.assertEqual(steps(due), (ESCALATE,))
        self.assertEqual(steps(due + timedelta(days=9)), (ESCALATE,), "escalated unreminded")
        self.assertEqual(steps(due + timedelta(days=1), reminded=True, escalated=True), ())
        self.assertEqual(deadline_steps(SENT, None, 3, False, False), ())


@tagged("freight_sync", "freight_pure")
class TestDisputeDocument(BaseCase):
    def test_document(self):
        document = dispute_document(
            {"id": 7, "reference": "INV-1: rate", "reason_code": "rate",
             "reason": "Rate not as contracted", "amount_disputed": 180.004,
             "answer_due": "2026-11-16 09:00:00Z", "requested": "rebill"},
            {"number": "INV-1", "date": "2026-11-01", "currency": "USD", "scac": "BRFT",
             "billed": 1180.0, "expected": 1000.0},
            [{"line_no": 1, "charge_code": "400", "billed": 1180.0, "expected": 1000.0,
              "references": {"pro_number": "PRO1"}, "finding": "over",
              "trace": ["rate 2.00/kg", "over by 180.00"]},
             {"line_no": 2, "charge_code": "LFT", "billed": 75.0, "expected": None}],
            None)["dispute"]
        self.assertEqual(document["amount_disputed"], 180.0)
        self.assertEqual(document["invoice"]["expected"], 1000.0)
        self.assertEqual(document["lines"][0]["variance"], 180.0)
        self.assertEqual(document["lines"][0]["trace"], ["rate 2.00/kg", "over by 180.00"])
        self.assertIsNone(document["lines"][1]["variance"], "an unpriced line has none")
        self.assertIsNone(document["packet"])
        self.assertIsNone(document["note"])
