"""Carrier invoices from a clerk's CSV file: one charge line per row. Pure.

Rows are grouped into invoices by invoice number, in file order. A bad row is reported
with its row number and column and rejects its whole invoice (half an invoice must not be
audited), never the other invoices of the file.
"""

import csv
import io
import re
from datetime import datetime

from .canonical import MAX_NUMBER, PayloadError, check_amount, check_number
from .invoice_payload import parse_invoice
from .ltl import normal_class
from .references import SHIPMENT_REFERENCES

FIELDS = ("number", "date", "currency", "scac", "correction", "corrects", "pro_number",
          "bol_number", "reference", "charge_code", "description", "quantity", "amount",
          "billed_weight_kg", "billed_class", "dimensions", "inspection_certificate")
REQUIRED = ("number", "date", "amount")
SYNONYMS = {
    "number": ("invoice", "invoice number", "invoice no", "inv no", "invoice #", "inv #"),
    "date": ("date", "invoice date", "bill date"),
    "currency": ("currency", "curr", "ccy"),
    "scac": ("scac", "carrier", "carrier scac"),
    "correction": ("correction", "correction code", "b308", "correction indicator"),
    "corrects": ("corrects", "original invoice", "corrects invoice", "original invoice number"),
    "pro_number": ("pro", "pro number", "pro #", "tracking"),
    "bol_number": ("bol", "bill of lading", "bol number", "bol #"),
    # a shipment identification of no stated kind: tried as PRO, load, BOL, carrier ref.
    "reference": ("reference", "ref", "shipment", "shipment id", "shipment reference",
                  "shipment identification"),
    "charge_code": ("charge", "charge code", "code", "accessorial"),
    "description": ("description", "desc", "charge description"),
    "quantity": ("qty", "quantity"),
    "amount": ("amount", "charge amount", "total", "billed"),
    "billed_weight_kg": ("weight", "billed weight", "weight kg"),
    "billed_class": ("class", "billed class", "freight class", "nmfc class", "rated class"),
    "dimensions": ("dimensions", "dims", "measured dimensions"),
    "inspection_certificate": ("inspection certificate", "certificate", "wi certificate",
                               "inspection"),
}
DATE_FORMATS = {"iso": "%Y-%m-%d", "us": "%m/%d/%Y", "eu": "%d.%m.%Y"}


def _key(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lower().replace("_", " "))


def sniff(text: str):
    """The dialect and the header row of the file."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        headers = next(csv.reader(_lines(text), dialect), [])
    except csv.Error:
        headers = []  # parse_rows says what is wrong with the file
    return dialect, [h.strip() for h in headers]


def _lines(text: str):
    # universal newlines: a file saved with bare CRs (old Mac, some exports) is still rows
    return io.StringIO(text, newline=None)


def suggest_mapping(headers) -> dict:
    """{canonical field: header} from common column names."""
    by_key = {_key(h): h for h in headers}
    mapping = {}
    for field, names in SYNONYMS.items():
        for name in (field.replace("_", " "), *names):
            if name in by_key and by_key[name] not in mapping.values():
                mapping[field] = by_key[name]
                break
    return mapping


def parse_amount(text: str) -> float:
    """'1,234.50', '1.234,50', '1234.5' or '-12' as a number."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in value and "." in value:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        value = value.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in value:
        head, _sep, tail = value.rpartition(",")
        value = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else value.replace(",", "")
    return float(value)


def parse_rows(text: str, mapping: dict, date_format: str = "iso", defaults=None):
    """``(invoices, row_errors)``: canonical invoices and ``{row, column, message}``."""
    defaults = defaults or {}
    missing = [field for field in REQUIRED if field not in mapping]
    if missing:
        return [], [{"row": 1, "column": field, "message": "no column is mapped to it"}
                    for field in missing]
    dialect, _headers = sniff(text)
    reader = csv.DictReader(_lines(text), dialect=dialect)
    groups, errors, bad = {}, [], set()
    try:
        for row_number, row in enumerate(reader, start=2):
            _read_row(row_number, row, mapping, date_format, groups, errors, bad)
    except csv.Error as error:
        # the rows before are kept: a file cut short by a broken quote still imports them
        errors.append({"row": reader.line_num, "column": "", "message": f"not CSV: {error}"})
    return _invoices(groups, bad, errors, defaults, mapping, date_format)


