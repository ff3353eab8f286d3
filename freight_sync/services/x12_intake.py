"""What an inbound X12 interchange means for freight_sync, as canonical events.

214 status events and 990 tender decisions become the same canonical events as the JSON
route's (``code`` or ``raw_code``, ``event_time`` in naive UTC, ``references``,
``external_id``); 210 invoices are left for the invoice intake; a 990 counter-offer is an
event with ``counter_offer`` for a dispatcher's case. A transaction set is applied whole
or not at all: one unusable event rejects its set, and the 997 says so with an AK3/AK4
naming the segment and element at fault (``segment_note``); a set of another kind is
rejected as not supported (AK502 ``1``).
"""

import hashlib
import json
import re
from datetime import datetime
from urllib.parse import quote

from .canonical import PayloadError, check_text, parse_event_time
from .references import SHIPMENT_REFERENCES
from .x12 import Interchange, X12Error, accepted_sets, decode, element, parse_all
from .x12_214 import map_214
from .x12_990 import map_990
from .x12_997 import SegmentNote, SetRejection
from .x12_invoice import map_210

APPLIED_SETS = frozenset({"214", "990", "210"})
# acknowledgments are never acknowledged, nor refused
SILENT_SETS = frozenset({"997", "999"})
# AK502 "one or more segments in error": the set is well formed, its content is not usable
SEGMENT_ERROR = "5"
SET_NOT_SUPPORTED = "1"  # AK502
NOT_SUPPORTED = {
    "204": "a 204 is a load tender: freight_sync sends tenders and receives the carrier's "
           "990 answer, never a 204",
}
# AK304: a segment named by an error is missing, or one of its elements is wrong
SEGMENT_MISSING, ELEMENT_ERRORS = "3", "8"
# AK403 data element syntax error codes
ELEMENT_MISSING, INVALID_CHARACTER, INVALID_CODE, INVALID_DATE, INVALID_TIME = (
    "1", "6", "7", "8", "9")
# one step of an error's pointer: a segment with an element and an occurrence (L1[2]/L104)
POINTER_STEP = re.compile(r"^(?P<segment>[A-Z][A-Z0-9]{1,2}?)(?P<element>\d{2})?"
                          r"(?:\[(?P<nth>\d+)\])?$")
LOOP_STEP = re.compile(r"^LX(?P<seq>\d+)$")


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
    return read_stored(raw, received_at)[0]


def read_stored(raw: bytes, received_at: datetime) -> tuple[list, list[str]]:
    """``(items, refusals)`` of a stored body: its items as the intake accepts them, and
    in words everything of it that is refused (an unreadable ISA, broken envelopes, sets
    rejected or not supported)."""
    try:
        interchanges = read_body(raw)[0]
    except X12Error as error:
        return [], [str(error)]
    items, refusals = [], []
    for interchange in interchanges:
        found, errors, _rejected = inbound_items(interchange, received_at)
        items += found
        refusals += refusal_words(interchange, errors)
    return items, refusals


def inbound_items(interchange: Interchange, received_at: datetime):
    """``(items, errors, rejected)``: items are ``(source, event)`` pairs (``source`` is
    the mapped data the idempotency digest is taken from), errors the ``PayloadError`` of
    the sets left out, ``rejected`` their ``SetRejection`` keyed ``(GS06, ST02)`` for the
    997. An interchange whose envelope is broken has none of the three: its refusal is
    the envelope's."""
    items, errors, rejected = [], [], {}
    if interchange.refusal() is not None:
        return items, errors, rejected
    # sets the envelope check refused are answered in the 997 from their own errors
    for group, tset in accepted_sets(interchange):
        if tset.code in SILENT_SETS:
            continue
        try:
            if tset.code not in APPLIED_SETS:
                raise PayloadError(f"/ST{tset.control}", _not_supported(tset.code))
            check_characters(tset, interchange.delimiters)
            items.extend(_set_items(tset, received_at))
        except PayloadError as error:
            errors.append(error)
            rejected[(group.control, tset.control)] = _rejection(tset, error)
    return items, errors, rejected


