"""The dispute loop with the carrier, around services/dispute.py and
services/dispute_suggest.py: the packet and its sending (email to the carrier's billing
contact, signed JSON to an endpoint that takes disputes), the answer's deadline, the rebill
or credit that settles it with the recovered amount, the clerk's decision recorded on the
cases, and the resolution similar settled cases suggest. The invoice's lead case (the billing
case with the most at stake) carries the dispute's money, packet and deadline."""

import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services.dispute import (
    CANCEL,
    CREDIT,
    ESCALATE,
    REMIND,
    REPLACEMENT,
    answer_due,
    deadline_steps,
    decision_recovers,
    dispute_document,
    disputed_amount,
    outcome,
    settlement_recovers,
)
from ..services.dispute_suggest import OpenCase, SettledCase, suggest
from ..services.invoice_audit import UNPRICED
from ..services.invoice_chain import ADDS, REPLACES
from ..services.workbench import DISPUTE_REASONS

TEMPLATE = "freight_sync.mail_template_dispute_packet"
TODO = "mail.mail_activity_data_todo"
EMAIL, ENDPOINT = "email", "endpoint"
# the settled cases a suggestion weighs, per carrier and finding: the most recent ones
HISTORY_LIMIT = 200


class FreightDispute(models.AbstractModel):
    _name = "freight.dispute"
    _description = "Dispute with a carrier"

    @staticmethod
    def _outcome(cases):
        """``cases`` able to write what the dispute books on them (fields no caller may
        write, see freight.guarded.mixin); for that write only."""
        return cases.sudo()._with_guarded_rights()

    # ---- which case carries the dispute -----------------------------------------------------

    @api.model
    def _lead_case(self, invoice):
        """The case the dispute is kept on: the one already sent, else the open billing case
        with the most at stake (the oldest of equals)."""
        cases = invoice.exception_ids.filtered(lambda c: c.category == "billing")
        sent = cases.filtered("dispute_sent_at")
        if sent:
            return sent.sorted("dispute_sent_at")[-1]
        open_cases = cases.filtered(lambda c: not c.is_closed) or cases
        return open_cases.sorted(lambda c: (-c.amount_at_stake, c.id))[:1]

    @api.model
    def _start(self, invoice):
        """An invoice is disputed: its lead case records what the carrier is asked back."""
        lead = self._lead_case(invoice)
        if lead and not lead.amount_disputed:
            self._outcome(lead).amount_disputed = self._disputed(invoice)
        return lead

    @api.model
    def _in_dispute(self, invoice):
        """Money of ``invoice`` is held against the carrier: it is disputed, or the clerk
        short-paid it or asked for a rebill and the case waits on the carrier's answer."""
        cases = invoice.sudo().exception_ids.filtered(
            lambda c: c.category == "billing" and not c.is_closed)
        return bool(cases) and (
            invoice.state == "disputed"
            or any(c.resolution in ("short_pay", "rebill") or c.amount_disputed
                   or c.dispute_sent_at for c in cases))

    @api.model
    def _awaiting_rebill(self, invoice_ids):
        """Which of these (rejected) invoices the clerk sent back for a rebill, still open."""
        if not invoice_ids:
            return frozenset()
        return frozenset(self.env["freight.exception"].sudo().search([
            ("invoice_id", "in", list(invoice_ids)), ("resolution", "=", "rebill"),
            ("is_closed", "=", False)]).invoice_id.ids)

    @staticmethod
    def _disputed(invoice):
        stakes = invoice.exception_ids.filtered(
            lambda c: c.category == "billing").mapped("amount_at_stake")
        expected = invoice.expected_total if not invoice.unpriced_line_count else None
        return disputed_amount(invoice.amount_total, expected, stakes)

    def _lock(self, lead):
        """One sender or settler at a time per dispute: a second click or a second carrier
        document waits, then (Odoo retries the serialization failure) finds it done."""
        if lead:
            self.env.cr.execute(SQL("SELECT id FROM freight_exception WHERE id = %s FOR UPDATE",
                                    lead.id))
            lead.invalidate_recordset()

    # ---- the clerk's decision, kept for the suggestions -----------------------------------

    @api.model
    def _record_decision(self, invoice, resolution, paid=None):
        """Every open billing case of ``invoice`` keeps the clerk's decision; the lead case
        what it recovers at once (nothing yet for a rebill asked for)."""
        cases = invoice.exception_ids.filtered(
            lambda c: c.category == "billing" and not c.is_closed)
        if not cases:
            return
        now = fields.Datetime.now()
        self._outcome(cases).write({"resolution": resolution, "decided_at": now})
        recovered = decision_recovers(resolution, invoice.amount_total, paid)
        if recovered is not None:
            self._book(self._lead_case(invoice), invoice, recovered, cases)

    def _book(self, lead, invoice, recovered, cases, settled_by=None):
        lead = self._outcome(lead)
        disputed = lead.amount_disputed or self._disputed(invoice)
        recovered, written_off, percent = outcome(disputed, recovered)
        lead.write({"amount_disputed": disputed, "amount_recovered": recovered,
                    "amount_written_off": written_off,
                    "rebill_invoice_id": settled_by.id if settled_by else False})
        # the others learn the invoice's outcome too: a suggestion weighs every finding
        self._outcome(cases).write({"recovery_percent": percent})
        return recovered, disputed

    # ---- the packet -----------------------------------------------------------------------

    @api.model
    def _packet(self, invoice):
        """The dispute packet of ``invoice``'s lead case, rendered again until it is sent
        (the clerk may correct the invoice's evidence first)."""
        invoice._check_decision("dispute")
        lead = self._lead_case(invoice)
        if invoice.state not in ("disputed", "rejected", "approved", "posted") or not lead \
                or lead.is_closed and not lead.dispute_sent_at:
            raise UserError(_("Dispute %s first: the packet explains a dispute.",
                              invoice.display_name))
        if lead.packet_id and lead.dispute_sent_at:
            return lead.packet_id
        self._start(invoice)
        pdf, filename, _pods = self.env["report.freight_sync.report_dispute_packet"].with_context(
            force_report_rendering=True)._render_packet(lead)
        values = {
            "name": filename.replace("/", "-"), "raw": pdf, "mimetype": "application/pdf",
            "res_model": lead._name, "res_id": lead.id,
        }
        Attachment = self.env["ir.attachment"].sudo()
        if lead.packet_id:
            lead.packet_id.sudo().write(values)
            return lead.packet_id
        packet = Attachment.create(values)
        self._outcome(lead).packet_id = packet
        return packet

    # ---- sending --------------------------------------------------------------------------

    @api.model
    def _channels(self, invoice):
        """``(billing contact, endpoints)`` a dispute of ``invoice`` can go to."""
        carrier = invoice.carrier_id.sudo()
        contact = carrier.browse(carrier.address_get(["invoice"])["invoice"])
        endpoints = self.env["freight.endpoint"].sudo().search([
            ("send_disputes", "=", True), ("outbound_url", "!=", False),
            ("company_id", "=", invoice.company_id.id),
            "|", ("carrier_id", "=", carrier.id), ("kind", "=", "audit")])
        return (contact if contact.email else contact.browse()), endpoints

    @api.model
    def _send(self, invoice, channels):
        """Send the packet through ``channels`` (email, endpoint); the answer is then due
        within the carrier's term. Sent again only once the term has passed."""
        invoice._check_decision("dispute")
        channels = set(channels or ())
        if not channels or channels - {EMAIL, ENDPOINT}:
            raise UserError(_("Choose how to send the dispute: by email, to the carrier's "
                              "endpoint, or both."))
        lead = self._lead_case(invoice)
        self._lock(lead)
        if lead.dispute_sent_at and not lead.dispute_escalated:
            raise UserError(_("The dispute of %(invoice)s was sent on %(when)s; the carrier's "
                              "answer is due by %(due)s.", invoice=invoice.display_name,
                              when=lead.dispute_sent_at, due=lead.dispute_deadline))
        if lead.is_closed:
            raise UserError(_("The dispute of %s is settled.", invoice.display_name))
        # refused before the packet is rendered: a wrong channel costs no PDF
        contact, endpoints = self._channels(invoice)
        if EMAIL in channels and not contact:
            raise UserError(_("%s has no billing contact with an email address: add one "
                              "(an Invoice address) to the carrier.", invoice.carrier_id.name))
        if ENDPOINT in channels and not endpoints:
            raise UserError(_("No integration endpoint of %s takes disputes.",
                              invoice.carrier_id.name))
        packet = self._packet(invoice)
        lead = lead.sudo()
        now = fields.Datetime.now()
        days = (invoice.carrier_id.freight_dispute_response_days
                or invoice.company_id.freight_dispute_response_days)
        self._outcome(lead).write({
            "dispute_sent_at": now, "dispute_deadline": answer_due(now, days),
            "dispute_reminded": False, "dispute_escalated": False})
        sent_to = []
        if EMAIL in channels:
            self._email(lead, contact, packet)
            sent_to.append(contact.email_formatted)
        if ENDPOINT in channels:
            for endpoint in endpoints:
                self._queue(lead, endpoint, packet)
                sent_to.append(endpoint.name)
        note = _("Dispute packet sent to %(to)s; the carrier's answer is due by %(due)s.",
                 to=", ".join(sent_to), due=fields.Datetime.to_string(lead.dispute_deadline))
        lead.message_post(body=note)
        invoice.message_post(body=note)
        return lead

    def _email(self, lead, contact, packet):
        template = self.env.ref(TEMPLATE).with_context(
            lang=contact.lang, freight_reason=DISPUTE_REASONS.get(lead.invoice_id.dispute_reason))
        subject = template._render_field("subject", lead.ids)[lead.id]
        body = template._render_field("body_html", lead.ids)[lead.id]
        # the PODs travel as copies owned by the case: the carrier's reply quotes them
        pods = self.env["ir.attachment"]
        for pod in lead.invoice_id.line_ids.shipment_id.pod_attachment_ids.sudo():
            pods |= pod.copy({"res_model": lead._name, "res_id": lead.id})
        # queued (mail.mail, outgoing); the reply comes back to this case's thread
        lead.with_context(mail_notify_force_send=False).message_post(
            body=body, subject=subject, partner_ids=contact.ids, message_type="comment",
            subtype_xmlid="mail.mt_comment", attachment_ids=(packet | pods).ids)

    def _queue(self, lead, endpoint, packet):
        invoice = lead.invoice_id
        lines = [{
            "line_no": line.line_no, "charge_code": line.charge_code,
            "references": line._references(), "billed": line.amount,
            "expected": None if line.decision in UNPRICED else line.expected,
            "finding": line.decision, "trace": (line.trace or "").splitlines(),
        } for line in invoice.line_ids]
        document = dispute_document(
            {"id": lead.id, "reference": lead.name, "reason_code": invoice.dispute_reason or
             "other", "reason": DISPUTE_REASONS.get(invoice.dispute_reason or "other"),
             "amount_disputed": lead.amount_disputed,
             "answer_due": fields.Datetime.to_string(lead.dispute_deadline) + "Z",
             "requested": "rebill or credit at the expected amount"},
            {"number": invoice.name, "date": fields.Date.to_string(invoice.date),
             "currency": invoice.currency_id.name, "scac": invoice.carrier_id.freight_scac,
             "billed": invoice.amount_total,
             "expected": None if invoice.unpriced_line_count else invoice.expected_total},
            lines,
            {"filename": packet.name, "content_type": "application/pdf",
             "base64": base64.b64encode(packet.raw).decode()})
        self.env["freight.message"].sudo()._queue_outbound(
            endpoint, "dispute", document,
            key=f"dispute-{lead.id}-{fields.Datetime.to_string(lead.dispute_sent_at)}"
            .replace(" ", "T"))

    # ---- the deadline -------------------------------------------------------------------

    @api.model
    def _cron_deadlines(self):
        """Remind the assignee before the carrier's answer is due; escalate to the freight
        managers once it is past. One search; each case's activity is its own."""
        now = fields.Datetime.now()
        cases = self.env["freight.exception"].sudo().search([
            ("dispute_sent_at", "!=", False), ("is_closed", "=", False),
            ("dispute_escalated", "=", False)])
        managers = self.env.ref("freight_sync.group_freight_manager").sudo().users
        for case in cases:
            steps = deadline_steps(now, case.dispute_deadline,
                                   case.company_id.freight_dispute_reminder_days,
                                   case.dispute_reminded, case.dispute_escalated)
            if REMIND in steps:
                case.activity_schedule(
                    TODO, date_deadline=case.dispute_deadline.date(),
                    user_id=(case.user_id or case.invoice_id.create_uid).id,
                    summary=_("Carrier's answer to the dispute due %s",
                              fields.Date.to_string(case.dispute_deadline.date())))
                self._outcome(case).dispute_reminded = True
            if ESCALATE in steps:
                self._escalate(case, managers.filtered(
                    lambda user, case=case: case.company_id in user.company_ids))

    def _escalate(self, case, managers):
        self._outcome(case).write({"dispute_escalated": True, "priority": "1"})
        text = _("%(carrier)s did not answer the dispute of %(invoice)s by %(due)s: escalated "
                 "to the freight managers.", carrier=case.carrier_id.name or
                 case.invoice_id.carrier_id.name, invoice=case.invoice_id.display_name,
                 due=fields.Datetime.to_string(case.dispute_deadline))
        case.message_post(body=text)
        for manager in managers[:5]:
            case.activity_schedule(TODO, user_id=manager.id, summary=_(
                "Dispute unanswered: call the carrier, write off or send again"), note=text)

    # ---- the carrier's answer: a rebill, a correction or a credit note --------------------

    @api.model
    def _on_approved(self, invoices):
        """An approved RB/CO, or a credit note (a negative adjustment), naming an invoice
        in dispute settles that dispute with what it recovered."""
        for invoice in invoices.filtered(lambda i: i.corrects_id):
            kind = (REPLACEMENT if invoice.correction in REPLACES else
                    CREDIT if invoice.correction in ADDS and invoice.amount_total < 0 else None)
            if kind:
                self._settle(invoice.corrects_id, invoice, kind)

    @api.model
    def _on_cancelled(self, invoice, cancel):
        """A CA cancels an invoice in dispute: the carrier took all of it back."""
        if self._in_dispute(invoice):
            self._settle(invoice, cancel, CANCEL)

    def _settle(self, target, settling, kind):
        if not self._in_dispute(target):
            return
        self._lock(self._lead_case(target))
        cases = target.sudo().exception_ids.filtered(
            lambda c: c.category == "billing" and not c.is_closed)
        if not cases:  # settled meanwhile by another document
            return
        lead = self._lead_case(target)
        # a credit recovers what the carrier credits, whether refunded or kept already
        amount = (settling.amount_total if kind == CREDIT or not settling.amount_approved
                  else settling.amount_approved)
        recovered, disputed = self._book(
            lead, target, settlement_recovers(kind, target.amount_total, amount), cases,
            settled_by=settling)
        self._outcome(cases.filtered(lambda c: not c.resolution)).write(
            {"resolution": "rebill", "decided_at": fields.Datetime.now()})
        currency = target.currency_id
        note = _("Settled by %(doc)s: %(recovered)s recovered of %(disputed)s disputed.",
                 doc=settling.display_name,
                 recovered=currency.format(recovered), disputed=currency.format(disputed))
        cases.with_context(freight_case_note=True).write(
            {"stage_id": self.env.ref("freight_sync.exception_stage_resolved").id})
        for case in cases:
            case.message_post(body=note)
        target.message_post(body=note)

    # ---- suggested resolution -------------------------------------------------------------

    @api.model
    def _suggestion(self, invoice):
        """How similar settled cases of this carrier were resolved, for the invoice's lead
        open case; ``None`` when too few were."""
        lead = self._lead_case(invoice)
        if not lead or lead.is_closed or lead.resolution:
            return None
        settled = self.env["freight.exception"].sudo().search_fetch([
            ("company_id", "=", lead.company_id.id),
            ("invoice_id.carrier_id", "=", invoice.carrier_id.id),
            ("exception_type", "=", lead.exception_type), ("resolution", "!=", False),
            ("decided_at", "!=", False), ("id", "!=", lead.id)],
            ["charge_kind", "variance_percent", "resolution", "recovery_percent",
             "decided_at", "is_closed"],
            order="decided_at desc", limit=HISTORY_LIMIT)
        history = [SettledCase(
            invoice.carrier_id.id, lead.exception_type, case.charge_kind or None,
            case.variance_percent, case.resolution,
            # a rebill asked for recovers only once the carrier answers
            case.recovery_percent / 100.0 if case.is_closed or case.resolution != "rebill"
            else None, case.decided_at) for case in settled]
        return suggest(
            OpenCase(invoice.carrier_id.id, lead.exception_type, lead.charge_kind or None,
                     lead.variance_percent), history,
            min_similar=max(lead.company_id.freight_suggestion_min_cases, 1))

    @api.model
    def _accept_suggestion(self, invoice):
        """The clerk takes the suggestion: the same decision as the resolve wizard's, with
        the suggestion's evidence as the reason."""
        invoice._check_decision("dispute")
        suggestion = self._suggestion(invoice)
        if not suggestion:
            raise UserError(_("No suggestion for %s: too few similar cases were settled.",
                              invoice.display_name))
        self.env["freight.invoice.resolve"].create({
            "invoice_id": invoice.id, "resolution": suggestion.resolution,
            "reason": _("Suggested resolution accepted: %s", suggestion.evidence),
        }).action_confirm()
        return suggestion

    # ---- the workbench's view of it -------------------------------------------------------

    @api.model
    def _summary(self, invoice):
        lead = self._lead_case(invoice)
        if not lead or not (lead.amount_disputed or lead.dispute_sent_at
                            or invoice.state == "disputed"):
            return None
        contact, endpoints = self._channels(invoice)
        now = fields.Datetime.now()
        state = ("closed" if lead.is_closed else
                 "overdue" if lead.dispute_deadline and lead.dispute_deadline < now else
                 "sent" if lead.dispute_sent_at else "draft")
        channels = ([EMAIL] if contact else []) + ([ENDPOINT] if endpoints else [])
        return {
            "case_id": lead.id, "case_name": lead.name, "state": state,
            "reason": DISPUTE_REASONS.get(invoice.dispute_reason) or False,
            "amount_disputed": lead.amount_disputed or self._disputed(invoice),
            "amount_recovered": lead.amount_recovered,
            "amount_written_off": lead.amount_written_off,
            "sent_at": fields.Datetime.to_string(lead.dispute_sent_at) or False,
            "deadline": fields.Datetime.to_string(lead.dispute_deadline) or False,
            "escalated": lead.dispute_escalated,
            "contact": {"id": contact.id, "name": contact.name, "email": contact.email}
            if contact else False,
            "endpoint": {"id": endpoints[0].id, "name": endpoints[0].name}
            if endpoints else False,
            "channels": channels,
            "packet": {"id": lead.packet_id.id, "name": lead.packet_id.name,
                       "url": f"/web/content/{lead.packet_id.id}"}
            if lead.packet_id else False,
            "settled_by": {"id": lead.rebill_invoice_id.id,
                           "name": lead.rebill_invoice_id.display_name}
            if lead.rebill_invoice_id else False,
        }

    @api.model
    def _suggestion_summary(self, invoice):
        suggestion = self._suggestion(invoice)
        if not suggestion:
            return None
        labels = dict(self.env["freight.exception"]._fields["resolution"]
                      ._description_selection(self.env))
        return {"resolution": suggestion.resolution, "label": labels[suggestion.resolution],
                "evidence": suggestion.evidence, "similar": suggestion.similar,
                "agreeing": suggestion.agreeing,
                "median_recovery": suggestion.median_recovery}
