"""The machine routes' one accept path: error contract, request checks, authentication,
idempotency, storage."""

import json
import logging
import time
import traceback
import uuid
from typing import NamedTuple

from werkzeug.exceptions import HTTPException

from odoo.http import request

from ..services.canonical import forbidden_char
from ..services.inbox import IdempotencyKeyTaken
from ..services.log_hygiene import error_head
from ..services.signature import SignatureError, body_digest, verify

_logger = logging.getLogger(__name__)

API = "/freight_sync/v1"
MAX_BODY = 5 * 1024 * 1024
# Unix seconds take 10 digits until the year 2286: a longer header is no timestamp, and is
# refused before it is read as a number
MAX_TIMESTAMP_CHARS = 20
MAX_HEADER_CHARS = 128
# where the request's correlation id is kept, for its retries and its error handler
CORRELATION_ENVIRON_KEY = "freight_sync.correlation_id"
# what the error handler may log of the request besides: its endpoint and message kind
CONTEXT_ENVIRON_KEY = "freight_sync.log_context"


class FreightApiError(Exception):
    """Answered as ``{"error": {"code", "message", "details"}}`` with ``status``."""

    def __init__(self, status, code, message, details=None, headers=()):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        # extra response headers, such as Retry-After
        self.headers = list(headers)


def json_response(payload, status, correlation_id=None, headers=()):
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
               *headers]
    if correlation_id:
        headers.append(("X-Correlation-Id", correlation_id))
    return request.make_response(json.dumps(payload), headers=headers, status=status)


def error_response(error, correlation_id=None):
    body = {"error": {"code": error.code, "message": error.message,
                      "details": error.details or {}}}
    if correlation_id:
        body["correlation_id"] = correlation_id
    return json_response(body, error.status, correlation_id, error.headers)


def correlation_id():
    """The sender's X-Correlation-Id, else a new one; one per request, retries included.
    One a log line or a header could not carry is replaced rather than refused, since the
    refusal itself needs a correlation id."""
    environ = request.httprequest.environ
    if CORRELATION_ENVIRON_KEY not in environ:
        sent = (request.httprequest.headers.get("X-Correlation-Id") or "").strip()
        sent = sent[:MAX_HEADER_CHARS]
        usable = sent and not forbidden_char(sent)
        environ[CORRELATION_ENVIRON_KEY] = sent if usable else str(uuid.uuid4())
    return environ[CORRELATION_ENVIRON_KEY]


def header_text(name):
    """A request header as stored (stripped, cut at ``MAX_HEADER_CHARS``); 400 when it holds
    a control character, which no stored field may hold."""
    value = (request.httprequest.headers.get(name) or "").strip()[:MAX_HEADER_CHARS]
    if forbidden_char(value):
        raise FreightApiError(400, "invalid_header", f"{name} holds a control character")
    return value


def unexpected_error_response(exception):
    """The JSON answer to whatever a machine route raised: the error contract with the
    exception's HTTP status, or a 500 whose traceback is logged with the correlation id."""
    correlation = correlation_id()
    if isinstance(exception, HTTPException):
        error = FreightApiError(exception.code, exception.name.lower().replace(" ", "_"),
                                exception.description)
    else:
        log_safely(exception, correlation)
        # odoo.http logs every escaping exception again, with its text, unless it carries
        # a log level: level 0 (NOTSET) is one that logging never emits
        exception.loglevel = logging.NOTSET
        error = FreightApiError(500, "internal_error",
                                "the request could not be handled; nothing was stored",
                                {"correlation_id": correlation})
    return error_response(error, correlation)


def log_safely(exception, correlation):
    """Log a failed request without the text of its exception: a database error's text
    holds the values of the failing row ("DETAIL: Failing row contains (...)", "Key
    (x)=(...)"), a parser's the bytes it choked on; payload data, keys and signatures
    must never reach a log. What is logged instead: the route, the correlation id, the
    error class, the database's error code and constraint, and the stack of frames."""
    # Odoo turns a constraint violation into a ValidationError quoting it: the database
    # error is then its cause
    cause = exception if hasattr(exception, "diag") else exception.__cause__
    database = f" from {error_head(cause)}" if hasattr(cause, "diag") else ""
    stack = "".join(traceback.format_tb(exception.__traceback__))
    if cause is not None and cause is not exception:
        stack = "".join(traceback.format_tb(cause.__traceback__)) + "re-raised:\n" + stack
    context = request.httprequest.environ.get(CONTEXT_ENVIRON_KEY, {})
    _logger.error("%s %s failed, correlation id %s, endpoint %s, kind %s: %s%s\n%s",
                  request.httprequest.method, request.httprequest.path, correlation,
                  context.get("endpoint"), context.get("kind"), type(exception).__name__,
                  database, stack)


