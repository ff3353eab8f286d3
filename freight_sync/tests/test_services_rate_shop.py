"""Rate shopping against a table worked out by hand (services/rate_shop.py).

The shipment: 1,000 kg LTL, Nashville 37201 → Chicago 60601, 800 km, 4 pallets, lift gate
(LFT) approved; priced on 2024-07-15; 1 EUR = 1.10 USD (the company's currency).

| carrier         | contract          | linehaul              | fuel    | LFT   | total      | days
|-----------------|-------------------|-----------------------|---------|-------|------------|-----
| 1 Alpha         | 0.40/kg           | 1000 × 0.40 = 400.00  | 20 % 80 | 85.00 | 565.00 USD | 3
| 2 Bravo         | 50/pallet, min 450| 4 × 50 = 200 → 450.00 | 10 % 45 | 60.00 | 555.00 USD | 5
| 3 Charlie (EUR) | 0.90/km           | 800 × 0.90 = 720.00   | no rule | none  | 792.00 USD | 2
| 4 Delta         | lane 0–500 kg     | excluded: the weight band                                |
| 5 Echo          | ended 2024-06-30  | excluded: no contract valid on the date                  |

(Charlie: 720.00 EUR × 1.10 = 792.00 USD.)

Best value (cheapest 555.00, fastest 2 days; Charlie has no history: half marks):
| carrier | cost 45            | transit 15      | on time 20 | accuracy 10 | tender 10 | score |
| Alpha   | 555/565 → 44.2035  | 2/3 → 10.0      | 90 % → 18  | 80 % → 8    | 100 % → 10 | 90.2 |
| Bravo   | 1 → 45.0           | 2/5 → 6.0       | 60 % → 12  | 100 % → 10  | 50 % → 5   | 78.0 |
| Charlie | 555/792 → 31.5341  | 1 → 15.0        | ½ → 10     | ½ → 5       | ½ → 5      | 66.5 |
"""

from dataclasses import replace
from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.accrual import expected_cost
from ..services.expected_cost import (
    AccessorialRate,
    Address,
    Contract,
    FuelRule,
    RateLine,
    Zone,
    pick_rate_line,
)
from ..services.invoice_audit import ShipmentFacts, shipment_linehaul
from ..services.rate_shop import (
    BadParams,
    Excluded,
    parse_choice,
    parse_rate_shop,
    parse_scorecard,
    quote,
    rank,
    shop,
)

DAY = date(2024, 7, 15)
CODES = {"linehaul": "400", "fuel": "405"}
FX = {"USD": 1.0, "EUR": 1.1}
US = Zone("US")
FACTS = ShipmentFacts(
    id=1, carrier_id=None, mode="ltl", weight_kg=1000.0, distance_km=800.0, pallets=4,
    origin=Address("US", "TN", "37201"), destination=Address("US", "IL", "60601"),
    approved_accessorials=frozenset({"LFT"}))


def lane(line_id, basis, rate, **values):
    return RateLine(line_id, US, US, "ltl", basis, rate, **values)


def contract(contract_id, carrier_id, lines, currency="USD", start=date(2024, 1, 1), end=None,
             fuel=None, lift_gate=None):
    tariff = {"LFT": AccessorialRate("LFT", "flat", lift_gate)} if lift_gate else {}
    return Contract(contract_id, carrier_id, currency, start, end, tuple(lines),
                    FuelRule(percent=fuel), tariff)


CONTRACTS = [
    contract(10, 1, [lane(101, "per_kg", 0.40, transit_days=3)], fuel=20.0, lift_gate=85.0),
    contract(20, 2, [lane(201, "per_pallet", 50.0, minimum=450.0, transit_days=5)],
             fuel=10.0, lift_gate=60.0),
    contract(30, 3, [lane(301, "per_km", 0.90, transit_days=2)], currency="EUR"),
    contract(40, 4, [lane(401, "per_kg", 0.10, weight_max=500.0, transit_days=1)], fuel=5.0),
    contract(50, 5, [lane(501, "flat", 100.0, transit_days=1)], end=date(2024, 6, 30)),
]
CARDS = {
    1: {"on_time": 90.0, "invoice_accuracy": 80.0, "tender_acceptance": 100.0},
    2: {"on_time": 60.0, "invoice_accuracy": 100.0, "tender_acceptance": 50.0},
}


def run(sort):
    return shop(FACTS, CONTRACTS, [1, 2, 3, 4, 5], DAY, CODES, FX, CARDS, sort)


