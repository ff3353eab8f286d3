"""No path around the audit: every role against every decision, in the model (with_user)
and over real XML-RPC and JSON-RPC; the audit's matching stays within the invoice's company.
"""

import json
import xmlrpc.client
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.freight_guarded_mixin import GUARD_KEY
from .invoice_common import ContractCase

ROLES = {
    "dispatcher": "freight_sync.group_freight_user",
    "clerk": "freight_sync.group_freight_billing,account.group_account_invoice",
    "manager": "freight_sync.group_freight_manager,account.group_account_manager",
    "integration": "freight_sync.group_freight_integration",
}
LINEHAUL = {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
            "amount": 500.0}
ACCESS_ERROR, USER_ERROR = 4, 2  # Odoo's XML-RPC fault codes
FUEL = {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
        "amount": 100.0}


class ControlsCase(ContractCase):
    """One user per role; invoices at 0, 15 and 30 over the expected 600.00, with an
    override threshold of 20.00 and no automatic approval."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"freight_auto_approve": False, "freight_override_threshold": 20.0})
        cls.users = {role: new_test_user(cls.env, login=f"ctl_{role}",
                                         password=f"ctl_{role}-pass-123",
                                         groups="base.group_user," + groups)
                     for role, groups in ROLES.items()}

    def fresh_lines(self, over=0.0):
        """Linehaul billed ``over`` above the expected 500.00 and fuel, for a shipment of
        their own (a second bill for the same shipment would be a duplicate)."""
        self.serial = getattr(self, "serial", 0) + 1
        shipment = self.like_the_shipment(f"CTL-PRO-{self.serial}")
        references = {"pro_number": shipment.pro_number}
        return f"CTL-{self.serial}", [
            dict(LINEHAUL, amount=500.0 + over, references=references),
            dict(FUEL, references=references)]

    def audited(self, over):
        """A fresh invoice billed ``over`` above the expected amount, audited."""
        staged = self.stage(self.canonical(*self.fresh_lines(over)))
        staged._audit()
        self.assertEqual(staged.state, "exception" if over else "audited")
        return staged


    def invoice_for(self, over):
        if over is None:  # not audited yet
            return self.stage(self.canonical(*self.fresh_lines(30.0)))
        if over == "approved":  # approved without a bill yet (the bill failed, say)
            invoice = self.audited(0)
            invoice._set_outcome({"state": "approved"})
            return invoice
        return self.audited(over)


@tagged("freight_sync", "post_install", "-at_install")
class TestDecisionRights(ControlsCase):
    """Each decision path as each role, through the model's own methods."""

    def resolve(self, invoice, resolution, **values):
        self.env["freight.invoice.resolve"].with_user(invoice.env.user).create({
            "invoice_id": invoice.id, "resolution": resolution, "reason": "checked", **values},
        ).action_confirm()

    def workbench(self, invoice):
        return self.env["freight.workbench"].with_user(invoice.env.user)

    def paths(self):
        """path -> (invoice overbilled by, decide as the invoice's user, state after)."""
        return {
            "approve": (0, lambda inv: inv.action_approve(), "approved"),
            "bulk approve": (0, lambda inv: self.workbench(inv)._bulk_approve(inv), "approved"),
            "override within threshold": (15, lambda inv: self.resolve(inv, "override"),
                                          "approved"),
            "override above threshold": (30, lambda inv: self.resolve(inv, "override"),
                                         "approved"),
            "approve above threshold": (30, lambda inv: inv.action_approve(), "approved"),
            "short-pay": (30, lambda inv: self.resolve(inv, "short_pay"), "approved"),
            # paying all that was billed is an override of the variance, whatever its name
            "short-pay above threshold": (30, lambda inv: self.resolve(
                inv, "short_pay", amount=inv.amount_total), "approved"),
            "rebill": (30, lambda inv: self.resolve(inv, "rebill"), "rejected"),
            "reject": (30, lambda inv: self.resolve(inv, "reject"), "rejected"),
            "dispute": (30, lambda inv: self.workbench(inv)._act(inv, "dispute", "see POD",
                                                                  "rate"), "disputed"),
            "audit": (None, lambda inv: inv.action_audit(), "exception"),
            "post bill": ("approved", lambda inv: inv.action_post(), "approved"),
        }

    # role -> the paths it may take; every other path is refused
    ALLOWED = {
        "dispatcher": set(),
        "integration": set(),
        "clerk": {"approve", "bulk approve", "override within threshold", "short-pay",
                  "rebill", "reject", "dispute", "audit", "post bill"},
        "manager": {"approve", "bulk approve", "override within threshold",
                    "override above threshold", "short-pay", "short-pay above threshold",
                    "rebill", "reject", "dispute",
                    "audit", "post bill"},
    }

    def test_every_role_on_every_decision_path(self):
        for role, user in self.users.items():
            for path, (over, decide, state_after) in self.paths().items():
                with self.subTest(role=role, path=path):
                    invoice = self.invoice_for(over)
                    before = invoice.state
                    as_user = invoice.with_user(user)
                    if path in self.ALLOWED[role]:
                        decide(as_user)
                        self.assertEqual(invoice.state, state_after)
                        if path == "post bill":
                            self.assertTrue(invoice.move_id)
                        continue
                    # a path open to nobody is refused as a plain error (not within
                    # tolerance); a role's missing right as an access error
                    with self.assertRaises(UserError), self.env.cr.savepoint():
                        result = decide(as_user)
                        # bulk approval reports per invoice instead of raising
                        if isinstance(result, dict) and not result["approved"]:
                            raise UserError(result["results"][0]["message"])
                    self.assertEqual(invoice.state, before)
                    self.assertFalse(invoice.move_id)

    def test_a_clerk_is_refused_as_an_access_error_above_the_threshold(self):
        invoice = self.audited(30).with_user(self.users["clerk"])
        with self.assertRaisesRegex(AccessError, "only a Freight Manager"):
            self.resolve(invoice, "override")
        with self.assertRaisesRegex(UserError, "not within tolerance"):
            invoice.action_approve()
        for role in ("dispatcher", "integration"):
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, "decide on"):
                self.audited(0).with_user(self.users[role]).action_approve()

    def test_the_audit_still_approves_by_itself(self):
        self.env.company.freight_auto_approve = True
        invoice = self.stage(self.canonical(*self.fresh_lines()))
        # as the carrier's technical user's message would: staged, then audited as the system
        invoice.with_user(self.users["integration"]).sudo()._audit()
        self.assertEqual((invoice.state, invoice.approved_by_rule), ("approved", True))
        self.assertTrue(invoice.move_id)


