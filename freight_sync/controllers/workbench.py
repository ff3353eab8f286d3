"""JSON routes of the reconciliation workbench (freight_sync_web), over the
``freight.workbench`` model. They run as the signed-in user: the ORM's access rights and
record rules decide what is seen and done; bad input is a UserError, which Odoo's JSON-RPC
answers as an error the client shows as a notification."""

from odoo import _, http
from odoo.exceptions import MissingError
from odoo.http import request

from ..services.workbench import parse_action, parse_channels, parse_ids, parse_queue
from .ui import UI, checked


def _invoice(invoice_id):
    invoice = request.env["freight.invoice"].browse(invoice_id).exists()
    if not invoice:
        raise MissingError(_("Carrier invoice %s does not exist or was deleted.", invoice_id))
    invoice.check_access_rule("read")
    return invoice


class FreightWorkbench(http.Controller):
    @http.route(f"{UI}/invoices/queue", type="json", auth="user", methods=["POST"])
    def queue(self, **params):
        query = checked(parse_queue, params)
        return request.env["freight.workbench"]._queue(query)

    @http.route(f"{UI}/invoices/<int:invoice_id>", type="json", auth="user", methods=["POST"])
    def detail(self, invoice_id):
        return request.env["freight.workbench"]._detail(_invoice(invoice_id))

    @http.route(f"{UI}/invoices/<int:invoice_id>/act", type="json", auth="user",
                methods=["POST"])
    def act(self, invoice_id, **params):
        action, reason, code, amount = checked(parse_action, params)
        invoice = _invoice(invoice_id)
        Workbench = request.env["freight.workbench"]
        Workbench._act(invoice, action, reason, code, amount)
        return Workbench._detail(invoice)

    @http.route(f"{UI}/invoices/<int:invoice_id>/dispute/packet", type="json", auth="user",
                methods=["POST"])
    def dispute_packet(self, invoice_id):
        invoice = _invoice(invoice_id)
        request.env["freight.dispute"]._packet(invoice)
        return request.env["freight.workbench"]._detail(invoice)

    @http.route(f"{UI}/invoices/<int:invoice_id>/dispute/send", type="json", auth="user",
                methods=["POST"])
    def dispute_send(self, invoice_id, channels=None):
        channels = checked(parse_channels, channels)
        invoice = _invoice(invoice_id)
        request.env["freight.dispute"]._send(invoice, channels)
        return request.env["freight.workbench"]._detail(invoice)

    @http.route(f"{UI}/invoices/<int:invoice_id>/suggestion/accept", type="json",
                auth="user", methods=["POST"])
    def accept_suggestion(self, invoice_id):
        invoice = _invoice(invoice_id)
        request.env["freight.dispute"]._accept_suggestion(invoice)
        return request.env["freight.workbench"]._detail(invoice)

    @http.route(f"{UI}/invoices/bulk_approve", type="json", auth="user", methods=["POST"])
    def bulk_approve(self, ids=None):
        ids = checked(parse_ids, ids)
        Invoice = request.env["freight.invoice"]
        Invoice.check_access_rights("write")
        invoices = Invoice.search([("id", "in", ids)])  # record rules drop the others
        answer = request.env["freight.workbench"]._bulk_approve(invoices)
        for missing in sorted(set(ids) - set(invoices.ids)):
            answer["results"].append({"id": missing, "ok": False,
                                      "message": _("Invoice %s not found", missing)})
            answer["skipped"] += 1
        return answer

    @http.route(f"{UI}/carriers", type="json", auth="user", methods=["POST"])
    def carriers(self):
        request.env["freight.invoice"].check_access_rights("read")
        carriers = request.env["res.partner"].search_fetch(
            [("is_freight_carrier", "=", True)], ["display_name"], order="name")
        return [[carrier.id, carrier.display_name] for carrier in carriers]
