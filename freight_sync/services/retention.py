"""How long raw payloads are kept, and in what form. Pure.

A message's raw payload lives in the database while it may still be worked (intake writes
it there, inside the accepting transaction). Once the message is settled and older than
the archive age, its payload is gzip-compressed into the filestore; older than the purge
age, the payload is removed. The sha256, the size and every other field stay, so the
audit trail still proves what came in; a purged message cannot be replayed.

Which messages: archiving only moves bytes, so any settled message is archived, dead
letters included (they may still be retried: their payload is read back decompressed).
Purging loses the bytes, so only messages nothing will ever work again are purged: done,
ignored or rejected inbound ones, sent or acknowledged outbound ones. A dead letter stays
until a person retries it or ignores it; a message still waiting (received, processing,
failed, partly applied, queued, waiting to retry) is never archived nor purged.
"""

import base64
import gzip
import json
from datetime import date, datetime, time, timedelta

from .canonical import PayloadError

ARCHIVE_DAYS_PARAM = "freight_sync.payload_archive_days"
PURGE_DAYS_PARAM = "freight_sync.payload_purge_days"
DEFAULT_ARCHIVE_DAYS = 30
DEFAULT_PURGE_DAYS = 0  # never: purging is a decision a company takes, not a default

PURGE_STATES = ("done", "ignored", "rejected", "sent", "acknowledged")
ARCHIVE_STATES = (*PURGE_STATES, "dead")
ARCHIVE_MIMETYPE = "application/gzip"


class PayloadPurged(PayloadError):
    """The payload was removed under the retention policy: only its digest is left."""


def retention_problem(archive_days: int, purge_days: int) -> str | None:
    """Why these ages cannot be saved, or None. 0 switches a step off."""
    if archive_days < 0 or purge_days < 0:
        return "retention ages are a number of days, 0 or more"
    if purge_days and archive_days and purge_days <= archive_days:
        return (f"payloads are purged after {purge_days} days, which must be more than "
                f"the {archive_days} days after which they are archived")
    return None


def cutoffs(now: datetime, archive_days: int, purge_days: int
            ) -> tuple[datetime | None, datetime | None]:
    """``(archive what was received before, purge what was received before)``; None for
    a step that is off."""
    return (now - timedelta(days=archive_days) if archive_days > 0 else None,
            now - timedelta(days=purge_days) if purge_days > 0 else None)


def compress(raw: bytes) -> bytes:
    # mtime 0: the same payload always compresses to the same bytes (and filestore file)
    return gzip.compress(raw, compresslevel=6, mtime=0)


def decompress(stored: bytes) -> bytes:
    """The archived bytes as received; b"" when they are not a gzip stream (the digest
    check then says the payload is altered)."""
    try:
        return gzip.decompress(stored)
    except (OSError, EOFError):
        return b""


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The export's period in UTC: from the start of ``date_from`` (included) to the end
    of ``date_to`` (included), i.e. up to the next midnight, excluded."""
    if date_to < date_from:
        raise ValueError("the period ends before it starts")
    return (datetime.combine(date_from, time.min),
            datetime.combine(date_to + timedelta(days=1), time.min))


def export_line(meta: dict, payload: bytes | None) -> bytes:
    """One JSON line of the export: the message's metadata, always its sha256, and its
    payload (base64) while it is still stored."""
    record = dict(meta)
    record["payload_base64"] = (base64.b64encode(payload).decode()
                                if payload is not None else None)
    return json.dumps(record, sort_keys=True, default=str).encode() + b"\n"
