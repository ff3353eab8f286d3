"""The dispute with a carrier, in money and in time. Pure.

One disputed invoice, one dispute: its money is kept on the invoice's lead case (the
billing case with the most at stake), so that a dashboard adding up disputes adds each
invoice once, however many findings the audit made on it.

- *disputed*: what the carrier is asked to take back, billed less what we hold to be due;
- *recovered*: what was not paid in the end (the short-paid or rejected amount, a rebill's
  reduction, a credit note), never more than was disputed;
- *written off*: disputed money paid after all.
"""

from datetime import datetime, timedelta

# what a clerk's decision recovers at once, before the carrier says anything
OVERRIDE, SHORT_PAY, REBILL, REJECT = "override", "short_pay", "rebill", "reject"
RESOLUTIONS = (OVERRIDE, SHORT_PAY, REBILL, REJECT)
# what a carrier document that settles a dispute is
REPLACEMENT, CREDIT, CANCEL = "replacement", "credit", "cancel"
REMIND, ESCALATE = "remind", "escalate"


def _cents(amount) -> float:
    return round(float(amount or 0.0), 2)


def disputed_amount(billed: float, expected: float | None, stakes: list[float]) -> float:
    """What we ask back: billed less expected when the audit priced the invoice and it is
    over; otherwise the findings' amounts at stake (a duplicate or an unknown shipment has
    no expected amount: the whole billed amount can be at stake), at most what was billed."""
    billed = _cents(billed)
    if expected is not None and _cents(billed - expected) > 0:
        return _cents(billed - expected)
    return min(_cents(max(stakes, default=0.0)), billed) if billed > 0 else 0.0


def outcome(disputed: float, recovered: float) -> tuple[float, float, float]:
    """``(recovered, written_off, recovered %)`` of a settled dispute: what was recovered,
    capped at what was disputed (a carrier's credit may cover more than the dispute), and
    the rest written off."""
    disputed = _cents(disputed)
    recovered = min(max(_cents(recovered), 0.0), disputed) if disputed > 0 else 0.0
    written_off = _cents(disputed - recovered)
    percent = round(100.0 * recovered / disputed, 1) if disputed > 0 else 0.0
    return recovered, written_off, percent


def decision_recovers(resolution: str, billed: float, paid: float | None) -> float | None:
    """What a clerk's decision recovers at once; ``None`` when the carrier's answer decides
    (a rebill asked for). ``paid``: what the vendor bill pays (a short-pay's amount)."""
    if resolution == OVERRIDE:
        return 0.0
    if resolution == SHORT_PAY:
        return _cents(billed - (paid or 0.0))
    if resolution == REJECT:
        return _cents(billed)
    return None


def settlement_recovers(kind: str, disputed_billed: float, settling_amount: float) -> float:
    """What the carrier's document gave back: a replacement (RB/CO) bills less than the
    disputed invoice did; a credit note (a negative adjustment) is its own amount; a
    cancel (CA) takes the whole invoice back."""
    if kind == CANCEL:
        return _cents(disputed_billed)
    if kind == CREDIT:
        return _cents(abs(settling_amount))
    return _cents(disputed_billed - settling_amount)


def answer_due(sent_at: datetime, days: int) -> datetime:
    return sent_at + timedelta(days=max(int(days or 0), 1))


def deadline_steps(now: datetime, deadline: datetime | None, reminder_days: int,
                   reminded: bool, escalated: bool) -> tuple[str, ...]:
    """What the deadline cron does for one dispute sent and not settled: remind the
    assignee ``reminder_days`` before the carrier's answer is due, escalate once it is past.
    A dispute already past its deadline when first seen is escalated without a reminder."""
    if deadline is None:
        return ()
    if now >= deadline:
        return () if escalated else (ESCALATE,)
    if reminded or reminder_days <= 0:
        return ()
    return (REMIND,) if now >= deadline - timedelta(days=reminder_days) else ()


def dispute_document(dispute: dict, invoice: dict, lines: list[dict], packet: dict | None
                     ) -> dict:
    """The JSON a dispute is sent as, to a carrier's API or a freight audit platform:
    ``{"dispute": {...}}`` with the invoice, its lines as audited and the packet (PDF,
    base64) when there is one. Amounts as numbers with two decimals."""
    return {"dispute": {
        "id": dispute["id"],
        "reference": dispute["reference"],
        "reason_code": dispute["reason_code"],
        "reason": dispute["reason"],
        "note": dispute.get("note") or None,
        "amount_disputed": _cents(dispute["amount_disputed"]),
        "answer_due": dispute["answer_due"],
        "requested": dispute["requested"],
        "invoice": {
            "number": invoice["number"],
            "date": invoice["date"],
            "currency": invoice["currency"],
            "scac": invoice.get("scac") or None,
            "billed": _cents(invoice["billed"]),
            "expected": None if invoice.get("expected") is None
            else _cents(invoice["expected"]),
        },
        "lines": [{
            "line": line["line_no"],
            "charge_code": line["charge_code"],
            "references": line.get("references") or {},
            "billed": _cents(line["billed"]),
            "expected": None if line.get("expected") is None else _cents(line["expected"]),
            "variance": None if line.get("expected") is None
            else _cents(line["billed"] - line["expected"]),
            "finding": line.get("finding") or None,
            "trace": list(line.get("trace") or []),
        } for line in lines],
        "packet": packet,
    }}
