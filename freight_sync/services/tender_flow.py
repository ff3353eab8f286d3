"""The rules of a tender's life: when it expires, whether a carrier's answer applies,
which carrier the waterfall tries next, what a 990's dates mean. Pure.

States: ``queued`` (in the outbox) → ``sent`` (the carrier's system took it) →
``accepted`` / ``declined`` / ``counter_offer`` / ``expired``; ``undeliverable`` when
the outbox gave up, ``cancelled`` by a dispatcher.

A late answer: an answer to a tender that expired is refused ("tender expired"), even
when no other carrier was tendered yet. The expiry is what the tender told the carrier
(``respond_by``); once it passed, the load may be given to another carrier at any time,
and an acceptance that could race a re-tender is worth less than a clear rule. The
carrier is told why (the item fails with the reason) and the dispatcher may tender it
again.
"""

from datetime import datetime, timedelta

OPEN_STATES = ("queued", "sent")
# states a carrier's answer may still move: a counter-offer may be followed by a decision
ANSWERABLE = (*OPEN_STATES, "counter_offer")
# what a dispatcher may withdraw: not yet answered for good (an accepted load is the
# carrier's until it agrees to give it back)
WITHDRAWABLE = ANSWERABLE
# while one of these stands, the shipment's carrier is not chosen again
HOLDING = (*ANSWERABLE, "accepted")
# what an answer makes of the tender
RESPONSE_STATES = {"accepted": "accepted", "rejected": "declined",
                   "counter_offer": "counter_offer"}
WATERFALL_STATES = ("declined", "expired")
DEFAULT_EXPIRY_MINUTES = 120
DEFAULT_ACK_MINUTES = 60
# G62 date qualifiers (element 432) of a 990 naming the pickup or the delivery appointment
PICKUP_QUALIFIERS = frozenset({"10", "37", "38", "69", "78", "EP", "LP", "AA"})
DELIVERY_QUALIFIERS = frozenset({"02", "17", "53", "54", "67", "68", "70", "AB"})


def expires_at(sent: datetime, minutes: int) -> datetime | None:
    """When a tender sent at ``sent`` expires; ``None`` when the company sets none (0)."""
    return sent + timedelta(minutes=minutes) if minutes and minutes > 0 else None


def is_expired(state: str, expiry: datetime | None, now: datetime) -> bool:
    return state in OPEN_STATES and expiry is not None and expiry <= now


def judge_response(tender_state: str | None, decision: str) -> tuple[str, str | None]:
    """What an answer ``decision`` (accepted / rejected / counter_offer) does to the
    latest tender of that carrier in state ``tender_state`` (``None``: never tendered).

    Returns ``(verdict, reason)``: ``apply`` (move the tender), ``same`` (a resent answer:
    nothing changes, not an error) or ``refuse`` with the reason in words."""
    if tender_state is None:
        return "refuse", "the shipment was never tendered to this carrier"
    target = RESPONSE_STATES[decision]
    if tender_state == target:
        return "same", None
    if tender_state in ANSWERABLE:
        return "apply", None
    if tender_state == "expired":
        return "refuse", "tender expired"
    return "refuse", f"the tender to this carrier is already {tender_state.replace('_', ' ')}"


def next_carrier(ranked_carrier_ids, tendered_ids, reachable_ids) -> int | None:
    """The waterfall's next carrier: the best ranked one not tendered yet that we can
    send a tender to (an endpoint with an outbound URL)."""
    tendered, reachable = set(tendered_ids), set(reachable_ids)
    return next((carrier for carrier in ranked_carrier_ids
                 if carrier not in tendered and carrier in reachable), None)


def appointment_times(appointments) -> dict:
    """``{"pickup": naive UTC, "delivery": naive UTC}`` from a 990's (or a JSON answer's)
    appointments: the first of each kind. A time in the carrier's local zone (no offset)
    is taken as UTC: the 990 does not say which zone it is."""
    found = {}
    for appointment in appointments or ():
        qualifier = (appointment.get("qualifier") or "").upper()
        kind = appointment.get("kind") or (
            "pickup" if qualifier in PICKUP_QUALIFIERS else
            "delivery" if qualifier in DELIVERY_QUALIFIERS else None)
        if kind not in ("pickup", "delivery") or kind in found:
            continue
        moment = _moment(appointment)
        if moment is not None:
            found[kind] = moment
    return found


def _moment(appointment) -> datetime | None:
    at = appointment.get("at")
    if at:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        if moment.utcoffset() is not None:
            return (moment - moment.utcoffset()).replace(tzinfo=None)
        return moment
    if not appointment.get("date"):
        return None
    text = appointment["date"] + "T" + (appointment.get("time") or "00:00")
    return datetime.fromisoformat(text)


def unacknowledged(sent_at: datetime | None, minutes: int, now: datetime) -> bool:
    """An X12 tender sent ``minutes`` ago or more without a 997 back."""
    return bool(sent_at and minutes and minutes > 0
                and sent_at + timedelta(minutes=minutes) <= now)
