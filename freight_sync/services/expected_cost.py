"""What a carrier agreed to charge, and what a shipment should therefore cost. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ltl.py prices with this module's money and pounds
    from .ltl import LtlTerms

LB_PER_KG = 2.20462


def money(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass(frozen=True)
class Address:
    country: str | None = None
    state: str | None = None
    zip: str | None = None


@dataclass(frozen=True)
class Zone:
    """A lane end: any field left empty matches everything."""

    country: str | None = None
    state: str | None = None
    zip_prefix: str | None = None

    def specificity(self, address: Address) -> int | None:
        """How precisely this zone matches ``address`` (higher wins), None if it does not."""
        score = 0
        if self.country:
            if self.country != address.country:
                return None
            score += 1
        if self.state:
            if self.state != address.state:
                return None
            score += 10
        if self.zip_prefix:
            if not (address.zip or "").replace(" ", "").upper().startswith(
                    self.zip_prefix.replace(" ", "").upper()):
                return None
            score += 100 + len(self.zip_prefix)
        return score


@dataclass(frozen=True)
class RateLine:
    id: int
    origin: Zone
    destination: Zone
    mode: str | None
    basis: str  # flat, per_kg, per_km, per_pallet, per_cwt, ltl_tariff
    rate: float
    minimum: float = 0.0
    weight_min: float = 0.0  # kg; 0: no lower bound
    weight_max: float = 0.0  # kg; 0: no upper bound
    transit_days: int | None = None  # as agreed in the contract; None: not stated
    ltl: "LtlTerms | None" = None  # basis ltl_tariff: a base tariff, its discount, FAK...

    def covers_weight(self, weight_kg: float | None) -> bool:
        """The lane's weight band holds ``weight_kg`` (bounds included); no band, any weight."""
        if weight_kg is None:
            return True
        return (not self.weight_min or weight_kg >= self.weight_min) and (
            not self.weight_max or weight_kg <= self.weight_max)

    @property
    def weight_band(self) -> str | None:
        if not self.weight_min and not self.weight_max:
            return None
        high = f"{self.weight_max:,.0f}" if self.weight_max else "∞"
        return f"{self.weight_min:,.0f}–{high} kg"


@dataclass(frozen=True)
class FuelRule:
    percent: float | None = None
    table: tuple = ()  # (index_from, index_to, percent)
    index: float | None = None

    def percent_for(self) -> tuple[float, str]:
        if self.table and self.index is not None:
            for low, high, percent in self.table:
                if low <= self.index <= high:
                    return percent, f"fuel index {self.index:g} in band {low:g}–{high:g}"
        return self.percent or 0.0, "flat fuel percentage"


@dataclass(frozen=True)
class AccessorialRate:
    charge_code: str
    basis: str  # flat, per_unit, per_hour
    amount: float
    maximum: float | None = None
    needs_approval: bool = False
    free_hours: float = 0.0
    detention_at: str | None = None  # pickup, delivery


@dataclass(frozen=True)
class Contract:
    id: int
    carrier_id: int
    currency: str
    valid_from: date
    valid_to: date | None
    lines: tuple = ()
    fuel: FuelRule | None = None
    accessorials: Mapping = field(default_factory=dict)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def pick_contract(contracts, carrier_id: int, on_date: date) -> Contract | None:
    valid = [c for c in contracts if c.carrier_id == carrier_id and c.valid_on(on_date)]
    return min(valid, key=lambda c: (-c.valid_from.toordinal(), c.id)) if valid else None


def pick_rate_line(contract: Contract, origin: Address, destination: Address,
                   mode: str | None, weight_kg: float | None = None) -> RateLine | None:
    """The most specific lane of the contract for this trip (ties: lowest id). A lane with
    a weight band prices only the weights in its band (``weight_kg`` None: any)."""
    best, best_key = None, None
    for line in contract.lines:
        if line.mode and line.mode != mode:
            continue
        if not line.covers_weight(weight_kg):
            continue
        from_score = line.origin.specificity(origin)
        to_score = line.destination.specificity(destination)
        if from_score is None or to_score is None:
            continue
        key = (from_score + to_score + (1 if line.mode else 0), -line.id)
        if best_key is None or key > best_key:
            best, best_key = line, key
    return best


def linehaul(line: RateLine, weight_kg: float, distance_km: float, pallets: int
             ) -> tuple[float, str]:
    units = {
        "flat": (1.0, "flat"),
        "per_kg": (weight_kg, f"{weight_kg:,.1f} kg"),
        "per_km": (distance_km, f"{distance_km:,.1f} km"),
        "per_pallet": (float(pallets), f"{pallets} pallets"),
        "per_cwt": (weight_kg * LB_PER_KG / 100, f"{weight_kg * LB_PER_KG / 100:,.2f} cwt"),
    }
    quantity, label = units[line.basis]
    amount = quantity * line.rate
    expected = max(amount, line.minimum)
    detail = f"{label} × {line.rate:g} = {money(amount):,.2f}"
    if line.minimum:
        detail += f", minimum {line.minimum:,.2f}"
    return money(expected), detail


def fuel(rule: FuelRule | None, linehaul_amount: float) -> tuple[float, str]:
    if rule is None:
        return 0.0, "no fuel rule in the contract"
    percent, why = rule.percent_for()
    return money(linehaul_amount * percent / 100), f"{percent:g} % of linehaul ({why})"


def accessorial(rate: AccessorialRate, quantity: float) -> tuple[float, str]:
    amount = rate.amount * (quantity if rate.basis != "flat" else 1.0)
    detail = f"tariff {rate.amount:,.2f}" + (f" × {quantity:g}" if rate.basis != "flat" else "")
    if rate.maximum and amount > rate.maximum:
        amount = rate.maximum
        detail += f", capped at {rate.maximum:,.2f}"
    return money(amount), detail


def detention(rate: AccessorialRate, arrival: datetime | None, departure: datetime | None
              ) -> tuple[float, float, str]:
    """Expected detention from the stop's arrival and departure milestones."""
    if not arrival or not departure:
        return 0.0, 0.0, "no arrival and departure milestones to measure detention"
    waited = max((departure - arrival).total_seconds() / 3600, 0.0)
    billable = max(waited - rate.free_hours, 0.0)
    amount, detail = accessorial(rate, billable)
    return amount, billable, (f"waited {waited:.2f} h, {rate.free_hours:g} h free → "
                              f"{billable:.2f} h; {detail}")
