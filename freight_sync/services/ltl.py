"""LTL rating as carriers bill it: a base tariff by freight class and weight break, the
contract's discount off it, FAK class mappings, deficit weight and an absolute minimum. Pure.

A tariff gives, per lane (origin and destination ZIP prefixes) and NMFC class, a rate per
hundredweight (cwt, 100 lb) for each weight break: the break is the least weight the rate
applies from (0 is the "less than 500 lb" rate). A shipment of several classes is rated
class by class at the break of its total weight, as the NMFC tariffs rate mixed shipments.

Deficit weight: when billing the shipment as if it weighed a higher break's weight is
cheaper, that is the charge; the weight added (the deficit) is rated at the lowest rate of
the shipment's classes at that break.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from .expected_cost import LB_PER_KG, money

# The NMFC classes, lowest (densest, cheapest) first.
CLASSES = ("50", "55", "60", "65", "70", "77.5", "85", "92.5", "100", "110", "125", "150",
           "175", "200", "250", "300", "400", "500")
# the classes as every class field offers them
CLASS_SELECTION = [(freight_class, freight_class) for freight_class in CLASSES]
STANDARD_BREAKS_LB = (0, 500, 1000, 2000, 5000, 10000, 20000)


def class_key(freight_class: str) -> float:
    return float(freight_class)


def normal_class(text) -> str | None:
    """An NMFC class as the tariff writes it ("77.5", "85"), None when it is none."""
    if text is None or text == "":
        return None
    try:
        number = float(str(text).strip())
    except ValueError:
        return None
    label = f"{number:g}"
    return label if label in CLASSES else None


def pounds(weight_kg: float) -> int:
    """A weight in whole pounds, rounded up as carriers rate it (1,240.2 lb bills 1,241).
    Tenths first: a weight sent in pounds and kept in kg to the hundredth (1,240 lb as
    562.46 kg, 1,240.0098 lb) is still 1,240 lb."""
    return max(math.ceil(round(weight_kg * LB_PER_KG, 1)), 0)


def break_label(weight_lb: int) -> str:
    """The trade's name of a weight break: L5C (under 500 lb), M5C, 1M, 2M..."""
    if weight_lb == 0:
        return "L5C"
    if weight_lb % 1000 == 0:
        return f"{weight_lb // 1000}M"
    if weight_lb == 500:
        return "M5C"
    return f"{weight_lb:,} lb"


@dataclass(frozen=True)
class TariffLane:
    """One lane of a tariff: rates by class, each a tuple of (break lb, rate per cwt)."""

    origin_prefix: str  # empty: any origin
    destination_prefix: str  # empty: any destination
    rates: Mapping = field(default_factory=dict)  # class -> ((break_lb, rate), ...) ascending

    @property
    def label(self) -> str:
        return f"{self.origin_prefix or '*'}→{self.destination_prefix or '*'}"


def lanes_from_cells(cells) -> tuple:
    """Tariff lanes from its rates ``(origin prefix, destination prefix, class, break lb,
    rate per cwt)``, the lanes in the order they first appear."""
    lanes = {}
    for origin, destination, freight_class, weight_break, rate in cells:
        lane = lanes.setdefault((origin or "", destination or ""), {})
        lane.setdefault(freight_class, []).append((weight_break, rate))
    return tuple(TariffLane(origin, destination, {
        freight_class: tuple(sorted(rates)) for freight_class, rates in classes.items()})
        for (origin, destination), classes in lanes.items())


def _zip(text: str | None) -> str:
    return (text or "").replace(" ", "").upper()


@dataclass(frozen=True)
class TariffRevision:
    """A base tariff as one revision of it reads: revisions are kept, never edited, so an
    audit can name the one it rated with."""

    id: int
    tariff: str
    revision: int
    valid_from: date
    valid_to: date | None = None
    lanes: tuple = ()  # TariffLane

    @property
    def label(self) -> str:
        return f"{self.tariff} rev {self.revision}"

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @cached_property
    def _by_prefixes(self) -> dict:
        """Lanes by their (origin, destination) prefixes, with their place in the tariff:
        a tariff of thousands of lanes is looked up, not scanned, for every shipment."""
        found = {}
        for position, lane in enumerate(self.lanes):
            found.setdefault((_zip(lane.origin_prefix), _zip(lane.destination_prefix)),
                             (position, lane))
        return found

    def lane_for(self, origin_zip: str | None, destination_zip: str | None
                 ) -> TariffLane | None:
        """The most specific lane for the trip: the longest prefixes together (ties: the
        first in the tariff)."""
        origin, destination = _zip(origin_zip), _zip(destination_zip)
        best = None
        for o in range(len(origin), -1, -1):
            for d in range(len(destination), -1, -1):
                hit = self._by_prefixes.get((origin[:o], destination[:d]))
                if hit and (best is None or (o + d, -hit[0]) > best[0]):
                    best = ((o + d, -hit[0]), hit[1])
        return best[1] if best else None


