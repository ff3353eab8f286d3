"""Request authentication for machine routes: API keys and HMAC signatures.

The sender signs ``"<unix timestamp>.<raw body>"`` with HMAC-SHA256 and the shared secret,
and sends ``X-Freight-Timestamp`` and ``X-Freight-Signature: sha256=<hex>``. The timestamp
bounds replays to a window; the signature proves the body was not altered.
"""

import hashlib
import hmac
import secrets

REPLAY_WINDOW_SECONDS = 300
API_KEY_PREFIX = "fsk_"


class SignatureError(ValueError):
    """Authentication failed; ``code`` is stable for the error contract."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str | None, timestamp: str | None, signature: str | None, body: bytes,
           now: float, window: int = REPLAY_WINDOW_SECONDS) -> None:
    """Raise ``SignatureError`` unless ``signature`` signs ``body`` at a fresh ``timestamp``."""
    if not secret:
        # an endpoint without a secret would accept anything: refuse rather than trust
        raise SignatureError("no_secret", "this endpoint has no signing secret configured")
    if not timestamp or not signature:
        raise SignatureError(
            "signature_missing", "X-Freight-Timestamp and X-Freight-Signature are required"
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError(
            "timestamp_invalid", "X-Freight-Timestamp must be Unix seconds") from None
    if abs(now - sent_at) > window:
        raise SignatureError(
            "timestamp_stale", f"timestamp is more than {window} seconds away from server time"
        )
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise SignatureError("signature_invalid", "signature does not match the body")


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """Keys are 256-bit random tokens, so one SHA-256 is enough to make the stored value
    useless to a reader of the database, and it keeps the per-request lookup an index hit."""
    return hashlib.sha256(key.encode()).hexdigest()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
