"""LTL rating and carrier adjustments, against tables computed by hand.

The tariff of these tests (made up): lane 372 → 606, rates per cwt.

    break      L5C     M5C     1M      2M      5M     10M     20M
    class 70   180.00  142.10  120.00  101.20  80.00  65.00   50.00
    class 100  240.00  200.00  170.00  140.00  115.00 95.00   75.00
    class 150  300.00  250.00  210.00  180.00  150.00 120.00  100.00
"""

import random
from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.expected_cost import Address, Contract, FuelRule, RateLine, Zone
from ..services.invoice_audit import (
    AuditContext,
    Invoice,
    InvoiceLine,
    Policy,
    Prior,
    ShipmentFacts,
    ShipmentIndex,
    Tolerance,
    audit_invoice,
)
from ..services.ltl import (
    FakRule,
    FreightItem,
    LtlTerms,
    TariffLane,
    TariffRevision,
    pounds,
    rate_ltl,
)
from ..services.ltl_adjustments import CarrierFigures, find_adjustment
from ..services.rate_shop import quote

BREAKS = (0, 500, 1000, 2000, 5000, 10000, 20000)
RATES = {
    "70": (180.00, 142.10, 120.00, 101.20, 80.00, 65.00, 50.00),
    "100": (240.00, 200.00, 170.00, 140.00, 115.00, 95.00, 75.00),
    "150": (300.00, 250.00, 210.00, 180.00, 150.00, 120.00, 100.00),
}
LANE = TariffLane("372", "606", {cls: tuple(zip(BREAKS, rates)) for cls, rates in RATES.items()})
REV1 = TariffRevision(11, "DEMO", 1, date(2024, 1, 1), None, (LANE,))
FAK = (FakRule("77.5", "85", "70"),)
TN, IL = Address("US", "TN", "37201"), Address("US", "IL", "60601")


def kg(lb: float) -> float:
    return lb / 2.20462


def terms(**changes):
    values = dict(revisions=(REV1,), discount_percent=0.0, absolute_minimum=0.0, fak=FAK,
                  deficit_weight=True)
    values.update(changes)
    return LtlTerms(**values)


def rate(items, **changes):
    return rate_ltl(terms(**changes), items, "37201", "60601", date(2024, 5, 1))


