"""The canonical tender: what we ask a carrier to move, whatever the channel. Pure.

A tender is a plain dict, JSON-compatible (strings, numbers, lists, dicts, ``None``).
``validate_tender`` checks one and returns it in canonical form; the X12 204 writer
(``x12_204.build_204``) and the JSON channel (``to_json_tender``) both start from that
form, and the 204 reader (``x12_204.map_204``) returns it, so a round trip gives back
exactly what ``validate_tender`` returned.

Keys (``None`` or absent when optional and unknown):

=================  ==========================================================================
``purpose``        ``original`` (default), ``change`` or ``cancel`` (204 B2A01 00 / 04 / 01)
``shipment_id``    our shipment number, 1-30 characters (204 B204, 990 B102 answers it)
``load_ref``       our load reference, optional, 1-30 characters (L11 qualifier SI)
``scac``           the carrier's SCAC, 2-4 capital letters (B202)
``payment``        ``prepaid``, ``collect`` or ``third_party`` (B206 PP / CC / TP)
``mode``           ``ltl``, ``ftl``, ``parcel``, ``intermodal``, ``ocean`` or ``air`` (MS304)
``equipment``      X12 equipment description code (element 40, e.g. ``TF`` dry van, ``RT``
                   reefer, ``FT`` flatbed), optional (N711)
``weight``         ``{"value": > 0, "unit": "kg" | "lb"}``, required (L301/L312)
``volume``         ``{"value": > 0, "unit": "m3" | "ft3"}``, optional (L309/L310)
``pieces``         handling units, optional integer (L311)
``pallets``        optional integer, at most 999 (PLD01)
``references``     ``{"po_number" | "bol_number" | "customer_ref" | "booking_number" |
                   "pickup_ref": text}`` (L11 PO, BM, CR, BN, P8; 1-30 characters)
``handling``       special handling codes, e.g. ``["HM"]`` (AT501; at most 6)
``instructions``   free text, at most 800 characters (NTE, 80 a piece)
``respond_by``     the tender's expiry, ISO 8601 with offset (G62 qualifier 64)
``requested_rate`` ``{"amount": >= 0 with at most 2 decimals, "currency": ISO 4217}``,
                   optional (L305, currency: see ``x12_204``)
``bill_to``        a party, optional (N1 loop BT)
``stops``          2 to 999 stops in order, see below (S5 loops)
=================  ==========================================================================

A party: ``name`` (required), ``address`` (0-4 lines), ``city``, ``state``
(2 characters), ``postal_code`` (3-15), ``country`` (2-3 letters). A stop is a party plus
``sequence`` (1, 2, ... in order), ``reason`` (``LD`` load, ``CL`` complete load, ``UL``
unload, ``CU`` complete unload: the first stop loads, the last unloads), ``window_start``
(required) and ``window_end`` (optional), the requested window in ISO 8601 with offset,
``references`` (as above), ``instructions``, and what is loaded or unloaded there:
``weight`` (in the tender's weight unit), ``volume`` (in its volume unit), ``pieces``,
``pallets``.

Normalisation (documented, applied identically to every channel):

* text: runs of whitespace (tabs, line breaks) become one space, ends stripped; a
  control, format or other unprintable character is refused (``PayloadError``);
* names are cut to the X12 maxima (party name 60, address line 55, city 30): a cut name
  still names the place, and what the 204 carries is what both channels send;
  identifiers (shipment id, references: 30) and instructions (800) are refused when too
  long, since a cut one would name something else or drop an instruction;
* times: seconds kept, fractions dropped; an offset X12 has no time code for (other than
  whole hours from -12 to +12, -03:30 and -02:30) is converted to UTC: the same instant;
* numbers: weights and volumes rounded to 3 decimals, amounts to cents.
"""

import copy
import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from .canonical import PayloadError, forbidden_char
from .references import X12_QUALIFIERS, is_valid_scac

PURPOSES = ("original", "change", "cancel")
PAYMENTS = ("prepaid", "collect", "third_party")
MODES = ("ltl", "ftl", "parcel", "intermodal", "ocean", "air")
PICKUP_REASONS = ("LD", "CL")
DELIVERY_REASONS = ("UL", "CU")
STOP_REASONS = PICKUP_REASONS + DELIVERY_REASONS
WEIGHT_UNITS = ("kg", "lb")
VOLUME_UNITS = ("m3", "ft3")
# the reference kinds a tender may carry (load_ref is its own key)
REFERENCE_KEYS = tuple(key for key in X12_QUALIFIERS.values() if key not in (
    "load_ref", "pro_number"))
