"""X12 shipment status codes (AT701, element 1650) to canonical milestones.

The defaults follow the X12 meanings; an endpoint's code map overrides them code by
code. A code that is neither overridden nor known raises ``UnknownCodeError``: a status
is never silently mapped to something plausible, because a wrong "delivered" posts an
accrual and closes a shipment.

Choices worth knowing:

* Arrival at the consignee (X1, X5, S1) and "tendered for delivery" (AJ) are
  ``out_for_delivery``, not ``delivered``: the freight is at the door but not handed
  over, and a refusal (A7) or an attempt (AH) can still follow. ``delivered`` needs
  the unloading done (D1) or the truck gone (CD).
* "Available for delivery" (AV) is ``at_terminal``: the freight waits at the
  destination terminal for an appointment or a consignee pick-up.
* Estimates (AG, X2, B6, C1) and appointments (AT703 codes AA, AB, …) are not events:
  they move a planned date. ``classify`` returns them as ``estimate``/``appointment``
  and ``resolve`` refuses them with ``NotAMilestoneError`` (a subclass of
  ``UnknownCodeError``, so a caller that only stores milestones reports the item
  instead of inventing one).
* Arrived at customs (K1) is ``in_transit``: crossing a border is normal progress;
  a customs hold (PR) is an ``exception``.
* Delivered to a connecting line (J1) is ``in_transit``: the freight changed carrier,
  the consignee has nothing yet.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .milestones import CODES

MILESTONE, ESTIMATE, APPOINTMENT = "milestone", "estimate", "appointment"

# code: (canonical milestone, X12 meaning)
STATUS_CODES = {
    "XB": ("accepted", "Shipment Acknowledged"),
    "X3": ("pickup_arrived", "Arrived at Pick-up Location"),
    "X8": ("pickup_arrived", "Arrived at Pick-up Location Loading Dock"),
    "CP": ("picked_up", "Completed Loading at Pick-up Location"),
    "AF": ("picked_up", "Carrier Departed Pick-up Location with Shipment"),
    "X6": ("in_transit", "En Route to Delivery Location"),
    "P1": ("in_transit", "Departed Terminal Location"),
    "R1": ("in_transit", "Received from Prior Carrier"),
    "J1": ("in_transit", "Delivered to Connecting Line"),
    "K1": ("in_transit", "Arrived at Customs"),
    "OA": ("in_transit", "Out-Gate"),
    "RL": ("in_transit", "Rail Departure from Origin Intermodal Ramp"),
    "X4": ("at_terminal", "Arrived at Terminal Location"),
    "I1": ("at_terminal", "In-Gate"),
    "AR": ("at_terminal", "Rail Arrival at Destination Intermodal Ramp"),
    "AV": ("at_terminal", "Available for Delivery"),
    "AJ": ("out_for_delivery", "Tendered for Delivery"),
    "X1": ("out_for_delivery", "Arrived at Delivery Location"),
    "X5": ("out_for_delivery", "Arrived at Delivery Location Loading Dock"),
    "S1": ("out_for_delivery", "Trailer Spotted at Consignee's Location"),
    "D1": ("delivered", "Completed Unloading at Delivery Location"),
    "CD": ("delivered", "Carrier Departed Delivery Location"),
    "SD": ("exception", "Shipment Delayed"),
    "AP": ("exception", "Delivery Not Completed"),
    "AH": ("exception", "Attempted Delivery"),
    "A7": ("exception", "Refused by Consignee"),
    "A9": ("exception", "Shipment Damaged"),
    "A3": ("exception", "Shipment Returned to Shipper"),
    "AI": ("exception", "Shipment has been Reconsigned"),
    "OO": ("exception", "Paperwork Received - Did not Receive Shipment or Equipment"),
    "PR": ("exception", "U.S. Customs Hold at In-Bond Location"),
    "CA": ("cancelled", "Shipment Cancelled"),
}

ESTIMATE_CODES = {
    "AG": "Estimated Delivery",
    "X2": "Estimated Date and/or Time of Arrival at Consignee's Location",
    "B6": "Estimated to Arrive at Carrier Terminal",
    "C1": "Estimated to Depart Terminal Location",
}

# AT703, element 1652: used as the event code when AT701 is empty.
APPOINTMENT_CODES = {
    "AA": "Pick-up Appointment Date and/or Time",
    "AB": "Delivery Appointment Date and/or Time",
    "AC": "Estimated Delivery Appointment Date and/or Time",
    "ED": "Deliver No Earlier Than Date and/or Time",
    "EP": "Pick-up No Earlier Than Date and/or Time",
    "LD": "Deliver No Later Than Date and/or Time",
    "LP": "Pick-up No Later Than Date and/or Time",
    "X9": "Delivery Appointment Secured on This Date and/or Time",
    "XA": "Pick-up Appointment Secured on This Date and/or Time",
}

# AT702, element 1651: why a status (or appointment) was sent. Stored on the milestone
# as the reason code; the label is for people.
REASON_CODES = {
    "NS": "Normal Status",
    "NA": "Normal Appointment",
    "A1": "Missed Delivery",
    "A2": "Incorrect Address",
    "A3": "Indirect Delivery",
    "A5": "Unable to Locate",
    "A6": "Address Corrected - Delivery Attempted",
    "AA": "Mis-sort",
    "AD": "Customer Requested Future Delivery",
    "AE": "Restricted Articles Unacceptable",
    "AF": "Accident",
    "AG": "Consignee Related",
    "AH": "Driver Related",
    "AI": "Mechanical Breakdown",
    "AJ": "Other Carrier Related",
    "AK": "Damaged, Rewrapped in Hub",
    "AL": "Previous Stop",
    "AM": "Shipper Related",
    "AN": "Holiday - Closed",
    "AO": "Weather or Natural Disaster Related",
    "AP": "Awaiting Export",
    "AQ": "Recipient Unavailable - Delivery Delayed",
    "AR": "Improper International Paperwork",
    "AS": "Hold Due to Customs Documentation Problems",
    "AT": "Unable to Contact Recipient for Broker Information",
    "AU": "Civil Event Related Delay",
    "AV": "Exceeds Service Limitations",
    "AW": "Past Cut-off Time",
    "AX": "Insufficient Pick-up Time",
    "AY": "Missed Pick-up",
    "AZ": "Alternate Carrier Delivered",
    "B1": "Consignee Closed",
    "B2": "Trap for Customer",
    "B4": "Held for Payment",
    "B5": "Held for Consignee",
    "B8": "Improper Unloading Facility or Equipment",
    "B9": "Receiving Time Restricted",
    "BB": "Held per Shipper",
    "BC": "Missing Documents",
    "BD": "Border Clearance",
    "BE": "Road Conditions",
    "BF": "Carrier Keying Error",
    "BG": "Other",
    "BH": "Insufficient Time to Complete Delivery",
    "BI": "Cartage Agent",
    "BJ": "Customer Wanted Earlier Delivery",
    "BK": "Prearranged Appointment",
    "BL": "Held for Protective Service",
    "BP": "Load Shifted",
    "BQ": "Shipment Overweight",
    "C1": "Waiting for Customer Pick-up",
    "C2": "Credit Hold",
    "C3": "Suspended at Customer Request",
    "C4": "Customer Vacation",
    "C5": "Customer Strike",
    "C6": "Waiting Shipping Instructions",
    "C7": "Waiting for Customer Specified Carrier",
    "C8": "Collect on Delivery Required",
    "C9": "Cash Not Available From Consignee",
    "CA": "Customs (Import or Export)",
}


class UnknownCodeError(ValueError):
    """No mapping for a status code: map it in the endpoint's code map."""

    def __init__(self, raw_code, message: str | None = None):
        super().__init__(message or f"unknown status code {raw_code!r}: map it in the "
                         "endpoint's code map")
        self.raw_code = raw_code


