"""The canonical tender of one shipment, from plain values. Pure.

The model gathers the shipment's facts (numbers, parties, dates) into a ``ShipmentTender``;
``build_tender`` turns it into the tender ``tender.validate_tender`` accepts, so what the
JSON channel and the X12 204 carry is decided here, once.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .tender import validate_tender

# a stop without a requested window: the carrier is asked for the day, from now on
DEFAULT_TRANSIT = timedelta(days=1)


@dataclass(frozen=True)
class Party:
    name: str
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "address": [line for line in (self.street, self.street2)
                                                if line],
                "city": self.city, "state": self.state, "postal_code": self.postal_code,
                "country": self.country}


@dataclass(frozen=True)
class ShipmentTender:
    shipment_id: str
    scac: str
    mode: str
    weight_kg: float
    origin: Party
    destination: Party
    load_ref: str | None = None
    volume_m3: float | None = None
    pallets: int | None = None
    pickup_at: datetime | None = None  # naive UTC, as Odoo stores it
    delivery_at: datetime | None = None
    references: dict = field(default_factory=dict)
    requested_rate: tuple | None = None  # (amount, currency)
    instructions: str | None = None


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc, microsecond=0).isoformat()


def build_tender(facts: ShipmentTender, now: datetime, respond_by: datetime | None,
                 purpose: str = "original") -> dict:
    """The canonical tender of ``facts`` (``PayloadError`` naming what is missing);
    ``purpose`` ``cancel`` withdraws a tender already sent (204 B2A01 01).

    Times are naive UTC. A pickup without a requested date is asked for from ``now``; a
    delivery without one the day after the pickup: a 204 needs a window at each stop."""
    pickup = facts.pickup_at or now
    delivery = facts.delivery_at or pickup + DEFAULT_TRANSIT
    stops = [
        {**facts.origin.as_dict(), "sequence": 1, "reason": "CL", "window_start": _iso(pickup),
         "weight": facts.weight_kg or None, "pallets": facts.pallets or None},
        {**facts.destination.as_dict(), "sequence": 2, "reason": "CU",
         "window_start": _iso(delivery)},
    ]
    rate = None
    if facts.requested_rate and facts.requested_rate[0]:
        rate = {"amount": round(facts.requested_rate[0], 2),
                "currency": facts.requested_rate[1]}
    return validate_tender({
        "purpose": purpose,
        "shipment_id": facts.shipment_id,
        "load_ref": facts.load_ref,
        "scac": facts.scac,
        "payment": "prepaid",
        "mode": facts.mode,
        "weight": {"value": facts.weight_kg, "unit": "kg"},
        "volume": {"value": facts.volume_m3, "unit": "m3"} if facts.volume_m3 else None,
        "pallets": facts.pallets or None,
        "references": {key: value for key, value in facts.references.items() if value},
        "instructions": facts.instructions,
        "respond_by": _iso(respond_by) if respond_by else None,
        "requested_rate": rate,
        "stops": stops,
    })
