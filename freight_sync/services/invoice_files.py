"""A clerk's file of carrier invoices, CSV or X12 210, to canonical invoices. Pure.

An X12 file is read by the same intake as ``POST /freight_sync/v1/edi`` (``read_body``,
``map_210``), so a 210 uploaded by hand and one sent by the carrier give the same invoice.
Problems are ``{"where", "message"}``: the set or interchange an X12 problem sits in, as a
CSV problem names its row and column.
"""

from .x12 import X12Error
from .x12_intake import read_body
from .x12_invoice import map_210

INVOICE_SET = "210"


def is_x12(raw: bytes) -> bool:
    """Whether a file is an X12 interchange: ``ISA`` after blanks (and a byte order mark)."""
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:3] == b"ISA"


def x12_invoices(raw: bytes) -> tuple[list[dict], list[dict]]:
    """``(invoices, problems)`` of every 210 set of every interchange in ``raw``.

    An interchange whose envelope is broken gives no invoice (the route would refuse it);
    in a sound one each set stands alone, as at the route.
    """
    try:
        interchanges, _notes = read_body(raw)
    except X12Error as error:
        return [], [{"where": "ISA", "message": error.message}]
    invoices, problems = [], []
    for interchange in interchanges:
        where = f"Interchange {interchange.control_number.strip()}"
        refusal = interchange.refusal()
        if refusal is not None:
            problems.append({"where": where, "message": refusal.message})
            continue
        for group in interchange.groups:
            for tset in group.sets:
                invoice, problem = _set_invoice(tset)
                if invoice:
                    invoices.append(invoice)
                if problem:
                    problems.append({"where": f"{where}, set {tset.control}", "message": problem})
    if not invoices and not problems:
        problems.append({"where": "X12", "message": "the file holds no 210 invoice"})
    return invoices, problems


def _set_invoice(tset) -> tuple[dict | None, str | None]:
    if tset.errors:
        return None, tset.errors[0].message
    if tset.code != INVOICE_SET:
        return None, f"a {tset.code or 'unnamed'} set is not an invoice (210): left out"
    invoice, errors = map_210(tset)
    if errors:
        return None, f"{errors[0].pointer}: {errors[0].message}"
    return invoice, None
