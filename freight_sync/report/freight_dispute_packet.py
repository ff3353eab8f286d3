"""The dispute packet: one PDF per invoice dispute case, sent to the carrier as evidence.

Everything is read as the caller (a billing clerk or a manager) through the workbench's own
methods, so the packet says what the workbench said; the only sudo is for the contents of
POD files linked to a shipment the caller could read (a file an integration attached to no
record is readable by its creator only)."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.dispute_packet import (
    amount_disputed,
    closing_request,
    is_image,
    local_time,
    milestone_words,
)
from ..services.expected_cost import pick_rate_line
from ..services.milestones import LABELS as MILESTONE_LABELS
from ..services.workbench import DECISION_WORDS, DISPUTE_REASONS

REPORT_XMLID = "freight_sync.action_report_dispute_packet"
BILLING_GROUP = "freight_sync.group_freight_billing"
POD_CODES = ("pod_received", "delivered")
MILESTONE_FIELDS = ["shipment_id", "code", "event_time", "location", "raw_code",
                    "reason_code", "note"]


class ReportDisputePacket(models.AbstractModel):
    _name = "report.freight_sync.report_dispute_packet"
    _description = "Dispute Packet"

    @api.model
    def _get_report_values(self, docids, data=None):
        # the action is bound to the billing group, but a report can be asked for by name
        # over RPC: the rule is here, in words a dispatcher understands
        if not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(_("Only Freight Billing users and managers can print a dispute "
                                "packet: it shows the carrier's invoice and our contract."))
        cases = self.env["freight.exception"].browse(docids).exists()
        cases.check_access_rights("read")
        cases.check_access_rule("read")  # another company's case is refused, not left out
        without_invoice = cases.filtered(lambda case: not case.invoice_id)
        if without_invoice:
            raise UserError(_("%s: a dispute packet is about a carrier invoice; this case is "
                              "about none.", ", ".join(without_invoice.mapped("name"))))
        invoices = cases.invoice_id
        shipments = invoices.line_ids.shipment_id | cases.shipment_id
        context = {
            "facts": {fact.id: fact for fact in shipments._audit_facts()},
            "kinds": self.env["freight.charge.code"]._kinds(),
            "milestones": self._milestones(shipments),
            "pods": self._pods(shipments),
        }
        by_invoice = {invoice.id: self._invoice_part(invoice, context) for invoice in invoices}
        return {
            "doc_ids": cases.ids,
            "doc_model": "freight.exception",
            "docs": cases,
            "packets": {case.id: self._packet(case, by_invoice[case.invoice_id.id])
                        for case in cases},
        }

    # ---- parts ----------------------------------------------------------------------------

    @api.model
    def _packet(self, case, part):
        invoice = case.invoice_id
        disputed = amount_disputed(case.amount_disputed, invoice.variance_total,
                                   case.amount_at_stake)
        reason = case.dispute_reason or invoice.dispute_reason
        deadline = (local_time(case.dispute_deadline, self._tz(invoice.company_id))
                    if case.dispute_deadline else None)
        return dict(
            part,
            case_name=case.name,
            reason_code=reason or "",
            reason_words=DISPUTE_REASONS.get(reason, _("Not stated")),
            amount_disputed=disputed,
            closing=closing_request(invoice.name, invoice.expected_total, disputed,
                                    invoice.currency_id.name, deadline),
        )

    @api.model
    def _invoice_part(self, invoice, context):
        workbench = self.env["freight.workbench"]
        contract = workbench._contract(invoice)
        lanes, terms = {}, None
        if contract:
            record = self.env["freight.rate.contract"].browse(contract["id"])
            modes = dict(record.line_ids._fields["mode"].selection)
            # the workbench's lanes are the contract's lines, in the same order
            lanes = {line.id: dict(lane, mode=modes.get(line.mode) or _("any mode"))
                     for line, lane in zip(record.line_ids, contract["lanes"])}
            terms = record._as_terms()
            contract = dict(contract, validity=self._validity(record))
        lines = []
        for line in invoice.line_ids:
            shown = workbench._line(invoice, line)
            shown["decision_words"] = DECISION_WORDS.get(shown["decision"], _("not audited yet"))
            shown["terms"] = self._terms(line, shown, contract, terms, lanes, context)
            lines.append(shown)
        shipments = invoice.line_ids.shipment_id
        tz = self._tz(invoice.company_id)
        return {
            "invoice": invoice,
            "currency": invoice.currency_id.name,
            "contract": contract,
            "lines": lines,
            "tz": tz,
            "shipments": [self._shipment(shipment, context, tz) for shipment in shipments],
        }

    @api.model
    def _terms(self, line, shown, contract, terms, lanes, context):
        """The contract excerpt that priced ``line``, found by the audit's own rules
        (pick_rate_line on the shipment's audit facts); None when nothing priced it."""
        if not contract or shown["expected"] is None:
            return None
        kind = context["kinds"].get(line.charge_code)
        facts = context["facts"].get(line.shipment_id.id)
        excerpt = {"kind": kind, "lane": None, "fuel": None, "tariff": None, "confirmed": None}
        if kind in ("linehaul", "fuel") and facts:
            if facts.confirmed_rate and facts.confirmed_rate[0]:
                # no f-string inside _(): the translation extractor evaluates its strings
                amount = format(facts.confirmed_rate[0], ",.2f")
                excerpt["confirmed"] = _(
                    "Rate confirmed for this load: %(amount)s %(currency)s (replaces the "
                    "contract's lane)", amount=amount, currency=facts.confirmed_rate[1])
            else:
                lane = pick_rate_line(terms, facts.origin, facts.destination, facts.mode,
                                      facts.weight_kg)
                excerpt["lane"] = lanes.get(lane.id) if lane else None
            if kind == "fuel":
                excerpt["fuel"] = contract["fuel"]
        elif kind in ("accessorial", "detention"):
            excerpt["tariff"] = next((row for row in contract["accessorials"]
                                      if row["code"] == line.charge_code), None)
        if not any(excerpt[key] for key in ("lane", "fuel", "tariff", "confirmed")):
            return None
        return excerpt

    @api.model
    def _shipment(self, shipment, context, tz):
        milestones = context["milestones"].get(shipment.id, [])
        pod_time = next((m["when"] for m in reversed(milestones) if m["code"] in POD_CODES),
                        None)
        return {
            "name": shipment.name,
            "pro_number": shipment.pro_number or "",
            "bol_number": shipment.bol_number or "",
            "load_ref": shipment.load_ref or "",
            "milestones": [dict(m, when=local_time(m["when"], tz)) for m in milestones],
            "pods": context["pods"].get(shipment.id, []),
            "pod_time": local_time(pod_time, tz) if pod_time else None,
        }

    @api.model
    def _milestones(self, shipments):
        """Every milestone of these shipments, oldest first, in one query."""
        by_shipment = defaultdict(list)
        if not shipments:
            return by_shipment
        for milestone in self.env["freight.milestone"].search_fetch(
                [("shipment_id", "in", shipments.ids)], MILESTONE_FIELDS,
                order="event_time, id"):
            label = MILESTONE_LABELS.get(milestone.code, milestone.code)
            by_shipment[milestone.shipment_id.id].append({
                "code": milestone.code,
                "when": milestone.event_time,
                "what": milestone_words(label, milestone.note, milestone.reason_code),
                "place": milestone.location or "",
                "raw_code": milestone.raw_code or "",
            })
        return by_shipment

    @api.model
    def _pods(self, shipments):
        """The POD files of these shipments: the caller must read the shipments; the links
        and files are then read as the system (an integration's upload is attached to no
        record, so only its creator could read it), in one query each."""
        by_shipment = defaultdict(list)
        shipments.check_access_rights("read")
        shipments.check_access_rule("read")
        links = {shipment.id: shipment.pod_attachment_ids.ids for shipment in shipments.sudo()}
        files = self.env["ir.attachment"].sudo().browse(
            {i for ids in links.values() for i in ids}).exists()
        files.fetch(["name", "mimetype", "create_date", "datas"])
        by_id = {attachment.id: attachment for attachment in files}
        for shipment_id, ids in links.items():
            for attachment in (by_id[i] for i in ids if i in by_id):
                image = is_image(attachment.mimetype) and attachment.datas
                by_shipment[shipment_id].append({
                    "name": attachment.name,
                    "date": fields.Date.to_string(attachment.create_date.date()),
                    "image": f"data:{attachment.mimetype};base64,{image.decode()}"
                    if image else None,
                })
        return by_shipment

    @api.model
    def _validity(self, contract):
        start = fields.Date.to_string(contract.date_start)
        if contract.date_end:
            return _("valid %(start)s to %(end)s", start=start,
                     end=fields.Date.to_string(contract.date_end))
        return _("valid from %s, open-ended", start)

    @api.model
    def _tz(self, company):
        return self.env.user.tz or company.partner_id.tz or "UTC"

    # ---- the file -------------------------------------------------------------------------

    @api.model
    def _render_packet(self, case):
        """The case's packet as ``(pdf_bytes, filename, pod_attachments)``: what a sender
        attaches to the carrier's message, the POD files beside the PDF."""
        case.ensure_one()
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(REPORT_XMLID, case.ids)
        filename = _("Dispute - %s.pdf", case.invoice_id.name)
        pods = case.invoice_id.line_ids.shipment_id.pod_attachment_ids
        return pdf, filename, pods

