"""The dispute packet's words and numbers, kept free of the ORM: what we ask the carrier to
take back, a milestone time in a reader's zone, the request that closes the packet."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

POD_MIMETYPES = frozenset({"image/png", "image/jpeg"})


def amount_disputed(case_disputed: float | None, variance_total: float | None,
                    at_stake: float | None) -> float:
    """The clerk's disputed amount when set; otherwise what the invoice is over by; otherwise
    what the case puts at stake (a case about no money still names 0.00)."""
    if case_disputed:
        return round(case_disputed, 2)
    if variance_total and variance_total > 0:
        return round(variance_total, 2)
    return round(at_stake or 0.0, 2)


def local_time(when: datetime | None, tz_name: str | None) -> str:
    """A UTC time (naive, as Odoo stores it) in ``tz_name`` with the zone named, e.g.
    ``2024-07-09 08:00 CDT (America/Chicago)``: the carrier reads the same clock on both
    sides of the dispute. An unknown zone falls back to UTC rather than a wrong clock."""
    if not when:
        return ""
    try:
        zone = ZoneInfo(tz_name) if tz_name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        zone, tz_name = timezone.utc, None
    local = when.replace(tzinfo=timezone.utc).astimezone(zone)
    label = tz_name or "UTC"
    abbreviation = local.tzname()
    if abbreviation and abbreviation != label:
        return f"{local:%Y-%m-%d %H:%M} {abbreviation} ({label})"
    return f"{local:%Y-%m-%d %H:%M} {label}"


def milestone_words(label: str, note: str | None, reason_code: str | None) -> str:
    """What happened: the milestone, the carrier's note and its status reason code."""
    words = label
    if note:
        words += f": {note}"
    if reason_code:
        words += f" (reason {reason_code})"
    return words


def closing_request(invoice_number: str, expected: float, disputed: float, currency: str,
                    deadline: str | None) -> str:
    """What the packet asks of the carrier, with the invoice to quote and by when."""
    by = deadline or "the agreed term"
    return (f"Please send a rebill (RB) at the expected amount of {expected:,.2f} {currency} "
            f"or a credit note for the disputed amount of {disputed:,.2f} {currency}, quoting "
            f"invoice {invoice_number}, by {by}.")


def is_image(mimetype: str | None) -> bool:
    """A POD the packet shows as a picture (wkhtmltopdf embeds these two reliably)."""
    return (mimetype or "").lower() in POD_MIMETYPES
