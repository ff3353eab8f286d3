"""Rate shopping: what each carrier would charge for a shipment, ranked. Pure.

A quote is the carrier's expected cost as the accrual and the audit would compute it had
the shipment that carrier (``accrual.expected_cost``: the contract valid on the date, its
most specific lane for the trip, mode and weight band, linehaul or minimum, fuel, the
shipment's approved accessorials by the tariff). There is one pricing function: a quote
and the expected cost booked after the carrier is chosen are the same number. A carrier
whose contract does not price the trip gets no quote but an exclusion saying why.

Best value is a score out of 100, the sum of weighted parts each between 0 and 1:

    score = 100 × (W_COST × cheapest / total
                   + W_TRANSIT × fastest / transit_days
                   + W_ON_TIME × on-time % / 100
                   + W_ACCURACY × invoice accuracy % / 100
                   + W_TENDER × tender acceptance % / 100)

Costs compare in the company's currency; a lane without transit days and a figure
without history count as ``NOT_STATED`` (half marks). Every quote carries its parts
(value, normalised, weight, points), so the screen can say why one comes first.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .accrual import expected_cost
from .expected_cost import money, pick_contract, pick_rate_line
from .invoice_audit import ShipmentFacts

SORTS = ("best_value", "cost", "speed")
W_COST = 0.45
W_TRANSIT = 0.15
W_ON_TIME = 0.20
W_ACCURACY = 0.10
W_TENDER = 0.10
# a lane without transit days, a carrier without history: half marks, neither best nor worst
NOT_STATED = 0.5
# the scorecard figures best value reads (scorecard.py's names), with their weight
SCORECARD_WEIGHTS = (("on_time", "On time", W_ON_TIME),
                     ("invoice_accuracy", "Invoice accuracy", W_ACCURACY),
                     ("tender_acceptance", "Tender acceptance", W_TENDER))
MAX_MONTHS = 24
DEFAULT_MONTHS = 6


class BadParams(ValueError):
    """A rate-shop or scorecard request refused, with a sentence saying what to fix."""


@dataclass(frozen=True)
class Quote:
    carrier_id: int
    contract_id: int
    lane_id: int
    currency: str
    total: float  # in the contract's currency
    total_company: float  # in the company's currency: what ranks
    amounts: Mapping  # charge code -> amount (contract currency)
    trace: tuple
    transit_days: int | None
    minimum_applied: bool
    weight_band: str | None
    scorecard: Mapping = field(default_factory=dict)  # figure -> percent or None
    score: float = 0.0
    breakdown: tuple = ()
    notes: tuple = ()

    def as_dict(self) -> dict:
        return {
            "carrier_id": self.carrier_id, "contract_id": self.contract_id,
            "lane_id": self.lane_id, "currency": self.currency, "total": self.total,
            "total_company": self.total_company, "amounts": dict(self.amounts),
            "trace": list(self.trace), "transit_days": self.transit_days,
            "minimum_applied": self.minimum_applied, "weight_band": self.weight_band,
            "scorecard": dict(self.scorecard), "score": self.score,
            "breakdown": [dict(part) for part in self.breakdown], "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Excluded:
    carrier_id: int
    reason: str

    def as_dict(self) -> dict:
        return {"carrier_id": self.carrier_id, "reason": self.reason}


def quote(facts: ShipmentFacts, contracts, carrier_id: int, on_date: date,
          codes_by_kind: dict, fx: Mapping) -> Quote | Excluded:
    """The carrier's quote for the shipment, or why it has none. ``fx``: currency name ->
    factor to the company's currency (the company's own currency: 1.0)."""
    # the shipment as if this carrier moved it: another carrier's confirmed rate is no price
    facts = replace(facts, carrier_id=carrier_id, confirmed_rate=None)
    contract = pick_contract(contracts, carrier_id, on_date)
    if contract is None:
        return Excluded(carrier_id, f"no contract valid on {on_date.isoformat()}")
    lane = pick_rate_line(contract, facts.origin, facts.destination, facts.mode,
                          facts.weight_kg)
    if lane is None:
        heavier = pick_rate_line(contract, facts.origin, facts.destination, facts.mode)
        if heavier is not None:
            return Excluded(carrier_id, f"weight band {heavier.weight_band} of the lane "
                                        f"excludes {facts.weight_kg:,.1f} kg")
        return Excluded(carrier_id, "no lane of the contract covers the trip and mode")
    cost = expected_cost(facts, contracts, on_date, codes_by_kind)
    if cost.missing or cost.currency not in fx:
        return Excluded(carrier_id, cost.missing or f"no exchange rate for {cost.currency}")
    base = cost.amounts.get(codes_by_kind["linehaul"], 0.0)
    minimum = lane.ltl.absolute_minimum if lane.ltl else lane.minimum
    return Quote(
        carrier_id=carrier_id, contract_id=contract.id, lane_id=lane.id,
        currency=cost.currency, total=cost.total,
        total_company=money(cost.total * fx[cost.currency]), amounts=dict(cost.amounts),
        trace=cost.trace, transit_days=lane.transit_days,
        minimum_applied=bool(minimum) and base == money(minimum),
        weight_band=lane.weight_band)


def shop(facts: ShipmentFacts, contracts, carrier_ids, on_date: date, codes_by_kind: dict,
         fx: Mapping, cards: Mapping, sort: str = "best_value") -> tuple[list, list]:
    """``(ranked quotes, exclusions)`` for every carrier of ``carrier_ids``. ``cards``:
    carrier id -> {figure: percent or None} (scorecard.py); a carrier without one has no
    history."""
    quotes, excluded = [], []
    for carrier_id in sorted(set(carrier_ids)):
        result = quote(facts, contracts, carrier_id, on_date, codes_by_kind, fx)
        if isinstance(result, Excluded):
            excluded.append(result)
        else:
            quotes.append(replace(result, scorecard=dict(cards.get(carrier_id) or {})))
    return rank(quotes, sort), excluded


def _part(key, label, value, normalised, weight):
    return {"key": key, "label": label, "value": value, "normalised": round(normalised, 4),
            "weight": weight, "points": round(100 * weight * normalised, 1)}


def best_value(quote_: Quote, cheapest: float, fastest: int | None) -> tuple[float, tuple]:
    """``(score, parts)`` of one quote against the cheapest total and shortest transit."""
    total = quote_.total_company
    parts = [_part("cost", "Cost", total, cheapest / total if total > 0 else 1.0, W_COST)]
    days = quote_.transit_days
    if days is None or fastest is None:
        speed = NOT_STATED
    else:
        speed = fastest / days if days > 0 else 1.0
    parts.append(_part("transit", "Transit days", days, speed, W_TRANSIT))
    for key, label, weight in SCORECARD_WEIGHTS:
        percent = quote_.scorecard.get(key)
        parts.append(_part(key, label, percent,
                           NOT_STATED if percent is None else percent / 100, weight))
    score = round(sum(100 * part["weight"] * part["normalised"] for part in parts), 1)
    return score, tuple(parts)


def _notes(quote_: Quote, cheapest: float, fastest: int | None) -> tuple:
    notes = []
    if quote_.total_company == cheapest:
        notes.append("cheapest")
    if fastest is not None and quote_.transit_days == fastest:
        notes.append("fastest")
    if quote_.minimum_applied:
        notes.append("minimum charge applies")
    if quote_.transit_days is None:
        notes.append("no transit time in the contract (half marks)")
    missing = [label.lower() for key, label, _weight in SCORECARD_WEIGHTS
               if quote_.scorecard.get(key) is None]
    if missing:
        notes.append(f"no history for {', '.join(missing)} (half marks)")
    return tuple(notes)


def rank(quotes: list, sort: str) -> list:
    """The quotes with their best-value score and parts, ordered by ``sort``: ``cost``
    (cheapest first), ``speed`` (fewest transit days first, not stated last) or
    ``best_value`` (highest score first). Ties: the other criteria, then carrier id."""
    if sort not in SORTS:
        raise BadParams(f"sort must be one of: {', '.join(SORTS)}")
    if not quotes:
        return []
    cheapest = min(q.total_company for q in quotes)
    known = [q.transit_days for q in quotes if q.transit_days is not None]
    fastest = min(known) if known else None
    scored = []
    for item in quotes:
        score, parts = best_value(item, cheapest, fastest)
        scored.append(replace(item, score=score, breakdown=parts,
                              notes=_notes(item, cheapest, fastest)))

    def transit(item):
        return (item.transit_days is None, item.transit_days or 0)

    keys = {
        "cost": lambda q: (q.total_company, transit(q), -q.score, q.carrier_id),
        "speed": lambda q: (transit(q), q.total_company, -q.score, q.carrier_id),
        "best_value": lambda q: (-q.score, q.total_company, transit(q), q.carrier_id),
    }
    return sorted(scored, key=keys[sort])


def _positive_int(value, name):
    # bool is an int in Python: true must not mean record 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadParams(f"{name} must be a positive integer")
    return value


def parse_rate_shop(params) -> tuple[int, str]:
    """``(shipment_id, sort)`` of a rate-shop request; sort defaults to best value."""
    params = params or {}
    unknown = set(params) - {"shipment_id", "sort"}
    if unknown:
        raise BadParams(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    if "shipment_id" not in params:
        raise BadParams("shipment_id is required")
    shipment_id = _positive_int(params["shipment_id"], "shipment_id")
    sort = params.get("sort") or "best_value"
    if sort not in SORTS:
        raise BadParams(f"sort must be one of: {', '.join(SORTS)}")
    return shipment_id, sort


def parse_scorecard(params) -> tuple[int | None, int]:
    """``(carrier_id or None, months)`` of a scorecard request: the last ``months`` months
    (this one included), 6 by default, at most 24."""
    params = params or {}
    unknown = set(params) - {"carrier_id", "months"}
    if unknown:
        raise BadParams(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    carrier_id = params.get("carrier_id")
    if carrier_id is not None and carrier_id is not False:
        carrier_id = _positive_int(carrier_id, "carrier_id")
    else:
        carrier_id = None
    months = params.get("months", DEFAULT_MONTHS)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise BadParams(f"months must be a whole number from 1 to {MAX_MONTHS}")
    return carrier_id, months


def parse_choice(carrier_id, expected_total) -> tuple[int, float | None]:
    """A dispatcher's choice: the carrier, and the total the screen showed (to refuse the
    choice when the price changed since)."""
    carrier_id = _positive_int(carrier_id, "carrier_id")
    if expected_total is not None and (isinstance(expected_total, bool)
                                       or not isinstance(expected_total, (int, float))):
        raise BadParams("expected_total must be a number")
    return carrier_id, expected_total
