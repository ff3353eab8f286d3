"""Shared by the machine routes: error contract, request checks, authentication, storage."""

import json
import time
import uuid

from odoo.http import request

from ..services.signature import SignatureError, body_digest, verify

API = "/freight_sync/v1"
MAX_BODY = 5 * 1024 * 1024


class FreightApiError(Exception):
    """Answered as ``{"error": {"code", "message", "details"}}`` with ``status``."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def json_response(payload, status, correlation_id=None):
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    if correlation_id:
        headers.append(("X-Correlation-Id", correlation_id))
    return request.make_response(json.dumps(payload), headers=headers, status=status)


def error_response(error, correlation_id=None):
    body = {"error": {"code": error.code, "message": error.message,
                      "details": error.details or {}}}
    if correlation_id:
        body["correlation_id"] = correlation_id
    return json_response(body, error.status, correlation_id)


def correlation_id():
    sent = (request.httprequest.headers.get("X-Correlation-Id") or "").strip()
    return sent[:128] if sent else str(uuid.uuid4())


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
    if not (endpoint.accept_json if fmt == "json" else endpoint.accept_x12):
        raise FreightApiError(403, "format_not_allowed",
                              f"this endpoint may not send {fmt.upper()}")
    return endpoint


def find_earlier(endpoint, key, body):
    """The message already stored under ``key``; 409 if it was another body."""
    earlier = request.env["freight.message"]._find_by_key(endpoint, key)
    if earlier and earlier.payload_sha256 != body_digest(body):
        raise FreightApiError(409, "idempotency_conflict",
                              "this idempotency key was used with another body",
                              {"message_id": earlier.id})
    return earlier


def store_batch(endpoint, kind, body, content_type, key, correlation, keys, item_count):
    """Store the request and its item ids at once: ``(message, statuses)``.

    When no item is new the request is not kept either (``message`` is ``None``), so a
    resent batch leaves no trace but its answer.
    """
    Message = request.env["freight.message"]
    with request.env.cr.savepoint() as savepoint:
        message = Message._store_inbound(endpoint, kind, body, content_type, key,
                                         correlation, item_count)
        statuses = request.env["freight.message.event"].sudo()._record_keys(
            endpoint, message, keys) if keys else []
        if keys and "accepted" not in statuses:
            savepoint.rollback()
            return None, statuses
    request.env.ref("freight_sync.ir_cron_process_inbox").sudo()._trigger()
    return message, statuses


def count_statuses(statuses):
    return {label: statuses.count(state)
            for state, label in (("accepted", "accepted"), ("duplicate", "duplicates"),
                                 ("conflict", "conflicts"), ("rejected", "rejected"))}
