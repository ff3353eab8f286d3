"""A shipment's freight items (class, NMFC item, pieces, weight) as the transfers give them
and as a dispatcher corrects them. Pure: plain values in and out (no odoo import).

An item is a dict with the keys of ``FIGURES`` (and ``description``); a missing or empty
value is "none".
"""

FIGURES = ("nmfc_item", "freight_class", "pieces", "weight_kg")
NAMES_SHOWN = 3
WEIGHT_DIGITS = 3  # the precision of "Stock Weight": a smaller difference is no change


def shown_names(names) -> tuple[list, int]:
    """The product names an item of the transfers is described by (the first few, sorted)
    and how many more there are, so a clerk knows the goods without opening the moves."""
    names = sorted(dict.fromkeys(name for name in names if name))
    return names[:NAMES_SHOWN], max(len(names) - NAMES_SHOWN, 0)


def pieces(quantity) -> int:
    """Whole pieces of a quantity: a started unit is a piece (2.5 crates are 3 pieces)."""
    whole = round(quantity or 0.0, 6)
    return int(whole) + (1 if whole > int(whole) else 0)


def _plain(key, value):
    if key == "weight_kg":
        return round(value or 0.0, WEIGHT_DIGITS)
    if key == "pieces":
        return int(value or 0)
    return value or None


def changed(before: dict, after: dict) -> dict:
    """``{figure: (before, after)}`` of the figures that differ, as plain values."""
    diff = {}
    for key in FIGURES:
        old, new = _plain(key, before.get(key)), _plain(key, after.get(key))
        if old != new:
            diff[key] = (old, new)
    return diff


def weight_text(value) -> str:
    """A weight as the chatter writes it: 120.5, 1,240 (the field names the kg)."""
    return f"{round(value or 0.0, WEIGHT_DIGITS):,.{WEIGHT_DIGITS}f}".rstrip("0").rstrip(".")
