from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.accrual import (
    age_bucket,
    entry_date,
    expected_cost,
    pass_through_lines,
    plan_accrual,
)
from ..services.expected_cost import AccessorialRate, Address, Contract, FuelRule, RateLine, Zone
from ..services.invoice_audit import ShipmentFacts

TN, IL = Address("US", "TN", "37201"), Address("US", "IL", "60601")
CODES = {"linehaul": "400", "fuel": "405"}
CONTRACT = Contract(
    id=1, carrier_id=7, currency="USD", valid_from=date(2024, 1, 1), valid_to=None,
    lines=(RateLine(1, Zone("US"), Zone("US"), "ltl", "per_kg", 0.5, 150.0),),
    fuel=FuelRule(percent=20.0),
    accessorials={
        "LFT": AccessorialRate("LFT", "flat", 85.0),
        "DTU": AccessorialRate("DTU", "per_hour", 60.0, free_hours=2.0, detention_at="delivery"),
    },
)


def facts(weight=1000.0, accessorials=(), milestones=(), confirmed=None):
    return ShipmentFacts(id=1, carrier_id=7, mode="ltl", weight_kg=weight, distance_km=0.0,
                         pallets=0, origin=TN, destination=IL, milestones=tuple(milestones),
                         approved_accessorials=frozenset(accessorials), confirmed_rate=confirmed)


@tagged("freight_sync", "freight_pure")
class TestExpectedCost(BaseCase):
    def test_linehaul_and_fuel_from_the_contract(self):
        cost = expected_cost(facts(), [CONTRACT], date(2024, 7, 9), CODES)
        self.assertEqual((cost.currency, cost.amounts, cost.total),
                         ("USD", {"400": 500.0, "405": 100.0}, 600.0))
        self.assertIn("Linehaul (lane 1): 1,000.0 kg × 0.5 = 500.00", cost.trace[0])

    def test_minimum_charge_and_approved_accessorials(self):
        delivery = [("out_for_delivery", datetime(2024, 7, 9, 8)),
                    ("delivered", datetime(2024, 7, 9, 13))]
        cost = expected_cost(facts(weight=100.0, accessorials={"LFT", "DTU", "RES"},
                                   milestones=delivery), [CONTRACT], date(2024, 7, 9), CODES)
        # 5 h at the door, 2 free: 3 h × 60; RES is approved but has no tariff line
        self.assertEqual(cost.amounts, {"400": 150.0, "405": 30.0, "LFT": 85.0, "DTU": 180.0})
        self.assertIn("RES: approved but not in the tariff, not accrued", cost.trace)

    def test_confirmed_rate_replaces_the_lane(self):
        cost = expected_cost(facts(accessorials={"LFT"}, confirmed=(640.0, "USD")), [CONTRACT],
                             date(2024, 7, 9), CODES)
        # fuel 20 % of the confirmed linehaul, lift gate from the tariff
        self.assertEqual(cost.amounts, {"400": 640.0, "405": 128.0, "LFT": 85.0})
        self.assertEqual(cost.trace[0], "Linehaul: rate confirmed for this load 640.00 USD "
                                        "(replaces the contract's lane)")
        other = expected_cost(facts(confirmed=(700.0, "EUR")), [CONTRACT], date(2024, 7, 9),
                              CODES)
        self.assertEqual((other.currency, other.amounts), ("EUR", {"400": 700.0}))
        # a confirmed rate needs no contract at all
        alone = expected_cost(facts(confirmed=(300.0, "USD")), [], date(2024, 7, 9), CODES)
        self.assertEqual((alone.amounts, alone.missing), ({"400": 300.0}, None))

    def test_no_contract_or_lane_is_explained(self):
        self.assertEqual(expected_cost(facts(), [CONTRACT], date(2023, 12, 31), CODES).missing,
                         "no contract of the carrier is valid on 2023-12-31")
        ftl = ShipmentFacts(**{**facts().__dict__, "mode": "ftl"})
        self.assertEqual(expected_cost(ftl, [CONTRACT], date(2024, 7, 9), CODES).missing,
                         "no lane of the contract covers it")


@tagged("freight_sync", "freight_pure")
class TestAccrualPlan(BaseCase):
    def test_first_accrual_posts_the_expected_cost(self):
        plan = plan_accrual(None, {"400": 500.0, "405": 100.0})
        self.assertEqual((plan.reverse, plan.post), (False, {"400": 500.0, "405": 100.0}))

    def test_unchanged_expectation_is_a_noop(self):
        self.assertTrue(plan_accrual({"400": 500.0}, {"400": 500.004}).is_noop)
        self.assertTrue(plan_accrual(None, {}).is_noop)

    def test_change_reverses_and_recreates(self):
        plan = plan_accrual({"400": 500.0, "405": 100.0}, {"400": 500.0, "405": 100.0,
                                                           "LFT": 85.0})
        self.assertEqual((plan.reverse, plan.post),
                         (True, {"400": 500.0, "405": 100.0, "LFT": 85.0}))

    def test_cancelled_or_billed_shipment_keeps_no_accrual(self):
        for flags in ({"cancelled": True}, {"billed": True}):
            with self.subTest(**flags):
                plan = plan_accrual({"400": 500.0}, {"400": 500.0}, **flags)
                self.assertEqual((plan.reverse, plan.post), (True, {}))
                self.assertTrue(plan_accrual(None, {"400": 500.0}, **flags).is_noop)


@tagged("freight_sync", "freight_pure")
class TestAccrualDates(BaseCase):
    def test_event_date_or_first_open_day(self):
        event = datetime(2024, 6, 30, 23, 0)
        self.assertEqual(entry_date(event, None), date(2024, 6, 30))
        self.assertEqual(entry_date(event, date(2024, 5, 31)), date(2024, 6, 30))
        self.assertEqual(entry_date(event, date(2024, 6, 30)), date(2024, 7, 1))
        self.assertEqual(entry_date(date(2024, 6, 2), date(2024, 6, 30)), date(2024, 7, 1))

    def test_age_buckets(self):
        self.assertEqual([age_bucket(d) for d in (0, 30, 31, 60, 61, 90, 91, 400)],
                         ["0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+"])


@tagged("freight_sync", "freight_pure")
class TestPassThrough(BaseCase):
    def test_only_pass_through_codes_with_their_markup(self):
        expected = {"400": 500.0, "405": 100.0, "LFT": 85.0, "RES": 0.0, "REP": 40.0}
        self.assertEqual(pass_through_lines(expected, {"LFT": 10.0, "RES": 5.0}),
                         {"LFT": 93.5})
        self.assertEqual(pass_through_lines({"LFT": 33.33}, {"LFT": 12.5}), {"LFT": 37.5})
        self.assertEqual(pass_through_lines(expected, {}), {})
