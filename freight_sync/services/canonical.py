"""Canonical payload shapes and their validation.

Every intake path (a dispatcher's import, JSON routes, X12 after parsing) hands plain
dicts to these functions, which either return clean values or raise ``PayloadError``
naming the offending field with a JSON pointer, so a caller can answer a clear 4xx and
store nothing.
"""

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from .milestones import CODES
from .references import SHIPMENT_REFERENCES
from .stops import MAX_STOPS, stop_number

MAX_TEXT = 256
# Python's JSON parser recurses per level: a deeper document is refused before parsing,
# so no sender can exhaust the interpreter's stack. Real payloads nest 4 or 5 levels.
MAX_DEPTH = 32
# Event times before the Unix epoch are typos (0001-01-01), not history.
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A clock skew allowance: scans stamped a little ahead of our clock are real; an event
# later than that has not happened yet. The milestone model holds the same line.
FUTURE_TOLERANCE = timedelta(hours=1)
# No freight document bills a billion; a bigger amount is a unit or decimal-point mistake.
MAX_AMOUNT = 1e9
AMOUNT_FIELDS = frozenset({"amount", "total", "rate"})
# The largest integer a float holds exactly: a bigger number is read wrong, or not at all.
MAX_NUMBER = 2**53
# C0 controls but tab, line feed and carriage return; DEL; and UTF-16 surrogates, which a
# JSON "\ud800" escape can produce alone but no text encoding can store.
# control characters (ESC, NUL...) but tab and line breaks, lone surrogates, and the
# bidirectional embeddings, overrides and isolates that make a text read otherwise than
# it is stored (a PRO or an amount shown reversed on a clerk's screen)
_FORBIDDEN_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class PayloadError(ValueError):
    """A field of a payload is missing or wrong; ``pointer`` is an RFC 6901 path."""

    def __init__(self, pointer: str, message: str):
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


class JsonSyntaxError(ValueError):
    """The body is no JSON document at all, as opposed to a document with a wrong field."""


def load_json(body: bytes):
    """The JSON document ``body`` holds.

    Raises ``JsonSyntaxError`` for what is not JSON (NaN and Infinity included: Python
    reads them, no other JSON parser does), and ``PayloadError`` at the root for a
    document nested deeper than ``MAX_DEPTH``. The parser guards its own recursion
    (``RecursionError``, whatever the depth), so the depth of a document it read is
    measured on what it read, a tenth of the cost of scanning the text; a text it
    refuses is scanned, so that a deep document is refused as such even if malformed.
    """
    try:
        # the decoding json.loads applies to bytes, done here to scan the text if need be
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError as error:
        raise JsonSyntaxError(f"body is not UTF-8: {error}") from None
    too_deep = PayloadError("", f"arrays and objects nest deeper than {MAX_DEPTH} levels")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise too_deep from None
    except ValueError as error:
        if nested_deeper(text, MAX_DEPTH):
            raise too_deep from None
        raise JsonSyntaxError(str(error)) from None
    if _deeper(document, MAX_DEPTH):
        raise too_deep
    return document


def _deeper(document, limit: int) -> bool:
    """Whether the arrays and objects of a parsed document nest more than ``limit``
    levels: one level at a time, without recursion."""
    level, depth = [document], 0
    while level:
        containers = [value for value in level if isinstance(value, dict | list)]
        if not containers:
            return False
        depth += 1
        if depth > limit:
            return True
        level = [child for value in containers
                 for child in (value.values() if isinstance(value, dict) else value)]
    return False


def _refuse_constant(name):
    raise JsonSyntaxError(f"{name} is not a JSON value")