@tagged("freight_sync", "post_install", "-at_install")
class TestGuardedFields(ControlsCase):
    """What the carrier sent, what the audit and the decisions made of it, and a shipment's
    derived status: refused to every user's write and create, the administrator's too."""

    def test_nobody_writes_the_audit_outcome(self):
        invoice = self.audited(30)
        line = invoice.line_ids[0]
        writes = [
            (invoice, {"state": "approved"}), (invoice, {"amount_total": 1.0}),
            (invoice, {"expected_total": 630.0}), (invoice, {"variance_total": 0.0}),
            (invoice, {"approved_by_rule": True}), (invoice, {"billed_on_expected": True}),
            (invoice, {"dispute_reason": "rate"}), (invoice, {"carrier_id": self.carrier.id}),
            (invoice, {"line_ids": [Command.create({"charge_code": "400", "amount": 9.0})]}),
            (line, {"expected": 530.0}), (line, {"amount": 500.0}), (line, {"decision": "ok"}),
            (line, {"variance": 0.0}), (line, {"allowance": 99.0}), (line, {"trace": "ok"}),
            (line, {"shipment_id": False}),
        ]
        for role, user in [*self.users.items(), ("admin", self.env.ref("base.user_admin"))]:
            for record, values in writes:
                with self.subTest(role=role, model=record._name, values=values), \
                        self.assertRaises(AccessError), self.env.cr.savepoint():
                    record.with_user(user).write(values)
        self.assertEqual((invoice.state, invoice.amount_total, line.expected),
                         ("exception", 630.0, 500.0))

    def test_nobody_writes_a_cases_decision_or_recovery(self):
        invoice = self.audited(30)
        case = invoice.exception_ids[:1]
        self.assertTrue(case)
        writes = [{"resolution": "override"}, {"decided_at": "2024-07-12 10:00:00"},
                  {"amount_recovered": 30.0}, {"amount_written_off": 0.0},
                  {"amount_disputed": 1.0}, {"recovery_percent": 100.0},
                  {"dispute_sent_at": "2024-07-12 10:00:00"}, {"dispute_escalated": True},
                  {"dispute_deadline": False}, {"rebill_invoice_id": invoice.id},
                  {"closed_at": "2024-07-12 10:00:00"}]
        for role, user in [*self.users.items(), ("admin", self.env.ref("base.user_admin"))]:
            for values in writes:
                with self.subTest(role=role, values=values), \
                        self.assertRaises(AccessError), self.env.cr.savepoint():
                    case.with_user(user).write(values)
            with self.subTest(role=role, create=True), self.assertRaises(AccessError), \
                    self.env.cr.savepoint():
                case.with_user(user).sudo().create({
                    "name": "Made up", "exception_type": "rate_variance",
                    "amount_recovered": 500.0})
        # what a clerk does to a case stays open to them, and closing still stamps the time
        clerk_case = case.with_user(self.users["clerk"])
        clerk_case.action_assign_to_me()
        clerk_case.action_resolve("Carrier agreed on the phone")
        self.assertTrue(case.closed_at)
        self.assertEqual((case.resolution, case.amount_recovered), (False, 0.0))

    def test_a_clerk_cannot_approve_by_write_then_bill(self):
        invoice = self.audited(30).with_user(self.users["clerk"])
        with self.assertRaisesRegex(AccessError, "nobody edits these"):
            invoice.write({"state": "approved"})
        invoice.action_post()  # nothing approved: nothing to bill
        self.assertFalse(invoice.move_id)

    def test_a_forged_key_or_default_is_not_the_applications_pass(self):
        invoice = self.audited(30).with_user(self.users["manager"])
        for forged in (True, "1", {"x": 1}, repr(object())):
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                invoice.with_context(**{GUARD_KEY: forged}).write({"state": "approved"})
        Invoice = self.env["freight.invoice"].with_user(self.users["clerk"])
        with self.assertRaises(AccessError):
            Invoice.with_context(default_state="approved").create({"upload_id": False})
        with self.assertRaises(AccessError):
            invoice.copy()

    def test_lines_and_approved_invoices_are_not_deleted(self):
        invoice = self.audited(0)
        manager = self.users["manager"]
        with self.assertRaisesRegex(UserError, "only with its invoice"):
            invoice.line_ids[0].with_user(manager).unlink()
        invoice.with_user(self.users["clerk"]).action_approve()
        with self.assertRaisesRegex(UserError, "approved carrier invoice is kept"):
            invoice.with_user(manager).unlink()
        rejected = self.audited(0)
        rejected._set_outcome({"state": "rejected"})
        rejected.with_user(manager).unlink()  # a refused one may go: it was never paid
        self.assertFalse(rejected.exists())

    def test_a_shipment_status_is_derived_only(self):
        self.add(self.shipment, "pod_received", 2)
        self.assertEqual(self.shipment.status, "pod_received")
        for role in ("dispatcher", "manager"):
            for values in ({"status": "delivered"}, {"has_exception": True},
                           {"actual_delivery_date": date(2024, 1, 1)}):
                with self.subTest(role=role, values=values), \
                        self.assertRaisesRegex(AccessError, "record a milestone"), \
                        self.env.cr.savepoint():
                    self.shipment.with_user(self.users[role]).write(values)
        dispatcher = self.env["freight.shipment"].with_user(self.users["dispatcher"])
        with self.assertRaises(AccessError):
            dispatcher.create({"carrier_id": self.carrier.id, "status": "delivered"})
        self.assertEqual(self.shipment.status, "pod_received")
        # what a dispatcher edits stays editable
        self.shipment.with_user(self.users["dispatcher"]).write({"service_level": "Noon"})


