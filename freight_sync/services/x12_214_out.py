"""X12 214 (Transportation Carrier Shipment Status Message) out: our writer.

We send a 214 to a customer or another system that subscribed to a shipment's status
(``models/freight_subscription.py``). Pure, like the 204 writer whose helpers it reuses
(``x12_204``: identifiers refused when they hold a delimiter, free text cleaned, ISA
parties, delimiters): control numbers and the timestamp come from the caller. One
interchange, one QM group, one 214 set, one status:

    ISA GS*QM ST*214
    B10*<PRO>*<shipment id>*<SCAC>
    L11*<value>*<qualifier>          (SI load, BM bill of lading, CN PRO... at the header)
    LX*1
    AT7*<status>*<reason>***<CCYYMMDD>*<HHMM[SS]>*UT    (time always in UTC)
    MS1*<city>*<state>*<country>     (when the event's place is known)
    L11*<stop>*QN                    (the stop of a multi-stop trip)
    K1*<note>                        (remarks, 30 characters a piece, at most two)
    SE GE IEA

The project's 214 reader (``x12_214.map_214``) reads it back to the same status,
reason, instant and references: that round trip is the writer's test.
"""

from collections.abc import Mapping
from datetime import datetime, timezone

from .canonical import PayloadError
from .x12 import Delimiters
from .x12_204 import (
    QUALIFIERS,
    STANDARD,
    _id,
    _trim,
    write_interchange,
    x12_text,
)

# the AT701 status told for each event; an exception keeps the carrier's own code when
# it is one of the 214's exception codes (a refusal stays a refusal)
EVENT_STATUS = {"picked_up": "AF", "delivered": "D1", "exception": "SD", "eta_changed": "AG"}
NORMAL_REASON = "NS"
REMARK_WIDTH = 30


def status_code(event: str, raw_code: str | None = None,
                exception_codes: frozenset = frozenset()) -> str:
    """AT701 for ``event``: the carrier's ``raw_code`` for an exception when it is one."""
    if event == "exception" and raw_code and raw_code.upper() in exception_codes:
        return raw_code.upper()
    return EVENT_STATUS[event]


def _utc(moment) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise PayloadError("/event_time", f"{moment!r} has no UTC offset")
    return moment.astimezone(timezone.utc)


def transaction_set(status: Mapping, d: Delimiters = STANDARD) -> list[list[str]]:
    """The segments of one 214 set between ST and SE. ``status``: ``status_code``,
    ``reason_code``, ``event_time`` (aware datetime or ISO text), ``shipment_id``,
    ``pro_number``, ``scac``, ``references`` (``{key: value}`` keys of
    ``references.X12_QUALIFIERS``), optional ``city``/``state``/``country``, ``stop``,
    ``note``."""
    shipment_id = _id(status.get("shipment_id") or "", "/shipment_id", d)
    pro = _id(status.get("pro_number") or "", "/pro_number", d)
    if not shipment_id and not pro:
        raise PayloadError("/shipment_id", "a 214 names the shipment: shipment id or PRO")
    code = _id(status["status_code"], "/status_code", d)
    moment = _utc(status["event_time"])
    out = [_trim(["B10", pro, shipment_id, _id(status.get("scac") or "", "/scac", d)])]
    for key, value in sorted((status.get("references") or {}).items()):
        if value and key in QUALIFIERS:
            out.append(["L11", _id(value, f"/references/{key}", d), QUALIFIERS[key]])
    out.append(["LX", "1"])
    out.append(["AT7", code, _id(status.get("reason_code") or NORMAL_REASON, "/reason_code",
                                 d), "", "", moment.strftime("%Y%m%d"),
                moment.strftime("%H%M%S" if moment.second else "%H%M"), "UT"])
    city = x12_text(status.get("city") or "", d)
    if city:
        out.append(_trim(["MS1", city, _id(status.get("state") or "", "/state", d),
                          _id(status.get("country") or "", "/country", d)]))
    if status.get("stop"):
        out.append(["L11", str(int(status["stop"])), "QN"])
    note = x12_text(status.get("note") or "", d)
    if note:
        pieces = [note[at:at + REMARK_WIDTH] for at in range(0, len(note), REMARK_WIDTH)][:2]
        out.append(["K1", *pieces])
    return out


def build_214(status: Mapping, *, sender, receiver, interchange_control: int,
              group_control: int, when: datetime, delimiters: Delimiters = STANDARD,
              version: str = "004010", set_control: int = 1, test: bool = False) -> str:
    """The interchange telling ``status`` (see ``transaction_set``), as text.
    ``PayloadError`` for what is wrong in the status, ``ValueError`` for the caller's
    arguments (controls, ids, delimiters, version), as ``x12_204.build_204``."""
    return write_interchange(
        "214", "QM", lambda d: transaction_set(status, d), sender=sender, receiver=receiver,
        interchange_control=interchange_control, group_control=group_control, when=when,
        delimiters=delimiters, version=version, set_control=set_control, test=test)