def check_characters(tset, delimiters) -> None:
    """Strict in what is applied: no element of a set may hold a control character (ESC,
    NUL...), a bidirectional override or a lone surrogate (AK403 6), the rule of the JSON
    routes. The interchange's own separators, control characters with some VANs, are
    what they are: delimiters."""
    allowed = str.maketrans("", "", delimiters.component + (delimiters.repetition or ""))
    occurrences = {}
    for segment in tset.segments:
        nth = occurrences[segment[0]] = occurrences.get(segment[0], 0) + 1
        for position, value in enumerate(segment[1:], start=1):
            check_text(value.translate(allowed),
                       f"/ST{tset.control}/{segment[0]}{position:02d}[{nth}]",
                       f"{segment[0]}{position:02d}")


def _not_supported(code):
    return NOT_SUPPORTED.get(code, f"transaction set {code} is not supported: only 214 "
                             "(status), 990 (tender response) and 210 (invoice) are read")


def _rejection(tset, error: PayloadError) -> SetRejection:
    if tset.code not in APPLIED_SETS:
        return SetRejection((SET_NOT_SUPPORTED,))
    note = segment_note(tset, error)
    return SetRejection((SEGMENT_ERROR,), (note,) if note else ())


def segment_note(tset, error: PayloadError) -> SegmentNote | None:
    """The AK3/AK4 of the segment and element ``error`` points at (``/ST0001/LX2/AT705``,
    ``/ST0001/L1[2]/L104``), or ``None`` when it names the whole set."""
    segments = tset.segments
    start, end, nth, found = 0, len(segments), 1, None
    for step in error.pointer.split("/")[2:]:
        loop = LOOP_STEP.match(step)
        if loop:
            start, end = _loop_bounds(segments, loop["seq"])
            continue
        if step.isdigit():
            nth = int(step)  # the n-th of its kind in the loop, as the 214 map counts
            continue
        match = POINTER_STEP.match(step)
        if not match:
            return None
        found = match
        nth = int(match["nth"]) if match["nth"] else nth
    if found is None:
        return None
    segment_id = found["segment"]
    hits = [i for i in range(start, end) if segments[i][0] == segment_id]
    if len(hits) < nth:
        return SegmentNote(segment_id, end + 2, SEGMENT_MISSING)
    index = hits[nth - 1]
    if not found["element"]:
        return SegmentNote(segment_id, index + 2, ELEMENT_ERRORS)
    position = int(found["element"])
    value = segments[index][position] if position < len(segments[index]) else ""
    return SegmentNote(segment_id, index + 2, ELEMENT_ERRORS, element_position=position,
                       element_code=_element_code(value, error.message), bad_value=value)


def _loop_bounds(segments, seq):
    """The segments of the LX loop numbered ``seq``: from its LX to the next one."""
    starts = [i for i, segment in enumerate(segments) if segment[0] == "LX"]
    for number, first in enumerate(starts):
        if element(segments[first], 1).strip() == seq:
            last = starts[number + 1] if number + 1 < len(starts) else len(segments)
            return first + 1, last
    return 0, len(segments)


def _element_code(value: str, message: str) -> str:
    """AK403 for an element the mapping refused, from what it said of it."""
    text = message.lower()
    if not value.strip():
        return ELEMENT_MISSING
    if "date" in text or "ccyymmdd" in text:
        return INVALID_DATE
    if "time" in text and "code" not in text:
        return INVALID_TIME
    if "amount" in text or "number" in text or "character" in text:
        return INVALID_CHARACTER
    return INVALID_CODE