@tagged("freight_sync", "freight_pure")
class TestLtlRating(BaseCase):
    def test_weight_break_at_each_boundary(self):
        # deficit weight off: each weight at its own break's rate
        table = [
            (499, "L5C", 898.20), (500, "M5C", 710.50), (999, "M5C", 1419.58),
            (1000, "1M", 1200.00), (1999, "1M", 2398.80), (2000, "2M", 2024.00),
            (4999, "2M", 5058.99), (5000, "5M", 4000.00), (9999, "5M", 7999.20),
            (10000, "10M", 6500.00), (19999, "10M", 12999.35), (20000, "20M", 10000.00),
        ]
        for lb, weight_break, amount in table:
            with self.subTest(lb=lb):
                rating = rate([FreightItem("70", kg(lb))], deficit_weight=False)
                self.assertEqual(rating.amount, amount)
                self.assertIn(f"{lb:,} lb → {weight_break} break", rating.detail)

    def test_whole_pounds_round_up(self):
        self.assertEqual(pounds(kg(1240)), 1240)
        self.assertEqual(pounds(kg(1240.2)), 1241)
        self.assertEqual(pounds(562.46), 1240)  # 1,240 lb kept in kg to the hundredth
        self.assertEqual(pounds(562.45), 1240)

    def test_deficit_weight_cheaper_and_not(self):
        # 2,000 lb at 101.20 = 2,024.00: cheaper than the 1M rate from 1,687 lb (2,024.40)
        table = [
            (1500, 1800.00, None), (1686, 2023.20, None),
            (1687, 2024.00, "1,687 lb → 2M break deficit 313 lb cheaper (2,024.00 < 2,024.40)"),
            (1800, 2024.00, "1,800 lb → 2M break deficit 200 lb cheaper (2,024.00 < 2,160.00)"),
        ]
        for lb, amount, sentence in table:
            with self.subTest(lb=lb):
                rating = rate([FreightItem("70", kg(lb))])
                self.assertEqual(rating.amount, amount)
                if sentence:
                    self.assertIn(sentence, rating.detail)
                else:
                    self.assertNotIn("deficit", rating.detail)

    def test_deficit_switched_off_in_the_contract(self):
        self.assertEqual(rate([FreightItem("70", kg(1800))], deficit_weight=False).amount,
                         2160.00)

    def test_fak_maps_a_class_range(self):
        table = [("77.5", "70", 1200.00), ("85", "70", 1200.00), ("92.5", None, None),
                 ("100", None, 1700.00)]
        for actual, fak, amount in table:
            with self.subTest(actual=actual):
                rating = rate([FreightItem(actual, kg(1000))])
                self.assertEqual(rating.amount, amount)
                if fak:
                    self.assertIn(f"class {actual} → FAK {fak}", rating.detail)
        self.assertIn("no rate for class 92.5", rate([FreightItem("92.5", kg(1000))]).detail)

    def test_discount_and_absolute_minimum(self):
        table = [
            # lb, gross, net after 72 %, charged with a 95.00 minimum
            (100, 180.00, 50.40, 95.00),
            (1000, 1200.00, 336.00, 336.00),
            (300, 540.00, 151.20, 151.20),
        ]
        for lb, gross, net, charged in table:
            with self.subTest(lb=lb):
                rating = rate([FreightItem("70", kg(lb))], discount_percent=72.0,
                              absolute_minimum=95.0)
                self.assertEqual(rating.amount, charged)
                self.assertIn(f"= {gross:,.2f} − 72 % discount → {net:,.2f}", rating.detail)
                self.assertIn("minimum 95.00" + (" applied" if charged > net else ""),
                              rating.detail)

    def test_the_clerks_sentence(self):
        rating = rate([FreightItem("85", kg(1800))], discount_percent=72.0,
                      absolute_minimum=95.0)
        self.assertEqual(rating.detail, (
            "DEMO rev 1 lane 372→606, class 85 → FAK 70, 1,800 lb → 2M break deficit 200 lb "
            "cheaper (2,024.00 < 2,160.00), base 101.20/cwt × 20.00 cwt = 2,024.00 − 72 % "
            "discount → 566.72, minimum 95.00"))
        self.assertEqual(rating.amount, 566.72)

    def test_multi_class_rated_at_the_total_weights_break(self):
        # 600 lb class 85 (FAK 70) + 400 lb class 150 = 1,000 lb: both at 1M
        rating = rate([FreightItem("85", kg(600)), FreightItem("150", kg(400))])
        self.assertEqual(rating.amount, 6 * 120.00 + 4 * 210.00)
        self.assertIn("class 70 120.00/cwt × 6.00 cwt + class 150 210.00/cwt × 4.00 cwt",
                      rating.detail)

    def test_multi_class_deficit_at_the_lowest_rate(self):
        # 1,200 lb class 70 + 600 lb class 150: at 1M 1,440.00 + 1,260.00 = 2,700.00;
        # as 2,000 lb: 1,214.40 + 1,080.00 + 200 lb deficit at class 70's 101.20 = 2,496.80
        rating = rate([FreightItem("70", kg(1200)), FreightItem("150", kg(600))])
        self.assertEqual(rating.amount, 2496.80)
        self.assertIn("class 70 101.20/cwt × 14.00 cwt + class 150 180.00/cwt × 6.00 cwt",
                      rating.detail)

    def test_what_cannot_be_rated_says_why(self):
        self.assertIn("no freight class on pallets",
                      rate([FreightItem(None, 100, description="pallets")]).detail)
        self.assertIn("has no lane from ZIP 37201 to 10001", rate_ltl(
            terms(), [FreightItem("70", 100)], "37201", "10001", date(2024, 5, 1)).detail)
        self.assertIn("no revision of the base tariff valid on 2023-12-31", rate_ltl(
            terms(), [FreightItem("70", 100)], "37201", "60601", date(2023, 12, 31)).detail)
        self.assertIsNone(rate([]).amount)

    def test_revisions_by_date_and_pinned(self):
        rev2 = TariffRevision(12, "DEMO", 2, date(2024, 6, 1), None, (LANE,))
        both = terms(revisions=(rev2, REV1))
        self.assertEqual(both.revision_on(date(2024, 5, 31)).revision, 1)
        self.assertEqual(both.revision_on(date(2024, 6, 1)).revision, 2)
        self.assertEqual(terms(revisions=(rev2, REV1), pinned_revision=11)
                         .revision_on(date(2024, 7, 1)).revision, 1)
        self.assertIn("DEMO rev 2", rate_ltl(both, [FreightItem("70", 100)], "37201", "60601",
                                             date(2024, 6, 2)).detail)