@dataclass(frozen=True)
class FakRule:
    """Freight-all-kinds: the actual classes from ``class_from`` to ``class_to`` (included)
    are rated as ``rated_class``."""

    class_from: str
    class_to: str
    rated_class: str

    def maps(self, freight_class: str) -> bool:
        return class_key(self.class_from) <= class_key(freight_class) <= class_key(
            self.class_to)


@dataclass(frozen=True)
class LtlTerms:
    """What a contract lane adds to a base tariff."""

    revisions: tuple = ()  # TariffRevision of the tariff, newest first
    discount_percent: float = 0.0
    absolute_minimum: float = 0.0
    fak: tuple = ()  # FakRule, the first that maps a class wins
    deficit_weight: bool = True
    pinned_revision: int | None = None  # a revision's id: rate with it whatever the date

    def revision_on(self, day: date | None) -> TariffRevision | None:
        """The pinned revision, else the newest revision valid on ``day``."""
        if self.pinned_revision:
            return next((r for r in self.revisions if r.id == self.pinned_revision), None)
        valid = [r for r in self.revisions if day is None or r.valid_on(day)]
        return max(valid, key=lambda r: (r.revision, r.id)) if valid else None

    def describe(self) -> str:
        """The terms in a clerk's words, e.g. "PRLT-500, 72 % off, FAK 77.5–85 → 70,
        deficit weight" (the minimum is shown on its own)."""
        newest = max(self.revisions, key=lambda r: r.revision, default=None)
        pinned = next((r for r in self.revisions if r.id == self.pinned_revision), None)
        parts = [pinned.label + " (pinned)" if pinned else newest.tariff if newest
                 else "no tariff revision"]
        if self.discount_percent:
            parts.append(f"{self.discount_percent:g} % off")
        parts += [f"FAK {rule.class_from}–{rule.class_to} → {rule.rated_class}"
                  for rule in self.fak]
        if self.deficit_weight:
            parts.append("deficit weight")
        return ", ".join(parts)

    def rated_class(self, freight_class: str) -> str:
        rule = next((rule for rule in self.fak if rule.maps(freight_class)), None)
        return rule.rated_class if rule else freight_class


@dataclass(frozen=True)
class FreightItem:
    """A handling unit group of a shipment, as the transfers or the dispatcher give it."""

    freight_class: str | None
    weight_kg: float
    nmfc_item: str | None = None
    pieces: int = 0
    description: str | None = None


@dataclass(frozen=True)
class Rating:
    """An LTL charge and each step that made it, or why none could be computed."""

    amount: float | None
    steps: tuple = ()
    revision: str | None = None  # the tariff revision's label
    problem: str | None = None

    @property
    def detail(self) -> str:
        return self.problem or ", ".join(self.steps)


def _rate_at(rates: tuple, weight_lb: int) -> tuple[int, float] | None:
    """(break, rate per cwt) of the highest break not above ``weight_lb``."""
    found = None
    for weight_break, rate in rates:
        if weight_break <= weight_lb:
            found = (weight_break, rate)
    return found


def _charge(lane: TariffLane, weights: dict, billed_lb: int, weight_break_lb: int
            ) -> tuple[float, dict] | None:
    """Gross charge of the classes' weights at the rates of ``weight_break_lb``, the
    shipment billed as ``billed_lb`` (the deficit, above the actual weight, at the
    lowest of those rates); None when a class has no rate at that break."""
    per_class = {}
    for freight_class in weights:
        found = _rate_at(lane.rates.get(freight_class, ()), weight_break_lb)
        if found is None:
            return None
        per_class[freight_class] = found[1]
    actual = sum(weights.values())
    gross = sum(weight / 100 * per_class[c] for c, weight in weights.items())
    gross += max(billed_lb - actual, 0) / 100 * min(per_class.values())
    return gross, per_class


def _class_weights(items, terms: LtlTerms) -> tuple[dict, list, str | None]:
    """Whole pounds per rated class, the FAK sentences, and the problem if any."""
    weights, mapped = {}, []
    for item in items:
        actual = normal_class(item.freight_class)
        if actual is None:
            what = item.description or item.nmfc_item or "an item"
            return {}, [], f"no freight class on {what}"
        rated = terms.rated_class(actual)
        if rated != actual:
            sentence = f"class {actual} → FAK {rated}"
            if sentence not in mapped:
                mapped.append(sentence)
        weights[rated] = weights.get(rated, 0.0) + item.weight_kg
    return {c: pounds(kg) for c, kg in weights.items()}, mapped, None


