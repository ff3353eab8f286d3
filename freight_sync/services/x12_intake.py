"""What an inbound X12 interchange means for freight_sync, as canonical events.

214 status events and 990 tender decisions become the same canonical events as the JSON
route's (``code`` or ``raw_code``, ``event_time`` in naive UTC, ``references``,
``external_id``); 210 invoices are left for the invoice intake. A transaction set is
applied whole or not at all: one unusable event rejects its set, and the 997 says so.
"""

from datetime import datetime

from .canonical import PayloadError, parse_event_time
from .references import SHIPMENT_REFERENCES
from .x12 import Interchange, accepted_sets, decode, parse_all
from .x12_214 import map_214
from .x12_990 import map_990
from .x12_invoice import map_210

APPLIED_SETS = frozenset({"214", "990", "210"})
# AK502 "one or more segments in error": the set is well formed, its content is not usable
SEGMENT_ERROR = "5"


def read_body(raw: bytes) -> tuple[list[Interchange], list[str]]:
    """Every interchange of a received body and the notes of what reading it tolerated
    (an encoding fallback, ISA11 'U'), for the caller to log. An unreadable ISA raises
    ``X12Error``; envelope errors stay on their interchange (``refusal()``)."""
    text, notes = decode(raw)
    interchanges = parse_all(text)
    notes += [f"ISA13 {interchange.control_number}: {note}"
              for interchange in interchanges for note in interchange.notes]
    return interchanges, notes


def body_items(raw: bytes, received_at: datetime) -> list:
    """The ``(source, event)`` items of a stored body: those of each interchange whose
    envelope is sound, as the intake accepted them."""
    items = []
    for interchange in read_body(raw)[0]:
        if interchange.refusal() is None:
            items.extend(inbound_items(interchange, received_at)[0])
    return items


def inbound_items(interchange: Interchange, received_at: datetime):
    """``(items, errors, rejected)``: items are ``(source, event)`` pairs (``source`` is
    the mapped data the idempotency digest is taken from), errors the ``PayloadError`` of
    the sets left out, ``rejected`` their AK5 codes keyed ``(GS06, ST02)`` for the 997."""
    items, errors, rejected = [], [], {}
    # sets the envelope check refused are answered in the 997 from their own errors
    for group, tset in accepted_sets(interchange):
        if tset.code not in APPLIED_SETS:
            continue
        try:
            items.extend(_set_items(tset, received_at))
        except PayloadError as error:
            errors.append(error)
            rejected[(group.control, tset.control)] = [SEGMENT_ERROR]
    return items, errors, rejected


def _set_items(tset, received_at):
    if tset.code == "214":
        return _status_items(tset)
    if tset.code == "990":
        return [_tender_item(map_990(tset), received_at)]
    invoice, errors = map_210(tset)
    if errors:
        raise errors[0]
    # a whole invoice is one item: its external id makes a resent invoice a duplicate
    return [(invoice, {"external_id": invoice["external_id"], "invoice": invoice})]


def _status_items(tset):
    statuses, errors = map_214(tset)
    if errors:
        raise errors[0]
    items = []
    for status in statuses:
        event_time, event_tz = parse_event_time(
            status["event_time"], f"/ST{tset.control}/AT7")
        items.append((status, {
            "code": None,
            "raw_code": status["raw_code"],
            "reason_code": status["reason_code"],
            "event_time": event_time,
            "event_tz": event_tz,
            "location": status["location"],
            "note": status["note"],
            "external_id": status["external_id"],
            "stop": status["stop"],
            "references": _references(status["references"]),
        }))
    return items


def _tender_item(response, received_at):
    # a 990 has a date but no time: the decision is dated when it reached us
    load = response["shipment_id"]
    return (response, {
        "code": response["code"],
        "raw_code": f"B104-{response['action_code']}",
        "reason_code": None,
        "event_time": received_at,
        "event_tz": "Z",
        "location": None,
        "note": response["reason"],
        "external_id": response["external_id"],
        "references": {**_references(response["references"]), "name": load},
    })


def _references(references: dict) -> dict:
    return {key: value for key, value in references.items() if key in SHIPMENT_REFERENCES and value}


def set_kinds(interchange: Interchange) -> set[str]:
    return {tset.code for group in interchange.groups for tset in group.sets}
