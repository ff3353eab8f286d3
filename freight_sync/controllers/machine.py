"""JSON machine routes: authenticate, check size and shape, store raw, acknowledge.

Nothing here applies business rules: accepted payloads are stored as ``freight.message``
and processed by the inbox cron, so an answer takes milliseconds and a crash after the
answer loses nothing.
"""

from odoo import http

from ..services.canonical import JsonSyntaxError, PayloadError, load_json, parse_event_batch
from ..services.inbox import item_digest
from ..services.invoice_payload import parse_invoice_batch
from ..services.references import scac_mismatch
from ..services.signature import body_digest
from .common import (
    API,
    Batch,
    FreightApiError,
    Intake,
    count_statuses,
    header_text,
    json_response,
)


class MachineRoutes(http.Controller):
    @http.route(f"{API}/events", type="http", auth="public", csrf=False, save_session=False)
    def events(self):
        return JsonBatchIntake("events", parse_event_batch).handle()

    @http.route(f"{API}/invoices", type="http", auth="public", csrf=False, save_session=False)
    def invoices(self):
        return JsonBatchIntake("invoices", parse_invoice_batch).handle()


class JsonBatchIntake(Intake):
    """``{kind: [...]}``: one result per item, valid items stored, invalid ones named."""

    fmt = "json"
    content_types = ("application/json",)

    def __init__(self, kind, parse_batch):
        super().__init__()
        self.kind, self.parse_batch = kind, parse_batch
        self.items, self.valid, self.rejected = [], [], []

    def read_batch(self, endpoint, body):
        try:
            document = load_json(body)
            self.valid, self.rejected = self.parse_batch(document)
        except JsonSyntaxError as error:
            raise FreightApiError(400, "malformed_json", f"body is not JSON: {error}") from None
        except PayloadError as error:
            raise FreightApiError(422, "invalid_payload", error.message,
                                  {"pointer": error.pointer}) from None
        self._reject_other_carriers(endpoint)
        if not self.valid:
            raise FreightApiError(422, "invalid_payload", "no valid item in the batch",
                                  {"items": [_rejected(e) for e in self.rejected]})
        self.items = document[self.kind]
        keys = [(item["external_id"], item_digest(self.items[index]))
                for index, item in self.valid]
        return Batch(self.kind, header_text("Idempotency-Key") or f"sha256:{body_digest(body)}",
                     keys, len(self.items))

    def _reject_other_carriers(self, endpoint):
        """A carrier's endpoint sends its own carrier's documents: one naming another SCAC
        is refused now, where the sender can see it, not filed under the wrong carrier."""
        naming = [(index, item) for index, item in self.valid if item.get("scac")]
        if not naming:
            return  # events name no SCAC: the carrier's is not even read
        own = endpoint.carrier_id.freight_scac if endpoint.kind == "carrier" else None
        mismatched = [(index, item) for index, item in naming
                      if scac_mismatch(item["scac"], own)]
        for index, item in mismatched:
            self.rejected.append(PayloadError(
                f"/{self.kind}/{index}/scac",
                f"SCAC {item['scac']} is not this endpoint's carrier ({own})"))
        self.valid = [entry for entry in self.valid if entry not in mismatched]

    def answer_duplicate(self, earlier):
        """The request was stored before: every item it stored is a duplicate now."""
        return json_response({"duplicate": True, "message_id": earlier.id,
                              "correlation_id": earlier.correlation_id,
                              **self._results(["duplicate"] * len(self.valid))},
                             200, self.correlation)

    def answer(self, message, statuses, status):
        return json_response({"message_id": message.id if message else None,
                              "correlation_id": self.correlation, **self._results(statuses)},
                             status, self.correlation)

    def _results(self, statuses):
        """The counts and one result per item sent, given the status of each valid one."""
        results = [None] * len(self.items)
        for (index, item), state in zip(self.valid, statuses):
            results[index] = {"index": index, "id": item["external_id"], "status": state}
            if state == "conflict":
                results[index]["error"] = "this id was sent before with other content"
        for error in self.rejected:
            results[int(error.pointer.split("/")[2])] = _rejected(error)
        return {**count_statuses([result["status"] for result in results]), "items": results}


def _rejected(error):
    parts = error.pointer.split("/")
    index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    return {"index": index, "status": "rejected", "error": error.message,
            "pointer": error.pointer}