def rate_ltl(terms: LtlTerms, items, origin_zip: str | None, destination_zip: str | None,
             day: date | None) -> Rating:
    """The LTL linehaul of ``items`` (FreightItem) on the lane, with its steps, e.g.
    "class 85 → FAK 70, 1,240 lb → 2M break deficit 760 lb cheaper, base 101.20/cwt ×
    20.00 cwt = 2,024.00 − 72 % discount → 566.72, minimum 95.00"."""
    revision = terms.revision_on(day)
    if revision is None:
        when = f" valid on {day.isoformat()}" if day else ""
        return Rating(None, problem=f"no revision of the base tariff{when}")
    lane = revision.lane_for(origin_zip, destination_zip)
    if lane is None:
        return Rating(None, revision=revision.label, problem=(
            f"{revision.label} has no lane from ZIP {origin_zip or '?'} to "
            f"{destination_zip or '?'}"))
    if not items:
        return Rating(None, revision=revision.label,
                      problem="the shipment has no items with a freight class and weight")
    weights, steps, problem = _class_weights(items, terms)
    if problem:
        return Rating(None, revision=revision.label, problem=problem)
    total = sum(weights.values())
    best = _best_break(lane, weights, total, terms.deficit_weight)
    if best is None:
        missing = ", ".join(sorted((c for c in weights if not lane.rates.get(c)), key=class_key))
        return Rating(None, revision=revision.label, problem=(
            f"{revision.label} lane {lane.label} has no rate for class "
            f"{missing or ', '.join(weights)} at {total:,} lb"))
    (gross, per_class, weight_break, billed_lb), actual_gross = best
    steps = [f"{revision.label} lane {lane.label}"] + steps
    steps.append(_weight_step(total, weight_break, billed_lb, gross, actual_gross))
    steps.append(_base_step(weights, per_class, billed_lb, gross))
    net = money(gross * (1 - terms.discount_percent / 100))
    if terms.discount_percent:
        steps[-1] += f" − {terms.discount_percent:g} % discount → {net:,.2f}"
    amount = net
    if terms.absolute_minimum:
        amount = max(net, money(terms.absolute_minimum))
        applied = " applied" if amount > net else ""
        steps.append(f"minimum {terms.absolute_minimum:,.2f}{applied}")
    return Rating(money(amount), tuple(steps), revision.label)


def _best_break(lane, weights, total, deficit_weight):
    """((gross, rates per class, break, billed lb), gross at the actual weight): the
    actual weight's break, or a higher one billed at its weight when that is cheaper."""
    breaks = sorted({b for c in weights for b, _r in lane.rates.get(c, ())})
    actual_break = max((b for b in breaks if b <= total), default=None)
    if actual_break is None:
        return None
    actual = _charge(lane, weights, total, actual_break)
    if actual is None:
        return None
    best = (money(actual[0]), actual[1], actual_break, total)
    if deficit_weight:
        for higher in (b for b in breaks if b > total):
            priced = _charge(lane, weights, higher, higher)
            if priced is not None and money(priced[0]) < best[0]:
                best = (money(priced[0]), priced[1], higher, higher)
    return best, money(actual[0])


def _weight_step(total, weight_break, billed_lb, gross, actual_gross) -> str:
    if billed_lb == total:
        return f"{total:,} lb → {break_label(weight_break)} break"
    return (f"{total:,} lb → {break_label(weight_break)} break deficit "
            f"{billed_lb - total:,} lb cheaper ({gross:,.2f} < {actual_gross:,.2f})")


def _base_step(weights, per_class, billed_lb, gross) -> str:
    parts = []
    deficit = billed_lb - sum(weights.values())
    lowest = min(per_class, key=lambda c: (per_class[c], class_key(c)))
    for freight_class in sorted(weights, key=class_key):
        cwt = (weights[freight_class] + (deficit if freight_class == lowest else 0)) / 100
        label = f"class {freight_class} " if len(weights) > 1 else ""
        parts.append(f"{label}{per_class[freight_class]:,.2f}/cwt × {cwt:,.2f} cwt")
    return "base " + " + ".join(parts) + f" = {gross:,.2f}"


def as_billed(items, weight_kg: float | None = None, freight_class: str | None = None
              ) -> tuple:
    """The shipment's items as a carrier's adjustment restates them: every item at the
    billed class, and the weights scaled to the billed weight."""
    items = tuple(items)
    if not items:
        return (FreightItem(freight_class, weight_kg or 0.0),) if freight_class else ()
    actual = sum(item.weight_kg for item in items)
    scale = weight_kg / actual if weight_kg and actual else 1.0
    return tuple(replace(item, weight_kg=item.weight_kg * scale,
                         freight_class=freight_class or item.freight_class)
                 for item in items)
