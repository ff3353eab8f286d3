"""Canonical payload shapes and their validation.

Every intake path (a dispatcher's import, JSON routes, X12 after parsing) hands plain
dicts to these functions, which either return clean values or raise ``PayloadError``
naming the offending field with a JSON pointer, so a caller can answer a clear 4xx and
store nothing.
"""

from collections.abc import Mapping
from datetime import datetime, timezone

from .milestones import CODES
from .references import SHIPMENT_REFERENCES

MAX_TEXT = 256


class PayloadError(ValueError):
    """A field of a payload is missing or wrong; ``pointer`` is an RFC 6901 path."""

    def __init__(self, pointer: str, message: str):
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


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
    offset = "Z" if parsed.utcoffset().total_seconds() == 0 else parsed.strftime("%z")
    if offset != "Z":
        offset = f"{offset[:3]}:{offset[3:]}"
    return parsed.astimezone(timezone.utc).replace(tzinfo=None), offset


def optional_text(data: Mapping, key: str, pointer: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
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
        value = optional_text(data, key, pointer)
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
    if data.get("code") in (None, "") and data.get("raw_code") not in (None, ""):
        # validated like a milestone, with the code resolved at processing time
        milestone = parse_milestone({**data, "code": "in_transit"}, pointer)
        milestone["code"] = None
    else:
        milestone = parse_milestone(data, pointer)
    milestone["external_id"] = event_id
    return {**milestone, "references": references}


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
            valid.append((index, parse_item(item, f"{pointer}/{index}")))
        except PayloadError as error:
            errors.append(error)
    return valid, errors


def parse_event_batch(document) -> tuple[list[tuple[int, dict]], list[PayloadError]]:
    """``{"events": [...]}`` of ``POST /freight_sync/v1/events``; see ``parse_batch``."""
    return parse_batch(document, "events", parse_inbound_event, MAX_EVENTS)