@tagged("freight_sync", "post_install", "-at_install")
class TestControlsOverRpc(ControlsCase, HttpCase):
    """The same answers over real XML-RPC and JSON-RPC as through the model."""

    def rpc(self, role, model, method, *args, **kwargs):
        login = f"ctl_{role}"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login + "-pass-123",
                                              {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, login + "-pass-123",
                                             model, method, list(args), kwargs)

    def refused(self, fault_code, *call, **kwargs):
        """The refusal's message; ``fault_code`` is Odoo's: 4 access error, 2 user error."""
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.rpc(*call, **kwargs)
        self.assertEqual(caught.exception.faultCode, fault_code, caught.exception.faultString)
        return caught.exception.faultString

    def test_clerk_refusals_over_xmlrpc(self):
        invoice = self.audited(30)
        line = invoice.line_ids[0]
        self.assertIn("not within tolerance", self.refused(
            USER_ERROR, "clerk", "freight.invoice", "action_approve", [invoice.id]))
        wizard = self.rpc("clerk", "freight.invoice.resolve", "create", {
            "invoice_id": invoice.id, "resolution": "override", "reason": "agreed"})
        self.assertIn("only a Freight Manager", self.refused(
            ACCESS_ERROR, "clerk", "freight.invoice.resolve", "action_confirm", [wizard]))
        self.assertIn("nobody edits these", self.refused(
            ACCESS_ERROR, "clerk", "freight.invoice", "write", [invoice.id],
            {"state": "approved"}))
        self.rpc("clerk", "freight.invoice", "action_post", [invoice.id])
        for model, record, values in (("freight.invoice", invoice, {"amount_total": 600.0}),
                                      ("freight.invoice.line", line, {"expected": 530.0})):
            with self.subTest(model=model):
                self.assertIn("nobody edits these", self.refused(
                    ACCESS_ERROR, "clerk", model, "write", [record.id], values))
        # a context key over RPC is a string at best, never the server's own pass
        self.assertIn("nobody edits these", self.refused(
            ACCESS_ERROR, "manager", "freight.invoice", "write", [invoice.id],
            {"state": "approved"}, context={GUARD_KEY: True}))
        invoice.invalidate_recordset()
        self.assertEqual((invoice.state, invoice.amount_total, line.expected, invoice.move_id),
                         ("exception", 630.0, 500.0, invoice.move_id.browse()))

    def rpc_paths(self):
        """path -> (invoice overbilled by, decide over XML-RPC as ``role``, state after):
        the model paths of TestDecisionRights that XML-RPC reaches (bulk approval and the
        dispute go through the workbench's routes, tested in test_workbench.py)."""
        def resolve(resolution, **values):
            def decide(role, invoice):
                wizard = self.rpc(role, "freight.invoice.resolve", "create", {
                    "invoice_id": invoice.id, "resolution": resolution, "reason": "checked",
                    **{k: v(invoice) for k, v in values.items()}})
                self.rpc(role, "freight.invoice.resolve", "action_confirm", [wizard])
            return decide

        def call(method):
            return lambda role, invoice: self.rpc(role, "freight.invoice", method, [invoice.id])
        return {
            "approve": (0, call("action_approve"), "approved"),
            "override within threshold": (15, resolve("override"), "approved"),
            "override above threshold": (30, resolve("override"), "approved"),
            "approve above threshold": (30, call("action_approve"), "approved"),
            "short-pay": (30, resolve("short_pay"), "approved"),
            "short-pay above threshold": (
                30, resolve("short_pay", amount=lambda inv: inv.amount_total), "approved"),
            "rebill": (30, resolve("rebill"), "rejected"),
            "reject": (30, resolve("reject"), "rejected"),
            "audit": (None, call("action_audit"), "exception"),
            "post bill": ("approved", call("action_post"), "approved"),
        }

    def test_every_role_on_every_decision_path_over_xmlrpc(self):
        for role in self.users:
            for path, (over, decide, state_after) in self.rpc_paths().items():
                with self.subTest(role=role, path=path):
                    invoice = self.invoice_for(over)
                    before = invoice.state
                    if path in TestDecisionRights.ALLOWED[role]:
                        decide(role, invoice)
                        invoice.invalidate_recordset()
                        self.assertEqual(invoice.state, state_after)
                        continue
                    with self.assertRaises(xmlrpc.client.Fault):
                        decide(role, invoice)
                    invoice.invalidate_recordset()
                    self.assertEqual((invoice.state, invoice.move_id),
                                     (before, invoice.move_id.browse()))

    def test_manager_override_above_threshold_over_xmlrpc(self):
        invoice = self.audited(30)
        wizard = self.rpc("manager", "freight.invoice.resolve", "create", {
            "invoice_id": invoice.id, "resolution": "override", "reason": "carrier's POD"})
        self.rpc("manager", "freight.invoice.resolve", "action_confirm", [wizard])
        invoice.invalidate_recordset()
        self.assertEqual(invoice.state, "approved")
        self.assertEqual(invoice.move_id.amount_total, 630.0)

    def test_dispatcher_cannot_write_the_status_over_xmlrpc(self):
        self.add(self.shipment, "pod_received", 2)
        self.assertIn("record a milestone", self.refused(
            ACCESS_ERROR, "dispatcher", "freight.shipment", "write", [self.shipment.id],
            {"status": "delivered"}))
        self.shipment.invalidate_recordset()
        self.assertEqual(self.shipment.status, "pod_received")

    def test_no_role_books_a_recovery_over_xmlrpc(self):
        case = self.audited(30).exception_ids[:1]
        for role in self.users:
            with self.subTest(role=role):
                refusal = self.refused(
                    ACCESS_ERROR, role, "freight.exception", "write", [case.id],
                    {"amount_recovered": 30.0, "resolution": "short_pay"})
                # a dispatcher does not even see billing cases
                if role != "dispatcher":
                    self.assertIn("nobody edits these", refusal)
        case.invalidate_recordset()
        self.assertEqual((case.amount_recovered, case.resolution), (0.0, False))

    def test_clerk_approve_above_threshold_over_jsonrpc(self):
        invoice = self.audited(30)
        self.authenticate("ctl_clerk", "ctl_clerk-pass-123")
        response = self.url_open("/web/dataset/call_kw", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "model": "freight.invoice", "method": "action_approve",
                "args": [[invoice.id]], "kwargs": {}}}),
            headers={"Content-Type": "application/json"})
        self.assertIn("not within tolerance", response.json()["error"]["data"]["message"])
        invoice.invalidate_recordset()
        self.assertEqual(invoice.state, "exception")


