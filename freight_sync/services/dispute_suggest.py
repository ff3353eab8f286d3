"""The suggested resolution of an open billing case: how the clerks settled similar cases
before. Pure.

Similar means, always, the same carrier and the same finding (a rate variance is not a
duplicate, and carriers differ in what they concede). Among those, the nearest are the ones
of the same kind of charge (linehaul, fuel, accessorial) and the same variance band; when
fewer than ``min_similar`` of them exist, the band is dropped, then the kind of charge
(carrier and finding alone). Of the nearest tier with enough cases, the ``window`` most
recent ones vote: the most frequent decision wins, a tie going to the decision taken most
recently. Simple frequency rather than a learned model, on purpose: a clerk can check the
sentence it gives ("7 of the last 9 ..."), and a team that changes its policy sees the
suggestion follow within ``window`` cases.

No suggestion when fewer than ``min_similar`` cases of the carrier and finding were
settled: a guess from two cases would be noise dressed as evidence.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

# variance as a share of what was billed, in %: under 5 is what tolerances usually leave
# to a person's judgement, 5-15 a wrong rate or fuel table, 15-50 a wrong class, weight or
# lane, over 50 a wrong shipment or a charge that should not be there at all
BANDS = ((5.0, "under 5 %"), (15.0, "5–15 %"), (50.0, "15–50 %"))
OVER, UNKNOWN = "over 50 %", "unknown variance"
FAMILIES = {"linehaul": "linehaul", "fuel": "fuel"}
NO_CHARGE = "whole invoice"

DECISION_WORDS = {
    "override": "approved as billed",
    "short_pay": "short-paid to the expected amount",
    "rebill": "sent back for a rebill",
    "reject": "rejected",
}
FINDING_WORDS = {
    "rate_variance": "rate variances",
    "unknown_shipment": "invoices for an unknown shipment",
    "duplicate_invoice": "duplicate invoices",
    "missing_pod": "invoices without proof of delivery",
    "unapproved_accessorial": "unapproved accessorials",
    "weight_variance": "weight variances",
    "reweigh": "reweighs",
    "reclass": "reclassifications",
    "dim_weight": "dimensional-weight rebills",
    "currency_mismatch": "currency mismatches",
    "correction_code": "unknown correction codes",
    "processing_error": "processing errors",
}


@dataclass(frozen=True)
class SettledCase:
    carrier_id: int
    finding: str
    charge_kind: str | None  # the billed charge's kind (linehaul, fuel, accessorial, ...)
    variance_percent: float | None
    resolution: str
    recovery: float | None  # recovered / disputed, 0..1; None while the carrier decides
    decided_at: datetime


@dataclass(frozen=True)
class OpenCase:
    carrier_id: int
    finding: str
    charge_kind: str | None
    variance_percent: float | None


@dataclass(frozen=True)
class Suggestion:
    resolution: str
    similar: int
    agreeing: int
    median_recovery: float | None
    scope: str  # what "similar" came to mean: e.g. "5–15 %, linehaul"
    evidence: str


def variance_band(percent: float | None) -> str:
    if percent is None:
        return UNKNOWN
    percent = abs(percent)
    for upper, label in BANDS:
        if percent < upper:
            return label
    return OVER


def charge_family(kind: str | None) -> str:
    if not kind:
        return NO_CHARGE
    return FAMILIES.get(kind, "accessorial")


def _tiers(case: OpenCase):
    """``(scope words, predicate)`` from the nearest to the widest notion of similar."""
    band, family = variance_band(case.variance_percent), charge_family(case.charge_kind)

    def same_family(other):
        return charge_family(other.charge_kind) == family

    def same_band(other):
        return variance_band(other.variance_percent) == band

    return (
        (f"{band}, {family}", lambda other: same_family(other) and same_band(other)),
        (family, same_family),
        ("", lambda other: True),
    )


def _nearest(case, mine, min_similar, window):
    """``(scope, cases)`` of the nearest tier with enough cases (carrier and finding alone,
    the widest, always has enough: the caller checked)."""
    for scope, similar in _tiers(case):
        nearest = [other for other in mine if similar(other)][:window]
        if len(nearest) >= min_similar:
            return scope, nearest
    return "", mine[:window]


def suggest(case: OpenCase, history: Iterable[SettledCase], min_similar: int = 5,
            window: int = 20) -> Suggestion | None:
    """How the most similar settled cases were resolved, or None when too few were."""
    mine = [other for other in history
            if other.carrier_id == case.carrier_id and other.finding == case.finding]
    if len(mine) < min_similar:
        return None
    mine.sort(key=lambda other: other.decided_at, reverse=True)
    scope, nearest = _nearest(case, mine, min_similar, window)
    votes = Counter(other.resolution for other in nearest)
    top = max(votes.values())
    # a tie goes to the decision taken most recently
    resolution = next(other.resolution for other in nearest if votes[other.resolution] == top)
    recoveries = [other.recovery for other in nearest
                  if other.resolution == resolution and other.recovery is not None]
    middle = round(median(recoveries), 4) if recoveries else None
    return Suggestion(resolution, len(nearest), top, middle, scope,
                      evidence(case.finding, resolution, top, len(nearest), scope, middle))


def evidence(finding: str, resolution: str, agreeing: int, similar: int, scope: str,
             median_recovery: float | None) -> str:
    """The suggestion in one sentence a clerk can check against the cases."""
    what = FINDING_WORDS.get(finding, finding.replace("_", " ") + " cases")
    scope = f" ({scope})" if scope else ""
    text = (f"{agreeing} of the last {similar} similar {what} with this carrier{scope} were "
            f"{DECISION_WORDS.get(resolution, resolution)}")
    if median_recovery is not None:
        text += f"; median recovery {round(median_recovery * 100):d} %"
    return text + "."


def accuracy(history: Sequence[SettledCase], min_similar: int = 5, window: int = 20) -> dict:
    """Replays ``history`` in the order it was decided: each case is suggested from the
    cases decided before it, and the suggestion compared with what the clerk decided."""
    ordered = sorted(history, key=lambda other: other.decided_at)
    suggested = correct = 0
    for index, settled in enumerate(ordered):
        found = suggest(OpenCase(settled.carrier_id, settled.finding, settled.charge_kind,
                                 settled.variance_percent), ordered[:index], min_similar,
                        window)
        if found:
            suggested += 1
            correct += found.resolution == settled.resolution
    return {"cases": len(ordered), "suggested": suggested, "correct": correct,
            "share_correct": round(correct / suggested, 4) if suggested else None,
            "coverage": round(suggested / len(ordered), 4) if ordered else None}