@tagged("freight_sync", "freight_pure")
class TestRateShopTable(BaseCase):
    def test_quotes_as_worked_out_by_hand(self):
        quotes, _excluded = run("cost")
        table = {q.carrier_id: (q.total, q.currency, q.total_company, q.transit_days,
                                q.minimum_applied, q.amounts) for q in quotes}
        self.assertEqual(table, {
            1: (565.0, "USD", 565.0, 3, False, {"400": 400.0, "405": 80.0, "LFT": 85.0}),
            2: (555.0, "USD", 555.0, 5, True, {"400": 450.0, "405": 45.0, "LFT": 60.0}),
            3: (720.0, "EUR", 792.0, 2, False, {"400": 720.0}),
        })
        charlie = next(q for q in quotes if q.carrier_id == 3)
        self.assertIn("LFT: approved but not in the tariff, not accrued", charlie.trace)

    def test_exclusions_say_why(self):
        _quotes, excluded = run("cost")
        self.assertEqual([(e.carrier_id, e.reason) for e in excluded], [
            (4, "weight band 0–500 kg of the lane excludes 1,000.0 kg"),
            (5, "no contract valid on 2024-07-15"),
        ])

    def test_ranked_by_cost_speed_and_best_value(self):
        self.assertEqual([q.carrier_id for q in run("cost")[0]], [2, 1, 3])
        self.assertEqual([q.carrier_id for q in run("speed")[0]], [3, 1, 2])
        best = run("best_value")[0]
        self.assertEqual([(q.carrier_id, q.score) for q in best],
                         [(1, 90.2), (2, 78.0), (3, 66.5)])

    def test_best_value_parts_explain_the_score(self):
        alpha, bravo, charlie = run("best_value")[0]
        self.assertEqual([(p["key"], p["points"]) for p in alpha.breakdown], [
            ("cost", 44.2), ("transit", 10.0), ("on_time", 18.0), ("invoice_accuracy", 8.0),
            ("tender_acceptance", 10.0)])
        self.assertEqual([p["normalised"] for p in bravo.breakdown], [1.0, 0.4, 0.6, 1.0, 0.5])
        self.assertEqual(sum(p["weight"] for p in alpha.breakdown), 1.0)
        self.assertEqual(bravo.notes, ("cheapest", "minimum charge applies"))
        self.assertEqual(charlie.notes, (
            "fastest", "no history for on time, invoice accuracy, tender acceptance "
            "(half marks)"))
        self.assertEqual(alpha.as_dict()["breakdown"][0]["value"], 565.0)

    def test_a_quote_is_the_expected_cost_the_accrual_would_book(self):
        for carrier_id in (1, 2, 3):
            expected = expected_cost(replace(FACTS, carrier_id=carrier_id), CONTRACTS, DAY,
                                     CODES)
            found = quote(FACTS, CONTRACTS, carrier_id, DAY, CODES, FX)
            self.assertEqual((found.total, found.trace), (expected.total, expected.trace))

    def test_the_current_carriers_confirmed_rate_prices_no_other_carrier(self):
        confirmed = replace(FACTS, carrier_id=1, confirmed_rate=(999.0, "USD"))
        self.assertEqual(quote(confirmed, CONTRACTS, 2, DAY, CODES, FX).total, 555.0)
        self.assertEqual(quote(confirmed, CONTRACTS, 1, DAY, CODES, FX).total, 565.0)

    def test_no_lane_and_no_exchange_rate(self):
        parcel = replace(FACTS, mode="parcel")
        self.assertEqual(quote(parcel, CONTRACTS, 1, DAY, CODES, FX).reason,
                         "no lane of the contract covers the trip and mode")
        self.assertEqual(quote(FACTS, CONTRACTS, 3, DAY, CODES, {"USD": 1.0}),
                         Excluded(3, "no exchange rate for EUR"))

    def test_no_quote_no_ranking(self):
        self.assertEqual(rank([], "cost"), [])
        with self.assertRaises(BadParams):
            rank([], "cheapest")


@tagged("freight_sync", "freight_pure")
class TestWeightBands(BaseCase):
    def test_the_band_that_holds_the_weight_prices_it(self):
        terms = contract(60, 6, [lane(601, "per_kg", 0.50, weight_max=500.0),
                                 lane(602, "per_kg", 0.30, weight_min=500.01)])
        for weight, lane_id in ((1.0, 601), (500.0, 601), (500.01, 602), (20000.0, 602)):
            with self.subTest(weight=weight):
                self.assertEqual(pick_rate_line(terms, FACTS.origin, FACTS.destination, "ltl",
                                                weight).id, lane_id)
        # the audit's linehaul reads the band too: one pricing rule
        amount, currency, _trace = shipment_linehaul(terms, FACTS)
        self.assertEqual((amount, currency), (300.0, "USD"))

    def test_a_lane_without_band_takes_any_weight(self):
        plain = lane(1, "flat", 1.0)
        self.assertTrue(plain.covers_weight(0.0) and plain.covers_weight(1e9))
        self.assertIsNone(plain.weight_band)
        self.assertEqual(lane(2, "flat", 1.0, weight_min=100.0).weight_band, "100–∞ kg")


@tagged("freight_sync", "freight_pure")
class TestRateShopParams(BaseCase):
    def test_accepted(self):
        self.assertEqual(parse_rate_shop({"shipment_id": 7}), (7, "best_value"))
        self.assertEqual(parse_rate_shop({"shipment_id": 7, "sort": "speed"}), (7, "speed"))
        self.assertEqual(parse_scorecard({}), (None, 6))
        self.assertEqual(parse_scorecard({"carrier_id": 3, "months": 12}), (3, 12))
        self.assertEqual(parse_choice(3, 555.0), (3, 555.0))

    def test_refusals_say_what_to_fix(self):
        cases = [
            (parse_rate_shop, {}, "shipment_id is required"),
            (parse_rate_shop, {"shipment_id": "7"}, "shipment_id must be a positive integer"),
            (parse_rate_shop, {"shipment_id": True}, "shipment_id must be a positive integer"),
            (parse_rate_shop, {"shipment_id": 7, "sort": "cheap"}, "sort must be one of"),
            (parse_rate_shop, {"shipment_id": 7, "x": 1}, "unknown parameter(s): x"),
            (parse_scorecard, {"months": 0}, "months must be a whole number from 1 to 24"),
            (parse_scorecard, {"months": 25}, "months must be"),
            (parse_scorecard, {"carrier_id": -2}, "carrier_id must be a positive integer"),
        ]
        for parse, params, message in cases:
            with self.subTest(params=params), self.assertRaises(BadParams) as caught:
                parse(params)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(BadParams):
            parse_choice(3, "555")