def read_request(allowed_types):
    """Method, content type and size checks, in the order a sender can fix them."""
    http_request = request.httprequest
    if http_request.method != "POST":
        raise FreightApiError(405, "method_not_allowed", "use POST")
    content_type = (http_request.mimetype or "").lower()
    if content_type not in allowed_types:
        raise FreightApiError(415, "unsupported_media_type",
                              f"Content-Type must be one of {', '.join(allowed_types)}")
    length = http_request.content_length
    if length is not None and length > MAX_BODY:
        raise FreightApiError(413, "payload_too_large", f"body is over {MAX_BODY} bytes")
    body = http_request.get_data(cache=True)
    if len(body) > MAX_BODY:
        raise FreightApiError(413, "payload_too_large", f"body is over {MAX_BODY} bytes")
    return body, content_type


def authenticate(body, fmt):
    """The endpoint whose key and signature the request carries, allowed to send ``fmt``."""
    headers = request.httprequest.headers
    if len(headers.get("X-Freight-Timestamp") or "") > MAX_TIMESTAMP_CHARS:
        raise FreightApiError(401, "timestamp_invalid", "X-Freight-Timestamp must be Unix seconds")
    endpoint = request.env["freight.endpoint"]._authenticate(headers.get("X-Freight-Key"))
    if not endpoint:
        raise FreightApiError(401, "unauthenticated", "unknown or missing X-Freight-Key")
    if not endpoint.active:
        raise FreightApiError(403, "endpoint_inactive", "this endpoint is deactivated")
    try:
        verify(endpoint.hmac_secret, headers.get("X-Freight-Timestamp"),
               headers.get("X-Freight-Signature"), body, time.time())
    except SignatureError as error:
        status = 403 if error.code == "no_secret" else 401
        raise FreightApiError(status, error.code, error.message) from None
    # only a signed request counts against its endpoint's limit: another cannot drain it
    wait = endpoint._wait_before_request()
    if wait:
        raise FreightApiError(429, "rate_limited",
                              f"this endpoint sends more than its limit: retry in {wait} s",
                              {"retry_after": wait}, [("Retry-After", str(wait))])
    endpoint._note_key_use(headers.get("X-Freight-Key"))
    if not (endpoint.accept_json if fmt == "json" else endpoint.accept_x12):
        raise FreightApiError(403, "format_not_allowed",
                              f"this endpoint may not send {fmt.upper()}")
    return endpoint


def find_earlier(endpoint, key, body, same_key_same_content=False):
    """The message already stored under ``key``; 409 if it was another body, unless the
    key itself says what the content is (``same_key_same_content``)."""
    earlier = request.env["freight.message"]._find_by_key(endpoint, key)
    if earlier and not same_key_same_content and earlier.payload_sha256 != body_digest(body):
        raise FreightApiError(409, "idempotency_conflict",
                              "this idempotency key was used with another body",
                              {"message_id": earlier.id})
    return earlier


def store_batch(endpoint, batch, body, content_type, correlation):
    """Store the request and its item ids (``freight.message._store_batch``) and wake
    its lane's jobs: ``(message, statuses)``, ``message`` ``None`` when no item is new."""
    message, statuses = request.env["freight.message"]._store_batch(
        endpoint, batch.kind, body, content_type, batch.key, correlation, batch.item_count,
        batch.keys)
    if message:
        message._wake_lanes()
    return message, statuses


def store_refusal(endpoint, batch, body, content_type, correlation):
    """Store a request refused as a whole, raw bytes and reason, for an admin to see and
    replay once the rules accept it: it applies nothing until then."""
    message = request.env["freight.message"]._store_inbound(
        endpoint, batch.kind, body, content_type, batch.key, correlation, 0)
    message.sudo().write({"state": "rejected", "last_error": batch.refusal})
    return message