def _read_row(row_number, row, mapping, date_format, groups, errors, bad):
    """One row into its invoice's group, or its error into ``errors``."""
    values = {field: (row.get(header) or "").strip() for field, header in mapping.items()}
    number = values.get("number")
    if not number:
        errors.append({"row": row_number, "column": mapping["number"],
                       "message": "the invoice number is empty"})
        return
    try:
        line = _line(values, mapping, date_format)
    except ValueError as error:
        column, message = error.args
        errors.append({"row": row_number, "column": column, "message": message})
        bad.add(number)
        return
    groups.setdefault(number, {"rows": [], "lines": [], "head": values})
    groups[number]["rows"].append(row_number)
    groups[number]["lines"].append(line)


def _line(values, mapping, date_format):
    def number(field, required=False):
        text = values.get(field, "")
        if not text:
            if required:
                raise ValueError(mapping.get(field, field), "a number is required")
            return None
        try:
            value = parse_amount(text)
        except ValueError:
            raise ValueError(mapping[field], f"{text[:40]!r} is not a number") from None
        try:
            if field == "amount":
                check_amount(value, field)
            else:
                check_number(value, field, MAX_NUMBER)
        except PayloadError as error:
            raise ValueError(mapping[field], error.message) from None
        return value
    try:
        datetime.strptime(values.get("date", ""), DATE_FORMATS[date_format])
    except ValueError:
        raise ValueError(mapping["date"], f"{values.get('date')!r} is not a "
                         f"{date_format.upper()} date") from None
    references = {key: values[key] for key in SHIPMENT_REFERENCES if values.get(key)}
    return {"charge_code": values.get("charge_code") or "400", "amount": number("amount", True),
            "quantity": number("quantity") or 1.0, "description": values.get("description"),
            "billed_weight_kg": number("billed_weight_kg"),
            **_adjustment(values, mapping),
            **({"shipment": references} if references else {})}


def _adjustment(values: dict, mapping: dict) -> dict:
    """A reweigh, reclass or DIM rebill's columns, when the file has them."""
    found = {key: values[key].strip() for key in ("dimensions", "inspection_certificate")
             if (values.get(key) or "").strip()}
    if (values.get("billed_class") or "").strip():
        found["billed_class"] = normal_class(values["billed_class"])
        if found["billed_class"] is None:
            raise ValueError(mapping["billed_class"], f"{values['billed_class']!r} is no "
                             "NMFC class (50, 55, ... 77.5, 85, ... 500)")
    return found


def _correction(text: str | None) -> str:
    """A correction column's cell as X12 B308 ("co" is CO); empty is an original."""
    text = (text or "").strip()
    return "original" if text.lower() in ("", "original") else text.upper()


def _invoices(groups, bad, errors, defaults, mapping, date_format):
    invoices = []
    for number, group in groups.items():
        if number in bad:
            continue
        head = group["head"]
        day = datetime.strptime(head["date"], DATE_FORMATS[date_format]).date().isoformat()
        document = {
            "number": number, "date": day,
            "currency": head.get("currency") or defaults.get("currency"),
            "scac": head.get("scac") or defaults.get("scac"),
            "correction": _correction(head.get("correction")),
            "corrects": head.get("corrects") or None,
            "total": round(sum(line["amount"] for line in group["lines"]), 2),
            "lines": group["lines"],
        }
        try:
            invoice = parse_invoice(document, "")
        except PayloadError as error:
            column = mapping.get(error.pointer.rsplit("/", 1)[-1], error.pointer)
            errors.append({"row": group["rows"][0], "column": column, "message": error.message})
            continue
        invoice["external_id"] = invoice["external_id"].replace("json:", "csv:", 1)
        invoices.append(invoice)
    return invoices, errors
