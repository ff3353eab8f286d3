"""Status subscriptions: which events a subscriber hears of, when an ETA change is news,
the identity that makes a notification happen once, and the JSON it carries.

Pure: plain values in, plain values out. The model (``models/freight_subscription.py``)
reads the shipments and subscriptions of a batch once and asks these rules.

Identity, the one rule against notifying twice: a notification is named by the
subscription, the channel and the *event* it tells of, never by the milestone row. A
progress event (picked up, delivered) is told once per shipment and stop, whatever
time the carrier reports it at: a resent scan, a replayed message, a corrected time or
an older scan that arrives late names the same event. An exception is told once per
shipment, stop and instant (two delays are two pieces of news; the same delay resent
is one). An ETA change is told once per new estimate.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone

PICKED_UP, DELIVERED, EXCEPTION, ETA_CHANGED = (
    "picked_up", "delivered", "exception", "eta_changed")
EVENT_SELECTION = [
    (PICKED_UP, "Picked up"),
    (DELIVERED, "Delivered"),
    (EXCEPTION, "Exception"),
    (ETA_CHANGED, "ETA changed"),
]
EVENT_LABELS = dict(EVENT_SELECTION)
# the milestone codes that are one of the events (a delivery at a stop on the way, a
# POD or a cancellation are not, today)
MILESTONE_EVENTS = {"picked_up": PICKED_UP, "delivered": DELIVERED, "exception": EXCEPTION}
# once the shipment reached one of these, telling it was picked up is stale news
PAST_PICKUP = frozenset({"delivered", "pod_received", "cancelled"})
PROGRESS = frozenset({PICKED_UP, DELIVERED})
WEBHOOK, X12, EMAIL = "webhook", "x12_214", "email"
CHANNEL_LABELS = {WEBHOOK: "webhook", X12: "214", EMAIL: "email"}
DEFAULT_ETA_THRESHOLD = 60  # minutes
PAYLOAD_VERSION = 1


def event_of_milestone(code: str) -> str | None:
    """The event a milestone code is, or ``None`` when no subscriber hears of it."""
    return MILESTONE_EVENTS.get(code)


def wants(events: Iterable[str], event: str) -> bool:
    """Whether a subscription to ``events`` hears of ``event``."""
    return event in set(events)


def superseded(event: str, shipment_codes: Iterable[str]) -> bool:
    """A pick-up reported once the shipment was already delivered (or cancelled) is
    history, not news: the subscriber heard of the later step already or will."""
    return event == PICKED_UP and bool(PAST_PICKUP & set(shipment_codes))


def eta_change_due(previous: datetime | None, new: datetime | None,
                   threshold_minutes: int) -> bool:
    """Whether an ETA moving from ``previous`` to ``new`` is news: it moved by MORE than
    ``threshold_minutes`` (either way). A first estimate (no ``previous``) is news; no
    new estimate is not. ``previous`` is what the subscriber was last told, so that many
    small moves add up instead of each being too small to tell."""
    if new is None:
        return False
    if previous is None:
        return True
    return abs(_utc(new) - _utc(previous)) > timedelta(minutes=max(threshold_minutes, 0))


def _utc(moment: datetime) -> datetime:
    """Naive datetimes are UTC (as Odoo stores them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def utc_key(moment: datetime) -> str:
    return _utc(moment).strftime("%Y%m%dT%H%M%SZ")


def utc_iso(moment: datetime | None) -> str | None:
    return _utc(moment).isoformat().replace("+00:00", "Z") if moment else None


def milestone_identity(shipment_id: int, event: str, stop: int | None,
                       event_time: datetime) -> str:
    """What a milestone event *is*, for idempotency (see the module's docstring)."""
    base = f"{shipment_id}:{event}:S{stop or 0}"
    return base if event in PROGRESS else f"{base}:{utc_key(event_time)}"


def eta_identity(shipment_id: int, eta: datetime) -> str:
    return f"{shipment_id}:{ETA_CHANGED}:{utc_key(eta)}"


def notification_key(subscription_id: int, channel: str, identity: str) -> str:
    """The idempotency key of one notification: the outbox's ``Idempotency-Key`` and the
    delivery log's unique key."""
    return f"notify:{subscription_id}:{channel}:{identity}"


def build_payload(*, key: str, event: str, occurred_at: datetime, shipment: Mapping,
                  partner: Mapping, stop: int | None = None, location: str | None = None,
                  reason_code: str | None = None, raw_code: str | None = None,
                  eta: datetime | None = None, previous_eta: datetime | None = None) -> dict:
    """The JSON body of a webhook notification. ``shipment``: ``name`` and the references
    (``load_ref``, ``pro_number``, ``bol_number``, ``carrier_ref``, ``scac``), empty ones
    left out; ``partner``: ``name`` and ``ref`` of the subscriber. Times are UTC ISO 8601."""
    body = {
        "version": PAYLOAD_VERSION,
        "notification_id": key,
        "event": event,
        "event_label": EVENT_LABELS[event],
        "occurred_at": utc_iso(occurred_at),
        "shipment": {name: value for name, value in shipment.items() if value},
        "partner": {name: value for name, value in partner.items() if value},
    }
    optional = {"stop": stop, "location": location, "reason_code": reason_code,
                "raw_code": raw_code, "eta": utc_iso(eta), "previous_eta": utc_iso(previous_eta)}
    body.update({name: value for name, value in optional.items() if value})
    return body