def record_resend(endpoint, batch, duplicates):
    """Count a request that stored nothing, ``duplicates`` of its items known before: no
    message will (the metrics' duplicates)."""
    if duplicates:
        request.env["freight.intake.resend"].sudo()._record(endpoint, batch.kind, duplicates)


def count_statuses(statuses):
    return {label: statuses.count(state)
            for state, label in (("accepted", "accepted"), ("duplicate", "duplicates"),
                                 ("conflict", "conflicts"), ("rejected", "rejected"))}


def stored_status(message, statuses):
    """202 when the request was stored; else every item was known: 409 when none of them
    was a duplicate and some had other content, 200 otherwise."""
    if message:
        return 202
    return 409 if "conflict" in statuses and "duplicate" not in statuses else 200


class Batch(NamedTuple):
    """What a route read from a request: the message kind, its idempotency key, the
    ``(item id, digest)`` of each item that can be applied, and how many items it sent."""

    kind: str
    key: str
    keys: list
    item_count: int
    # why the whole request is refused (stored as a rejected message), else None
    refusal: str | None = None


class Intake:
    """The one accept path of the machine routes, for one request.

    Checks the request, authenticates its endpoint, has the route read the body
    (``read_batch``), applies the request's idempotency key, stores the body with its
    item ids, and has the route answer with 202 (stored), 200 (nothing new) or 409 (every
    item known with other content). A body the route refuses as a whole (``Batch.refusal``)
    is stored too, as a rejected message, and answered 4xx. Nothing is applied here: the
    inbox cron does that.
    """

    fmt = ""  # "json" or "x12", as the endpoint allows it
    content_types = ()

    def __init__(self):
        self.correlation = correlation_id()

    def handle(self):
        """The answer to the request. Any other exception than a refusal is left to
        ``ir.http._handle_error``, after Odoo rolled the transaction back."""
        try:
            body, content_type = read_request(self.content_types)
            endpoint = authenticate(body, self.fmt)
            context = request.httprequest.environ.setdefault(CONTEXT_ENVIRON_KEY, {})
            context["endpoint"] = endpoint.id
            batch = self.read_batch(endpoint, body)
            context["kind"] = batch.kind
            return self.accept(endpoint, batch, body, content_type)
        except FreightApiError as error:
            return error_response(error, self.correlation)

    # the idempotency key names the content, so another body under it is a resend
    key_names_content = False

    def accept(self, endpoint, batch, body, content_type):
        """Store first, look for an earlier message only when the key is taken: a new
        request, the common case, costs no lookup."""
        try:
            if batch.refusal:
                return self.answer_refusal(
                    store_refusal(endpoint, batch, body, content_type, self.correlation))
            message, statuses = store_batch(endpoint, batch, body, content_type,
                                            self.correlation)
        except IdempotencyKeyTaken:
            earlier = find_earlier(endpoint, batch.key, body, self.key_names_content)
            if not earlier:
                # a twin request stored this key after this transaction began: only a
                # new transaction sees its message, and this request is its duplicate
                request.env.cr.rollback()
                earlier = find_earlier(endpoint, batch.key, body, self.key_names_content)
            record_resend(endpoint, batch, len(batch.keys))
            return self.answer_duplicate(earlier)
        if not message:
            record_resend(endpoint, batch, statuses.count("duplicate"))
        return self.answer(message, statuses, stored_status(message, statuses))

    def read_batch(self, endpoint, body) -> Batch:
        """Parse and check the body; raise ``FreightApiError`` to refuse it unstored, or
        return a ``Batch`` with a ``refusal`` to store it refused."""
        raise NotImplementedError

    def answer_duplicate(self, earlier):
        """The answer to a request whose idempotency key and body were already stored."""
        raise NotImplementedError

    def answer(self, message, statuses, status):
        """The answer once stored (``message``) or found known (``message`` is ``None``)."""
        raise NotImplementedError

    def answer_refusal(self, message):
        """The answer to a request refused as a whole, stored as ``message``."""
        raise NotImplementedError
