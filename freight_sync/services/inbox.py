"""Rules of the inbound queue: retry schedule and what a sender is told per item."""

import hashlib
import json
from datetime import datetime, timedelta

# Bump when a processing rule changes, so a replayed message says which rules it went through.
RULES_VERSION = "17.0.1.3"
# Delays after the 1st, 2nd, 3rd and 4th failure; the 5th failure makes a dead letter.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2))


class IdempotencyKeyTaken(Exception):
    """Another transaction stored a message under this idempotency key meanwhile."""


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries; ``None`` means give up (dead)."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def run_state(failures: dict, applied_any: bool, retry_left: bool,
              offers_only: bool = False) -> str:
    """State of an inbound message after a processing run.

    ``failures`` maps each item id that failed to its reason (key ``None``: the message
    failed as a whole, no item was tried); ``applied_any`` says whether an item of the
    message is applied (by this run or an earlier one); ``retry_left`` whether the retry
    budget allows another run; ``offers_only`` whether every item was a counter-offer,
    which moves no status and opens a case instead.

    ``done`` (nothing failed), ``ignored`` (nothing failed but nothing was there to apply:
    counter-offers only), ``partial`` (some items applied, the failed ones wait for a
    retry), ``failed`` (nothing applied yet, a retry is due), ``dead`` (retries ran out).
    """
    if not failures:
        return "ignored" if offers_only else "done"
    if not retry_left:
        return "dead"
    return "partial" if applied_any and None not in failures else "failed"


# one encoder for every digest: json.dumps builds one per call with these options
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def item_digest(item) -> str:
    """A fingerprint of one item that ignores key order and whitespace of the sender's JSON."""
    return hashlib.sha256(_CANONICAL_JSON.encode(item).encode()).hexdigest()


def classify_items(keys: list[tuple[str, str]], inserted: set[str],
                   existing: dict[str, str]) -> list[str]:
    """Status of each item, in order: ``accepted`` (stored by this request), ``duplicate``
    (same id and content seen before) or ``conflict`` (same id, other content).

    ``keys`` are the (id, digest) pairs of the request, ``inserted`` the ids it stored,
    ``existing`` the digest stored under each other id.
    """
    first_digest: dict[str, str] = {}
    statuses = []
    for event_id, digest in keys:
        if event_id in first_digest:
            statuses.append("duplicate" if first_digest[event_id] == digest else "conflict")
            continue
        first_digest[event_id] = digest
        if event_id in inserted:
            statuses.append("accepted")
        else:
            statuses.append("duplicate" if existing.get(event_id) == digest else "conflict")
    return statuses
