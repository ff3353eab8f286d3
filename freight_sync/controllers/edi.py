"""X12 route: the interchanges of a request, each answered with a 997 functional
acknowledgment, the 997s concatenated in one body."""

import logging

from odoo import fields, http
from odoo.http import request

from ..services.inbox import item_digest
from ..services.signature import body_digest
from ..services.x12 import X12Error
from ..services.x12_997 import build_997
from ..services.x12_intake import (
    acknowledgments,
    inbound_items,
    interchange_key,
    interchange_prefix,
    read_body,
    refusal_words,
    set_kinds,
)
from .common import API, Batch, FreightApiError, Intake, count_statuses, error_response

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
    each set judged in its interchange's 997. A body of which nothing can be applied
    (unreadable, every envelope broken, every set rejected or not supported) is stored as
    a rejected message and answered 400 (envelope) or 422 (content) with its 997."""

    fmt = "x12"
    content_types = X12_TYPES
    # an interchange's key holds a hash of its content (see ``interchange_key``)
    key_names_content = True

    def __init__(self):
        super().__init__()
        # (interchange, SetRejection of the sets rejected here) in the order received
        self.acks, self.refusals = [], []
        self.interchanges, self.unreadable, self.status = [], None, 400
        # what the 997s received acknowledge of our outbound 204s (x12_intake.acknowledgments)
        self.acknowledged = []

    def read_batch(self, endpoint, body):
        try:
            interchanges, notes = read_body(body)
        except X12Error as error:
            self.unreadable = error
            return Batch("edi", f"x12:unreadable:{body_digest(body)}", [], 0, str(error))
        for note in notes:
            _logger.warning("X12 from endpoint %s (%s): %s", endpoint.id, self.correlation,
                            note)
        for interchange in interchanges:
            if endpoint.x12_sender_id and interchange.sender_id != endpoint.x12_sender_id:
                raise FreightApiError(403, "sender_mismatch",
                                      f"ISA06 {interchange.sender_id!r} is not this endpoint's "
                                      "sender id")
        self.interchanges = interchanges
        items, now = [], fields.Datetime.now()
        for interchange in interchanges:
            found, errors, rejected = inbound_items(interchange, now)
            self.acknowledged += acknowledgments(interchange)
            items += found
            self.refusals += refusal_words(interchange, errors)
            self.acks.append((interchange, rejected))
        sound = [interchange for interchange in interchanges if not interchange.refusal()]
        kinds = set().union(*(set_kinds(interchange) for interchange in sound))
        kind = "invoices" if kinds == {"210"} else "edi"
        key = "x12:" + "+".join(interchange_key(interchange) for interchange in interchanges)
        if self.refusals and not items:
            self.status = 422 if sound else 400
            return Batch(kind, key, [], 0, "\n".join(self.refusals))
        keys = [(event["external_id"], item_digest(source)) for source, event in items]
        return Batch(kind, key, keys, len(items))

    def _acknowledgments(self):
        acks = [build_997(interchange, **_controls(), extra_errors=rejected)
                for interchange, rejected in self.acks]
        return "".join(ack for ack in acks if ack)

    def answer_duplicate(self, earlier):
        if earlier.state == "rejected":
            return self._refused(earlier, earlier.ack_payload, earlier.answer_status or 400)
        return x12_response(earlier.ack_payload or "", 200, earlier.correlation_id,
                            {"duplicate": 1})

    def answer_refusal(self, message):
        ack = self._acknowledgments()
        message.sudo().write({"ack_payload": ack or False, "answer_status": self.status})
        return self._refused(message, ack, self.status)

    def _refused(self, message, ack, status):
        """The JSON error with each problem in words and the 997 (``acknowledgment``),
        or the 997 alone when the sender asks for it; an unreadable ISA names no one to
        address a 997 to, so its answer is the JSON error whatever was asked."""
        problems = (message.last_error or "").splitlines()
        if ack and not _wants_json():
            return x12_response(ack, status, message.correlation_id,
                                {"rejected": len(problems)})
        details = {"message_id": message.id, "problems": problems}
        if ack:
            details["acknowledgment"] = ack
        if self.unreadable is not None:
            details.update(code=self.unreadable.code, segment=self.unreadable.segment_index)
        code = "malformed_x12" if status == 400 else "x12_rejected"
        return error_response(FreightApiError(status, code, message.last_error, details),
                              message.correlation_id)

    def answer(self, message, statuses, status):
        ack = self._acknowledgments()
        if message and self.acknowledged:
            # a 997 answers our 204 at once: the outbox state is no inbox work
            request.env["freight.message"].sudo()._reconcile_997(
                message.sudo().endpoint_id, self.acknowledged)
        if message:
            notes = self.refusals + self._reused_controls(message)
            message.sudo().write({"ack_payload": ack, "answer_status": status,
                                  "notes": "\n".join(notes) or False})
        counts = {**count_statuses(statuses), "rejected": len(self.refusals)}
        return x12_response(ack, status, self.correlation, counts)

    def _reused_controls(self, message):
        """Notes on the control numbers this sender used before for other content: a
        sender that reuses them is accepted, but an admin may want to know."""
        notes = []
        Message = request.env["freight.message"].sudo()
        for interchange in self.interchanges:
            # a key is "x12:" then the interchanges' keys joined by "+" (interchange_key)
            prefix = _like_literal(interchange_prefix(interchange))
            earlier = Message.search([
                ("endpoint_id", "=", message.endpoint_id.id), ("direction", "=", "in"),
                ("id", "!=", message.id),
                "|", ("idempotency_key", "=like", f"x12:{prefix}%"),
                ("idempotency_key", "=like", f"%+{prefix}%"),
            ], limit=1)
            if earlier:
                note = (f"ISA13 {interchange.control_number} of {interchange.sender_id} was "
                        f"used before, by message {earlier.correlation_id}, for other "
                        "content: accepted as a new interchange")
                _logger.warning("X12 from endpoint %s (%s): %s", message.endpoint_id.id,
                                self.correlation, note)
                notes.append(note)
        return notes


def _like_literal(text):
    """``text`` matched as written by a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _wants_json():
    """A refusal answers the JSON error contract, its problems in words and the 997
    beside them, unless the sender asks for the 997 alone (``Accept:
    application/edi-x12``, as a translator that parses the answer would)."""
    accept = request.httprequest.accept_mimetypes
    return accept.best_match(["application/json", "application/edi-x12"]) == "application/json"


def _controls():
    sequence = request.env["ir.sequence"].sudo()
    control = int(sequence.next_by_code("freight.x12.control"))
    return {"interchange_control": control, "group_control": control,
            "when": fields.Datetime.now()}