MAX_ID = 30  # B204, L1101
MAX_NAME = 60  # N102
MAX_ADDRESS = 55  # N301, N302
MAX_ADDRESS_LINES = 4  # two N3 segments
MAX_CITY = 30  # N401
MAX_INSTRUCTIONS = 800  # ten NTE02 of 80
MAX_HANDLING = 6  # AT5 max use
MAX_STOPS = 999  # S501 N0 1/3
MAX_PALLETS = 999  # PLD01 N0 1/3
MAX_QUANTITY = 9_999_999  # AT804, L311 N0 1/7
MAX_WEIGHT = 99_999_999.0  # R 1/10 with 3 decimals
MAX_VOLUME = 99_999.0  # R 1/8 with 3 decimals
MAX_RATE = 9_999_999_999.99  # L305 N2 1/12
# UTC offsets (minutes) X12 element 623 can name: the others are sent in UTC
NAMED_OFFSETS = frozenset({*(h * 60 for h in range(-12, 13)), -210, -150})
JSON_SCHEMA = "freight_sync.tender/1"


def clean_text(value, pointer: str, *, most: int | None = None, cut: bool = False,
               required: bool = False, least: int = 1) -> str | None:
    """Text as a tender holds it: whitespace collapsed, printable, within ``most``
    characters (cut there with ``cut``, refused otherwise); ``None`` when empty."""
    if value is None or value == "":
        if required:
            raise PayloadError(pointer, "is required")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PayloadError(pointer, "must be a string")
    text = str(value)
    char = forbidden_char(text)
    if char is None:
        text = " ".join(text.split())
        char = next((c for c in text if not c.isprintable()), None)
    if char is not None:
        raise PayloadError(pointer, f"holds an unprintable character (U+{ord(char):04X})")
    if most and len(text) > most:
        if not cut:
            raise PayloadError(pointer, f"longer than {most} characters")
        text = text[:most].rstrip()
    if not text:
        if required:
            raise PayloadError(pointer, "is required")
        return None
    if len(text) < least:
        raise PayloadError(pointer, f"at least {least} characters")
    return text


