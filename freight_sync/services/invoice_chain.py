"""The invoice chain: one identity per carrier invoice whatever the channel, and what a
correction (X12 B308) does to the invoice it names. Pure.

A carrier sends an invoice once; what follows on the same number (or on the number named
by ``corrects``) is a link of its chain:

- CO (corrected) and RB (rebill) restate the invoice in full and REPLACE it;
- BD (balance due) and AD (adjustment) bill money ON TOP of what was billed already;
- CA cancels the invoice and whatever of its chain still stands;
- PD (past due) reminds of it and RF/RP (rebuttal, full or partial) answer its rejection
  or dispute: neither is ever billed, the first is noted on the invoice, the second reopens
  its cases with the carrier's text;
- any other code is kept as sent and held for a clerk, the code named.

The same number sent again without a correction code is the same invoice: it is never
staged twice, whether it came as JSON, CSV or X12 210, with or without a SCAC.
"""

import re
from datetime import date

REPLACES = frozenset({"CO", "RB"})
ADDS = frozenset({"BD", "AD"})
CANCELS = frozenset({"CA"})
REMINDS = frozenset({"PD"})
REBUTS = frozenset({"RF", "RP"})
NEVER_BILLED = CANCELS | REMINDS | REBUTS
CHAIN_CODES = REPLACES | ADDS | NEVER_BILLED
KNOWN_CODES = CHAIN_CODES | {"original"}
# invoice states of invoices that no longer stand: nothing names or counts them
GONE_STATES = ("rejected", "cancelled", "superseded")
# move payment states in which a vendor bill's money has (at least partly) left
PAID_STATES = frozenset({"paid", "in_payment", "partial"})

_NOISE = re.compile(r"[^0-9A-Za-z]")


def number_key(number) -> str:
    """The form under which an invoice number is compared: separators and case dropped
    ("INV-00123", "inv 00123"), and the leading zeros of an all-digit number too, because
    a spreadsheet opened on the way turns "0012345" into "12345"."""
    text = _NOISE.sub("", str(number or "")).upper()
    if text.isdigit():
        return text.lstrip("0") or "0"
    return text


def identity(number, correction: str | None, day: date | str, total: float) -> str:
    """The invoice's key, unique per company and carrier. An original is its number;
    a link of the chain (any code, known or not) is its number, code, date and total, so
    that a carrier's second correction of the same number is a new link while the same
    correction resent through another channel is not."""
    key = number_key(number)
    if not correction or correction == "original":
        return key
    day = day.isoformat() if isinstance(day, date) else str(day)
    return f"{key}|{correction}|{day}|{float(total or 0.0):.2f}"


def resend_difference(before: dict, again: dict) -> list[str]:
    """What a document sent again under an existing identity changes, in words; empty
    when it is the same invoice. ``before``/``again``: total, date, currency, lines."""
    changes = []
    if round(before["total"] - again["total"], 2):
        changes.append(f"total {again['total']:,.2f} instead of {before['total']:,.2f}")
    if str(before["date"]) != str(again["date"]):
        changes.append(f"date {again['date']} instead of {before['date']}")
    if before["currency"] != again["currency"]:
        changes.append(f"currency {again['currency']} instead of {before['currency']}")
    if before["lines"] != again["lines"]:
        changes.append(f"{again['lines']} lines instead of {before['lines']}")
    return changes


def pick_target(correction: str, own_id: int, candidates: list,
                awaiting_rebill: frozenset = frozenset(), credit: bool = False) -> tuple:
    """The earlier invoices a chain link acts on, ``candidates`` being ``(id, correction,
    state)`` of the invoices not cancelled or replaced with the named number, in any order.
    A rebuttal names the latest restatement (the original or its last CO/RB), rejected or
    not; the other codes the latest one not rejected, except that a CO/RB also names a
    rejected invoice in ``awaiting_rebill`` (the clerk rejected it asking for a rebill) and
    a ``credit`` note (a BD/AD with a negative total) names a rejected one too, so that it
    refunds nothing we never paid; a cancel acts on every link not rejected. Returns the
    ids, latest first."""
    earlier = sorted((c for c in candidates if c[0] < own_id), reverse=True)
    if correction not in REBUTS:
        # a rebill answers a rejection that asked for it; other links skip rejected ones
        earlier = [c for c in earlier if c[2] != "rejected" or credit and correction in ADDS
                   or correction in REPLACES and c[0] in awaiting_rebill]
    if correction in CANCELS:
        return tuple(cid for cid, code, _state in earlier if code not in NEVER_BILLED)
    restated = [cid for cid, code, _state in earlier
                if code not in CHAIN_CODES or code in REPLACES]
    return tuple(restated[:1])


def replaced_bill_fate(bill_state: str | None, payment_state: str | None) -> str:
    """What becomes of the vendor bill of an invoice a CO/RB replaces (or a CA cancels):
    ``none`` (no bill), ``cancel`` (a draft), ``reverse`` (posted and unpaid: a credit note
    reconciled with it) or ``settle`` (money paid: the bill stands and the new invoice pays
    only the difference, or a CA's credit note claims it back)."""
    if not bill_state or bill_state == "cancel" or payment_state == "reversed":
        return "none"
    if bill_state == "draft":
        return "cancel"
    return "settle" if payment_state in PAID_STATES else "reverse"


def settlement(approved: dict, settled: dict) -> dict:
    """What a replacement still bills per charge: what it was approved to pay less what
    the paid bills it replaces already paid, cent-exact; charges that come out even are
    left out. Negative amounts are owed back by the carrier (a credit note)."""
    codes = list(approved) + [code for code in settled if code not in approved]
    deltas = {code: round(approved.get(code, 0.0) - settled.get(code, 0.0), 2)
              for code in codes}
    return {code: amount for code, amount in deltas.items() if amount}


def withheld(state: str, total: float, approved: float) -> float:
    """Money of an invoice we never paid because the clerk decided so: all of a rejected
    one, the difference of a short-paid one; none while it is still held (what a credit
    note takes off it is then refunded, and the invoice is paid as billed)."""
    if state == "rejected":
        return round(max(total, 0.0), 2)
    if state in ("approved", "posted"):
        return round(max(total - approved, 0.0), 2)
    return 0.0


def credit_left(amounts: list, kept: float) -> list:
    """What each line of a carrier's credit note still refunds once ``kept`` is taken
    off: money of the invoice it names that we already kept (short-paid or rejected) and
    no earlier credit took. The carrier credits what we never paid; refunding it again
    would claim it twice. Negative lines (owed back) are reduced in order; others stand."""
    left, out = round(max(kept, 0.0), 2), []
    for amount in amounts:
        if amount < 0 and left > 0:
            taken = min(-amount, left)
            amount, left = round(amount + taken, 2), round(left - taken, 2)
        out.append(amount)
    return out


def bill_kind(amounts: dict) -> tuple[str | None, dict]:
    """``(move type, amounts)`` of the document that pays ``amounts`` per charge: a vendor
    bill when the total is owed to the carrier, a credit note (amounts negated) when the
    carrier owes it back, nothing when it comes out even."""
    total = round(sum(amounts.values()), 2)
    if not total and not any(amounts.values()):
        return None, {}
    if total < 0:
        return "in_refund", {code: -amount for code, amount in amounts.items()}
    return "in_invoice", dict(amounts)