# ---- the audit of LTL lines: adjustments and their evidence ------------------------------

LTL_LANE = RateLine(5, Zone("US"), Zone("US"), "ltl", "ltl_tariff", 0.0,
                    ltl=terms(discount_percent=50.0, absolute_minimum=95.0))
CONTRACT = Contract(1, 7, "USD", date(2024, 1, 1), None, (LTL_LANE,), FuelRule(percent=20.0))
KINDS = {"400": "linehaul", "405": "fuel"}


def facts(lb=1240.0, freight_class="85"):
    return ShipmentFacts(
        1, 7, "ltl", kg(lb), 800.0, 2, TN, IL,
        milestones=(("picked_up", datetime(2024, 7, 1, 8)), ("delivered", datetime(2024, 7, 3))),
        references={"pro_number": "PRO1", "name": "SHP1"},
        items=(FreightItem(freight_class, kg(lb)),))


def audit(*lines, certificates=()):
    shipment = facts()
    context = AuditContext(Policy(Tolerance(2.0, 10.0)), (CONTRACT,), {1: shipment},
                           ShipmentIndex([shipment]), KINDS)
    invoice = Invoice(1, 7, "INV1", date(2024, 7, 12), "USD", sum(x.amount for x in lines),
                      lines=tuple(lines), certificates=certificates)
    return audit_invoice(invoice, context, Prior())


def billed(amount, lb=None, freight_class=None, dimensions=None, certificate=None,
           code="400", id_=1):
    return InvoiceLine(id_, id_, {"pro_number": "PRO1"}, code, 1.0, amount,
                       kg(lb) if lb else None, freight_class, dimensions, certificate)