def _code(value, pointer, choices, required=True):
    if value in (None, "") and not required:
        return None
    if value not in choices:
        raise PayloadError(pointer, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _pattern_code(value, pointer, least, most, letters_only=False):
    """An optional code of capital letters (and digits): ``None`` when empty."""
    text = clean_text(value, pointer)
    if text is None:
        return None
    text = text.upper()
    ok = least <= len(text) <= most and text.isascii() and (
        text.isalpha() if letters_only else text.isalnum())
    if not ok:
        kind = "letters" if letters_only else "letters or digits"
        raise PayloadError(pointer, f"{text!r} must be {least} to {most} {kind}")
    return text


def _number(value, pointer, most, *, integer=False, required=False, positive=True):
    if value is None:
        if required:
            raise PayloadError(pointer, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(pointer, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise PayloadError(pointer, "must be a finite number")
    if integer and value != int(value):
        raise PayloadError(pointer, "must be a whole number")
    if value < 0 or (positive and value == 0) or value > most:
        low = "above 0" if positive else "at least 0"
        raise PayloadError(pointer, f"must be {low} and at most {most:g}")
    return int(value) if integer else round(float(value), 3)


def _measure(value, pointer, units, most, required=False):
    if value is None and not required:
        return None
    if not isinstance(value, Mapping):
        raise PayloadError(pointer, "an object with 'value' and 'unit' is required")
    return {"value": _number(value.get("value"), f"{pointer}/value", most, required=True),
            "unit": _code(value.get("unit"), f"{pointer}/unit", units)}


def tender_time(value, pointer: str, required: bool = False) -> str | None:
    """An ISO 8601 time with offset, in canonical text (see the module docstring)."""
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(pointer, "an ISO 8601 date-time with UTC offset is required")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(pointer, f"not an ISO 8601 date-time: {text!r}") from None
    if moment.utcoffset() is None:
        raise PayloadError(pointer, f"{text!r} has no UTC offset")
    if not 1970 <= moment.year <= 9998:
        raise PayloadError(pointer, f"{text!r} is not a plausible tender date")
    offset = moment.utcoffset()
    minutes = offset.days * 1440 + offset.seconds // 60
    if offset % timedelta(minutes=1) or minutes not in NAMED_OFFSETS:
        moment = moment.astimezone(timezone.utc)
    else:
        moment = moment.replace(tzinfo=timezone(offset))
    return moment.replace(microsecond=0).isoformat()


def _references(value, pointer) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(pointer, "an object of references is required")
    result = {}
    for key in sorted(value):
        if key not in REFERENCE_KEYS:
            raise PayloadError(f"{pointer}/{key}", f"unknown reference kind; expected one "
                               f"of {', '.join(REFERENCE_KEYS)}")
        text = clean_text(value[key], f"{pointer}/{key}", most=MAX_ID)
        if text:
            result[key] = text
    return result


def _party(value, pointer, *, city_required=False) -> dict:
    if not isinstance(value, Mapping):
        raise PayloadError(pointer, "a party object is required")
    lines = value.get("address") or []
    if isinstance(lines, str) or not isinstance(lines, list):
        raise PayloadError(f"{pointer}/address", "a list of address lines is required")
    address = [text for index, line in enumerate(lines) if (text := clean_text(
        line, f"{pointer}/address/{index}", most=MAX_ADDRESS, cut=True))]
    if len(address) > MAX_ADDRESS_LINES:
        raise PayloadError(f"{pointer}/address", f"at most {MAX_ADDRESS_LINES} lines")
    postal = clean_text(value.get("postal_code"), f"{pointer}/postal_code", most=15, least=3)
    return {
        "name": clean_text(value.get("name"), f"{pointer}/name", most=MAX_NAME, cut=True,
                           required=True),
        "address": address,
        "city": clean_text(value.get("city"), f"{pointer}/city", most=MAX_CITY, cut=True,
                           required=city_required, least=2),
        "state": _pattern_code(value.get("state"), f"{pointer}/state", 2, 2),
        "postal_code": postal.upper() if postal else None,
        "country": _pattern_code(value.get("country"), f"{pointer}/country", 2, 3,
                                 letters_only=True),
    }


def _stop(value, pointer, index, doc) -> dict:
    stop = _party(value, pointer, city_required=True)
    sequence = value.get("sequence")
    if sequence != index + 1 or isinstance(sequence, bool):
        raise PayloadError(f"{pointer}/sequence", f"stops are numbered in order: expected "
                           f"{index + 1}, got {sequence!r}")
    start = tender_time(value.get("window_start"), f"{pointer}/window_start", required=True)
    end = tender_time(value.get("window_end"), f"{pointer}/window_end")
    if end and datetime.fromisoformat(end) < datetime.fromisoformat(start):
        raise PayloadError(f"{pointer}/window_end", "ends before the window starts")
    volume = _number(value.get("volume"), f"{pointer}/volume", MAX_VOLUME)
    if volume is not None and doc["volume"] is None:
        raise PayloadError(f"{pointer}/volume", "a stop volume needs the tender's volume "
                           "(and its unit)")
    stop.update({
        "sequence": sequence,
        "reason": _code(value.get("reason"), f"{pointer}/reason", STOP_REASONS),
        "window_start": start,
        "window_end": end,
        "references": _references(value.get("references"), f"{pointer}/references"),
        "instructions": clean_text(value.get("instructions"), f"{pointer}/instructions",
                                   most=MAX_INSTRUCTIONS),
        "weight": _number(value.get("weight"), f"{pointer}/weight", MAX_WEIGHT),
        "volume": volume,
        "pieces": _number(value.get("pieces"), f"{pointer}/pieces", MAX_QUANTITY,
                          integer=True),
        "pallets": _number(value.get("pallets"), f"{pointer}/pallets", MAX_QUANTITY,
                           integer=True),
    })
    return stop


def _rate(value, pointer):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise PayloadError(pointer, "an object with 'amount' and 'currency' is required")
    _number(value.get("amount"), f"{pointer}/amount", MAX_RATE, required=True,
            positive=False)
    cents = round(value["amount"] * 100)
    if abs(value["amount"] * 100 - cents) > 1e-6:
        raise PayloadError(f"{pointer}/amount", "at most 2 decimals")
    currency = _pattern_code(value.get("currency"), f"{pointer}/currency", 3, 3,
                             letters_only=True)
    if currency is None:
        raise PayloadError(f"{pointer}/currency", "is required")
    return {"amount": cents / 100, "currency": currency}


def validate_tender(data) -> dict:
    """The canonical form of a tender, or ``PayloadError`` naming the field at fault."""
    if not isinstance(data, Mapping):
        raise PayloadError("/", "a tender must be an object")
    scac = clean_text(data.get("scac"), "/scac", required=True).upper()
    if not is_valid_scac(scac):
        raise PayloadError("/scac", f"{scac!r} is not a SCAC (2 to 4 capital letters)")
    handling = data.get("handling") or []
    if not isinstance(handling, list) or len(handling) > MAX_HANDLING:
        raise PayloadError("/handling", f"a list of at most {MAX_HANDLING} codes is required")
    doc = {
        "purpose": _code(data.get("purpose") or "original", "/purpose", PURPOSES),
        "shipment_id": clean_text(data.get("shipment_id"), "/shipment_id", most=MAX_ID,
                                  required=True),
        "load_ref": clean_text(data.get("load_ref"), "/load_ref", most=MAX_ID),
        "scac": scac,
        "payment": _code(data.get("payment"), "/payment", PAYMENTS),
        "mode": _code(data.get("mode"), "/mode", MODES),
        "equipment": _pattern_code(data.get("equipment"), "/equipment", 2, 2),
        "weight": _measure(data.get("weight"), "/weight", WEIGHT_UNITS, MAX_WEIGHT,
                           required=True),
        "volume": _measure(data.get("volume"), "/volume", VOLUME_UNITS, MAX_VOLUME),
        "pieces": _number(data.get("pieces"), "/pieces", MAX_QUANTITY, integer=True),
        "pallets": _number(data.get("pallets"), "/pallets", MAX_PALLETS, integer=True),
        "references": _references(data.get("references"), "/references"),
        "handling": [_pattern_code(code, f"/handling/{index}", 2, 3) or "" for index, code
                     in enumerate(handling)],
        "instructions": clean_text(data.get("instructions"), "/instructions",
                                   most=MAX_INSTRUCTIONS),
        "respond_by": tender_time(data.get("respond_by"), "/respond_by"),
        "requested_rate": _rate(data.get("requested_rate"), "/requested_rate"),
        "bill_to": (_party(data["bill_to"], "/bill_to") if data.get("bill_to") is not None
                    else None),
    }
    if "" in doc["handling"]:
        raise PayloadError(f"/handling/{doc['handling'].index('')}", "is required")
    stops = data.get("stops")
    if not isinstance(stops, list) or not 2 <= len(stops) <= MAX_STOPS:
        raise PayloadError("/stops", f"a list of 2 to {MAX_STOPS} stops is required")
    doc["stops"] = []
    for index, stop in enumerate(stops):
        if not isinstance(stop, Mapping):
            raise PayloadError(f"/stops/{index}", "a stop object is required")
        doc["stops"].append(_stop(stop, f"/stops/{index}", index, doc))
    if doc["stops"][0]["reason"] not in PICKUP_REASONS:
        raise PayloadError("/stops/0/reason", "the first stop loads (LD or CL)")
    if doc["stops"][-1]["reason"] not in DELIVERY_REASONS:
        raise PayloadError(f"/stops/{len(stops) - 1}/reason",
                           "the last stop unloads (UL or CU)")
    return doc


def to_json_tender(doc) -> dict:
    """The body the JSON channel POSTs to a carrier's or TMS's endpoint.

    ``{"schema": "freight_sync.tender/1", "tender": {...}}`` where ``tender`` is the
    canonical tender (module docstring): the same keys, units and normalisation as the
    X12 204, times as ISO 8601 with offset, amounts as numbers in the stated currency.
    The receiver answers with its decision (accepted / rejected / counter-offer), its
    reference and, for an acceptance, the confirmed rate. Validated here: a caller
    cannot send what the X12 channel would refuse.
    """
    return {"schema": JSON_SCHEMA, "tender": copy.deepcopy(validate_tender(doc))}
