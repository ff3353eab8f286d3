"""X12 204 (Motor Carrier Load Tender): our writer, and the reader of what it writes.

Pure, like the 997 writer: control numbers and the timestamp come from the caller, so the
same tender always gives the same text. ``build_204`` writes the canonical tender
(``tender.validate_tender``) as one interchange, one SM group, one 204 set:

    ISA GS*SM ST*204
    B2**<SCAC>**<shipment id>**<PP|CC|TP>   B2A*<00 original|01 cancel|04 change>
    L11 (SI load, PO, BM, CR, BN, P8; ZZ currency of the requested rate)
    G62*64*<date>*1*<time>*<zone>           (respond by)
    MS3*<SCAC>*B**<mode>   AT5 (handling)   PLD*<pallets>   NTE (instructions, 80 a piece)
    N1*BT N3 N4                             (bill-to)
    N7**NONE*********<equipment>
    S5*<seq>*<LD|CL|UL|CU>  L11  G62 (37/38 pickup window, 53/54 delivery window)
        AT8*G*<L|K>*<weight>*<pieces>*<pallets>*<E|X>*<volume>  NTE  N1*SH|CN N3 N4
    L3*<weight>*G***<rate in cents>****<volume>*<E|X>*<pieces>*<L|K>
    SE GE IEA

Modes (element 91): ltl LT, ftl M (motor, common carrier), parcel U, intermodal X, ocean
S, air A. Times carry their zone as an element 623 time code: UT, ``01``..``12`` for
UTC+1..+12, ``13``..``24`` for UTC-12..-1, NS/ND for -03:30/-02:30 (``tender_time``
already converted other offsets to UTC). The 004010 204 has no currency element for a
requested rate: ours travels as ``L11*<ISO 4217>*ZZ*RATE CURRENCY`` (ZZ, mutually
defined), a convention partners are told of.

Values and delimiters (the choice documented for the issue): identifiers and codes
(SCAC, shipment id, references, codes, ISA/GS ids) holding a delimiter of the chosen set
are refused with a ``PayloadError`` naming the field: a changed id names another load.
Free text (names, address lines, city, instructions) has each delimiter character
replaced by a space (whitespace collapsed again), since "ACME*EAST" must still reach the
carrier; ``x12_text`` is that rule. Control characters never get this far
(``validate_tender`` refuses them) and lengths are the X12 maxima (names cut there by
the validation, identifiers refused beyond). ISA fields are padded to their fixed widths;
a sender or receiver id longer than 15 characters is refused.

``map_204`` reads one such set back into the canonical tender: it is the reader of the
round-trip tests, not a general intake (we never receive 204s).
"""

from collections.abc import Mapping
from datetime import datetime

from .canonical import PayloadError
from .references import X12_QUALIFIERS
from .tender import (
    PICKUP_REASONS,
    clean_text,
    validate_tender,
)
from .timezones import to_iso
from .x12 import Delimiters, TransactionSet, element

STANDARD = Delimiters("*", ">", "~", None, "\n")
MAX_CONTROL = 999_999_999
PURPOSE_CODES = {"original": "00", "cancel": "01", "change": "04"}
PAYMENT_CODES = {"prepaid": "PP", "collect": "CC", "third_party": "TP"}
MODE_CODES = {"ltl": "LT", "ftl": "M", "parcel": "U", "intermodal": "X", "ocean": "S",
              "air": "A"}
WEIGHT_CODES = {"lb": "L", "kg": "K"}
VOLUME_CODES = {"ft3": "E", "m3": "X"}
QUALIFIERS = {key: qualifier for qualifier, key in X12_QUALIFIERS.items()}
CURRENCY_QUALIFIER, CURRENCY_NOTE = "ZZ", "RATE CURRENCY"
RESPOND_BY = ("64", "1")  # G6201 Must Respond By, G6203 time qualifier Must Respond By
# G62 of a stop window: (date qualifier, time qualifier) of its start and its end
PICKUP_WINDOW = (("37", "I"), ("38", "K"))  # ship not before / not later than
DELIVERY_WINDOW = (("53", "G"), ("54", "L"))  # deliver not before / no later than
WINDOW_STARTS, WINDOW_ENDS = {"37", "53", "10", "68"}, {"38", "54"}
NOTE_WIDTH = 80
NAMED_CODES = {-210: "NS", -150: "ND", 0: "UT"}


