"""X12 route: one interchange per request, answered with a 997 functional acknowledgment."""

from odoo import fields, http
from odoo.http import request

from ..services.inbox import item_digest
from ..services.x12 import X12Error, parse
from ..services.x12_997 import build_997
from ..services.x12_intake import inbound_items, set_kinds
from .common import API, Answer, Batch, FreightApiError, Intake, count_statuses

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
        return X12Intake().handle()


class X12Intake(Intake):
    """One interchange: its 214, 990 and 210 sets stored, each set judged in the 997."""

    fmt = "x12"
    content_types = X12_TYPES

    def __init__(self):
        super().__init__()
        self.interchange, self.errors, self.rejected = None, [], {}

    def read_batch(self, endpoint, body):
        try:
            self.interchange = parse(self._decode(body))
        except X12Error as error:
            self._refuse(error)
        interchange = self.interchange
        if endpoint.x12_sender_id and interchange.sender_id != endpoint.x12_sender_id:
            raise FreightApiError(403, "sender_mismatch",
                                  f"ISA06 {interchange.sender_id!r} is not this endpoint's "
                                  "sender id")
        items, self.errors, self.rejected = inbound_items(interchange, fields.Datetime.now())
        kind = "invoices" if set_kinds(interchange) == {"210"} else "edi"
        keys = [(event["external_id"], item_digest(source)) for source, event in items]
        return Batch(kind, f"x12:{interchange.sender_id}:{interchange.control_number}", keys,
                     len(items))

    @staticmethod
    def _decode(body):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("latin-1")  # X12 is ASCII-based; tolerate 8-bit senders

    def _refuse(self, error):
        """A broken envelope applies nothing: a negative 997 when the ISA could be read."""
        ack = error.interchange and build_997(error.interchange, **_controls())
        if ack:
            raise Answer(x12_response(ack, 400, self.correlation))
        raise FreightApiError(400, "malformed_x12", str(error),
                              {"code": error.code, "segment": error.segment_index})

    def answer_duplicate(self, earlier):
        return x12_response(earlier.ack_payload or "", 200, earlier.correlation_id,
                            {"duplicate": 1})

    def answer(self, message, statuses, status):
        ack = build_997(self.interchange, **_controls(), extra_errors=self.rejected)
        if message:
            message.sudo().ack_payload = ack
        counts = {**count_statuses(statuses), "rejected": len(self.errors)}
        return x12_response(ack or "", status, self.correlation, counts)


def _controls():
    sequence = request.env["ir.sequence"].sudo()
    control = int(sequence.next_by_code("freight.x12.control"))
    return {"interchange_control": control, "group_control": control,
            "when": fields.Datetime.now()}
