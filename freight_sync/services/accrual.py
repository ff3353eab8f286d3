"""Freight accruals as plain data: what a shipment is expected to cost, per charge code,
and what must happen to its accrual when that changes. No ORM here.

The rule for a changed expected cost is *reverse and re-create*: the open accrual is
reversed in full and a new one posted for the new amount, so a shipment never has more
than one open accrual and each entry reads as a complete statement of the expected cost.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from .expected_cost import Contract, fuel, money, pick_contract
from .invoice_audit import ShipmentFacts, shipment_linehaul, tariff_amount

TRIGGERS = ("accepted", "picked_up", "delivered")
# milestones that close a shipment's freight cost for good
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ExpectedCost:
    """The expected cost of one shipment in the contract's currency."""

    currency: str | None
    amounts: dict = field(default_factory=dict)  # charge code -> amount
    trace: tuple = ()
    missing: str | None = None  # why nothing could be expected

    @property
    def total(self) -> float:
        return money(sum(self.amounts.values()))


def expected_cost(facts: ShipmentFacts, contracts, on_date: date,
                  codes_by_kind: dict) -> ExpectedCost:
    """Linehaul (``shipment_linehaul``, the audit's own rule: a rate confirmed for the
    load replaces the contract's lane) + fuel + the shipment's approved accessorials.

    ``codes_by_kind`` names the charge code each amount is booked under, e.g.
    ``{"linehaul": "400", "fuel": "405"}``; accessorials keep their own code. The
    contract's fuel rule and tariff apply when the contract is in the linehaul's currency.
    """
    contract: Contract | None = pick_contract(contracts, facts.carrier_id, on_date)
    linehaul = shipment_linehaul(contract, facts, on_date)
    if linehaul is None or linehaul[0] is None:
        missing = (f"no contract of the carrier is valid on {on_date}" if contract is None
                   else linehaul[2] if linehaul else "no lane of the contract covers it")
        return ExpectedCost(contract.currency if contract else None, missing=missing)
    base, currency, detail = linehaul
    amounts, trace = {codes_by_kind["linehaul"]: base}, [detail]
    if contract is not None and contract.currency != currency:
        trace.append(f"Fuel and accessorials: the contract is in {contract.currency}, "
                     "not applied")
    elif contract is not None:
        _add_fuel_and_accessorials(amounts, trace, contract, facts, base, codes_by_kind)
    return ExpectedCost(currency, {c: money(a) for c, a in amounts.items()}, tuple(trace))


def _add_fuel_and_accessorials(amounts, trace, contract, facts, base, codes_by_kind):
    surcharge, detail = fuel(contract.fuel, base)
    if surcharge:
        amounts[codes_by_kind["fuel"]] = surcharge
        trace.append(f"Fuel: {detail}")
    for code in sorted(facts.approved_accessorials):
        tariff = contract.accessorials.get(code)
        if tariff is None:
            trace.append(f"{code}: approved but not in the tariff, not accrued")
            continue
        # an accrual expects one of each approved accessorial (detention: the hours waited)
        amount, detail = tariff_amount(tariff, facts, 1.0)
        if amount:
            amounts[code] = money(amounts.get(code, 0.0) + amount)
            trace.append(f"{code}: {detail}")


@dataclass(frozen=True)
class AccrualPlan:
    """What to do with one shipment's accrual: reverse the open one, post a new one."""

    reverse: bool
    post: dict  # charge code -> amount in company currency; empty: post nothing

    @property
    def is_noop(self) -> bool:
        return not self.reverse and not self.post


def plan_accrual(open_amounts: dict | None, expected: dict, cancelled: bool = False,
                 billed: bool = False) -> AccrualPlan:
    """Decide the accrual entries of a shipment (amounts in company currency).

    ``open_amounts`` is the open accrual per charge code (None: no open accrual).
    A cancelled or billed shipment keeps no accrual; an unchanged expectation changes
    nothing (replays are harmless); any other change reverses and re-creates.
    """
    wanted = {} if cancelled or billed else {c: money(a) for c, a in expected.items()
                                              if money(a)}
    current = {c: money(a) for c, a in (open_amounts or {}).items() if money(a)}
    if open_amounts is not None and current == wanted:
        return AccrualPlan(False, {})
    if open_amounts is None:
        return AccrualPlan(False, wanted)
    return AccrualPlan(True, wanted)


def entry_date(event: date | datetime, lock_date: date | None) -> date:
    """The event's date, or the first open day when the period is locked."""
    day = event.date() if isinstance(event, datetime) else event
    if lock_date and day <= lock_date:
        return date.fromordinal(lock_date.toordinal() + 1)
    return day


def age_bucket(days: int) -> str:
    for limit, label in ((30, "0-30"), (60, "31-60"), (90, "61-90")):
        if days <= limit:
            return label
    return "90+"


def pass_through_lines(expected: dict, markups: dict) -> dict:
    """Charges rebilled to the customer: the expected amount of each pass-through code
    (``markups``: code -> markup %) plus its markup, rounded to cents."""
    return {code: money(amount * (1 + markups[code] / 100))
            for code, amount in sorted(expected.items()) if code in markups and amount}
