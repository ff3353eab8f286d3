"""The dispute loop with the carrier through the real intake, audit, packet, mail queue and
outbox: a clerk disputes, sends the packet, the carrier answers by email or with a rebill,
a correction or a credit note, and the dispute closes with what it recovered; the deadline
reminds and escalates; settled cases suggest how to settle the next one."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .invoice_common import ContractCase


def charge(code, amount, line_no=1, pro="PRO-100"):
    return {"line_no": line_no, "references": {"pro_number": pro}, "charge_code": code,
            "quantity": 1, "amount": amount}


REPLY = """Return-Path: <billing@carrier.example>
From: Carrier Billing <billing@carrier.example>
To: freight@company.example
Subject: Re: Dispute
Message-ID: <reply-{n}@carrier.example>
In-Reply-To: {parent}
References: {parent}
Content-Type: text/plain; charset="utf-8"

We checked the weight ticket: a rebill at the contract rate follows this week.
"""


@tagged("freight_sync", "post_install", "-at_install")
class TestDisputeLoop(ContractCase):
    """Expected: linehaul 500.00, fuel 100.00 (ContractCase); the carrier bills 680.00 of
    linehaul: 180.00 over, outside every band."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"freight_auto_post": False, "email": "freight@company.example"})
        cls.billing_contact = cls.env["res.partner"].create({
            "name": "Carrier Billing", "type": "invoice", "parent_id": cls.carrier.id,
            "email": "billing@carrier.example"})
        cls.clerk = new_test_user(cls.env, login="dispute_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")
        cls.dispatcher = new_test_user(cls.env, login="dispute_dispatcher",
                                       groups="base.group_user,freight_sync.group_freight_user")

    def over_billed(self, number="DSP-1", linehaul=680.0, pro="PRO-100"):
        invoice = self.stage(self.canonical(number=number, lines=[
            charge("400", linehaul, pro=pro), charge("405", 100.0, 2, pro=pro)]))
        invoice._audit()
        self.assertEqual(invoice.state, "exception", invoice.audit_summary)
        return invoice

    def disputed(self, number="DSP-1", linehaul=680.0):
        invoice = self.over_billed(number, linehaul)
        self.env["freight.workbench"].with_user(self.clerk)._act(
            invoice.with_user(self.clerk), "dispute", "Linehaul over the contract rate", "rate")
        return invoice

    def rebill(self, number, linehaul, correction="RB", corrects=None):
        document = self.canonical(number=number, lines=[
            charge("400", linehaul), charge("405", 100.0, 2)], correction=correction)
        document["corrects"] = corrects
        document["external_id"] = f"json:{number}:{correction}:{linehaul}"
        invoice = self.stage(document)
        invoice._audit()
        return invoice

    def lead(self, invoice):
        return self.env["freight.dispute"]._lead_case(invoice)

    # ---- packet and sending ----------------------------------------------------------------

    def test_dispute_records_what_is_asked_back(self):
        invoice = self.disputed()
        lead = self.lead(invoice)
        self.assertEqual(invoice.state, "disputed")
        self.assertEqual(lead.amount_disputed, 180.0, "billed 780.00, expected 600.00")
        summary = self.env["freight.dispute"].with_user(self.clerk)._summary(invoice)
        self.assertEqual(summary["state"], "draft")
        self.assertEqual(summary["channels"], ["email"])
        self.assertEqual(summary["contact"]["email"], "billing@carrier.example")

    def test_email_goes_to_the_billing_contact_with_the_packet_and_pod(self):
        invoice = self.disputed()
        pod = self.env["ir.attachment"].create({
            "name": "pod-PRO-100.png", "raw": b"\x89PNG\r\n\x1a\n" + b"0" * 64,
            "mimetype": "image/png", "res_model": "freight.shipment",
            "res_id": self.shipment.id})
        self.shipment.pod_attachment_ids = pod
        Dispute = self.env["freight.dispute"].with_user(self.clerk)
        lead = Dispute._send(invoice.with_user(self.clerk), ["email"])
        self.assertTrue(lead.packet_id.raw.startswith(b"%PDF"), "a PDF, not the test HTML")
        self.assertEqual(lead.dispute_deadline - lead.dispute_sent_at, timedelta(days=14))
        mail = self.env["mail.mail"].sudo().search([
            ("model", "=", "freight.exception"), ("res_id", "=", lead.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued for the mail cron")
        self.assertEqual(mail.recipient_ids, self.billing_contact)
        self.assertIn("DSP-1", mail.subject)
        self.assertEqual(sorted(mail.attachment_ids.mapped("mimetype")),
                         ["application/pdf", "image/png"])
        self.assertIn("180.00", mail.body_html)
        # sent once: a second send before the term is refused, nothing queued again
        with self.assertRaises(UserError):
            Dispute._send(invoice.with_user(self.clerk), ["email"])
        self.assertEqual(self.env["mail.mail"].sudo().search_count([
            ("model", "=", "freight.exception"), ("res_id", "=", lead.id)]), 1)

    def test_the_carrier_reply_lands_in_the_case(self):
        invoice = self.disputed()
        lead = self.env["freight.dispute"].with_user(self.clerk)._send(
            invoice.with_user(self.clerk), ["email"])
        sent = self.env["mail.message"].sudo().search([
            ("model", "=", "freight.exception"), ("res_id", "=", lead.id),
            ("message_type", "=", "comment")], limit=1)
        self.env["mail.thread"].sudo().message_process(
            None, REPLY.format(n=lead.id, parent=sent.message_id))
        reply = lead.message_ids.filtered(lambda m: "weight ticket" in (m.body or ""))
        self.assertEqual(len(reply), 1, "the reply is in the case's chatter")
        self.assertIn("billing@carrier.example", reply.email_from)

    def test_endpoint_gets_signed_json_with_the_packet(self):
        invoice = self.disputed()
        self.endpoint.write({"send_disputes": True,
                             "outbound_url": "http://127.0.0.1:9/disputes"})
        lead = self.env["freight.dispute"].with_user(self.clerk)._send(
            invoice.with_user(self.clerk), ["endpoint"])
        message = self.env["freight.message"].sudo().search([
            ("direction", "=", "out"), ("kind", "=", "dispute")])
        self.assertEqual(len(message), 1)
        document = json.loads(message.payload_attachment_id.raw)["dispute"]
        self.assertEqual(document["invoice"]["number"], "DSP-1")
        self.assertEqual(document["amount_disputed"], 180.0)
        self.assertEqual(document["lines"][0]["variance"], 180.0)
        self.assertEqual(document["packet"]["content_type"], "application/pdf")
        self.assertTrue(document["packet"]["base64"].startswith("JVBER"), "%PDF in base64")
        self.assertEqual(document["id"], lead.id)

    def test_bad_sends_are_refused_and_change_nothing(self):
        invoice = self.over_billed()
        Dispute = self.env["freight.dispute"].with_user(self.clerk)
        with self.assertRaises(UserError, msg="not disputed yet"):
            Dispute._send(invoice.with_user(self.clerk), ["email"])
        invoice = self.disputed("DSP-2")
        for channels in ([], ["fax"], ["endpoint"]):  # no endpoint takes disputes
            with self.assertRaises(UserError, msg=channels):
                Dispute._send(invoice.with_user(self.clerk), channels)
        self.assertFalse(self.lead(invoice).dispute_sent_at)
        self.billing_contact.email = False
        with self.assertRaises(UserError, msg="no billing email"):
            Dispute._send(invoice.with_user(self.clerk), ["email"])
        self.assertFalse(self.lead(invoice).dispute_sent_at)

    def test_a_dispatcher_may_not_dispute_or_send(self):
        invoice = self.disputed()
        with self.assertRaises(AccessError):
            self.env["freight.dispute"].with_user(self.dispatcher)._send(
                invoice.with_user(self.dispatcher), ["email"])
        with self.assertRaises(AccessError):
            self.env["freight.dispute"].with_user(self.dispatcher)._packet(
                invoice.with_user(self.dispatcher))
        self.assertFalse(self.lead(invoice).dispute_sent_at)

    # ---- the deadline ---------------------------------------------------------------------

    def test_reminder_then_escalation(self):
        invoice = self.disputed()
        lead = self.env["freight.dispute"].with_user(self.clerk)._send(
            invoice.with_user(self.clerk), ["email"])
        lead = lead.sudo()
        lead.user_id = self.clerk
        Dispute = self.env["freight.dispute"]
        sent = lead.dispute_sent_at
        with patch.object(fields.Datetime, "now", lambda: sent + timedelta(days=5)):
            Dispute._cron_deadlines()
        self.assertFalse(lead.activity_ids, "not due yet")
        with patch.object(fields.Datetime, "now", lambda: sent + timedelta(days=11, hours=1)):
            Dispute._cron_deadlines()
            Dispute._cron_deadlines()
        self.assertEqual(len(lead.activity_ids), 1, "one reminder, however often the cron runs")
        self.assertEqual(lead.activity_ids.user_id, self.clerk)
        self.assertTrue(lead.dispute_reminded)
        self.assertFalse(lead.dispute_escalated)
        manager = new_test_user(self.env, login="dispute_manager",
                                groups="base.group_user,freight_sync.group_freight_manager")
        with patch.object(fields.Datetime, "now", lambda: sent + timedelta(days=14, hours=1)):
            Dispute._cron_deadlines()
            Dispute._cron_deadlines()
        self.assertTrue(lead.dispute_escalated)
        self.assertEqual(lead.priority, "1")
        self.assertEqual(len(lead.activity_ids.filtered(lambda a: a.user_id == manager)), 1)
        self.assertIn("escalated", lead.message_ids[0].body)
        # once overdue, the clerk may send again: a new term starts
        self.env["freight.dispute"].with_user(self.clerk)._send(
            invoice.with_user(self.clerk), ["email"])
        self.assertFalse(lead.dispute_escalated)

    # ---- the carrier's answer -------------------------------------------------------------

    def test_a_rebill_closes_the_dispute_with_the_recovered_amount(self):
        invoice = self.disputed()
        lead = self.lead(invoice)
        rebill = self.rebill("DSP-1", 500.0, corrects="DSP-1")
        self.assertEqual(rebill.corrects_id, invoice)
        self.assertEqual(rebill.state, "approved", rebill.audit_summary)
        self.assertTrue(lead.is_closed)
        self.assertEqual(lead.amount_recovered, 180.0)
        self.assertEqual(lead.amount_written_off, 0.0)
        self.assertEqual(lead.recovery_percent, 100.0)
        self.assertEqual(lead.rebill_invoice_id, rebill)
        self.assertEqual(lead.resolution, "rebill")
        self.assertEqual(invoice.state, "superseded")
        self.assertIn("180.00 recovered", lead.message_ids[0].body)

    def test_a_partial_rebill_writes_off_the_rest(self):
        invoice = self.disputed()
        lead = self.lead(invoice)
        rebill = self.rebill("DSP-1", 540.0, correction="CO")
        if rebill.state == "exception":
            # 40.00 still over: the dispute waits for the clerk's decision on the rebill
            self.assertFalse(lead.is_closed)
            rebill._approve("Accept the partial rebill")
        self.assertTrue(lead.is_closed)
        self.assertEqual((lead.amount_recovered, lead.amount_written_off), (140.0, 40.0))

    def test_rebill_after_asking_for_one(self):
        invoice = self.over_billed()
        self.env["freight.workbench"].with_user(self.clerk)._act(
            invoice.with_user(self.clerk), "reject", "Please rebill at the contract rate", None)
        # the workbench's reject is a plain rejection; the resolve wizard asks for a rebill
        invoice = self.over_billed("DSP-2")
        self.env["freight.invoice.resolve"].with_user(self.clerk).create({
            "invoice_id": invoice.id, "resolution": "rebill",
            "reason": "Rebill at the contract rate"}).action_confirm()
        self.assertEqual(invoice.state, "rejected")
        lead = self.lead(invoice)
        self.assertEqual(lead.resolution, "rebill")
        self.assertFalse(lead.is_closed)
        rebill = self.rebill("DSP-2", 500.0)
        self.assertEqual(rebill.corrects_id, invoice, "a rebill names the rejected invoice")
        self.assertTrue(lead.is_closed)
        self.assertEqual(lead.amount_recovered, 180.0)

    def credit(self, number, corrects, *amounts):
        credit = self.stage(dict(self.canonical(number=number, lines=[
            charge("400", amount, n) for n, amount in enumerate(amounts, 1)],
            correction="AD"), corrects=corrects, external_id=f"json:{number}:AD"))
        credit._audit()
        if credit.state not in ("approved", "posted"):
            # a credit needs no tolerance, but may need a case
            credit._approve("The carrier's credit")
        return credit

    def test_a_credit_note_closes_the_dispute(self):
        invoice = self.disputed("DSP-3")
        credit = self.credit("DSP-3-CR", "DSP-3", -150.0)
        lead = self.lead(invoice)
        self.assertEqual(credit.corrects_id, invoice)
        self.assertTrue(lead.is_closed)
        self.assertEqual((lead.amount_recovered, lead.amount_written_off), (150.0, 30.0))
        self.assertEqual(lead.rebill_invoice_id, credit)

    def test_a_credit_for_money_we_kept_is_not_refunded_again(self):
        self.env.company.freight_auto_post = True
        invoice = self.over_billed("DSP-4")
        self.env["freight.workbench"].with_user(self.clerk)._act(
            invoice.with_user(self.clerk), "short_pay", "Pay the contract rate", None)
        self.assertEqual((invoice.state, invoice.move_id.amount_total), ("posted", 600.0))
        lead = self.lead(invoice)
        self.assertEqual(lead.amount_recovered, 180.0)
        # the carrier credits the 180.00 we never paid: nothing to refund, nothing counted
        credit = self.credit("DSP-4-CR", "DSP-4", -100.0, -80.0)
        self.assertEqual(credit.corrects_id, invoice)
        self.assertEqual(credit.state, "posted")
        self.assertFalse(credit.move_id, "no refund of money never paid")
        self.assertEqual((credit.amount_approved, credit.line_ids.mapped("approved_amount")),
                         (0.0, [0.0, 0.0]))
        self.assertIn("Nothing to refund", credit.message_ids.mapped("body")[0])
        self.assertEqual(self.shipment.billed_amount, 600.0)
        self.assertEqual((lead.amount_recovered, lead.amount_written_off), (180.0, 0.0))
        # a later credit beyond what we kept is refunded, only the excess of it
        more = self.credit("DSP-4-CR2", "DSP-4", -30.0)
        self.assertEqual(more.move_id.move_type, "in_refund")
        self.assertEqual(more.move_id.amount_total, 30.0)
        self.assertEqual(self.shipment.billed_amount, 570.0)

    def test_a_credit_on_a_rejected_invoice_refunds_nothing(self):
        invoice = self.over_billed("DSP-5")
        self.env["freight.workbench"].with_user(self.clerk)._act(
            invoice.with_user(self.clerk), "reject", "Not our rate", None)
        self.assertEqual(invoice.state, "rejected")
        credit = self.credit("DSP-5-CR", "DSP-5", -780.0)
        self.assertEqual(credit.corrects_id, invoice)
        self.assertFalse(credit.move_id)
        self.assertEqual(credit.amount_approved, 0.0)

    def test_a_cancel_settles_the_dispute_with_all_it_disputed(self):
        invoice = self.disputed()
        lead = self.lead(invoice)
        cancel = self.rebill("DSP-1", 0.0, correction="CA", corrects="DSP-1")
        self.assertEqual(cancel.state, "cancelled", cancel.audit_summary)
        self.assertEqual(invoice.state, "cancelled")
        self.assertTrue(lead.is_closed)
        # the carrier took the whole invoice back: all that was disputed is recovered
        self.assertEqual((lead.amount_recovered, lead.amount_written_off), (180.0, 0.0))
        self.assertEqual(lead.rebill_invoice_id, cancel)

    def test_short_pay_and_override_book_their_outcome_at_once(self):
        invoice = self.over_billed()
        self.env["freight.workbench"].with_user(self.clerk)._act(
            invoice.with_user(self.clerk), "short_pay", "Pay the contract rate", None)
        lead = self.lead(invoice)
        self.assertEqual((lead.resolution, lead.amount_recovered, lead.amount_written_off),
                         ("short_pay", 180.0, 0.0))
        manager = new_test_user(self.env, login="dispute_mgr2",
                                groups="base.group_user,freight_sync.group_freight_manager")
        # another shipment: on the same one, the short-paid invoice's money counts first
        self.like_the_shipment("PRO-200")
        invoice = self.over_billed("DSP-2", pro="PRO-200")
        self.env["freight.workbench"].with_user(manager)._act(
            invoice.with_user(manager), "override", "Agreed on the phone", None)
        lead = self.lead(invoice)
        self.assertEqual((lead.resolution, lead.amount_recovered, lead.amount_written_off),
                         ("override", 0.0, 180.0))
        self.assertTrue(lead.is_closed)
        figures = self.env["freight.dashboard"]._disputes(
            fields.Date.today() - timedelta(days=31), fields.Date.today(), None)
        carrier = figures["carriers"][0]
        self.assertEqual((carrier["disputed"], carrier["recovered"], carrier["written_off"],
                          carrier["settled"], carrier["won"]), (360.0, 180.0, 180.0, 2, 1))

    # ---- suggested resolution -------------------------------------------------------------

    def test_suggestion_from_settled_cases_and_accepting_it(self):
        pros = [f"PRO-H{n}" for n in range(5)]
        for pro in pros:
            self.like_the_shipment(pro)
        history = self.stage(*[self.canonical(number=f"HIST-{n}", lines=[
            charge("400", 560.0 + n, pro=pro), charge("405", 100.0, 2, pro=pro)])
            for n, pro in enumerate(pros)])
        history._audit()
        for n, invoice in enumerate(history):
            self.assertEqual(invoice.state, "exception", invoice.audit_summary)
            invoice.exception_ids._with_guarded_rights().write({
                "resolution": "short_pay", "recovery_percent": 90.0 + n,
                "decided_at": fields.Datetime.now()})
        invoice = self.over_billed("DSP-9", linehaul=570.0)
        Dispute = self.env["freight.dispute"].with_user(self.clerk)
        summary = Dispute._suggestion_summary(invoice.with_user(self.clerk))
        self.assertEqual(summary["resolution"], "short_pay")
        self.assertEqual((summary["agreeing"], summary["similar"]), (5, 5))
        self.assertIn("5 of the last 5 similar rate variances with this carrier",
                      summary["evidence"])
        self.assertIn("median recovery 92 %", summary["evidence"])
        # the workbench's detail carries it; the case form says it too
        detail = self.env["freight.workbench"].with_user(self.clerk)._detail(invoice)
        self.assertEqual(detail["suggestion"]["resolution"], "short_pay")
        self.assertEqual(self.lead(invoice).suggestion, summary["evidence"])
        # fewer similar cases than the setting asks for: nothing suggested, nothing accepted
        self.env.company.freight_suggestion_min_cases = 6
        self.assertIsNone(Dispute._suggestion_summary(invoice))
        with self.assertRaises(UserError):
            Dispute._accept_suggestion(invoice.with_user(self.clerk))
        self.assertEqual(invoice.state, "exception")
        self.env.company.freight_suggestion_min_cases = 5
        # a dispatcher may not take it; the clerk does, with the evidence as the reason
        with self.assertRaises(AccessError):
            self.env["freight.dispute"].with_user(self.dispatcher)._accept_suggestion(
                invoice.with_user(self.dispatcher))
        Dispute._accept_suggestion(invoice.with_user(self.clerk))
        self.assertTrue(invoice.billed_on_expected)
        self.assertEqual(self.lead(invoice).resolution, "short_pay")
        self.assertIn("Suggested resolution accepted", "".join(invoice.message_ids.mapped("body")))