# 1,240 lb class 85 → FAK 70 at 1M: 12.40 × 120.00 = 1,488.00, half off → 744.00
# the carrier's reweigh to 1,500 lb: 15.00 × 120.00 = 1,800.00 → 900.00
# a reclass to 100: 12.40 × 170.00 = 2,108.00 → 1,054.00
# DIM weight 2,100 lb: 21.00 × 101.20 = 2,125.20 → 1,062.60
@tagged("freight_sync", "freight_pure")
class TestLtlAdjustments(BaseCase):
    def test_as_billed_is_approved(self):
        result = audit(billed(744.00, lb=1240, freight_class="70"))
        self.assertEqual(result.decision, "approve")
        self.assertEqual(result.lines[0].expected, 744.00)
        self.assertIn("class 85 → FAK 70, 1,240 lb → 1M break", "\n".join(result.lines[0].trace))

    def test_reweigh_without_certificate_goes_to_the_clerk(self):
        result = audit(billed(900.00, lb=1500))
        self.assertEqual(result.decision, "exception")
        [finding] = result.findings
        self.assertEqual(finding.type, "reweigh")
        self.assertEqual(finding.amount_at_stake, 156.00)
        self.assertIn("reweigh 1,240 → 1,500 lb without an inspection certificate", finding.message)
        self.assertIn("the carrier's figures rate the linehaul 900.00", finding.message)
        self.assertEqual(result.lines[0].expected, 744.00)

    def test_reweigh_with_a_certificate_is_rated_with_the_carriers_weight(self):
        for lines, certificates in (
                ([billed(900.00, lb=1500, certificate="WI-778")], ()),
                ([billed(900.00, lb=1500)], ("wi_778.pdf",))):
            with self.subTest(certificates=certificates):
                result = audit(*lines, certificates=certificates)
                self.assertEqual(result.decision, "approve")
                self.assertEqual(result.lines[0].expected, 900.00)
                trace = "\n".join(result.lines[0].trace)
                self.assertIn("Adjustment: reweigh 1,240 → 1,500 lb, inspection certificate", trace)
                self.assertIn("1,500 lb → 1M break", trace)

    def test_certificate_does_not_approve_more_than_the_carriers_figures(self):
        result = audit(billed(1000.00, lb=1500, certificate="WI-778"))
        self.assertEqual(result.decision, "exception")
        self.assertEqual([f.type for f in result.findings], ["rate_variance"])
        self.assertEqual(result.findings[0].amount_at_stake, 100.00)

    def test_fuel_follows_the_certified_linehaul(self):
        result = audit(billed(900.00, lb=1500, certificate="WI-778"),
                       billed(180.00, code="405", id_=2))
        self.assertEqual(result.decision, "approve")
        self.assertEqual(result.lines[1].expected, 180.00)

    def test_reclass(self):
        without = audit(billed(1054.00, freight_class="100"))
        self.assertEqual([f.type for f in without.findings], ["reclass"])
        self.assertEqual(without.findings[0].amount_at_stake, 310.00)
        self.assertIn("reclass 85 → 100", without.findings[0].message)
        certified = audit(billed(1054.00, freight_class="100", certificate="IC-1"))
        self.assertEqual(certified.decision, "approve")
        self.assertEqual(certified.lines[0].expected, 1054.00)

    def test_the_fak_class_billed_is_no_reclass(self):
        self.assertEqual(audit(billed(744.00, freight_class="70")).decision, "approve")

    def test_dimensional_weight(self):
        without = audit(billed(1062.60, lb=2100, dimensions="96x80x70 N x2"))
        self.assertEqual([f.type for f in without.findings], ["dim_weight"])
        self.assertIn("dimensional weight 1,240 → 2,100 lb (96x80x70 N x2)",
                      without.findings[0].message)
        certified = audit(billed(1062.60, lb=2100, dimensions="96x80x70 N x2",
                                 certificate="DIM-9"))
        self.assertEqual(certified.decision, "approve")
        self.assertEqual(certified.lines[0].expected, 1062.60)

    def test_a_reweigh_down_costs_less_and_passes(self):
        result = audit(billed(600.00, lb=1000))
        self.assertEqual(result.decision, "approve")
        self.assertIn("reweigh 1,240 → 1,000 lb", "\n".join(result.lines[0].trace))

    def test_find_adjustment_rules(self):
        items = (FreightItem("85", kg(1240)),)
        lane_terms = terms()
        self.assertIsNone(find_adjustment(items, kg(1240), CarrierFigures(kg(1240), "85"),
                                          lane_terms))
        self.assertIsNone(find_adjustment(items, kg(1240), CarrierFigures(None, "70"),
                                          lane_terms))
        both = find_adjustment(items, kg(1240), CarrierFigures(kg(1500), "100"), lane_terms)
        self.assertEqual(both.kinds, ("reweigh", "reclass"))
        self.assertEqual(both.finding_type, "reclass")
        self.assertEqual([(i.freight_class, pounds(i.weight_kg)) for i in both.items],
                         [("100", 1500)])


REV2_LANE = TariffLane("372", "606", {
    cls: tuple((weight_break, rate_ * 1.1) for weight_break, rate_ in cells)
    for cls, cells in LANE.rates.items()})
REV2 = TariffRevision(12, "DEMO", 2, date(2024, 1, 1), None, (REV2_LANE,))


@tagged("freight_sync", "freight_pure")
class TestLtlRevisionNamed(BaseCase):
    def _audit(self, revisions, last_revision=None):
        lane = RateLine(5, Zone("US"), Zone("US"), "ltl", "ltl_tariff", 0.0,
                        ltl=terms(revisions=revisions, discount_percent=50.0))
        shipment = facts()
        context = AuditContext(Policy(Tolerance(2.0, 10.0)),
                               (Contract(1, 7, "USD", date(2024, 1, 1), None, (lane,)),),
                               {1: shipment}, ShipmentIndex([shipment]), KINDS)
        line = InvoiceLine(1, 1, {"pro_number": "PRO1"}, "400", 1.0, 744.0,
                           last_revision=last_revision)
        invoice = Invoice(1, 7, "INV1", date(2024, 7, 12), "USD", 744.0, lines=(line,))
        return audit_invoice(invoice, context, Prior()).lines[0]

    def test_the_revision_is_named_and_a_new_one_says_which_was_used_before(self):
        first = self._audit((REV1,))
        self.assertEqual((first.tariff_revision, first.revision_change), ("DEMO rev 1", ""))
        again = self._audit((REV2, REV1), last_revision="DEMO rev 1")
        # 1,240 lb at 132.00 (120.00 + 10 %) = 1,636.80, half off
        self.assertEqual(again.expected, 818.40)
        self.assertEqual(again.revision_change, "DEMO rev 2 (the last audit: DEMO rev 1)")
        self.assertIn("Tariff: rated with DEMO rev 2; the last audit rated with DEMO rev 1",
                      again.trace)
        self.assertEqual(self._audit((REV1,), last_revision="DEMO rev 1").revision_change, "")


