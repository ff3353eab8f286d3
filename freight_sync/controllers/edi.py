"""X12 route: the interchanges of a request, each answered with a 997 functional
acknowledgment, the 997s concatenated in one body."""

import logging

from odoo import fields, http
from odoo.http import request

from ..services.inbox import item_digest
from ..services.x12 import X12Error
from ..services.x12_997 import build_997
from ..services.x12_intake import inbound_items, read_body, set_kinds
from .common import API, Answer, Batch, FreightApiError, Intake, count_statuses

_logger = logging.getLogger(__name__)

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
    """The interchanges of a request: the 214, 990 and 210 sets of each sound one stored,
    each set judged in its interchange's 997; an interchange whose envelope is broken
    applies nothing and gets a negative 997."""

    fmt = "x12"
    content_types = X12_TYPES

    def __init__(self):
        super().__init__()
        # (interchange, AK5 codes of the sets rejected here) in the order received
        self.acks, self.errors = [], []

    def read_batch(self, endpoint, body):
        try:
            interchanges, notes = read_body(body)
        except X12Error as error:
            raise FreightApiError(400, "malformed_x12", str(error),
                                  {"code": error.code, "segment": error.segment_index})
        for note in notes:
            _logger.warning("X12 from endpoint %s (%s): %s", endpoint.id, self.correlation,
                            note)
        for interchange in interchanges:
            if endpoint.x12_sender_id and interchange.sender_id != endpoint.x12_sender_id:
                raise FreightApiError(403, "sender_mismatch",
                                      f"ISA06 {interchange.sender_id!r} is not this endpoint's "
                                      "sender id")
        sound = [interchange for interchange in interchanges if not interchange.refusal()]
        if not sound:
            self._refuse(interchanges)
        items, now = [], fields.Datetime.now()
        for interchange in interchanges:
            rejected = {}
            if interchange.refusal() is None:
                found, errors, rejected = inbound_items(interchange, now)
                items += found
                self.errors += errors
            self.acks.append((interchange, rejected))
        kinds = set().union(*(set_kinds(interchange) for interchange in sound))
        keys = [(event["external_id"], item_digest(source)) for source, event in items]
        key = "+".join(f"{i.sender_id}:{i.control_number}" for i in interchanges)
        return Batch("invoices" if kinds == {"210"} else "edi", f"x12:{key}", keys, len(items))

    def _refuse(self, interchanges):
        """No sound envelope applies nothing: negative 997s when they can be addressed."""
        self.acks = [(interchange, {}) for interchange in interchanges]
        ack = self._acknowledgments()
        if ack:
            raise Answer(x12_response(ack, 400, self.correlation))
        error = interchanges[0].refusal()
        raise FreightApiError(400, "malformed_x12", str(error),
                              {"code": error.code, "segment": error.segment_index})

    def _acknowledgments(self):
        acks = [build_997(interchange, **_controls(), extra_errors=rejected)
                for interchange, rejected in self.acks]
        return "".join(ack for ack in acks if ack)

    def answer_duplicate(self, earlier):
        return x12_response(earlier.ack_payload or "", 200, earlier.correlation_id,
                            {"duplicate": 1})

    def answer(self, message, statuses, status):
        ack = self._acknowledgments()
        if message:
            message.sudo().ack_payload = ack
        counts = {**count_statuses(statuses), "rejected": len(self.errors)}
        return x12_response(ack, status, self.correlation, counts)


def _controls():
    sequence = request.env["ir.sequence"].sudo()
    control = int(sequence.next_by_code("freight.x12.control"))
    return {"interchange_control": control, "group_control": control,
            "when": fields.Datetime.now()}
