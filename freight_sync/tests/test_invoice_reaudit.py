import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..services.evidence import (
    CONTRACT,
    MILESTONE,
    REFERENCE,
    SHIPMENT,
    evidence_of_change,
    waits_for,
)
from ..services.invoice_payload import parse_invoice_batch
from .invoice_common import ContractCase


@tagged("freight_sync", "freight_pure")
class TestEvidenceRules(BaseCase):
    def test_which_cases_wait_for_which_evidence(self):
        self.assertTrue(waits_for(["missing_pod"], MILESTONE))
        self.assertFalse(waits_for(["rate_variance"], MILESTONE))
        self.assertTrue(waits_for(["duplicate_invoice", "unknown_shipment"], REFERENCE))
        self.assertTrue(waits_for(["rate_variance"], CONTRACT))
        # nothing a carrier or a dispatcher sends settles a number billed twice
        self.assertFalse(any(waits_for(["duplicate_invoice", "currency_mismatch"], evidence)
                             for evidence in (MILESTONE, REFERENCE, SHIPMENT, CONTRACT)))

    def test_what_a_shipment_change_brings(self):
        self.assertEqual(evidence_of_change({"pro_number": "X"}), {REFERENCE})
        self.assertEqual(evidence_of_change(["weight", "name"]), {SHIPMENT, REFERENCE})
        self.assertEqual(evidence_of_change(["user_id", "note"]), set())


@tagged("freight_sync", "post_install", "-at_install")
class TestReauditOnNewEvidence(ContractCase):
    LINES = [{"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
              "amount": 500.0},
             {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
              "amount": 100.0}]

    def audited(self, number, lines=None):
        invoice = self.stage(self.canonical(number=number, lines=lines or self.LINES))
        invoice._audit()
        return invoice

    def run_cron(self):
        return self.env["freight.audit.evidence"]._cron_reaudit()

    def open_types(self, invoice):
        return set(invoice.exception_ids.filtered(lambda c: not c.is_closed)
                   .mapped("exception_type"))

    def test_the_pod_releases_an_invoice_held_for_it(self):
        other = self.make_shipment(
            pro_number="PRO-300", weight=1000.0, mode="ltl",
            origin_partner_id=self.shipment.origin_partner_id.id,
            destination_partner_id=self.shipment.destination_partner_id.id)
        self.add(other, "delivered", 5)
        over = self.audited("POD-2", [dict(self.LINES[0], amount=700.0,
                                           references={"pro_number": "PRO-300"})])
        self.assertEqual(self.open_types(over), {"rate_variance"})
        self.shipment.milestone_ids.filtered(lambda m: m.code == "delivered").unlink()
        held = self.audited("POD-1")
        self.assertEqual(self.open_types(held), {"missing_pod"})
        # held for a price, not for a POD: its shipment's POD changes nothing for it
        self.add(other, "pod_received", 1)
        self.assertFalse(over.reaudit_evidence)
        self.assertFalse(held.reaudit_evidence, "another shipment's POD is not this one's")
        self.add(self.shipment, "pod_received", 1)
        self.assertEqual(held.reaudit_evidence, MILESTONE)
        self.assertEqual(self.run_cron(), 1)
        self.assertEqual(held.state, "approved")
        self.assertTrue(held.move_id)
        self.assertFalse(held.reaudit_evidence)
        self.assertFalse(self.open_types(held))
        closed = held.exception_ids
        self.assertTrue(closed.is_closed)
        self.assertIn("Audited again on new evidence",
                      " ".join(closed.message_ids.mapped("body")))
        self.assertEqual(self.run_cron(), 0, "nothing is audited twice for one POD")

    def test_a_new_shipment_matches_the_line_that_named_it(self):
        unknown = self.audited("NEW-1", [dict(self.LINES[0], references={"pro_number": "P 77"})])
        self.assertEqual(self.open_types(unknown), {"unknown_shipment"})
        later = self.make_shipment(pro_number="P-77")
        self.assertEqual(unknown.reaudit_evidence, REFERENCE)
        self.run_cron()
        self.assertEqual(unknown.line_ids.shipment_id, later)
        self.assertNotIn("unknown_shipment", self.open_types(unknown))

    def test_a_contract_change_prices_the_held_invoice_again(self):
        over = self.audited("RATE-1", [dict(self.LINES[0], amount=600.0)])
        self.assertEqual(self.open_types(over), {"rate_variance"})
        contract = self.env["freight.rate.contract"].search([("carrier_id", "=",
                                                              self.carrier.id)])
        # the renegotiated rate the carrier billed, saved on the lane itself
        contract.line_ids.rate = 0.6
        self.assertEqual(over.reaudit_evidence, CONTRACT)
        self.run_cron()
        self.assertEqual(over.line_ids.expected, 600.0)
        self.assertEqual(over.state, "approved")

    def test_clerks_audit_again_dispatchers_cannot(self):
        clerk = new_test_user(self.env, "reaudit_clerk",
                              groups="freight_sync.group_freight_billing")
        dispatcher = new_test_user(self.env, "reaudit_dispatcher",
                                   groups="freight_sync.group_freight_user")
        self.env.company.freight_auto_approve = False
        invoice = self.audited("AGAIN-1")
        self.assertEqual(invoice.state, "audited")
        with self.assertRaises(AccessError):
            invoice.with_user(dispatcher).action_reaudit()
        invoice.with_user(clerk).action_reaudit()
        self.assertEqual(invoice.state, "audited")
        self.assertIn("Audited again by", invoice.message_ids[0].body)
        invoice.action_approve()
        with self.assertRaises(UserError):
            invoice.with_user(clerk).action_reaudit()

    def test_replaying_a_message_matches_its_invoices_again(self):
        document = {"invoices": [{
            "number": "RM-1", "date": "2024-07-12", "currency": "USD", "total": 500.0,
            "shipment": {"pro_number": "PRO-888"},
            "lines": [{"charge_code": "400", "amount": 500.0}]}]}
        body = json.dumps(document).encode()
        valid, _errors = parse_invoice_batch(document)
        message = self.env["freight.message"]._store_inbound(
            self.endpoint, "invoices", body, "application/json", "k-rm-1", None, 1)
        self.env["freight.message.event"]._record_keys(
            self.endpoint, message, [(inv["external_id"], "d") for _i, inv in valid])
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        invoice = self.env["freight.invoice"].search([("name", "=", "RM-1")])
        self.assertEqual(self.open_types(invoice), {"unknown_shipment"})
        shipment = self.make_shipment(pro_number="PRO-888")
        # as if the cron had not reached it yet: the replay does
        invoice._set_outcome({"reaudit_evidence": False})
        message.action_replay()
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        self.assertEqual(invoice.line_ids.shipment_id, shipment)
        self.assertEqual(self.env["freight.invoice"].search_count([("name", "=", "RM-1")]), 1)
