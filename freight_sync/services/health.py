"""Is the integration healthy, and what to do about an incident (pure, no ``odoo`` import).

The readings come from one set of queries (models/freight_monitor.py); this file only
compares them with the thresholds a Freight Manager set, and decides which incidents an
alert opens or closes. Reason codes are stable strings: load balancers, Prometheus rules
and the dashboard all read them.
"""

from typing import NamedTuple

DATABASE = "database"
QUEUE_AGE = "queue_age"
DEAD_LETTERS = "dead_letters"
LATENCY = "latency"
REASONS = (DATABASE, QUEUE_AGE, DEAD_LETTERS, LATENCY)

# what a fresh database uses until a Freight Manager changes them (Settings > Freight)
DEFAULT_THRESHOLDS = {
    "max_queue_age_minutes": 15,
    "max_dead_letters": 10,
    "max_p95_seconds": 300,
}


class Health(NamedTuple):
    status: str  # "ok" or "degraded"
    reasons: list  # reason codes, in REASONS order
    checks: dict  # per check: {"status", and the reading and limit behind it}


def thresholds_from(params):
    """The thresholds from their stored text (``ir.config_parameter``); a missing,
    unreadable or negative value falls back to its default rather than switching the
    check off: a typo must not silence the alarm."""
    thresholds = {}
    for name, default in DEFAULT_THRESHOLDS.items():
        try:
            value = int(str(params.get(name, default)).strip())
        except ValueError:
            value = default
        thresholds[name] = value if value >= 0 else default
    return thresholds


def evaluate(readings, thresholds):
    """``Health`` of ``readings`` (``oldest_due_seconds``, ``dead_letters``,
    ``p95_seconds``, any of them ``None`` when nothing was measured) against
    ``thresholds`` (see ``DEFAULT_THRESHOLDS``). A ``None`` reading is healthy: an empty
    queue has no age, no message processed lately has no latency."""
    limits = {
        QUEUE_AGE: (readings.get("oldest_due_seconds"),
                    thresholds["max_queue_age_minutes"] * 60),
        DEAD_LETTERS: (readings.get("dead_letters"), thresholds["max_dead_letters"]),
        LATENCY: (readings.get("p95_seconds"), thresholds["max_p95_seconds"]),
    }
    checks = {DATABASE: {"status": "ok"}}
    reasons = []
    for reason, (value, limit) in limits.items():
        over = value is not None and value > limit
        checks[reason] = {"status": "degraded" if over else "ok", "value": value,
                          "limit": limit}
        if over:
            reasons.append(reason)
    return Health("degraded" if reasons else "ok", reasons, checks)


def unreachable():
    """The answer when the database could not be asked: nothing else is known."""
    return Health("degraded", [DATABASE], {DATABASE: {"status": "degraded"}})


def public_view(health):
    """What anyone may read (a load balancer, unauthenticated): status and reason codes,
    and each check's status, no counts that would tell business volume."""
    return {"status": health.status, "reasons": list(health.reasons),
            "checks": {name: {"status": check["status"]}
                       for name, check in health.checks.items()}}


def detailed_view(health, queues):
    """What a Freight Manager or the metrics token holder reads: the readings and limits,
    and the queue of each lane (``[{"lane", "depth", "oldest_due_seconds"}]``)."""
    return {**public_view(health), "checks": health.checks, "lanes": queues}


class IncidentPlan(NamedTuple):
    open: list  # reasons to open an incident for (and alert once)
    keep: list  # reasons still degraded whose incident is already open: no new alert
    resolve: list  # open incidents whose reason is healthy again


def plan_incidents(open_reasons, current_reasons):
    """Once per incident: a reason degraded now with no open incident opens one (and
    alerts); one still degraded keeps its incident quietly; an open incident whose reason
    is healthy again is resolved, so the next crossing opens (and alerts) anew."""
    open_now, current = set(open_reasons), set(current_reasons)
    return IncidentPlan(
        open=[reason for reason in REASONS if reason in current - open_now],
        keep=[reason for reason in REASONS if reason in current & open_now],
        resolve=[reason for reason in REASONS if reason in open_now - current],
    )
