"""JSON machine routes: authenticate, check size and shape, store raw, acknowledge.

Nothing here applies business rules: accepted payloads are stored as ``freight.message``
and processed by the inbox cron, so an answer takes milliseconds and a crash after the
answer loses nothing.
"""

import json

from odoo import http

from ..services.canonical import PayloadError, parse_event_batch
from ..services.inbox import item_digest
from ..services.invoice_payload import parse_invoice_batch
from ..services.signature import body_digest
from .common import (
    API,
    FreightApiError,
    authenticate,
    correlation_id,
    count_statuses,
    error_response,
    find_earlier,
    json_response,
    read_request,
    store_batch,
)


class MachineRoutes(http.Controller):
    @http.route(f"{API}/health", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False)
    def health(self):
        return json_response({"status": "ok", "api": "v1"}, 200)

    @http.route(f"{API}/events", type="http", auth="public", csrf=False, save_session=False)
    def events(self):
        return self._json_batch("events", parse_event_batch)

    @http.route(f"{API}/invoices", type="http", auth="public", csrf=False, save_session=False)
    def invoices(self):
        return self._json_batch("invoices", parse_invoice_batch)

    def _json_batch(self, kind, parse_batch):
        correlation = correlation_id()
        try:
            body, content_type = read_request(("application/json",))
            endpoint = authenticate(body, "json")
            try:
                document = json.loads(body)
            except (UnicodeDecodeError, ValueError) as error:
                raise FreightApiError(400, "malformed_json", f"body is not JSON: {error}") from None
            try:
                valid, rejected = parse_batch(document)
            except PayloadError as error:
                raise FreightApiError(422, "invalid_payload", error.message,
                                      {"pointer": error.pointer}) from None
            payload, status = self._accept(endpoint, kind, body, content_type, correlation,
                                           document[kind], valid, rejected)
        except FreightApiError as error:
            return error_response(error, correlation)
        return json_response(payload, status, correlation)

    def _accept(self, endpoint, kind, body, content_type, correlation, items, valid, rejected):
        if not valid:
            raise FreightApiError(422, "invalid_payload", "no valid item in the batch",
                                  {"items": [_rejected(e) for e in rejected]})
        sent_key = (http.request.httprequest.headers.get("Idempotency-Key") or "").strip()
        key = sent_key[:128] or f"sha256:{body_digest(body)}"
        earlier = find_earlier(endpoint, key, body)
        if earlier:
            return {"duplicate": True, "message_id": earlier.id,
                    "correlation_id": earlier.correlation_id}, 200
        keys = [(event["external_id"], item_digest(items[index])) for index, event in valid]
        message, statuses = store_batch(endpoint, kind, body, content_type, key,
                                        correlation, keys, len(items))
        results = [None] * len(items)
        for (index, event), status in zip(valid, statuses):
            results[index] = {"index": index, "id": event["external_id"], "status": status}
            if status == "conflict":
                results[index]["error"] = "this id was sent before with other content"
        for error in rejected:
            results[int(error.pointer.split("/")[2])] = _rejected(error)
        counts = count_statuses([r["status"] for r in results])
        if message:
            status = 202
        else:
            status = 409 if counts["conflicts"] and not counts["duplicates"] else 200
        return {"message_id": message.id if message else None, "correlation_id": correlation,
                **counts, "items": results}, status


def _rejected(error):
    parts = error.pointer.split("/")
    index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    return {"index": index, "status": "rejected", "error": error.message,
            "pointer": error.pointer}
