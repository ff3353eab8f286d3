"""A made-up history of settled billing cases with KNOWN clerk policies, for measuring the
suggested resolution (test_services_dispute_suggest.py, tests/bench/dispute_suggestions.py).
Pure and deterministic for a seed.

Each carrier's team follows a policy by finding, kind of charge and variance band (below),
and deviates from it at random in a ``noise`` share of the cases: a clerk is consistent, not
perfectly so. The best any suggestion can do on such a history is about ``1 - noise``."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from ..services.dispute_suggest import SettledCase, charge_family, variance_band

RESOLUTIONS = ("override", "short_pay", "rebill", "reject")
# finding, its weight, the charge kinds it comes on, its variance range in %
FINDINGS = (
    ("rate_variance", 50, ("linehaul", "linehaul", "fuel"), (1.0, 60.0)),
    ("unapproved_accessorial", 20, ("accessorial", "detention"), (2.0, 40.0)),
    ("weight_variance", 15, ("linehaul",), (5.0, 45.0)),
    ("duplicate_invoice", 10, (None,), (100.0, 100.0)),
    ("missing_pod", 5, (None,), (0.0, 0.0)),
)
RECOVERY = {"override": (0.0, 0.0), "short_pay": (0.9, 1.0), "rebill": (0.6, 1.0),
            "reject": (1.0, 1.0)}


def default_policy(carrier: int, finding: str, family: str, band: str) -> str:
    """What carrier number ``carrier``'s team decides (carriers differ on some findings)."""
    if finding == "duplicate_invoice":
        return "reject"
    if finding == "missing_pod":
        return "override"
    if finding == "weight_variance":
        return "rebill" if carrier % 2 == 0 else "short_pay"
    if finding == "unapproved_accessorial":
        if carrier % 3 == 0:
            return "override" if band == "under 5 %" else "reject"
        return "rebill" if carrier % 3 == 1 else "short_pay"
    # rate variances
    if family == "fuel":
        return "short_pay"
    if band == "under 5 %":
        return "override"
    if band == "5–15 %":
        return "short_pay"
    if band == "15–50 %":
        return "rebill" if carrier % 2 == 0 else "short_pay"
    return "reject"


def generate(seed: int, count: int, carriers: Sequence[int] = (1, 2, 3),
             start: datetime = datetime(2026, 1, 5, 9, 0), policy=default_policy,
             noise: float = 0.1) -> list[SettledCase]:
    rng = random.Random(seed)
    weights = [weight for _finding, weight, _kinds, _range in FINDINGS]
    cases = []
    for index in range(count):
        finding, _weight, kinds, (low, high) = rng.choices(FINDINGS, weights)[0]
        carrier_index = rng.randrange(len(carriers))
        kind = rng.choice(kinds)
        percent = round(rng.uniform(low, high), 1)
        decision = policy(carrier_index, finding, charge_family(kind), variance_band(percent))
        if rng.random() < noise:
            decision = rng.choice([other for other in RESOLUTIONS if other != decision])
        low_recovery, high_recovery = RECOVERY[decision]
        cases.append(SettledCase(
            carriers[carrier_index], finding, kind, percent, decision,
            round(rng.uniform(low_recovery, high_recovery), 3),
            start + timedelta(hours=7 * index)))
    return cases


def random_decisions(cases: Sequence[SettledCase], seed: int) -> list[SettledCase]:
    """The same cases decided at random: what no suggestion can learn from."""
    rng = random.Random(seed)
    return [SettledCase(case.carrier_id, case.finding, case.charge_kind, case.variance_percent,
                        rng.choice(RESOLUTIONS), case.recovery, case.decided_at)
            for case in cases]
