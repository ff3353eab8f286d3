from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.dispute_window import (
    LAPSED,
    NONE,
    OK,
    SENT,
    URGENT,
    days_left,
    dispute_by,
    urgency,
    urgent_until,
    window_days,
    window_terms,
)

INVOICED = date(2026, 1, 31)
LAST_DAY = date(2026, 3, 2)  # 30 days after INVOICED


@tagged("freight_sync", "freight_pure")
class TestDisputeBy(BaseCase):
    def test_window_counts_days_from_the_invoice_date(self):
        self.assertEqual(dispute_by(INVOICED, 30), LAST_DAY)
        self.assertEqual(dispute_by(date(2024, 2, 1), 29), date(2024, 3, 1))  # leap year

    def test_no_window_or_no_date_is_no_last_day(self):
        self.assertIsNone(dispute_by(INVOICED, 0))
        self.assertIsNone(dispute_by(INVOICED, None))
        self.assertIsNone(dispute_by(None, 30))
        self.assertIsNone(dispute_by(INVOICED, -5))

    def test_window_of_the_contract_the_audit_would_pick(self):
        contracts = [window_terms(1, 7, date(2025, 1, 1), None),
                     window_terms(2, 7, date(2026, 1, 1), date(2026, 12, 31)),
                     window_terms(3, 8, date(2020, 1, 1), None)]
        windows = {1: 90, 2: 30, 3: 180}
        # the latest valid_from wins when two are valid
        self.assertEqual(window_days(contracts, windows, 7, INVOICED), 30)
        self.assertEqual(window_days(contracts, windows, 7, date(2025, 6, 1)), 90)
        self.assertEqual(window_days(contracts, windows, 8, INVOICED), 180)
        self.assertEqual(window_days(contracts, windows, 7, date(2024, 6, 1)), 0)
        self.assertEqual(window_days(contracts, windows, 9, INVOICED), 0)
        self.assertEqual(window_days(contracts, windows, 7, None), 0)
        self.assertEqual(window_days(contracts, {}, 7, INVOICED), 0)


@tagged("freight_sync", "freight_pure")
class TestDisputeUrgency(BaseCase):
    def at(self, today, urgent_days=14, sent=False, closed=False, last_day=LAST_DAY):
        return urgency(last_day, today, urgent_days, sent, closed)

    def test_the_last_day_itself_is_still_allowed(self):
        self.assertEqual(days_left(LAST_DAY, LAST_DAY), 0)
        self.assertEqual(self.at(LAST_DAY), URGENT)

    def test_lapsed_the_day_after(self):
        self.assertEqual(days_left(LAST_DAY, date(2026, 3, 3)), -1)
        self.assertEqual(self.at(date(2026, 3, 3)), LAPSED)

    def test_urgent_from_day_n_before_the_last_day(self):
        self.assertEqual(self.at(date(2026, 2, 16)), URGENT)  # 14 days left
        self.assertEqual(self.at(date(2026, 2, 15)), OK)  # 15 days left
        self.assertEqual(urgent_until(date(2026, 2, 16), 14), LAST_DAY)

    def test_no_urgent_days_is_urgent_on_the_last_day_only(self):
        self.assertEqual(self.at(LAST_DAY, urgent_days=0), URGENT)
        self.assertEqual(self.at(date(2026, 3, 1), urgent_days=0), OK)
        self.assertEqual(self.at(date(2026, 3, 1), urgent_days=-3), OK)

    def test_a_sent_dispute_wins_even_past_the_window(self):
        self.assertEqual(self.at(date(2026, 6, 1), sent=True), SENT)
        self.assertEqual(self.at(date(2026, 6, 1), sent=True, last_day=None), SENT)

    def test_closed_cases_and_cases_without_a_window_are_none(self):
        self.assertEqual(self.at(date(2026, 6, 1), closed=True), NONE)
        self.assertEqual(self.at(date(2026, 2, 20), closed=True), NONE)
        self.assertEqual(self.at(date(2026, 2, 20), last_day=None), NONE)
