"""Dispute windows of carrier contracts, kept free of the ORM: a dispute must reach the
carrier within the contract's window, counted in days from the invoice date, or the
over-billed money is lost.

The last day of the window still counts (``dispute_by`` itself is allowed); the window has
lapsed the day after. A case is urgent from ``urgent_days`` days before its last day up to
and including that day.

The urgency of a case, first match wins:

- ``sent``: a dispute of its invoice went to the carrier (the window no longer matters);
- ``none``: no window (no contract, no window stated, no invoice), or the case is closed:
  a closed case was settled one way or another, its window says nothing any more;
- ``lapsed``: open, nothing sent, past its last day: money lost to the window;
- ``urgent``: open, nothing sent, at most ``urgent_days`` days left;
- ``ok``: open, nothing sent, more days left.
"""

from datetime import date, timedelta

from .expected_cost import Contract, pick_contract

OK, URGENT, LAPSED, SENT, NONE = "ok", "urgent", "lapsed", "sent", "none"
URGENCIES = (OK, URGENT, LAPSED, SENT, NONE)
DEFAULT_URGENT_DAYS = 14


def dispute_by(invoice_date: date | None, window_days: int | None) -> date | None:
    """The last day a dispute can be sent; None without a date or a stated window."""
    if not invoice_date or not window_days or window_days < 0:
        return None
    return invoice_date + timedelta(days=window_days)


def window_terms(contract_id: int, carrier_id: int, valid_from: date,
                 valid_to: date | None) -> Contract:
    """A contract reduced to what picking it needs, for ``window_days``."""
    return Contract(contract_id, carrier_id, "", valid_from, valid_to)


def window_days(contracts, windows: dict, carrier_id: int, invoice_date: date | None) -> int:
    """The window of the carrier's contract valid on the invoice date, chosen as the audit
    chooses it (``expected_cost.pick_contract``); ``windows`` maps contract id to days.
    0 when no contract is valid then."""
    if not carrier_id or not invoice_date:
        return 0
    contract = pick_contract(contracts, carrier_id, invoice_date)
    return windows.get(contract.id, 0) if contract else 0


def days_left(last_day: date, today: date) -> int:
    """Days until the last day: 0 on the last day itself, negative once lapsed."""
    return (last_day - today).days


def urgency(last_day: date | None, today: date, urgent_days: int, sent: bool,
            closed: bool) -> str:
    if sent:
        return SENT
    if not last_day or closed:
        return NONE
    left = days_left(last_day, today)
    if left < 0:
        return LAPSED
    return URGENT if left <= max(urgent_days, 0) else OK


def urgent_until(today: date, urgent_days: int) -> date:
    """A case whose last day is on or before this date (and not lapsed) is urgent."""
    return today + timedelta(days=max(urgent_days, 0))
