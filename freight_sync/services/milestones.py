"""Canonical milestone codes and the rule that turns milestones into a shipment status."""

from collections.abc import Iterable
from datetime import datetime

# (code, label, rank). The rank orders the progress of a shipment: the status is the
# milestone with the highest rank, so an older event that arrives late never moves a
# shipment backwards. ``exception`` has no rank: it flags a shipment, it is not progress.
MILESTONE_CODES = (
    ("tendered", "Tendered", 10),
    ("rejected", "Tender rejected", 15),
    ("accepted", "Tender accepted", 20),
    ("pickup_arrived", "Arrived at pickup", 30),
    ("picked_up", "Picked up", 40),
    ("in_transit", "In transit", 50),
    ("at_terminal", "At terminal", 55),
    ("out_for_delivery", "Out for delivery", 60),
    ("delivered", "Delivered", 70),
    # a delivery at a stop before the last (services/stops.py): no progress of the trip
    ("stop_delivered", "Delivered at a stop", None),
    ("pod_received", "Proof of delivery received", 80),
    ("exception", "Exception", None),
    ("cancelled", "Cancelled", 100),
)

CODE_SELECTION = [(code, label) for code, label, _rank in MILESTONE_CODES]
RANKS = {code: rank for code, _label, rank in MILESTONE_CODES if rank is not None}
LABELS = {code: label for code, label, _rank in MILESTONE_CODES}
CODES = frozenset(LABELS)

NO_MILESTONE_STATUS = "draft"
STATUS_SELECTION = [(NO_MILESTONE_STATUS, "Draft")] + [
    (code, label) for code, label, rank in MILESTONE_CODES if rank is not None
]


def derive_status(events: Iterable[tuple[str, datetime]]) -> str:
    """Status of a shipment from its ``(code, event_time)`` milestones.

    The highest rank wins; among equal ranks the latest event time. Exceptions and
    unknown codes do not count as progress, nor a rejection of an earlier tender
    (``current_tender_events``): a shipment tendered again after a decline is tendered.
    """
    ranked = [(RANKS[code], when, code) for code, when in current_tender_events(events)
              if code in RANKS]
    if not ranked:
        return NO_MILESTONE_STATUS
    return max(ranked, key=lambda item: (item[0], item[1]))[2]


def has_open_exception(events: Iterable[tuple[str, datetime]]) -> bool:
    """True when the latest exception is newer than every progress milestone.

    A delivered shipment whose driver first reported a refused delivery is no longer
    in exception once the later delivery is recorded.
    """
    last_exception = last_progress = None
    for code, when in events:
        if code == "exception":
            last_exception = max(filter(None, (last_exception, when)))
        elif code in RANKS:
            last_progress = max(filter(None, (last_progress, when)))
    if last_exception is None:
        return False
    return last_progress is None or last_exception > last_progress


def first_event_time(events: Iterable[tuple[str, datetime]], code: str) -> datetime | None:
    """Earliest event time of ``code``: the actual pickup or delivery date."""
    times = [when for event_code, when in events if event_code == code]
    return min(times) if times else None


def current_tender_events(events: Iterable[tuple[str, datetime]]) -> list:
    """The milestones without the rejections a later tender superseded: a ``rejected``
    followed by a ``tendered`` answered an earlier tender (another carrier's in a
    waterfall, or the same carrier's before a new tender). "Followed": a later event
    time, or the same second and later in ``events`` (given in the order recorded)."""
    events = list(events)
    tenders = [(when, index) for index, (code, when) in enumerate(events)
               if code == "tendered" and when]
    if not tenders:
        return events
    latest = max(tenders)
    return [(code, when) for index, (code, when) in enumerate(events)
            if not (code == "rejected" and when and (when, index) < latest)]