def refusal_words(interchange: Interchange, errors) -> list[str]:
    """Everything refused in ``interchange``, each in words naming where."""
    where = f"interchange {interchange.sender_id}/{interchange.control_number}"
    words = [f"{where}: {error}" for error in interchange.errors]
    for group in interchange.groups:
        words += [f"{where}, group {group.control}: {error}" for error in group.errors]
        words += [f"{where}, set {tset.code} {tset.control}: {error}"
                  for tset in group.sets for error in tset.errors]
    return words + [f"{where}: {error}" for error in errors]


def interchange_key(interchange: Interchange) -> str:
    """What identifies an interchange: sender (ISA06), control number (ISA13), its
    date and time (ISA09/ISA10) and a hash of its content. A sender that uses a control
    number again for other content sends a new interchange, never a duplicate; the
    same content in another layout (line breaks, delimiters) is the same interchange."""
    content = [[group.functional_id, group.control,
                [[tset.code, tset.control, tset.segments] for tset in group.sets]]
               for group in interchange.groups]
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
    return (f"{interchange_prefix(interchange)}"
            f"{quote(interchange.date + interchange.time, safe='')}:{digest[:16]}")


def interchange_prefix(interchange: Interchange) -> str:
    """``sender:control:``, the start of every key of this sender's control number. The
    parts are percent-encoded: a sender's id may hold a ':', a '+' (the key's own
    separators) or a NUL byte, which PostgreSQL refuses in a query."""
    return (f"{quote(interchange.sender_id, safe='')}:"
            f"{quote(interchange.control_number, safe='')}:")


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
    counter = {"counter_offer": response["offer"]} if response["offer"] else {}
    return (response, {
        **counter,
        "code": response["code"],
        "raw_code": f"B104-{response['action_code']}",
        "reason_code": None,
        "event_time": received_at,
        "event_tz": "Z",
        "location": None,
        "note": response["reason"],
        "external_id": response["external_id"],
        "references": {**_references(response["references"]), "name": load},
        # what the tender keeps of an answer (services/canonical.parse_tender_response)
        "tender": {"rate": response["rate"], "service_level": None,
                   "carrier_ref": response["carrier_ref"], "offer": response["offer"],
                   "appointments": response["appointments"]},
    })


def _references(references: dict) -> dict:
    return {key: value for key, value in references.items() if key in SHIPMENT_REFERENCES and value}


def set_kinds(interchange: Interchange) -> set[str]:
    return {tset.code for group in interchange.groups for tset in group.sets}


# AK501 / AK901 codes: A accepted, E accepted with errors, P partially, R/M/W/X rejected
ACK_ACCEPTED = frozenset({"A", "E", "P"})


def acknowledgments(interchange: Interchange) -> list[dict]:
    """What the 997s of an interchange acknowledge: one dict per acknowledged set,
    ``{"group_control": AK102, "functional_id": AK101, "set_code": AK201,
    "set_control": AK202, "accepted": bool, "reason": words or None}``. A set the group
    answer (AK9) rejects without an AK2 of its own is not named: no dict for it."""
    if interchange.refusal() is not None:
        return []
    found = []
    for _group, tset in accepted_sets(interchange):
        if tset.code != "997":
            continue
        ak1, current, notes = None, None, []
        for segment in tset.segments:
            tag = segment[0]
            if tag == "AK1":
                ak1 = segment
            elif tag == "AK2":
                current, notes = segment, []
            elif tag in ("AK3", "AK4"):
                notes.append("*".join(segment))
            elif tag == "AK5" and current is not None and ak1 is not None:
                code = element(segment, 1).strip().upper()
                reasons = [f"AK5 {code}"] + [element(segment, i).strip() for i in range(2, 7)
                                             if element(segment, i).strip()]
                found.append({
                    "functional_id": element(ak1, 1).strip(),
                    "group_control": element(ak1, 2).strip().lstrip("0") or "0",
                    "set_code": element(current, 1).strip(),
                    "set_control": element(current, 2).strip(),
                    "accepted": code in ACK_ACCEPTED,
                    "reason": None if code in ACK_ACCEPTED else " ".join(reasons + notes),
                })
                current = None
    return found
