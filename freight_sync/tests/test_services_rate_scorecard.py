"""Carrier scorecards on a small history counted by hand (services/scorecard.py).
Window: June and July 2024."""

from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.scorecard import (
    DeliveryRow,
    InvoiceRow,
    TenderRow,
    invoice_outcome,
    months_back,
    scorecards,
    scorecards_as_dict,
)

MONTHS = ["2024-06", "2024-07"]


def at(month, day, hour=12):
    return datetime(2024, month, day, hour)


DELIVERIES = [
    DeliveryRow(1, at(6, 10, 10), at(6, 10, 12)),  # June, on time
    DeliveryRow(1, at(6, 20, 15), at(6, 20, 12)),  # June, late
    DeliveryRow(1, at(7, 2), None),  # no planned date: not counted
    DeliveryRow(1, at(7, 5), at(7, 5)),  # July, at the planned time: on time
    DeliveryRow(1, at(5, 30), at(6, 2)),  # May: outside the window
    DeliveryRow(2, at(7, 1, 13), at(7, 1, 12)),  # July, late
]
INVOICES = [
    InvoiceRow(1, at(6, 3), "posted", approved_by_rule=True),  # A accurate
    InvoiceRow(1, at(6, 4), "posted", billed_on_expected=True, has_billing_case=True),  # B won
    InvoiceRow(1, at(7, 1), "rejected", has_billing_case=True),  # C won
    InvoiceRow(1, at(7, 2), "paid", has_billing_case=True),  # D lost: approved as billed
    InvoiceRow(1, at(7, 3), "disputed", has_billing_case=True),  # E not decided
    InvoiceRow(1, at(7, 4), "received"),  # F not audited
    InvoiceRow(1, at(7, 5), "cancelled"),  # G not audited
    InvoiceRow(1, at(7, 6), "superseded", has_billing_case=True),  # H won: the carrier rebilled
    InvoiceRow(1, at(7, 7), "approved", approved_by_rule=True),  # I accurate
    InvoiceRow(2, at(7, 8), "approved", approved_by_rule=True, has_billing_case=True),
]
TENDERS = [
    TenderRow(1, 11, "tendered", at(6, 1, 8)), TenderRow(1, 11, "accepted", at(6, 1, 9)),
    TenderRow(1, 12, "tendered", at(6, 30, 23)), TenderRow(1, 12, "rejected", at(7, 1, 1)),
    TenderRow(1, 13, "accepted", at(7, 3)),  # an answer implies the tender
    TenderRow(1, 14, "tendered", at(7, 4)),  # no answer yet
    TenderRow(1, 15, "tendered", at(7, 5)), TenderRow(1, 15, "rejected", at(7, 5, 13)),
    TenderRow(1, 15, "accepted", at(7, 6)),
    TenderRow(1, 16, "picked_up", at(7, 7)),  # no tender milestone
    TenderRow(2, 21, "tendered", at(7, 2)), TenderRow(2, 21, "accepted", at(7, 2, 14)),
]
# carrier: {period: (on time, accuracy, dispute win, tender acceptance)} as (count, of)
EXPECTED = {
    1: {"2024-06": ((1, 2), (1, 2), (1, 1), (1, 2)),
        "2024-07": ((1, 1), (1, 5), (2, 3), (2, 3)),
        "total": ((2, 3), (2, 7), (3, 4), (3, 5))},
    2: {"2024-06": ((0, 0), (0, 0), (0, 0), (0, 0)),
        "2024-07": ((0, 1), (0, 1), (0, 1), (1, 1)),
        "total": ((0, 1), (0, 1), (0, 1), (1, 1))},
}
PERCENTS = {1: (66.7, 28.6, 75.0, 60.0), 2: (0.0, 0.0, 0.0, 100.0)}
NAMES = ("on_time", "invoice_accuracy", "dispute_win", "tender_acceptance")


@tagged("freight_sync", "freight_pure")
class TestScorecard(BaseCase):
    def setUp(self):
        super().setUp()
        self.cards = scorecards(DELIVERIES, INVOICES, TENDERS, MONTHS)

    def test_counts_as_worked_out_by_hand(self):
        self.assertEqual(set(self.cards), {1, 2})
        for carrier_id, periods in EXPECTED.items():
            for period, figures in periods.items():
                card = (self.cards[carrier_id]["total"] if period == "total"
                        else self.cards[carrier_id]["months"][period])
                with self.subTest(carrier=carrier_id, period=period):
                    self.assertEqual(tuple((card.ratios[n].part, card.ratios[n].whole)
                                           for n in NAMES), figures)

    def test_a_booked_dispute_outcome_decides_the_win(self):
        row = dict(carrier_id=1, audited_at=at(7, 1), has_billing_case=True)
        # a rebill billed more than the disputed invoice: superseded, yet nothing recovered
        self.assertEqual(invoice_outcome(InvoiceRow(state="superseded", recovered=0.0, **row)),
                         (False, False))
        # a short-pay of one cent still got money back
        self.assertEqual(invoice_outcome(InvoiceRow(state="posted", recovered=0.01, **row)),
                         (False, True))
        # no booked outcome: the invoice's state decides, as before
        self.assertEqual(invoice_outcome(InvoiceRow(state="rejected", **row)), (False, True))
        self.assertEqual(invoice_outcome(InvoiceRow(state="disputed", **row)), (False, None))

    def test_percentages(self):
        for carrier_id, percents in PERCENTS.items():
            total = self.cards[carrier_id]["total"]
            self.assertEqual(tuple(total.percent(n) for n in NAMES), percents)
        # nothing to divide by: no figure, not 0 %
        self.assertIsNone(self.cards[2]["months"]["2024-06"].percent("on_time"))

    def test_an_answer_counts_in_the_month_of_the_tender(self):
        # shipment 12 was tendered on 30 June and rejected on 1 July: a June tender
        june = self.cards[1]["months"]["2024-06"].ratios["tender_acceptance"]
        self.assertEqual((june.part, june.whole), (1, 2))

    def test_answer_shape(self):
        answer = scorecards_as_dict(self.cards, MONTHS)
        self.assertEqual([entry["carrier_id"] for entry in answer], [1, 2])
        self.assertEqual(answer[0]["total"]["on_time"], {"percent": 66.7, "count": 2, "of": 3})
        self.assertEqual([m["month"] for m in answer[0]["months"]], MONTHS)
        self.assertEqual(answer[0]["months"][1]["dispute_win"],
                         {"percent": 66.7, "count": 2, "of": 3})

    def test_nothing_in_the_window_no_card(self):
        self.assertEqual(scorecards(DELIVERIES, INVOICES, TENDERS, ["2023-01"]), {})

    def test_months_back_crosses_the_year(self):
        self.assertEqual(months_back(date(2024, 1, 15), 3), ["2023-11", "2023-12", "2024-01"])
        self.assertEqual(months_back(date(2024, 7, 1), 1), ["2024-07"])
