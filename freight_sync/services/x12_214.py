"""X12 214 (Transportation Carrier Shipment Status Message) to canonical events.

One event per AT7 segment: the status code (AT701, or the appointment code AT703 when
AT701 is empty), its reason, when it happened (AT705-AT707, resolved to an offset with
the MS1 location) and where (MS1). Codes are NOT mapped here: mapping depends on the
endpoint's code map and happens at processing time (``codemap.classify``).

Events are plain dicts a caller hands to ``canonical.parse_milestone`` once the code is
resolved. Errors are ``PayloadError`` with a pointer naming the set, the LX loop and the
element (``/ST0002/LX3/AT705``), so one bad status does not hide the good ones.
"""

from datetime import datetime, timezone

from .canonical import PayloadError
from .references import UNQUALIFIED, add_x12_reference, is_valid_scac, normalize_reference
from .stops import infer_stops, stop_number
from .timezones import to_iso
from .x12 import TransactionSet, element


def _location(ms1: list[str] | None) -> tuple[str | None, dict]:
    """MS1 as text ("ATLANTA, GA, USA" or coordinates) and its parts for the time zone."""
    if not ms1:
        return None, {}
    city, region, country = (element(ms1, n).strip() for n in (1, 2, 3))
    parts = [part for part in (city, region, country) if part]
    if parts:
        return ", ".join(parts), {"city": city, "region": region, "country": country}
    longitude, latitude = element(ms1, 4).strip(), element(ms1, 5).strip()
    if longitude or latitude:
        return f"{latitude}{element(ms1, 7)} {longitude}{element(ms1, 6)}".strip(), {}
    return None, {}


def _equipment(ms2: list[str] | None) -> str | None:
    if not ms2:
        return None
    return " ".join(part for part in (element(ms2, 1).strip(), element(ms2, 2).strip())
                    if part) or None


def _utc_key(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def map_214(tset: TransactionSet) -> tuple[list[dict], list[PayloadError]]:
    """The status events of one 214 transaction set, and the errors of the others.

    ``external_id`` is built from what the event *is* (carrier, shipment, status and
    the instant it happened), not from the envelope: a carrier that resends a status in
    a new interchange produces the same id, so the resend is a duplicate, not a second
    milestone.
    """
    base = f"/ST{tset.control}"
    if tset.code != "214":
        return [], [PayloadError(base, f"transaction set {tset.code} is not a 214")]
    header = {"references": {}, "others": {}, "scac": None}
    loops = []
    current_event = None
    for segment in tset.segments:
        tag = segment[0]
        if tag == "B10":
            header["pro"], header["shipment"] = (element(segment, n).strip() for n in (1, 2))
            header["scac"] = element(segment, 3).strip().upper() or None
        elif tag == "LX":
            loops.append({"seq": element(segment, 1).strip() or str(len(loops) + 1),
                          "events": [], "references": {}, "others": {}, "remarks": []})
            current_event = None
        elif tag == "AT7" and loops:
            current_event = {"at7": segment, "ms1": None, "ms2": None}
            loops[-1]["events"].append(current_event)
        elif tag in ("MS1", "MS2") and current_event is not None:
            current_event[tag.lower()] = current_event[tag.lower()] or segment
        elif tag == "L11":
            target = loops[-1] if loops else header
            add_x12_reference(target["references"], target["others"],
                              element(segment, 2), element(segment, 1))
        elif tag == "K1" and loops:
            loops[-1]["remarks"].extend(
                text for text in (element(segment, 1).strip(), element(segment, 2).strip())
                if text)
    if "pro" not in header:
        return [], [PayloadError(f"{base}/B10", "a 214 needs a B10 segment")]
    if not header["pro"] and not header["shipment"]:
        return [], [PayloadError(f"{base}/B10", "B1001 (PRO) or B1002 (shipment "
                                 "identification) is required to find the shipment")]
    if header["scac"] and not is_valid_scac(header["scac"]):
        return [], [PayloadError(f"{base}/B1003", f"{header['scac']!r} is not a SCAC")]
    if not any(loop["events"] for loop in loops):
        return [], [PayloadError(base, "no status: the 214 has no LX loop with an AT7")]
    events, errors = [], []
    for loop in loops:
        for index, event in enumerate(loop["events"], start=1):
            suffix = f"/{index}" if len(loop["events"]) > 1 else ""
            pointer = f"{base}/LX{loop['seq']}{suffix}"
            try:
                events.append((_event(header, loop, event, pointer), loop))
            except PayloadError as error:
                errors.append(error)
    return _at_stops(events), errors


def _at_stops(events: list) -> list[dict]:
    """Each event with its ``stop``: the loop's stop sequence number (L11 qualifier QN),
    else the one its place takes in a set that reports a status at several places
    (``stops.infer_stops``). A known stop is part of the event's identity: the same
    status at two stops is two milestones, not a conflict."""
    inferred = infer_stops([(event["raw_code"], event["location"]) for event, _loop in events])
    stated = [stop_number(loop["others"].get("QN")) for _event, loop in events]
    use_stated = any(stated)
    result = []
    for (event, _loop), given, guessed in zip(events, stated, inferred):
        stop = given if use_stated else guessed
        if stop:
            event["external_id"] += f":S{stop}"
        result.append({**event, "stop": stop})
    return result


def _event(header: dict, loop: dict, event: dict, pointer: str) -> dict:
    at7 = event["at7"]
    status, status_reason = element(at7, 1).strip().upper(), element(at7, 2).strip().upper()
    appointment = not status
    raw_code = status or element(at7, 3).strip().upper()
    reason = status_reason if status else element(at7, 4).strip().upper()
    if not raw_code:
        raise PayloadError(f"{pointer}/AT701", "AT701 status or AT703 appointment code "
                           "is required")
    location, where = _location(event["ms1"])
    event_time = to_iso(element(at7, 5), element(at7, 6), element(at7, 7), pointer=pointer,
                        **where)
    references = dict(loop["references"])
    for key, value in header["references"].items():
        references.setdefault(key, value)
    if header["pro"]:
        references["pro_number"] = header["pro"]
    if header["shipment"]:
        # B1002 is a Shipment Identification Number, as B303 of a 210: tried as every kind
        references[UNQUALIFIED] = header["shipment"]
    shipment_key = normalize_reference(header["pro"] or header["shipment"])
    return {
        "raw_code": raw_code,
        "reason_code": reason or None,
        "appointment": appointment,
        "event_time": event_time,
        "time_code": element(at7, 7).strip().upper() or None,
        "location": location,
        "equipment": _equipment(event["ms2"]),
        "note": "; ".join(loop["remarks"]) or None,
        "external_id": f"214:{header['scac'] or '-'}:{shipment_key}:{raw_code}:"
                       f"{_utc_key(event_time)}",
        "references": references,
        "other_references": {**header["others"], **loop["others"]},
        "scac": header["scac"],
    }
