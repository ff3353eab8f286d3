"""X12 990 (Response to a Load Tender) to an accepted/rejected tender decision.

B104 (element 558, reservation action code) carries the decision. Only a plain yes or
no is applied automatically. A conditional acceptance, a counter proposal or a change is
the carrier's offer, not a decision: it is returned as ``counter_offer`` for a dispatcher
to judge, with the carrier's remarks. The other codes are errors naming B104, never a
guess.
"""

from datetime import datetime

from .canonical import PayloadError
from .references import UNQUALIFIED, add_x12_reference, is_valid_scac
from .timezones import LOCAL_CODES, parse_x12_datetime, to_iso
from .x12 import TransactionSet, element

DECISIONS = {
    "A": "accepted",  # Reservation Accepted
    "D": "rejected",  # Reservation Cancelled: what carriers send to decline a tender
    "E": "rejected",  # Reservation Declined (from 004040 on)
}
COUNTER_OFFERS = {
    "B": "Conditional Acceptance",
    "C": "Counter Proposal Made",
    "U": "Change",
}
NEEDS_REVIEW = {
    "N": "New",
    "R": "Delete",
    "S": "Split Booking",
    "V": "Change in Vessel",
}


def map_990(tset: TransactionSet) -> dict:
    """The decision of one 990; raises ``PayloadError`` naming the element at fault.

    Returned keys: ``scac``, ``shipment_id`` (B102, the load number we tendered),
    ``decision`` (``accepted``/``rejected``/``counter_offer``), ``code`` (the canonical
    milestone, same value; ``None`` for a counter-offer, which moves no status),
    ``action_code`` (B104 as sent), ``date`` (B103 as ISO date or ``None``),
    ``event_time`` (always ``None``: a 990 carries a date but no time or zone, so the
    caller dates the milestone with the time the response was received), ``references``
    (B102 as ``reference``, tried as every kind, + N9 qualifiers), ``other_references``,
    ``reason`` (K1 remarks), ``carrier_ref``, ``appointments`` and ``rate`` (see the
    module docstring) and a stable ``external_id``.
    """
    base = f"/ST{tset.control}"
    if tset.code != "990":
        raise PayloadError(base, f"transaction set {tset.code} is not a 990")
    b1 = next((segment for segment in tset.segments if segment[0] == "B1"), None)
    if b1 is None:
        raise PayloadError(f"{base}/B1", "a 990 needs a B1 segment")
    scac = element(b1, 1).strip().upper() or None
    shipment_id = element(b1, 2).strip()
    action = element(b1, 4).strip().upper()
    if scac and not is_valid_scac(scac):
        raise PayloadError(f"{base}/B101", f"{scac!r} is not a SCAC")
    if not shipment_id:
        raise PayloadError(f"{base}/B102", "the shipment identification of the tender is "
                           "required")
    if action in NEEDS_REVIEW:
        raise PayloadError(f"{base}/B104", f"reservation action {action!r} "
                           f"({NEEDS_REVIEW[action]}) needs a dispatcher: only A (accepted) "
                           "and D/E (declined) are applied automatically")
    if action not in DECISIONS and action not in COUNTER_OFFERS:
        raise PayloadError(f"{base}/B104", f"unknown reservation action code {action!r}; "
                           "expected A (accepted) or D (declined)")
    date = None
    if element(b1, 3).strip():
        try:
            date = datetime.strptime(element(b1, 3).strip(), "%Y%m%d").date().isoformat()
        except ValueError:
            raise PayloadError(f"{base}/B103", f"date {element(b1, 3)!r} must be CCYYMMDD") \
                from None
    # B102 is a Shipment Identification Number like B303 of a 210: tried as every kind
    references, others, remarks = {UNQUALIFIED: shipment_id}, {}, []
    carrier_ref, appointments = None, []
    for segment in tset.segments:
        if segment[0] == "N9":
            add_x12_reference(references, others, element(segment, 1), element(segment, 2))
            if element(segment, 1).strip().upper() == "CN" and carrier_ref is None:
                carrier_ref = element(segment, 2).strip() or None
        elif segment[0] == "G62":
            appointments.append(_appointment(segment, f"{base}/G62"))
        elif segment[0] == "K1":
            remarks.extend(text for text in (element(segment, 1).strip(),
                                             element(segment, 2).strip()) if text)
    decision = DECISIONS.get(action, "counter_offer")
    return {
        "scac": scac,
        "shipment_id": shipment_id,
        "decision": decision,
        "code": DECISIONS.get(action),
        "offer": COUNTER_OFFERS.get(action),
        "action_code": action,
        "date": date,
        "event_time": None,
        "references": references,
        "other_references": others,
        "reason": "; ".join(remarks) or None,
        "carrier_ref": carrier_ref,
        "appointments": appointments,
        "rate": None,  # no 990 element carries one: see the module docstring
        "external_id": f"990:{scac or '-'}:{shipment_id}:{action}:{date or '-'}",
    }


def _appointment(segment, pointer) -> dict:
    """One G62 of a 990: ``qualifier``, ``date`` (ISO), ``time`` (HH:MM or None),
    ``time_code`` and ``at`` (ISO 8601 with offset when the code names a zone)."""
    date, time = element(segment, 2).strip(), element(segment, 4).strip()
    code = element(segment, 5).strip().upper()
    moment = parse_x12_datetime(date, time or "0000", f"{pointer}/G6202", f"{pointer}/G6204")
    at = None
    if time and code not in LOCAL_CODES:
        at = to_iso(date, time, code, pointer=pointer, elements=("G6202", "G6204", "G6205"))
    return {"qualifier": element(segment, 1).strip() or None,
            "date": moment.date().isoformat(),
            "time": moment.strftime("%H:%M") if time else None,
            "time_code": code or None, "at": at}