def nested_deeper(text: str, limit: int) -> bool:
    """Whether the arrays and objects of JSON ``text`` nest more than ``limit`` levels.

    Counts the brackets outside strings, without recursion; malformed text is left to the
    parser, which says better what is wrong with it.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit


def check_values(value, pointer: str, name=None) -> None:
    """Refuse what no field may hold, wherever it sits in ``value``: control characters
    and lone surrogates in strings and member names, and numbers that are not finite or
    beyond ``MAX_NUMBER`` (``MAX_AMOUNT`` for a member named in ``AMOUNT_FIELDS``, as a
    number or a numeric string). ``name`` is the member name ``value`` is held under.

    Sound values, nearly all of them, pass a walk that builds no pointer; the walk that
    names the pointer of what is wrong runs only when something is.
    """
    if not _sound(value, name):
        _check_values(value, pointer, name)


def _sound(value, name=None) -> bool:
    """Whether ``check_values`` finds nothing wrong in ``value``, without saying where;
    ``False`` for what it does not know (a type JSON does not produce)."""
    kind = type(value)
    if kind is str:
        if _FORBIDDEN_CHARS.search(value):
            return False
        if name in AMOUNT_FIELDS and (number := _numeric(value)) is not None:
            return math.isfinite(number) and abs(number) <= MAX_AMOUNT
        return True
    if kind is dict:
        for key, member in value.items():
            if type(key) is not str or _FORBIDDEN_CHARS.search(key) or not _sound(member, key):
                return False
        return True
    if kind is list:
        for member in value:
            if not _sound(member):
                return False
        return True
    if kind is int or kind is float:
        bound = MAX_AMOUNT if name in AMOUNT_FIELDS else MAX_NUMBER
        return (kind is int or math.isfinite(value)) and abs(value) <= bound
    return value is None or kind is bool


def _check_values(value, pointer: str, name=None) -> None:
    if isinstance(value, Mapping):
        for key, member in value.items():
            check_text(str(key), pointer, "a member name")
            _check_values(member, f"{pointer}/{_escape(str(key))}", key)
    elif isinstance(value, list):
        for index, member in enumerate(value):
            _check_values(member, f"{pointer}/{index}")
    elif isinstance(value, str):
        check_text(value, pointer)
        if name in AMOUNT_FIELDS and (number := _numeric(value)) is not None:
            check_amount(number, pointer)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if name in AMOUNT_FIELDS:
            check_amount(value, pointer)
        else:
            check_number(value, pointer, MAX_NUMBER)


def forbidden_char(text: str) -> str | None:
    """The first control character (but tab and line breaks), lone surrogate or
    bidirectional control of ``text``."""
    match = _FORBIDDEN_CHARS.search(text)
    return match.group() if match else None


def check_text(text: str, pointer: str, what: str = "the text") -> None:
    char = forbidden_char(text)
    if char:
        kind = ("a lone surrogate" if "\ud800" <= char <= "\udfff"
                else "a bidirectional control character" if _BIDI_CONTROLS.match(char)
                else "a control character")
        raise PayloadError(pointer, f"{what} contains {kind} (U+{ord(char):04X})")


def check_number(number, pointer: str, bound: float) -> None:
    if isinstance(number, float) and not math.isfinite(number):
        raise PayloadError(pointer, "must be a finite number")
    if abs(number) > bound:
        # the number itself is not shown: an integer this big may not convert to float
        raise PayloadError(pointer, f"beyond the bound of {bound:.16g}")


def check_amount(number, pointer: str) -> None:
    """An amount of money: finite, and at most ``MAX_AMOUNT`` either way. For the intakes
    that read amounts without ``parse_batch`` (X12 210, CSV)."""
    check_number(number, pointer, MAX_AMOUNT)


def _numeric(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # not a number: the field's own parser says so


def _escape(key: str) -> str:
    """A member name as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def parse_event_time(value, pointer: str) -> tuple[datetime, str]:
    """Parse an ISO 8601 time that carries its UTC offset.

    Returns the naive UTC datetime Odoo stores and the offset as sent (``+05:00``,
    ``Z``), kept so the source's local time can be shown. A time without an offset is
    refused: guessing the zone of a carrier scan is how deliveries end up a day early.
    """
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(pointer, "an ISO 8601 date-time with UTC offset is required")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as error:
        raise PayloadError(pointer, f"not an ISO 8601 date-time: {text!r}") from error
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PayloadError(
            pointer,
            f"{text!r} has no UTC offset; send e.g. '2024-07-09T14:30:00-05:00' or a 'Z' suffix",
        )
    check_event_bounds(parsed, text, pointer)
    offset = "Z" if parsed.utcoffset().total_seconds() == 0 else parsed.strftime("%z")
    if offset != "Z":
        offset = f"{offset[:3]}:{offset[3:]}"
    return parsed.astimezone(timezone.utc).replace(tzinfo=None), offset


def check_event_bounds(when: datetime, text: str, pointer: str) -> None:
    """Refuse an aware ``when`` before ``EARLIEST_EVENT`` or after now plus
    ``FUTURE_TOLERANCE``; compared before any conversion, which would overflow at the ends
    of the calendar."""
    if when < EARLIEST_EVENT:
        raise PayloadError(pointer, f"{text!r} is before {EARLIEST_EVENT:%Y-%m-%d}")
    if when > datetime.now(timezone.utc) + FUTURE_TOLERANCE:
        raise PayloadError(pointer, f"{text!r} is in the future: events record what already "
                           f"happened (at most {FUTURE_TOLERANCE} ahead of server time)")