def _control(value: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CONTROL:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_CONTROL}, got {value!r}")
    return value


def _taken(d: Delimiters) -> set:
    return {char for char in (d.element, d.component, d.segment, d.repetition) if char}


def x12_text(value: str, delimiters: Delimiters) -> str:
    """Free text as the 204 carries it: delimiter characters become spaces."""
    taken = _taken(delimiters)
    return " ".join("".join(" " if char in taken else char for char in value).split())


def _id(value, pointer, d: Delimiters) -> str:
    """An identifier or code: refused when it holds a delimiter."""
    text = "" if value is None else str(value)
    bad = next((char for char in text if char in _taken(d)), None)
    if bad:
        raise PayloadError(pointer, f"{text!r} holds {bad!r}, a delimiter of the interchange: "
                           "an identifier is never altered; choose other delimiters")
    return text


def _free(value, pointer, d: Delimiters) -> str:
    text = x12_text(value, d)
    if not text:
        raise PayloadError(pointer, f"{value!r} is made only of delimiters")
    return text


def _time_code(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = offset.days * 1440 + offset.seconds // 60
    if minutes in NAMED_CODES:
        return NAMED_CODES[minutes]
    hours = minutes // 60
    return f"{hours:02d}" if hours > 0 else f"{25 + hours:02d}"


def _g62(qualifiers, iso: str) -> list[str]:
    moment = datetime.fromisoformat(iso)
    time = moment.strftime("%H%M%S" if moment.second else "%H%M")
    return ["G62", qualifiers[0], moment.strftime("%Y%m%d"), qualifiers[1], time,
            _time_code(moment)]


def _notes(text, d) -> list[list[str]]:
    if not text:
        return []
    text = x12_text(text, d)
    return [["NTE", "", text[at:at + NOTE_WIDTH]] for at in range(0, len(text), NOTE_WIDTH)]


def _references(references: Mapping, pointer, d) -> list[list[str]]:
    return [["L11", _id(value, f"{pointer}/{key}", d), QUALIFIERS[key]]
            for key, value in references.items()]


def _party(entity: str, party: Mapping, pointer: str, d) -> list[list[str]]:
    out = [["N1", entity, _free(party["name"], f"{pointer}/name", d)]]
    lines = [x12_text(line, d) for line in party["address"]]
    lines = [line for line in lines if line]
    for at in range(0, len(lines), 2):
        out.append(["N3", *lines[at:at + 2]])
    if party["city"] or party["state"] or party["postal_code"] or party["country"]:
        city = _free(party["city"], f"{pointer}/city", d) if party["city"] else ""
        if len(city) == 1:
            raise PayloadError(f"{pointer}/city", f"{party['city']!r} is one character "
                               "without its delimiters (N401 is 2 to 30)")
        out.append(_trim(["N4", city, _id(party["state"] or "", f"{pointer}/state", d),
                    _id(party["postal_code"] or "", f"{pointer}/postal_code", d),
                    party["country"] or ""]))
    return out


def _number(value) -> str:
    """A decimal (X12 R) without exponent or trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _trim(segment: list[str]) -> list[str]:
    while len(segment) > 1 and segment[-1] == "":
        segment.pop()
    return segment


def transaction_set(doc: Mapping, d: Delimiters = STANDARD) -> list[list[str]]:
    """The segments of one 204 set between ST and SE (element lists)."""
    doc = validate_tender(doc)
    weight_unit = WEIGHT_CODES[doc["weight"]["unit"]]
    volume_unit = VOLUME_CODES[doc["volume"]["unit"]] if doc["volume"] else ""
    scac = _id(doc["scac"], "/scac", d)
    out = [["B2", "", scac, "", _id(doc["shipment_id"], "/shipment_id", d), "",
            PAYMENT_CODES[doc["payment"]]],
           ["B2A", PURPOSE_CODES[doc["purpose"]]]]
    if doc["load_ref"]:
        out.append(["L11", _id(doc["load_ref"], "/load_ref", d), "SI"])
    out += _references(doc["references"], "/references", d)
    rate = doc["requested_rate"]
    if rate:
        out.append(["L11", rate["currency"], CURRENCY_QUALIFIER, CURRENCY_NOTE])
    if doc["respond_by"]:
        out.append(_g62(RESPOND_BY, doc["respond_by"]))
    out.append(["MS3", scac, "B", "", MODE_CODES[doc["mode"]]])
    out += [["AT5", code] for code in doc["handling"]]
    if doc["pallets"] is not None:
        out.append(["PLD", str(doc["pallets"])])
    out += _notes(doc["instructions"], d)
    if doc["bill_to"]:
        out += _party("BT", doc["bill_to"], "/bill_to", d)
    if doc["equipment"]:
        out.append(["N7", "", "NONE", *[""] * 8, doc["equipment"]])
    for index, stop in enumerate(doc["stops"]):
        pointer = f"/stops/{index}"
        pickup = stop["reason"] in PICKUP_REASONS
        out.append(["S5", str(stop["sequence"]), stop["reason"]])
        out += _references(stop["references"], f"{pointer}/references", d)
        start, end = PICKUP_WINDOW if pickup else DELIVERY_WINDOW
        out.append(_g62(start, stop["window_start"]))
        if stop["window_end"]:
            out.append(_g62(end, stop["window_end"]))
        quantities = (stop["weight"], stop["pieces"], stop["pallets"], stop["volume"])
        if any(value is not None for value in quantities):
            weight, pieces, pallets, volume = quantities
            out.append(_trim([
                "AT8", "G" if weight is not None else "", weight_unit if weight is not None
                else "", _number(weight) if weight is not None else "",
                "" if pieces is None else str(pieces), "" if pallets is None else str(pallets),
                volume_unit if volume is not None else "",
                _number(volume) if volume is not None else ""]))
        out += _notes(stop["instructions"], d)
        out += _party("SH" if pickup else "CN", stop, pointer, d)
    out.append(_trim([
        "L3", _number(doc["weight"]["value"]), "G", "", "",
        str(round(rate["amount"] * 100)) if rate else "", "", "", "",
        _number(doc["volume"]["value"]) if doc["volume"] else "", volume_unit,
        "" if doc["pieces"] is None else str(doc["pieces"]), weight_unit]))
    return out


def _isa_party(party, name: str, d: Delimiters) -> tuple[str, str]:
    qualifier, ident = party if isinstance(party, tuple) else ("ZZ", party)
    for label, value, width in ((f"{name} qualifier", qualifier, 2),
                                (f"{name} id", ident, 15)):
        text = clean_text(value, f"/{name}", required=True)
        if text != value or not 1 <= len(value) <= width or (
                label.endswith("qualifier") and len(value) != 2):
            raise ValueError(f"ISA {label} {value!r} must be 1 to {width} printable "
                             "characters without surrounding blanks")
        _id(value, f"/{name}", d)
    return qualifier, ident


def _check_delimiters(d: Delimiters, isa_version: str) -> None:
    chars = [d.element, d.component, d.segment] + ([d.repetition] if d.repetition else [])
    if any(len(char) != 1 or char.isalnum() or char == " " for char in chars) or len(
            set(chars)) != len(chars):
        raise ValueError(f"delimiters {chars!r} must be distinct, one character each, "
                         "neither a letter, a digit nor a space")
    if isa_version >= "00402" and not d.repetition:
        raise ValueError(f"ISA version {isa_version} needs a repetition separator")


def build_204(doc: Mapping, *, sender, receiver, interchange_control: int,
              group_control: int, when: datetime, delimiters: Delimiters = STANDARD,
              version: str = "004010", set_control: int = 1, test: bool = False) -> str:
    """The interchange tendering ``doc`` (a tender, see ``tender``), as text.

    ``sender`` and ``receiver`` are ISA ids (qualifier ZZ) or ``(qualifier, id)`` pairs,
    used in GS02/GS03 too. ``PayloadError`` for what is wrong in the tender, ``ValueError``
    for what is wrong in the caller's arguments (controls, ids, delimiters, version).
    """
    return write_interchange(
        "204", "SM", lambda d: transaction_set(doc, d), sender=sender, receiver=receiver,
        interchange_control=interchange_control, group_control=group_control, when=when,
        delimiters=delimiters, version=version, set_control=set_control, test=test)


def write_interchange(set_code: str, functional_id: str, body_of, *, sender, receiver,
                      interchange_control: int, group_control: int, when: datetime,
                      delimiters: Delimiters = STANDARD, version: str = "004010",
                      set_control: int = 1, test: bool = False) -> str:
    """One interchange of one group of one set, as text: the ISA/GS/ST envelope around
    ``body_of(delimiters)`` (the set's segments), shared by the sets we write."""
    _control(interchange_control, "interchange_control")
    _control(group_control, "group_control")
    _control(set_control, "set_control")
    if not (len(version) == 6 and version.isdigit()):
        raise ValueError(f"version {version!r} must be 6 digits, e.g. 004010")
    d = delimiters
    isa_version = version[:5]
    _check_delimiters(d, isa_version)
    (sender_q, sender_id), (receiver_q, receiver_id) = (
        _isa_party(sender, "sender", d), _isa_party(receiver, "receiver", d))
    body = body_of(d)
    control = f"{set_control:04d}"
    out = [
        ["ISA", "00", " " * 10, "00", " " * 10, sender_q, sender_id.ljust(15), receiver_q,
         receiver_id.ljust(15), when.strftime("%y%m%d"), when.strftime("%H%M"),
         d.repetition if isa_version >= "00402" else "U", isa_version,
         f"{interchange_control:09d}", "0", "T" if test else "P", d.component],
        ["GS", functional_id, sender_id, receiver_id, when.strftime("%Y%m%d"),
         when.strftime("%H%M"), str(group_control), "X", version],
        ["ST", set_code, control], *body, ["SE", str(len(body) + 2), control],
        ["GE", "1", str(group_control)],
        ["IEA", "1", f"{interchange_control:09d}"],
    ]
    return "".join(d.element.join(segment) + d.segment + d.suffix for segment in out)


# --- reader -------------------------------------------------------------------------


def _reverse(codes: dict) -> dict:
    return {code: key for key, code in codes.items()}


def _decode(codes, value, pointer):
    found = _reverse(codes).get(value)
    if found is None:
        raise PayloadError(pointer, f"unknown code {value!r}")
    return found


def _read_time(segment, pointer) -> str:
    iso = to_iso(element(segment, 2), element(segment, 4), element(segment, 5),
                 pointer=pointer, elements=("G6202", "G6204", "G6205"))
    return datetime.fromisoformat(iso).isoformat()


def _number_back(text, integer=False):
    if text == "":
        return None
    return int(text) if integer else float(text)


class _Reading:
    """State of one pass over a 204's segments."""

    def __init__(self, base):
        self.base = base
        self.doc = {"references": {}, "handling": [], "notes": [], "stops": [],
                    "bill_to": None}
        self.party = None  # the party the N3/N4 that follow belong to
        self.stop = None
        self.currency = None
        self.totals = None

    def segment(self, segment, pointer):
        doc, base, tag = self.doc, self.base, segment[0]
        if tag == "B2":
            doc.update({"scac": element(segment, 2), "shipment_id": element(segment, 4),
                        "payment": _decode(PAYMENT_CODES, element(segment, 6),
                                           f"{base}/B206")})
        elif tag == "B2A":
            doc["purpose"] = _decode(PURPOSE_CODES, element(segment, 1), f"{base}/B2A01")
        elif tag == "MS3":
            doc["mode"] = _decode(MODE_CODES, element(segment, 4), f"{base}/MS304")
        elif tag == "AT5":
            doc["handling"].append(element(segment, 1))
        elif tag == "PLD":
            doc["pallets"] = _number_back(element(segment, 1), True)
        elif tag == "N7":
            doc["equipment"] = element(segment, 11) or None
        elif tag == "L3":
            self.totals = segment
        else:
            self.read_loop_segment(tag, segment, pointer)

    def read_loop_segment(self, tag, segment, pointer):
        if tag == "L11":
            self.reference(segment)
        elif tag == "G62":
            self.date(segment, pointer)
        elif tag == "NTE":
            self.target_notes().append(element(segment, 2))
        elif tag == "S5":
            self.stop = {"sequence": _number_back(element(segment, 1), True),
                         "reason": element(segment, 2), "references": {}, "notes": []}
            self.party = None
            self.doc["stops"].append(self.stop)
        elif tag == "N1":
            self.name(segment)
        elif tag == "N3" and self.party is not None:
            self.party["address"] += [value for value in segment[1:3] if value]
        elif tag == "N4":
            self.place(segment)
        elif tag == "AT8" and self.stop is not None:
            self.quantities(segment, pointer)

    def target_notes(self):
        return self.stop["notes"] if self.stop is not None else self.doc["notes"]

    def reference(self, segment):
        qualifier, value = element(segment, 2), element(segment, 1)
        if qualifier == CURRENCY_QUALIFIER and element(segment, 3) == CURRENCY_NOTE:
            self.currency = value
        elif qualifier == "SI" and self.stop is None:
            self.doc["load_ref"] = value
        elif qualifier in X12_QUALIFIERS:
            target = self.stop if self.stop is not None else self.doc
            target["references"][X12_QUALIFIERS[qualifier]] = value

    def date(self, segment, pointer):
        qualifier = element(segment, 1)
        if self.stop is None:
            if qualifier == RESPOND_BY[0]:
                self.doc["respond_by"] = _read_time(segment, pointer)
            return
        if qualifier in WINDOW_STARTS:
            self.stop["window_start"] = _read_time(segment, pointer)
        elif qualifier in WINDOW_ENDS:
            self.stop["window_end"] = _read_time(segment, pointer)

    def name(self, segment):
        party = {"name": element(segment, 2), "address": []}
        if element(segment, 1) == "BT" and self.stop is None:
            self.doc["bill_to"] = party
            self.party = party
        elif self.stop is not None:
            self.stop.update(party)
            self.party = self.stop

    def place(self, segment):
        if self.party is not None:
            for key, position in (("city", 1), ("state", 2), ("postal_code", 3),
                                  ("country", 4)):
                self.party[key] = element(segment, position) or None

    def quantities(self, segment, pointer):
        try:
            self.stop.update({"weight": _number_back(element(segment, 3)),
                              "pieces": _number_back(element(segment, 4), True),
                              "pallets": _number_back(element(segment, 5), True),
                              "volume": _number_back(element(segment, 7))})
        except ValueError:
            raise PayloadError(f"{pointer}/AT8", "a quantity is not a number") from None


def map_204(tset: TransactionSet) -> dict:
    """The canonical tender one 204 set carries (as ``build_204`` writes it)."""
    base = f"/ST{tset.control}"
    if tset.code != "204":
        raise PayloadError(base, f"transaction set {tset.code} is not a 204")
    reading = _Reading(base)
    for index, segment in enumerate(tset.segments):
        reading.segment(segment, f"{base}/{index + 2}")
    doc = reading.doc
    if "scac" not in doc:
        raise PayloadError(f"{base}/B2", "a 204 needs a B2 segment")
    if reading.totals is None:
        raise PayloadError(f"{base}/L3", "the 204 has no L3 totals (weight)")
    _totals(doc, reading.totals, reading.currency, base)
    doc["instructions"] = "".join(doc.pop("notes")) or None
    for stop in doc["stops"]:
        stop["instructions"] = "".join(stop.pop("notes")) or None
    return validate_tender(doc)


def _totals(doc, l3, currency, base) -> None:
    weight_unit = _decode(WEIGHT_CODES, element(l3, 12), f"{base}/L312")
    doc["weight"] = {"value": _number_back(element(l3, 1)), "unit": weight_unit}
    if element(l3, 9):
        doc["volume"] = {"value": _number_back(element(l3, 9)),
                         "unit": _decode(VOLUME_CODES, element(l3, 10), f"{base}/L310")}
    doc["pieces"] = _number_back(element(l3, 11), True)
    if element(l3, 5):
        doc["requested_rate"] = {"amount": int(element(l3, 5)) / 100,
                                 "currency": currency}