class NotAMilestoneError(UnknownCodeError):
    """The code is an estimate or an appointment: it moves a planned date, it is not an
    event. ``kind`` is ``estimate`` or ``appointment``."""

    def __init__(self, raw_code, kind: str, label: str):
        super().__init__(raw_code, f"status code {raw_code!r} ({label}) is an {kind}, not an "
                         "event: it updates a planned date, not the milestones")
        self.kind = kind
        self.label = label


@dataclass(frozen=True)
class Resolution:
    kind: str  # MILESTONE, ESTIMATE or APPOINTMENT
    code: str | None  # the canonical milestone code for kind MILESTONE
    label: str | None  # the X12 meaning, when known


def _normalize(raw_code) -> str:
    return str(raw_code or "").strip().upper()


def classify(raw_code, overrides: Mapping | None = None) -> Resolution:
    """What a status code means: a milestone, an estimate or an appointment.

    ``overrides`` (external code -> canonical milestone, from the endpoint's code map)
    take precedence over every default, estimates included.
    """
    code = _normalize(raw_code)
    if not code:
        raise UnknownCodeError(raw_code, "a status code is required")
    for key, milestone in (overrides or {}).items():
        if _normalize(key) == code and milestone:
            if milestone not in CODES:
                raise UnknownCodeError(raw_code, f"the code map maps {code!r} to "
                                       f"{milestone!r}, which is not a milestone code")
            return Resolution(MILESTONE, milestone, STATUS_CODES.get(code, (None, None))[1])
    if code in STATUS_CODES:
        milestone, label = STATUS_CODES[code]
        return Resolution(MILESTONE, milestone, label)
    if code in ESTIMATE_CODES:
        return Resolution(ESTIMATE, None, ESTIMATE_CODES[code])
    if code in APPOINTMENT_CODES:
        return Resolution(APPOINTMENT, None, APPOINTMENT_CODES[code])
    raise UnknownCodeError(raw_code)


def resolve(raw_code, overrides: Mapping | None = None) -> str:
    """The canonical milestone code of a status code; see ``classify``."""
    resolution = classify(raw_code, overrides)
    if resolution.kind != MILESTONE:
        raise NotAMilestoneError(_normalize(raw_code), resolution.kind, resolution.label)
    return resolution.code


def reason_label(reason_code) -> str | None:
    """The X12 text of an AT702 reason code, ``None`` when unknown or empty."""
    return REASON_CODES.get(_normalize(reason_code))
