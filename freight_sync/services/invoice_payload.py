"""Carrier invoices as JSON: ``POST /freight_sync/v1/invoices``. Pure validation.

Every intake (JSON, X12 210, CSV) produces the same canonical invoice: number, date,
currency, total, correction (X12 B308), scac, lines with references, charge code,
quantity, rate, amount, billed weight, and an ``external_id`` that makes a resent
invoice a duplicate.
"""

import re
from collections.abc import Mapping
from datetime import date, timedelta

from .canonical import (
    AMOUNT_FIELDS,
    MAX_NUMBER,
    PayloadError,
    check_amount,
    check_number,
    optional_text,
    parse_batch,
    parse_references,
)
from .invoice_chain import KNOWN_CODES
from .ltl import normal_class

MAX_INVOICES = 200
MAX_LINES = 500
CORRECTIONS = KNOWN_CODES
CURRENCY = re.compile(r"^[A-Z]{3}$")
# Carrier invoices older than this are typos (0001-01-01, 1900), not billing history.
EARLIEST_INVOICE = date(2000, 1, 1)
# Carriers date an invoice ahead of shipping at most by months; a year is a slipped digit.
LATEST_INVOICE_YEARS = 1


def check_invoice_date(day: date, pointer: str) -> None:
    """Refuse an invoice date before ``EARLIEST_INVOICE`` or more than
    ``LATEST_INVOICE_YEARS`` after today (every intake: JSON, X12 210, CSV)."""
    latest = date.today() + timedelta(days=366 * LATEST_INVOICE_YEARS)
    if not EARLIEST_INVOICE <= day <= latest:
        raise PayloadError(pointer, f"{day.isoformat()} is outside {EARLIEST_INVOICE.isoformat()}"
                           f" .. {latest.isoformat()}")


def _number(data: Mapping, key: str, pointer: str, required=True) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"{pointer}/{key}", "a number is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(f"{pointer}/{key}", "must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        # an int too big for a float is not formatted: repr() refuses over 4,300 digits
        shown = repr(value[:40]) if isinstance(value, str) else "the number"
        raise PayloadError(f"{pointer}/{key}", f"{shown} is not a number") from None
    if key in AMOUNT_FIELDS:
        check_amount(number, f"{pointer}/{key}")
        return round(number, 2)
    check_number(number, f"{pointer}/{key}", MAX_NUMBER)
    return number


def parse_invoice_line(data, pointer: str, default_references: dict) -> dict:
    if not isinstance(data, Mapping):
        raise PayloadError(pointer, "a line must be a JSON object")
    references = (parse_references(data["shipment"], f"{pointer}/shipment")
                  if data.get("shipment") else dict(default_references))
    if not references:
        raise PayloadError(f"{pointer}/shipment", "give the shipment references of the line "
                           "(or of the invoice)")
    code = optional_text(data, "charge_code", pointer) or "400"
    return {
        "line_no": int(_number(data, "line_no", pointer, required=False) or 0),
        "references": references,
        "charge_code": code.upper(),
        "description": optional_text(data, "description", pointer),
        "quantity": _number(data, "quantity", pointer, required=False) or 1.0,
        "rate": _number(data, "rate", pointer, required=False),
        "amount": _number(data, "amount", pointer),
        "billed_weight_kg": _number(data, "billed_weight_kg", pointer, required=False),
        **_adjustment(data, pointer),
    }


def _adjustment(data, pointer: str) -> dict:
    """A carrier's reweigh, reclass or DIM rebill: the class it rated, the dimensions it
    measured and the inspection certificate backing them, when sent."""
    found = {}
    billed_class = data.get("billed_class")
    if billed_class not in (None, ""):
        found["billed_class"] = normal_class(billed_class)
        if found["billed_class"] is None:
            raise PayloadError(f"{pointer}/billed_class", f"{billed_class!r} is no NMFC "
                               "class (50, 55, ... 77.5, 85, ... 500)")
    for key in ("dimensions", "inspection_certificate"):
        if text := optional_text(data, key, pointer):
            found[key] = text
    return found


def parse_invoice(data, pointer: str) -> dict:
    if not isinstance(data, Mapping):
        raise PayloadError(pointer, "an invoice must be a JSON object")
    number = optional_text(data, "number", pointer)
    if not number:
        raise PayloadError(f"{pointer}/number", "the carrier's invoice number is required")
    try:
        day = date.fromisoformat(str(data.get("date") or ""))
    except ValueError:
        raise PayloadError(f"{pointer}/date", "a date YYYY-MM-DD is required") from None
    check_invoice_date(day, f"{pointer}/date")
    currency = str(data.get("currency") or "").upper()
    if not CURRENCY.match(currency):
        raise PayloadError(f"{pointer}/currency", "an ISO 4217 currency code is required")
    correction = str(data.get("correction") or "original")
    if correction not in CORRECTIONS:
        raise PayloadError(f"{pointer}/correction",
                           f"one of {', '.join(sorted(CORRECTIONS))} (X12 B308)")
    corrects = optional_text(data, "corrects", pointer)
    if corrects and correction == "original":
        raise PayloadError(f"{pointer}/corrects", "an invoice that corrects another needs its "
                           "correction code (X12 B308): CO, RB, BD, AD, CA, PD, RF or RP")
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise PayloadError(f"{pointer}/lines", "at least one line is required")
    if len(lines) > MAX_LINES:
        raise PayloadError(f"{pointer}/lines", f"at most {MAX_LINES} lines per invoice")
    defaults = (parse_references(data["shipment"], f"{pointer}/shipment")
                if data.get("shipment") else {})
    parsed = [parse_invoice_line(line, f"{pointer}/lines/{i}", defaults)
              for i, line in enumerate(lines)]
    for index, line in enumerate(parsed, 1):
        line["line_no"] = line["line_no"] or index
    total = _number(data, "total", pointer)
    lines_total = round(sum(line["amount"] for line in parsed), 2)
    if abs(total - lines_total) > 0.01:
        raise PayloadError(f"{pointer}/total", f"total {total:.2f} differs from the sum of the "
                           f"lines {lines_total:.2f}")
    scac = (optional_text(data, "scac", pointer) or "").upper() or None
    return {
        "number": number, "date": day, "currency": currency, "total": total,
        "correction": correction, "corrects": corrects,
        "scac": scac, "lines": parsed,
        "external_id": f"json:{scac or '-'}:{number}:{correction}",
    }


def parse_invoice_batch(document) -> tuple[list[tuple[int, dict]], list[PayloadError]]:
    """``{"invoices": [...]}`` of ``POST /freight_sync/v1/invoices``; see ``parse_batch``."""
    return parse_batch(document, "invoices", parse_invoice, MAX_INVOICES)