@tagged("freight_sync", "post_install", "-at_install")
class TestCompanyScopedAudit(ControlsCase):
    """An invoice of company B never matches company A's shipment, contract or invoices."""

    def test_an_invoice_of_another_company_matches_nothing_of_this_one(self):
        company_b = self.env["res.company"].create({"name": "Freight B",
                                                    "currency_id": self.usd.id})
        company_b.freight_auto_approve = False
        # the same carrier and the same invoice number in company A, already approved
        approved_a = self.audited(0)
        approved_a.action_approve()
        shipment_b = self.like_the_shipment("PRO-200", company_id=company_b.id)
        document = self.canonical(approved_a.name, [
            LINEHAUL, dict(LINEHAUL, line_no=2, references={"pro_number": "PRO-200"})])
        staged, errors = self.env["freight.invoice"]._stage(
            [dict(document, external_id="json:B")], company_b, self.carrier)
        self.assertFalse(errors)
        staged._audit()
        a_line, b_line = staged.line_ids.sorted("line_no")
        # company A's shipment with that PRO is not company B's
        self.assertFalse(a_line.shipment_id)
        self.assertEqual(a_line.decision, "unmatched")
        # company B's own shipment matches, but company A's contract does not price it
        self.assertEqual(b_line.shipment_id, shipment_b)
        self.assertIn("no contract of this carrier", b_line.trace)
        kinds = set(staged.exception_ids.mapped("exception_type"))
        self.assertIn("unknown_shipment", kinds)
        # company A's invoice of the same number is not company B's duplicate
        self.assertNotIn("duplicate_invoice", kinds)
        self.assertEqual(staged.exception_ids.company_id, company_b)
