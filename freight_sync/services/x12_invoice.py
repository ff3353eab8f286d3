"""X12 210 (Motor Carrier Freight Details and Invoice) to the canonical invoice. Pure.

Amounts of type N2 (B307, L104, L305) carry two implied decimals ("125000" is 1,250.00);
a value written with a point is read as it is. Weights in pounds (L011 "L") become kg.
"""

from .canonical import PayloadError
from .references import SHIPMENT_REFERENCES, UNQUALIFIED, add_x12_reference
from .x12 import TransactionSet, element

LB_TO_KG = 0.45359237


def _n2(value: str, pointer: str) -> float:
    text = (value or "").strip()
    if not text:
        raise PayloadError(pointer, "an amount is required")
    try:
        return round(float(text), 2) if "." in text else round(int(text) / 100, 2)
    except ValueError:
        raise PayloadError(pointer, f"{text!r} is not an amount") from None


def _weight_kg(l0: list[str]) -> float | None:
    weight = element(l0, 4).strip()
    if not weight:
        return None
    try:
        value = float(weight)
    except ValueError:
        return None
    return round(value * LB_TO_KG, 2) if element(l0, 11).strip().upper() == "L" else value


def map_210(tset: TransactionSet) -> tuple[dict | None, list[PayloadError]]:
    """The invoice of one 210 set, or ``None`` and the errors that prevent it."""
    base = f"/ST{tset.control}"
    try:
        return _invoice(tset, base), []
    except PayloadError as error:
        return None, [error]


def _scan(tset: TransactionSet, base: str):
    """B3, L1 lines with their loop's weight and description, references, currency, L3."""
    header, lines, references, currency, l3_total = None, [], {}, "USD", None
    others = {}  # qualifiers that name no shipment reference: not kept on a 210
    current = None
    for segment in tset.segments:
        tag = segment[0]
        if tag == "B3":
            header = segment
        elif tag == "C3" and element(segment, 1).strip():
            currency = element(segment, 1).strip().upper()
        elif tag == "N9":
            add_x12_reference(references, others, element(segment, 1), element(segment, 2))
        elif tag == "LX":
            current = {"weight": None, "description": None}
        elif tag == "L5" and current is not None:
            current["description"] = element(segment, 2).strip() or None
        elif tag == "L0" and current is not None:
            current["weight"] = _weight_kg(segment)
        elif tag == "L1":
            lines.append((segment, dict(current or {})))
        elif tag == "L3" and element(segment, 5).strip():
            l3_total = _n2(element(segment, 5), f"{base}/L305")
    # N9*OI: the original invoice number a correction names
    return header, lines, references, currency, l3_total, others.get("OI")


def _invoice(tset: TransactionSet, base: str) -> dict:
    header, lines, references, currency, l3_total, corrects = _scan(tset, base)
    if header is None:
        raise PayloadError(f"{base}/B3", "a 210 needs a B3 segment")
    number = element(header, 2).strip()
    if not number:
        raise PayloadError(f"{base}/B302", "the invoice number is required")
    shipment = element(header, 3).strip()
    if shipment:
        # B303, the Shipment Identification Number: a PRO for some carriers, our load
        # number for others, so it is tried as every kind (the 990's B102 likewise)
        references.setdefault(UNQUALIFIED, shipment)
    if not any(key in SHIPMENT_REFERENCES for key in references):
        raise PayloadError(f"{base}/B303", "a shipment reference (B303 or N9) is required")
    day = element(header, 6).strip()
    if len(day) != 8 or not day.isdigit():
        raise PayloadError(f"{base}/B306", f"date {day!r} must be CCYYMMDD")
    if not lines:
        raise PayloadError(f"{base}/L1", "no charge line (L1)")
    parsed = []
    for index, (l1, loop) in enumerate(lines, 1):
        pointer = f"{base}/L1[{index}]"
        rate = element(l1, 2).strip()
        parsed.append({
            "line_no": int(element(l1, 1)) if element(l1, 1).strip().isdigit() else index,
            "references": dict(references),
            "charge_code": (element(l1, 8).strip() or "400").upper(),
            "description": element(l1, 12).strip() or loop.get("description"),
            "quantity": 1.0,
            "rate": float(rate) if _is_number(rate) else None,
            "amount": _n2(element(l1, 4), f"{pointer}/L104"),
            "billed_weight_kg": loop.get("weight"),
        })
    lines_total = round(sum(line["amount"] for line in parsed), 2)
    total = l3_total if l3_total is not None else _n2(element(header, 7), f"{base}/B307")
    if abs(total - lines_total) > 0.01:
        raise PayloadError(f"{base}/L305", f"total {total:.2f} differs from the sum of the "
                           f"charges {lines_total:.2f}")
    correction = element(header, 8).strip().upper() or "original"
    scac = element(header, 11).strip().upper() or None
    return {
        "number": number,
        "date": f"{day[:4]}-{day[4:6]}-{day[6:]}",
        "currency": currency,
        "total": total,
        "correction": correction,
        "corrects": corrects if correction != "original" else None,
        "scac": scac,
        "lines": parsed,
        "external_id": f"210:{scac or '-'}:{number}:{correction}",
    }


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