@tagged("freight_sync", "freight_pure")
class TestTariffLanes(BaseCase):
    def test_the_longest_prefixes_win(self):
        lanes = tuple(TariffLane(o, d, {}) for o, d in (
            ("", ""), ("3", "6"), ("303", ""), ("30", "80"), ("303", "802"), ("3 03", "6")))
        revision = TariffRevision(1, "T", 1, date(2024, 1, 1), None, lanes)
        table = [("30303", "80202", "303→802"), ("30303", "60601", "3 03→6"),
                 ("30303", "10001", "303→*"),
                 ("37201", "60601", "3→6"), ("10001", "10001", "*→*"),
                 ("30301", "80101", "30→80"), (None, None, "*→*")]
        for origin, destination, label in table:
            with self.subTest(origin=origin, destination=destination):
                self.assertEqual(revision.lane_for(origin, destination).label, label)
        self.assertIsNone(TariffRevision(1, "T", 1, date(2024, 1, 1), None, lanes[1:])
                          .lane_for("10001", "60601"))


@tagged("freight_sync", "freight_pure")
class TestLtlTermsInWords(BaseCase):
    def test_describe(self):
        self.assertEqual(terms(discount_percent=72.0).describe(),
                         "DEMO, 72 % off, FAK 77.5–85 → 70, deficit weight")
        self.assertEqual(terms(fak=(), deficit_weight=False, pinned_revision=11).describe(),
                         "DEMO rev 1 (pinned)")
        self.assertEqual(terms(revisions=()).describe(),
                         "no tariff revision, FAK 77.5–85 → 70, deficit weight")


@tagged("freight_sync", "freight_pure")
class TestLtlRatingProperties(BaseCase):
    """Over a thousand random shipments (a fixed seed): more weight never costs less with
    deficit weight, deficit weight never costs more than without it, and the charge is
    never under the minimum."""

    def test_properties(self):
        rng = random.Random(17)
        classes = list(RATES)
        for _n in range(1000):
            lb = rng.randint(1, 25000)
            more = lb + rng.randint(1, 5000)
            cls = rng.choice(classes)
            with self.subTest(lb=lb, more=more, cls=cls):
                deficit = rate([FreightItem(cls, kg(lb))])
                heavier = rate([FreightItem(cls, kg(more))])
                plain = rate([FreightItem(cls, kg(lb))], deficit_weight=False)
                self.assertLessEqual(deficit.amount, heavier.amount)
                self.assertLessEqual(deficit.amount, plain.amount)
                floor = rate([FreightItem(cls, kg(lb))], discount_percent=72.0,
                              absolute_minimum=95.0)
                self.assertGreaterEqual(floor.amount, 95.0)


@tagged("freight_sync", "freight_pure")
class TestLtlQuote(BaseCase):
    def test_a_quote_says_when_the_absolute_minimum_priced_it(self):
        codes = {"linehaul": "400", "fuel": "405"}
        small = quote(facts(lb=100, freight_class="70"), (CONTRACT,), 7, date(2024, 7, 1),
                      codes, {"USD": 1.0})
        # 1 cwt × 180.00, half off: 90.00, under the 95.00 minimum; fuel 20 %
        self.assertEqual((small.amounts, small.minimum_applied), ({"400": 95.0, "405": 19.0},
                                                                  True))
        large = quote(facts(), (CONTRACT,), 7, date(2024, 7, 1), codes, {"USD": 1.0})
        self.assertEqual((large.amounts["400"], large.minimum_applied), (744.0, False))
