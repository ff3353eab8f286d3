"""Shipment references (load number, PRO, bill of lading, carrier reference)."""

import re

_NOISE = re.compile(r"[\s\-_./]+")


def normalize_reference(value: str | None) -> str | None:
    """The form under which a reference is stored and matched.

    Carriers print the same PRO as ``123-4567 89``, ``1234567 89`` or ``123456789``;
    stripping separators and case makes them one key. Empty input gives ``None``.
    """
    if value is None:
        return None
    normalized = _NOISE.sub("", str(value)).upper()
    return normalized or None


SCAC_PATTERN = re.compile(r"^[A-Z]{2,4}$")


def is_valid_scac(code: str) -> bool:
    """A Standard Carrier Alpha Code is 2 to 4 capital letters."""
    return bool(SCAC_PATTERN.match(code or ""))
