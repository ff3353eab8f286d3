"""Stops of a multi-stop trip: which stop an event happened at, and whether a delivery
ends the trip or only a stop on the way. Pure.

A delivery or POD at a stop before the last is a *stop delivery*: a milestone on the
timeline that moves neither the shipment's status nor the money (accrual, customer
invoice, audit evidence all wait for the final stop). The last stop is the highest one
known: the shipment's planned stop count, or a later stop some event reported.
"""

FINAL_CODES = frozenset({"delivered", "pod_received"})
STOP_DELIVERED = "stop_delivered"
MAX_STOPS = 999


def stop_number(text) -> int | None:
    """A stop sequence number as sent (X12 L11 qualifier QN, JSON ``stop``), or None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        number = text
    else:
        text = str(text or "").strip()
        # ASCII digits only ("²".isdigit() is true, int() refuses it) and few of them:
        # int() refuses more than 4,300 digits, and no stop number needs more than 3
        if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 3:
            return None
        number = int(text)
    return number if 0 < number <= MAX_STOPS else None


def infer_stops(events) -> list:
    """Stop numbers for a set's ``(status, location)`` events in the order sent, when the
    set carries none: a set that reports one status at several places describes several
    stops, numbered by the order their places first appear. A set that reports each
    status once (a trip told status by status) has no stops: ``None`` for each."""
    places = {}
    for status, location in events:
        if location:
            places.setdefault(status, set()).add(location)
    if not any(len(where) > 1 for where in places.values()):
        return [None] * len(events)
    order = {}
    for _status, location in events:
        if location and location not in order:
            order[location] = len(order) + 1
    return [order.get(location) for _status, location in events]


def last_stop(stops, planned: int = 0) -> int | None:
    """The last stop of a trip: the planned count or the highest stop reported."""
    return max([planned or 0, *(stop for stop in stops if stop)]) or None


def code_at_stop(code: str, stop: int | None, last: int | None) -> str:
    """The milestone an event is at its stop: a delivery or POD before the last stop is a
    stop delivery; anything else, and any event of no known stop, is what was reported."""
    if code in FINAL_CODES and stop and last and stop < last:
        return STOP_DELIVERED
    return code
