"""A carrier's scorecard from plain rows, per carrier and per month. No ORM here.

Four figures, each a ratio ``part / whole`` (a percentage with one decimal, None when
there is nothing to divide by), counted in the month of the event that decides it:

- **On time**: shipments *delivered* in the month (first ``delivered`` milestone, the
  shipment's actual delivery date) that had a planned delivery date; on time when the
  delivery was not after the planned date (the rule of the shipment's "Late" flag).
  Deliveries without a planned date are counted in neither part nor whole.
- **Invoice accuracy**: carrier invoices *audited* in the month (any decided state: not
  received, not cancelled); accurate when the audit approved it by itself (every line
  within policy, ``approved_by_rule``) and it never had a billing case.
- **Dispute win rate**: audited invoices that had a billing case and whose case is
  decided. We won when we paid less than billed or nothing of it: short-paid (paid the
  expected amount, ``billed_on_expected``), rejected, or replaced by the carrier's own
  correction or rebill (``superseded``). We lost when the invoice was approved as billed
  after the case (an override: approved, posted or paid without a short-pay). Invoices
  still in exception or disputed are not decided and not counted. Month: of the audit.
  Once the dispute's outcome is booked on its case (services/dispute.py), that decides
  instead, as on the dashboard: won when any of the disputed money was recovered.
- **Tender acceptance**: shipments tendered to the carrier that the carrier accepted, in
  the month of the first tender. Tenders sent from Odoo (``freight.tender``) count for the
  carrier each was sent to, once the carrier decided (accepted; declined, counter-offered
  or let expire: not accepted); tenders still waiting, cancelled by us or never delivered
  are not the carrier's doing and are left out. Shipments tendered elsewhere (a TMS that
  only reports ``tendered``, ``accepted`` or ``rejected`` milestones: an answer implies a
  tender) count for the shipment's carrier, since milestones carry no carrier.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

TENDER_CODES = ("tendered", "accepted", "rejected")
# freight.tender states the carrier decided, as the milestone code they amount to
TENDER_OUTCOMES = {"accepted": "accepted", "declined": "rejected",
                   "counter_offer": "rejected", "expired": "rejected"}
DECIDED_STATES = ("received", "cancelled")  # not decided: left out of everything
WON_STATES = ("rejected", "superseded")
LOST_STATES = ("approved", "posted", "paid")
FIGURES = ("on_time", "invoice_accuracy", "dispute_win", "tender_acceptance")


@dataclass(frozen=True)
class DeliveryRow:
    carrier_id: int
    delivered_at: datetime
    planned_delivery: datetime | None


@dataclass(frozen=True)
class InvoiceRow:
    carrier_id: int
    audited_at: datetime
    state: str
    approved_by_rule: bool = False
    billed_on_expected: bool = False
    has_billing_case: bool = False
    # what the invoice's dispute recovered, once its outcome is booked (None before)
    recovered: float | None = None


@dataclass(frozen=True)
class TenderRow:
    carrier_id: int
    shipment_id: int
    code: str
    event_time: datetime


@dataclass(frozen=True)
class Ratio:
    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.part / self.whole, 1) if self.whole else None

    def __add__(self, other: "Ratio") -> "Ratio":
        return Ratio(self.part + other.part, self.whole + other.whole)

    def as_dict(self) -> dict:
        return {"percent": self.percent, "count": self.part, "of": self.whole}


@dataclass
class Card:
    """One carrier's figures over a period (a month or the whole window)."""

    ratios: dict = field(default_factory=lambda: {name: Ratio() for name in FIGURES})

    def count(self, name: str, good: bool) -> None:
        self.ratios[name] += Ratio(1 if good else 0, 1)

    def percent(self, name: str) -> float | None:
        return self.ratios[name].percent

    def as_dict(self) -> dict:
        return {name: self.ratios[name].as_dict() for name in FIGURES}


def month_of(moment: date | datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def months_back(last: date, count: int) -> list[str]:
    """``count`` months ending with ``last``'s month, oldest first, as ``YYYY-MM``."""
    index = last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def invoice_outcome(row: InvoiceRow) -> tuple[bool, bool | None]:
    """``(accurate, dispute won)`` of an audited invoice; won is None when the invoice had
    no billing case or its case is not decided yet."""
    accurate = row.approved_by_rule and not row.has_billing_case
    if not row.has_billing_case:
        return accurate, None
    if row.recovered is not None:
        # the dispute's booked outcome decides, as on the dashboard: any money back is a win
        return accurate, row.recovered > 0
    if row.billed_on_expected or row.state in WON_STATES:
        return accurate, True
    if row.state in LOST_STATES:
        return accurate, False
    return accurate, None


def scorecards(deliveries: Iterable[DeliveryRow], invoices: Iterable[InvoiceRow],
               tenders: Iterable[TenderRow], months: list[str]) -> dict:
    """``{carrier_id: {"total": Card, "months": {YYYY-MM: Card}}}`` for ``months``; rows
    outside them are left out. Every carrier with a row in the window has an entry, and
    every such entry has a card for each month (empty when nothing happened)."""
    wanted = set(months)
    cards: dict = {}

    def card(carrier_id, month):
        entry = cards.setdefault(carrier_id, {"total": Card(),
                                              "months": {m: Card() for m in months}})
        return entry["total"], entry["months"][month]

    for row in deliveries:
        month = month_of(row.delivered_at)
        if month in wanted and row.planned_delivery is not None:
            for target in card(row.carrier_id, month):
                target.count("on_time", row.delivered_at <= row.planned_delivery)
    for row in invoices:
        month = month_of(row.audited_at)
        if month not in wanted or row.state in DECIDED_STATES:
            continue
        accurate, won = invoice_outcome(row)
        for target in card(row.carrier_id, month):
            target.count("invoice_accuracy", accurate)
            if won is not None:
                target.count("dispute_win", won)
    first, accepted = {}, set()
    for row in tenders:
        if row.code not in TENDER_CODES:
            continue
        key = (row.carrier_id, row.shipment_id)
        first[key] = min(first.get(key, row.event_time), row.event_time)
        if row.code == "accepted":
            accepted.add(key)
    for key, moment in first.items():
        month = month_of(moment)
        if month in wanted:
            for target in card(key[0], month):
                target.count("tender_acceptance", key in accepted)
    return cards


def scorecards_as_dict(cards: dict, months: list[str]) -> list:
    """The route's answer: one entry per carrier (by id), totals and months oldest first."""
    return [{"carrier_id": carrier_id, "total": entry["total"].as_dict(),
             "months": [{"month": month, **entry["months"][month].as_dict()}
                        for month in months]}
            for carrier_id, entry in sorted(cards.items())]
