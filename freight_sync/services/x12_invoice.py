"""X12 210 (Motor Carrier Freight Details and Invoice) to the canonical invoice. Pure.

Amounts of type N2 (B307, L104, L305) carry two implied decimals ("125000" is 1,250.00);
a value written with a point is read as it is. Every amount is bounded by
``canonical.check_amount``; the invoice date (B306) by ``invoice_payload.check_invoice_date``.

Weights: every L0 of a line group (LX loop) is kept on the group's lines as ``weights``,
each with its qualifier (L005) and unit (L011: L pounds, K kilograms). The line's
``billed_weight_kg`` is the L0 qualified as billed weight (``B``), else the largest of the
group, in kg. A weight without a unit is never guessed: the line gets ``billed_weight_kg``
``None`` and a ``weight_problem`` for the clerk when the weight it would bill is unitless.
L4 (dimensions) carries no weight: it is kept as the carrier's measured dimensions, which
make a billed weight above the shipment's a dimensional-weight rebill rather than a reweigh.
L707 is the freight class the carrier rated (a reclass when it is not the shipment's). An
N9 qualified ``WI`` (weight and inspection certificate) or ``IC`` (inspection certificate)
names the certificate that backs a reweigh, reclass or DIM rebill.
"""

from datetime import date

from .canonical import PayloadError, check_amount
from .invoice_payload import check_invoice_date
from .ltl import normal_class
from .references import SHIPMENT_REFERENCES, UNQUALIFIED, add_x12_reference
from .x12 import TransactionSet, element

LB_TO_KG = 0.45359237
TO_KG = {"L": LB_TO_KG, "K": 1.0}
BILLED_WEIGHT = "B"  # L005 weight qualifier of the weight the charges were computed on
CERTIFICATE_QUALIFIERS = ("WI", "IC")  # N901 of an inspection certificate's number


def _n2(value: str, pointer: str) -> float:
    text = (value or "").strip()
    if not text:
        raise PayloadError(pointer, "an amount is required")
    try:
        # int() of a huge digit string raises ValueError too (Python's digit limit)
        amount = float(text) if "." in text else int(text) / 100
    except (ValueError, OverflowError):
        raise PayloadError(pointer, f"{text[:40]!r} is not an amount") from None
    check_amount(amount, pointer)
    return round(amount, 2)


def _weight(l0: list[str]) -> dict | None:
    """One L0 weight as sent: value, qualifier, unit (None when L011 names none), kg."""
    value = _finite(element(l0, 4).strip())
    if value is None:
        return None
    unit = element(l0, 11).strip().upper()
    factor = TO_KG.get(unit)
    return {"weight": value, "qualifier": element(l0, 5).strip().upper() or None,
            "unit": unit if factor else None,
            "kg": round(value * factor, 2) if factor else None}


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) < float("inf") and value == value else None


def line_weight(weights: list[dict]) -> tuple[float | None, str | None]:
    """``(billed_weight_kg, weight_problem)`` of a line group from its L0 weights."""
    if not weights:
        return None, None
    billed = [w for w in weights if w["qualifier"] == BILLED_WEIGHT] or weights
    unitless = [w for w in billed if w["kg"] is None]
    if unitless:
        sent = ", ".join(f"{w['weight']:g}" for w in unitless)
        return None, (f"weight {sent} sent with no unit (L011 must be L or K): not read as "
                      "kg, check the billed weight")
    return max(w["kg"] for w in billed), None


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
            current = {"weights": [], "description": None}
        elif tag == "L5" and current is not None:
            current["description"] = element(segment, 2).strip() or None
        elif tag == "L0" and current is not None and (weight := _weight(segment)):
            current["weights"].append(weight)
        elif tag == "L7" and current is not None and normal_class(element(segment, 7)):
            current["billed_class"] = normal_class(element(segment, 7))
        elif tag == "L4" and current is not None:
            current["dimensions"] = _dimensions(segment)
        elif tag == "L1":
            # the loop itself, not a copy: an L0 after the L1 is still the group's weight
            lines.append((segment, current if current is not None else {}))
        elif tag == "L3" and element(segment, 5).strip():
            l3_total = _n2(element(segment, 5), f"{base}/L305")
    certificate = next((others[q] for q in CERTIFICATE_QUALIFIERS if others.get(q)), None)
    # N9*OI: the original invoice number a correction names
    return header, lines, references, currency, l3_total, others.get("OI"), certificate


def _invoice(tset: TransactionSet, base: str) -> dict:
    header, lines, references, currency, l3_total, corrects, certificate = _scan(tset, base)
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
    day = _date(element(header, 6).strip(), f"{base}/B306")
    if not lines:
        raise PayloadError(f"{base}/L1", "no charge line (L1)")
    parsed = []
    for index, (l1, loop) in enumerate(lines, 1):
        pointer = f"{base}/L1[{index}]"
        weights = loop.get("weights", [])
        weight_kg, problem = line_weight(weights)
        parsed.append({
            "line_no": _line_no(element(l1, 1), index),
            "references": dict(references),
            "charge_code": (element(l1, 8).strip() or "400").upper(),
            "description": element(l1, 12).strip() or loop.get("description"),
            "quantity": 1.0,
            "rate": _rate(element(l1, 2).strip(), f"{pointer}/L102"),
            "amount": _n2(element(l1, 4), f"{pointer}/L104"),
            "billed_weight_kg": weight_kg,
            "weights": [dict(weight) for weight in weights],
            **({"weight_problem": problem} if problem else {}),
            **{key: loop[key] for key in ("billed_class", "dimensions") if loop.get(key)},
            **({"inspection_certificate": certificate} if certificate else {}),
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
        "date": day.isoformat(),
        "currency": currency,
        "total": total,
        "correction": correction,
        "corrects": corrects if correction != "original" else None,
        "scac": scac,
        "lines": parsed,
        "external_id": f"210:{scac or '-'}:{number}:{correction}",
    }


def _dimensions(l4: list[str]) -> str | None:
    """L4 as the carrier measured: "48x40x60 N x2" (L404 unit qualifier, L405 pieces)."""
    sides = [element(l4, i).strip() for i in (1, 2, 3)]
    if not all(sides):
        return None
    unit, pieces = element(l4, 4).strip(), element(l4, 5).strip()
    return "x".join(sides) + (f" {unit}" if unit else "") + (f" x{pieces}" if pieces else "")


def _date(text: str, pointer: str) -> date:
    try:
        if len(text) != 8 or not (text.isascii() and text.isdigit()):
            raise ValueError
        day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise PayloadError(pointer, f"date {text[:20]!r} must be CCYYMMDD") from None
    check_invoice_date(day, pointer)
    return day


def _line_no(text: str, index: int) -> int:
    # isdigit() alone lets "²" through, which int() refuses
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else index


def _rate(text: str, pointer: str) -> float | None:
    """L102, informative: kept when it is a number, bounded like every amount."""
    try:
        rate = float(text)
    except ValueError:
        return None
    check_amount(rate, pointer)
    return rate
