"""X12 route: one interchange per request, answered with a 997 functional acknowledgment."""

from odoo import fields, http
from odoo.http import request

from ..services.inbox import item_digest
from ..services.x12 import X12Error, parse
from ..services.x12_997 import build_997
from ..services.x12_intake import inbound_items, set_kinds
from .common import (
    API,
    FreightApiError,
    authenticate,
    correlation_id,
    count_statuses,
    error_response,
    find_earlier,
    read_request,
    store_batch,
)

X12_TYPES = ("application/edi-x12", "application/x12", "text/plain")


def x12_response(text, status, correlation, counts=None):
    headers = [("Content-Type", "application/edi-x12"), ("Cache-Control", "no-store"),
               ("X-Correlation-Id", correlation)]
    for label, value in (counts or {}).items():
        headers.append((f"X-Freight-{label.capitalize()}", str(value)))
    return request.make_response(text, headers=headers, status=status)


class EdiRoutes(http.Controller):
    @http.route(f"{API}/edi", type="http", auth="public", csrf=False, save_session=False)
    def edi(self):
        correlation = correlation_id()
        try:
            body, content_type = read_request(X12_TYPES)
            endpoint = authenticate(body, "x12")
            text = self._decode(body)
            try:
                interchange = parse(text)
            except X12Error as error:
                return self._refuse(error, correlation)
            if endpoint.x12_sender_id and interchange.sender_id != endpoint.x12_sender_id:
                raise FreightApiError(403, "sender_mismatch",
                                      f"ISA06 {interchange.sender_id!r} is not this endpoint's "
                                      "sender id")
            return self._accept(endpoint, interchange, body, content_type, correlation)
        except FreightApiError as error:
            return error_response(error, correlation)

    @staticmethod
    def _decode(body):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("latin-1")  # X12 is ASCII-based; tolerate 8-bit senders

    def _refuse(self, error, correlation):
        """A broken envelope applies nothing: a negative 997 when the ISA could be read."""
        ack = error.interchange and build_997(error.interchange, **self._controls())
        if ack:
            return x12_response(ack, 400, correlation)
        raise FreightApiError(400, "malformed_x12", str(error),
                              {"code": error.code, "segment": error.segment_index})

    @staticmethod
    def _controls():
        sequence = request.env["ir.sequence"].sudo()
        control = int(sequence.next_by_code("freight.x12.control"))
        return {"interchange_control": control, "group_control": control,
                "when": fields.Datetime.now()}

    def _accept(self, endpoint, interchange, body, content_type, correlation):
        key = f"x12:{interchange.sender_id}:{interchange.control_number}"
        earlier = find_earlier(endpoint, key, body)
        if earlier:
            return x12_response(earlier.ack_payload or "", 200, earlier.correlation_id,
                                {"duplicate": 1})
        items, errors, rejected = inbound_items(interchange, fields.Datetime.now())
        kinds = set_kinds(interchange)
        kind = "invoices" if kinds == {"210"} else "edi"
        keys = [(event["external_id"], item_digest(source)) for source, event in items]
        message, statuses = store_batch(endpoint, kind, body, content_type, key, correlation,
                                        keys, len(items))
        ack = build_997(interchange, **self._controls(), extra_errors=rejected)
        counts = {**count_statuses(statuses), "rejected": len(errors)}
        if message:
            message.sudo().ack_payload = ack
            status = 202
        elif keys:
            status = 409 if counts["conflicts"] and not counts["duplicates"] else 200
        else:
            status = 422  # nothing usable: every set was rejected
        return x12_response(ack or "", status, correlation, counts)
