"""Rules of the outbox: what an outgoing request carries, how an answer is read, when to
try again.

An outgoing request is signed like the requests our machine routes verify
(``services.signature``): ``X-Freight-Timestamp`` (Unix seconds) and ``X-Freight-Signature:
sha256=<hex HMAC-SHA256 of "timestamp.body">`` with the endpoint's signing secret. It also
carries ``X-Correlation-Id`` (the message's correlation id, the header our routes read and
answer) and ``Idempotency-Key`` (the same on every attempt, so that a receiver that got a
request whose answer we lost can answer it as a duplicate). No ``X-Freight-Key``: we only
keep the hash of the key we issued to the partner, and the signature already proves who
sends.
"""

import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from .signature import sign

# Delays after the 1st ... 5th failed attempt; the 6th failure makes a dead letter.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# a receiver's Retry-After is honoured, within this bound
MAX_RETRY_AFTER = timedelta(hours=6)
DEFAULT_TIMEOUT = 10.0
# how much of an answer's body is kept on the message
EXCERPT_CHARS = 2000
# statuses worth trying again: the receiver's timeout, throttling, its server errors
RETRY_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "freight_sync/17.0 (+outbox)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_KEY = 255

DELIVERED, RETRY, DEAD = "sent", "retry", "dead"


class OutboxError(ValueError):
    """A message that cannot be sent as it is: no retry will change that."""


def next_attempt(attempts: int, now: datetime, retry_after: float | None = None
                 ) -> datetime | None:
    """When to try again after ``attempts`` failed tries; ``None`` means give up (dead).

    A receiver's ``Retry-After`` (seconds) moves the attempt later, never earlier, and at
    most ``MAX_RETRY_AFTER`` away."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts - 1]
    if retry_after and retry_after > 0:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return now + delay


def classify_status(status: int) -> tuple[str, str | None]:
    """``(verdict, reason)`` for an HTTP answer: ``sent`` for 2xx; ``retry`` for 408, 425,
    429 and 5xx; ``dead`` at once for any other status (a redirect, a refusal): sending the
    same request again cannot change it."""
    if 200 <= status < 300:
        return DELIVERED, None
    if status in RETRY_STATUSES or 500 <= status < 600:
        return RETRY, f"HTTP {status}: the receiver may accept it later"
    if 300 <= status < 400:
        return DEAD, (f"HTTP {status}: the receiver redirects; signed requests do not follow "
                      "redirects, correct the endpoint's outbound URL")
    return DEAD, f"HTTP {status}: the receiver refused the request"


def classify_error(kind: str, detail: str = "") -> tuple[str, str]:
    """``(verdict, reason)`` for a request that got no answer: a ``timeout`` or a
    ``connection`` error is retried; anything else (an invalid URL) is dead at once."""
    detail = f": {detail}" if detail else ""
    if kind == "timeout":
        return RETRY, "no answer within the timeout" + detail
    if kind == "connection":
        return RETRY, "connection failed" + detail
    return DEAD, "the request could not be made" + detail


def parse_retry_after(value: str | None) -> float | None:
    """Seconds of a ``Retry-After`` header in its seconds form; ``None`` otherwise."""
    if not value or not value.strip().isdigit():
        return None
    return float(value.strip())


def encode_payload(payload, content_type: str | None = None) -> tuple[bytes, str]:
    """``(body, content type)`` of a payload given as bytes, text or JSON data."""
    if isinstance(payload, bytes):
        return payload, content_type or "application/octet-stream"
    if isinstance(payload, str):
        return payload.encode(), content_type or "text/plain; charset=utf-8"
    if isinstance(payload, (dict, list)):
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return body.encode(), content_type or "application/json"
    raise OutboxError(f"a payload is bytes, text or JSON data, not {type(payload).__name__}")


def check_header_value(name: str, value: str) -> str:
    """``value`` when it can travel in header ``name`` (no control character, at most 255
    characters, not empty); raises ``OutboxError`` otherwise."""
    if not value or not value.strip():
        raise OutboxError(f"{name} is empty")
    if len(value) > _MAX_KEY or _CONTROL.search(value):
        raise OutboxError(f"{name} has a control character or more than {_MAX_KEY} characters")
    return value


def build_headers(secret: str | None, body: bytes, timestamp: int, correlation_id: str,
                  idempotency_key: str, content_type: str) -> dict[str, str]:
    """The headers of an outgoing request, signed with ``secret`` at ``timestamp``."""
    if not secret:
        raise OutboxError("the endpoint has no signing secret: an unsigned request would "
                          "be refused, set one and retry")
    stamp = str(int(timestamp))
    return {
        "Content-Type": check_header_value("Content-Type", content_type),
        "User-Agent": USER_AGENT,
        "X-Freight-Timestamp": stamp,
        "X-Freight-Signature": sign(secret, stamp, body),
        "X-Correlation-Id": check_header_value("X-Correlation-Id", correlation_id),
        "Idempotency-Key": check_header_value("Idempotency-Key", idempotency_key),
    }


def url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be an outbound URL, or ``None`` when it can: ``http`` or
    ``https``, a host, no credentials (they would be logged and shown), no space or control
    character, no fragment."""
    if not url:
        return "no outbound URL"
    if _CONTROL.search(url) or " " in url:
        return "the URL has a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError as error:
        return f"the URL cannot be read: {error}"
    if port == 0:
        return "the URL has port 0"
    if parts.scheme not in ("http", "https"):
        return "the URL must start with https:// or http://"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username or parts.password:
        return "credentials do not belong in the URL: requests are signed with the secret"
    if parts.fragment:
        return "the URL has a fragment (#...)"
    return None


def excerpt(body: bytes | None, limit: int = EXCERPT_CHARS) -> str:
    """The beginning of an answer's body as text, control characters but line breaks and
    tabs shown as U+FFFD, cut at ``limit`` characters."""
    if not body:
        return ""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", text)
    return text if len(text) <= limit else text[:limit] + "…"