def optional_text(data: Mapping, key: str, pointer: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if type(value) is str and len(value) <= MAX_TEXT:  # the common case, in short
        return value.strip() or None
    if not isinstance(value, str | int):
        raise PayloadError(f"{pointer}/{key}", "must be a string")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise PayloadError(f"{pointer}/{key}", f"longer than {MAX_TEXT} characters")
    return text or None


def parse_milestone(data, pointer: str = "") -> dict:
    """Validate one milestone event and return the canonical dict.

    Canonical keys: ``code``, ``event_time`` (naive UTC), ``event_tz`` (offset as
    sent), ``location``, ``raw_code``, ``reason_code``, ``external_id``, ``note``.
    """
    if not isinstance(data, Mapping):
        raise PayloadError(pointer or "/", "a milestone must be a JSON object")
    code = data.get("code")
    if not isinstance(code, str) or not code:
        raise PayloadError(f"{pointer}/code", "a canonical milestone code is required")
    if code not in CODES:
        raise PayloadError(
            f"{pointer}/code",
            f"unknown milestone code {code!r}; expected one of {', '.join(sorted(CODES))}",
        )
    event_time, event_tz = parse_event_time(data.get("event_time"), f"{pointer}/event_time")
    result = {"code": code, "event_time": event_time, "event_tz": event_tz}
    for key in ("location", "raw_code", "reason_code", "external_id", "note"):
        result[key] = optional_text(data, key, pointer)
    return result


def parse_milestones(items) -> tuple[list[dict], list[PayloadError]]:
    """Validate a list of milestone events; returns the valid ones and every error."""
    if not isinstance(items, list):
        return [], [PayloadError("/", "a list of milestones is required")]
    parsed, errors = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_milestone(item, f"/{index}"))
        except PayloadError as error:
            errors.append(error)
    return parsed, errors


MAX_EVENTS = 1000


def parse_references(data, pointer: str) -> dict:
    """Shipment references of an inbound item: at least one of ``SHIPMENT_REFERENCES``."""
    if not isinstance(data, Mapping):
        raise PayloadError(pointer, "an object with shipment references is required")
    references = {}
    for key in SHIPMENT_REFERENCES:
        value = optional_text(data, key, pointer) if key in data else None
        if value:
            references[key] = value
    if not references:
        raise PayloadError(pointer, f"give at least one of {', '.join(SHIPMENT_REFERENCES)}")
    return references


def parse_inbound_event(data, pointer: str) -> dict:
    """One event of ``POST /freight_sync/v1/events``.

    Either a canonical ``code`` or the sender's ``raw_code`` (mapped later through the
    endpoint's code map) is required; ``id`` is the sender's event id, the key that makes
    a resent event a duplicate instead of a second milestone.
    """
    if not isinstance(data, Mapping):
        raise PayloadError(pointer or "/", "an event must be a JSON object")
    event_id = optional_text(data, "id", pointer)
    if not event_id:
        raise PayloadError(f"{pointer}/id", "the sender's event id is required")
    references = parse_references(data.get("shipment"), f"{pointer}/shipment")
    counter_offer = data.get("code") == COUNTER_OFFER
    if counter_offer or (data.get("code") in (None, "")
                         and data.get("raw_code") not in (None, "")):
        # validated like a milestone, with the code resolved at processing time
        milestone = parse_milestone({**data, "code": "in_transit"}, pointer)
        milestone["code"] = None
    else:
        milestone = parse_milestone(data, pointer)
    milestone["external_id"] = event_id
    stop = data.get("stop")
    if stop is not None and stop_number(stop) is None:
        raise PayloadError(f"{pointer}/stop", f"the stop is a sequence number from 1 to "
                           f"{MAX_STOPS}")
    event = {**milestone, "references": references,
             "stop": stop_number(stop) if stop is not None else None}
    if data.get("tender") is not None or counter_offer:
        event["tender"] = parse_tender_response(data.get("tender") or {}, f"{pointer}/tender")
    if counter_offer:
        # an offer, not a decision: no status moves, a dispatcher judges it
        event.update(raw_code=milestone["raw_code"] or COUNTER_OFFER,
                     counter_offer=event["tender"]["offer"] or "Counter offer")
    return event


