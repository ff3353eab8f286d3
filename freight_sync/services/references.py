"""Shipment references: the one map of the keys that name a shipment, where each intake
(JSON events and invoices, X12 214/990/210, CSV) and the invoice line keep them, and how they
are normalized. Pure."""

import re
from collections import defaultdict

_NOISE = re.compile(r"[\s\-_./]+")

# The shipment's own references, in the order a person reads them: what every intake may
# send and what the matcher compares (`freight.shipment` fields of the same names).
SHIPMENT_REFERENCES = ("name", "load_ref", "pro_number", "bol_number", "carrier_ref")

# An invoice line keeps the shipment's number as ``shipment_ref`` (its own ``name`` is not
# a reference); the other keys are the line's fields of the same name.
INVOICE_LINE_FIELDS = {key: "shipment_ref" if key == "name" else key
                       for key in SHIPMENT_REFERENCES}

# X12 reference qualifiers (L11 on a 214, N9 on a 990 or 210) -> reference keys. The first
# three feed the matcher; the others are kept for people and for later matching rules.
X12_QUALIFIERS = {
    "BM": "bol_number",  # Bill of Lading Number
    "CN": "pro_number",  # Carrier's Reference Number (PRO/Invoice)
    "SI": "load_ref",  # Shipper's Identifying Number for Shipment (SID): the load
    "PO": "po_number",  # Purchase Order Number
    "CR": "customer_ref",  # Customer Reference Number
    "BN": "booking_number",  # Booking Number
    "P8": "pickup_ref",  # Pickup Reference Number
}


def normalize_reference(value: str | None) -> str | None:
    """The form under which a reference is stored and matched.

    Carriers print the same PRO as ``123-4567 89``, ``1234567 89`` or ``123456789``;
    stripping separators and case makes them one key. Empty input gives ``None``.
    """
    if value is None:
        return None
    normalized = _NOISE.sub("", str(value)).upper()
    return normalized or None


def match_keys(references: dict) -> dict:
    """The shipment references among ``references``, each in its stored form (the
    shipment's own number is a sequence, kept as written); empty values dropped."""
    keys = {}
    for key in SHIPMENT_REFERENCES:
        value = references.get(key)
        value = value if key == "name" else normalize_reference(value)
        if value:
            keys[key] = value
    return keys


def references_domain(reference_sets, fields=None) -> list:
    """One domain for every record one of ``reference_sets`` names: a reference field
    holding one of the sets' stored values, any key. ``fields`` maps a key to the field
    that keeps it (the shipment's own names by default); ``[]`` when nothing is named."""
    wanted = defaultdict(set)
    for references in reference_sets:
        for key, value in match_keys(references).items():
            wanted[(fields or {}).get(key, key)].add(value)
    terms = [(name, "in", sorted(values)) for name, values in wanted.items()]
    return ["|"] * (len(terms) - 1) + terms


def add_x12_reference(references: dict, others: dict, qualifier: str, value: str) -> None:
    """Store one qualified X12 reference; the first value of a key wins (header before
    loop); an unknown qualifier is kept in ``others`` under its own code."""
    qualifier, value = (qualifier or "").strip().upper(), (value or "").strip()
    if not value:
        return
    key = X12_QUALIFIERS.get(qualifier)
    if key:
        references.setdefault(key, value)
    elif qualifier:
        others.setdefault(qualifier, value)


SCAC_PATTERN = re.compile(r"^[A-Z]{2,4}$")


def is_valid_scac(code: str) -> bool:
    """A Standard Carrier Alpha Code is 2 to 4 capital letters."""
    return bool(SCAC_PATTERN.match(code or ""))


def scac_mismatch(sent: str | None, expected: str | None) -> bool:
    """Whether a document names another carrier than the one it must come from. Nothing
    to compare (no SCAC sent, or none known for the carrier) is no mismatch."""
    sent, expected = (sent or "").strip().upper(), (expected or "").strip().upper()
    return bool(sent and expected and sent != expected)
