from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.dashboard import (
    BadParams,
    bucket_series,
    dispute_figures,
    months,
    parse_params,
    period_bounds,
    rate,
    week_start,
    week_window,
    weekly_series,
    weeks,
)

TODAY = date(2024, 7, 17)  # a Wednesday


@tagged("freight_sync", "freight_pure")
class TestDashboardParams(BaseCase):
    def test_last_twelve_weeks_by_default(self):
        self.assertEqual(parse_params({}, TODAY), (date(2024, 4, 25), TODAY, None))

    def test_dates_and_carrier_as_sent(self):
        params = {"date_from": "2024-07-01", "date_to": "2024-07-14", "carrier_id": 7}
        self.assertEqual(parse_params(params, TODAY), (date(2024, 7, 1), date(2024, 7, 14), 7))
        self.assertEqual(parse_params({"carrier_id": False}, TODAY)[2], None)

    def test_refusals_say_what_to_fix(self):
        cases = [
            ({"date_from": "01/07/2024"}, "date_from must be a date written YYYY-MM-DD"),
            ({"date_to": 20240701}, "date_to must be a date written YYYY-MM-DD"),
            ({"date_from": "2024-07-10", "date_to": "2024-07-01"}, "must not be after"),
            ({"date_from": "2020-01-01", "date_to": "2024-07-01"}, "shorter than"),
            ({"carrier_id": "7"}, "carrier_id must be"),
            ({"carrier_id": True}, "carrier_id must be"),
            ({"carrier_id": -1}, "carrier_id must be"),
            ({"company": 1}, "unknown parameter(s): company"),
        ]
        for params, message in cases:
            with self.subTest(params=params), self.assertRaises(BadParams) as caught:
                parse_params(params, TODAY)
            self.assertIn(message, str(caught.exception))


@tagged("freight_sync", "freight_pure")
class TestDashboardWeeks(BaseCase):
    def test_weeks_start_on_monday_and_cover_the_period(self):
        self.assertEqual(week_start(TODAY), date(2024, 7, 15))
        self.assertEqual(weeks(date(2024, 7, 3), date(2024, 7, 15)),
                         [date(2024, 7, 1), date(2024, 7, 8), date(2024, 7, 15)])
        self.assertEqual(weeks(TODAY, TODAY), [date(2024, 7, 15)])

    def test_week_windows_are_clipped_to_the_period(self):
        start, end = date(2024, 7, 3), date(2024, 7, 9)
        self.assertEqual(period_bounds(start, end),
                         (datetime(2024, 7, 3), datetime(2024, 7, 10)))
        self.assertEqual(week_window(date(2024, 7, 1), start, end),
                         (datetime(2024, 7, 3), datetime(2024, 7, 8)))
        self.assertEqual(week_window(date(2024, 7, 8), start, end),
                         (datetime(2024, 7, 8), datetime(2024, 7, 10)))

    def test_weekly_series_fills_the_empty_weeks(self):
        mondays = [date(2024, 7, 1), date(2024, 7, 8), date(2024, 7, 15)]
        rows = [(datetime(2024, 7, 8), (3, 2))]
        self.assertEqual(weekly_series(rows, mondays, lambda: (0, 0)),
                         [(date(2024, 7, 1), (0, 0)), (date(2024, 7, 8), (3, 2)),
                          (date(2024, 7, 15), (0, 0))])


@tagged("freight_sync", "freight_pure")
class TestDashboardNumbers(BaseCase):
    def test_rate_is_a_rounded_percent_or_none(self):
        self.assertEqual(rate(2, 3), 66.7)
        self.assertEqual(rate(0, 4), 0.0)
        self.assertIsNone(rate(0, 0))

    def test_accrual_buckets_in_age_order_all_present(self):
        self.assertEqual(bucket_series([("90+", (1, 50.0)), ("0-30", (2, 300.0))]), [
            ("0-30", (2, 300.0)), ("31-60", (0, 0.0)), ("61-90", (0, 0.0)),
            ("90+", (1, 50.0))])


@tagged("freight_sync", "freight_pure")
class TestDisputeFigures(BaseCase):
    def test_months_cross_the_year(self):
        self.assertEqual(months(date(2026, 11, 20), date(2027, 2, 1)),
                         ["2026-11", "2026-12", "2027-01", "2027-02"])

    def test_by_month_and_carrier(self):
        rows = [("2026-11", 7, 180.0, 180.0, 0.0, 1, 1),
                ("2026-11", 8, 50.0, 0.0, 50.0, 1, 0),
                ("2026-12", 7, 300.0, 0.0, 0.0, 0, 0),  # sent, not answered yet
                ("2026-12", 7, 100.0, 40.0, 60.0, 1, 1)]
        figures = dispute_figures(rows, ["2026-11", "2026-12"], {7: "Blue Ridge", 8: "Prairie"})
        by_key = {serie["key"]: serie["values"] for serie in figures["series"]}
        self.assertEqual(by_key, {"disputed": [230.0, 400.0], "recovered": [180.0, 40.0],
                                  "written_off": [50.0, 60.0]})
        blue, prairie = figures["carriers"]
        self.assertEqual((blue["name"], blue["disputed"], blue["recovered"], blue["settled"],
                          blue["won"], blue["win_rate"]), ("Blue Ridge", 580.0, 220.0, 2, 2, 1.0))
        self.assertEqual((prairie["won"], prairie["settled"], prairie["win_rate"]), (0, 1, 0.0))
        # nothing settled yet: no rate, not 0 %
        only_open = dispute_figures([("2026-12", 7, 300.0, 0.0, 0.0, 0, 0)], ["2026-12"], {})
        self.assertIsNone(only_open["carriers"][0]["win_rate"])
