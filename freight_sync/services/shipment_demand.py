"""Shipment demand: the values of a shipment built from transfers (pickings).

Pure functions, plain dicts in, shipment values out (no odoo import). A picking is a dict::

    {"name": "WH/OUT/00007", "company_id": 1, "code": "outgoing" | "incoming" | "internal",
     "state": "assigned", "shipment_id": False, "weight": 12.0, "shipping_weight": 0.0,
     "partner_id": 7, "warehouse_partner_id": 1, "scheduled_date": datetime,
     "date_deadline": datetime | None, "moves": [{"volume": 0.02, "qty": 10.0}],
     "packages": [3, 4]}

``weight`` and ``direction`` follow the rules of the shipment's own computes
(freight_shipment.py ``_compute_weight`` / ``_compute_direction``): the shipment stores them
from its transfers, this module only mirrors the rule so the figures it reports agree.
"""

DIRECTION_BY_CODE = {"outgoing": "outbound", "incoming": "inbound"}
CLOSED_STATES = frozenset({"done", "cancel"})
# what the model writes on the shipment (weight and direction are the shipment's computes)
WRITTEN_FIELDS = ("volume", "pallet_count", "planned_pickup_date", "planned_delivery_date",
                  "origin_partner_id", "destination_partner_id")


def picking_weight(picking):
    """The shipment's rule: packed weight once known, else the weight of the moves."""
    return picking.get("shipping_weight") or picking.get("weight") or 0.0


def direction(pickings):
    codes = {p["code"] for p in pickings}
    if len(codes) == 1 and next(iter(codes)) in DIRECTION_BY_CODE:
        return DIRECTION_BY_CODE[next(iter(codes))]
    return "internal" if codes else "outbound"


def refusal(pickings):
    """Why these pickings cannot make ONE shipment: ``(reason, names)`` or ``None``.

    Reasons: ``empty``, ``companies`` (more than one company), ``linked`` (already on a
    shipment), ``closed`` (done or cancelled), ``directions`` (outgoing with incoming).
    """
    if not pickings:
        return "empty", []
    if len({p["company_id"] for p in pickings}) > 1:
        return "companies", [p["name"] for p in pickings]
    linked = [p["name"] for p in pickings if p.get("shipment_id")]
    if linked:
        return "linked", linked
    closed = [p["name"] for p in pickings if p["state"] in CLOSED_STATES]
    if closed:
        return "closed", closed
    codes = {p["code"] for p in pickings}
    if {"outgoing", "incoming"} <= codes:
        return "directions", [p["name"] for p in pickings]
    return None


def shipment_values(pickings):
    """Figures of one shipment carrying ``pickings`` (already checked by ``refusal``).

    - weight: sum of ``picking_weight`` (reported only; the shipment computes it);
    - volume: sum over the moves of product volume × quantity;
    - pallets: distinct result packages of the pickings, 0 when nothing is packed
      (a package is the nearest thing to a pallet Odoo knows; unpacked goods count none);
    - partners: outgoing leaves the warehouse (or company) partner for the picking partner,
      incoming comes from the picking partner to the warehouse; with several pickings the
      earliest scheduled one names the far end (one shipment, one lane);
    - planned pickup: earliest scheduled date; planned delivery: latest deadline, if any.
    """
    ordered = sorted(pickings, key=lambda p: (p.get("scheduled_date") is None,
                                              p.get("scheduled_date") or 0))
    first = ordered[0]
    packages = {pkg for p in pickings for pkg in p.get("packages") or ()}
    deadlines = [p["date_deadline"] for p in pickings if p.get("date_deadline")]
    scheduled = [p["scheduled_date"] for p in pickings if p.get("scheduled_date")]
    values = {
        "weight": sum(picking_weight(p) for p in pickings),
        "direction": direction(pickings),
        "volume": sum((m.get("volume") or 0.0) * (m.get("qty") or 0.0)
                      for p in pickings for m in p.get("moves") or ()),
        "pallet_count": len(packages),
        "planned_pickup_date": min(scheduled) if scheduled else False,
        "planned_delivery_date": max(deadlines) if deadlines else False,
    }
    here, there = first.get("warehouse_partner_id") or False, first.get("partner_id") or False
    if first["code"] == "incoming":
        values.update(origin_partner_id=there, destination_partner_id=here)
    else:
        values.update(origin_partner_id=here, destination_partner_id=there)
    return values


def changed_figures(current, wanted):
    """The written fields whose value differs (``current`` holds plain ids and values)."""
    return {key: wanted[key] for key in WRITTEN_FIELDS
            if key in wanted and (current.get(key) or False) != (wanted[key] or False)}