# A carrier's answer to a tender on the JSON route is an event whose ``code`` is
# ``accepted``, ``rejected`` or ``counter_offer`` with an optional ``tender`` object:
#   {"rate": {"amount": 1850.25, "currency": "USD"}, "service_level": "Standard",
#    "carrier_ref": "BRFL-778120", "offer": "Counter Proposal Made",
#    "appointments": [{"kind": "pickup" | "delivery", "at": "2024-07-10T08:00:00-04:00"}]}
# The reason of a decline or the words of an offer are the event's ``note``.
COUNTER_OFFER = "counter_offer"
TENDER_CODES = frozenset({"accepted", "rejected"})


def parse_tender_response(data, pointer: str) -> dict:
    """The ``tender`` object of a carrier's answer (see above), canonical: ``rate``
    (``(amount, currency)`` or ``None``), ``service_level``, ``carrier_ref``, ``offer``
    and ``appointments`` (``{"kind", "at"}`` with ``at`` ISO 8601 with offset)."""
    if not isinstance(data, Mapping):
        raise PayloadError(pointer, "a tender answer object is required")
    rate = data.get("rate")
    if rate is not None:
        if not isinstance(rate, Mapping):
            raise PayloadError(f"{pointer}/rate", "an object with 'amount' and 'currency'")
        amount, currency = rate.get("amount"), rate.get("currency")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            raise PayloadError(f"{pointer}/rate/amount", "a number of at least 0 is required")
        check_amount(amount, f"{pointer}/rate/amount")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
                and currency.isascii()):
            raise PayloadError(f"{pointer}/rate/currency", "an ISO 4217 code is required")
        rate = (round(float(amount), 2), currency.upper())
    appointments = data.get("appointments") or []
    if not isinstance(appointments, list):
        raise PayloadError(f"{pointer}/appointments", "a list of appointments is required")
    parsed = []
    for index, appointment in enumerate(appointments):
        where = f"{pointer}/appointments/{index}"
        if not isinstance(appointment, Mapping) or appointment.get("kind") not in (
                "pickup", "delivery"):
            raise PayloadError(f"{where}/kind", "'pickup' or 'delivery' is required")
        parsed.append({"kind": appointment["kind"],
                       "at": appointment_time(appointment.get("at"), f"{where}/at")})
    return {"rate": rate, "appointments": parsed,
            **{key: optional_text(data, key, pointer)
               for key in ("service_level", "carrier_ref", "offer")}}


def appointment_time(value, pointer: str) -> str:
    """An appointment: ISO 8601 with offset, in the future as well as the past."""
    if not isinstance(value, str):
        raise PayloadError(pointer, "an ISO 8601 date-time with UTC offset is required")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(pointer, f"not an ISO 8601 date-time: {value!r}") from None
    if moment.utcoffset() is None or not 1970 <= moment.year <= 9998:
        raise PayloadError(pointer, f"{value!r} needs a UTC offset and a plausible year")
    return moment.isoformat()


def parse_batch(document, key: str, parse_item, limit: int
                ) -> tuple[list[tuple[int, dict]], list[PayloadError]]:
    """Validate a batch ``{key: [...]}`` of at most ``limit`` items, each read by
    ``parse_item(item, pointer)``: the valid items with their index, and the errors.

    The batch itself must be sound (a ``PayloadError`` otherwise, and nothing is kept);
    a bad item only leaves that item out, so a sender learns of every bad item at once.
    """
    pointer = f"/{key}"
    if not isinstance(document, Mapping) or not isinstance(document.get(key), list):
        raise PayloadError(pointer, f"a JSON object with an '{key}' list is required")
    items = document[key]
    if not items:
        raise PayloadError(pointer, "the list is empty")
    if len(items) > limit:
        raise PayloadError(pointer, f"at most {limit} {key} per request")
    valid, errors = [], []
    for index, item in enumerate(items):
        try:
            check_values(item, f"{pointer}/{index}")
            valid.append((index, parse_item(item, f"{pointer}/{index}")))
        except PayloadError as error:
            errors.append(error)
    return valid, errors


def parse_event_batch(document) -> tuple[list[tuple[int, dict]], list[PayloadError]]:
    """``{"events": [...]}`` of ``POST /freight_sync/v1/events``; see ``parse_batch``."""
    return parse_batch(document, "events", parse_inbound_event, MAX_EVENTS)
