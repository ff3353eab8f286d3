"""Shipment references: the one map of the keys that name a shipment, where each intake
(JSON events and invoices, X12 214/990/210, CSV) and the invoice line keep them, how they
are normalized, and the one rule that resolves them to a shipment. Pure."""

import re
from collections import defaultdict

_NOISE = re.compile(r"[\s\-_./]+")

# The shipment's own references, in the order a person reads them (`freight.shipment`
# fields of the same names).
SHIPMENT_FIELDS = ("name", "load_ref", "pro_number", "bol_number", "carrier_ref")

# A shipment identification whose kind the sender does not say: X12's Shipment
# Identification Number (B303 of a 210, B102 of a 990, B1002 of a 214), JSON
# ``reference``, a CSV "Reference" column. Partners fill it with our load number, their
# PRO or the BOL as they please, so it is tried as each in ``RESOLUTION_ORDER``.
UNQUALIFIED = "reference"

# What every intake may send and what the matcher compares.
SHIPMENT_REFERENCES = (*SHIPMENT_FIELDS, UNQUALIFIED)

# The stated order an unqualified value is tried in, within the sender's carrier: the
# carrier's PRO first (what carriers print on everything), then our load number (what we
# tendered), the bill of lading, the carrier's own reference. The first kind that names a
# shipment wins, so a value finds the same shipment whichever set or format carried it.
RESOLUTION_ORDER = ("pro_number", "load_ref", "bol_number", "carrier_ref")

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
    holding one of the sets' stored values, any key; an unqualified value is looked for in
    each field of ``RESOLUTION_ORDER``. ``fields`` maps a key to the field that keeps it
    (the shipment's own names by default); ``[]`` when nothing is named."""
    wanted = defaultdict(set)
    for references in reference_sets:
        for key, value in match_keys(references).items():
            for tried in RESOLUTION_ORDER if key == UNQUALIFIED else (key,):
                wanted[(fields or {}).get(tried, tried)].add(value)
    return _any_of(wanted)


def lines_naming_domain(shipment_reference_sets) -> list:
    """A domain on invoice lines that name one of these shipments (dicts of their own
    references): by the same kind of reference, or as an unqualified reference holding
    one of the values tried for it."""
    wanted = defaultdict(set)
    for references in shipment_reference_sets:
        for key, value in match_keys(references).items():
            wanted[INVOICE_LINE_FIELDS[key]].add(value)
            if key in RESOLUTION_ORDER:
                wanted[INVOICE_LINE_FIELDS[UNQUALIFIED]].add(value)
    return _any_of(wanted)


def _any_of(wanted) -> list:
    terms = [(name, "in", sorted(values)) for name, values in wanted.items()]
    return ["|"] * (len(terms) - 1) + terms


class ReferenceIndex:
    """Shipments by each of their references, and the one rule that resolves a set of
    references to them (the event intake and the invoice audit both use it).

    ``shipments`` are ``(id, carrier_id, references)`` with the shipment's own references
    by ``SHIPMENT_FIELDS`` key."""

    def __init__(self, shipments):
        self._by_ref = defaultdict(set)
        self._carrier = {}
        for shipment_id, carrier_id, references in shipments:
            self._carrier[shipment_id] = carrier_id
            for key, value in match_keys(references).items():
                self._by_ref[(key, value)].add(shipment_id)

    def _named(self, key, value, carrier_id):
        found = self._by_ref.get((key, value), set())
        if carrier_id is None:
            return set(found)
        return {shipment for shipment in found if self._carrier[shipment] == carrier_id}

    def resolve(self, references, carrier_id=None) -> set:
        """Every shipment of ``carrier_id`` (any carrier when None) the references name.

        A qualified reference names the shipment holding it in its own field; an
        unqualified one the shipments of the first kind in ``RESOLUTION_ORDER`` that holds
        it. One shipment is a match; several are an ambiguity, never a guess."""
        found = set()
        for key, value in match_keys(references).items():
            if key != UNQUALIFIED:
                found |= self._named(key, value, carrier_id)
                continue
            for tried in RESOLUTION_ORDER:
                named = self._named(tried, value, carrier_id)
                if named:
                    found |= named
                    break
        return found


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
