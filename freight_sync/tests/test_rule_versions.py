import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..services.inbox import RULES_VERSION
from .invoice_common import ContractCase

# linehaul billed 8.00 over the 500.00 expected: within ±2 % (10.00), not within ±1 % (5.00)
LINES = [{"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
          "amount": 508.0},
         {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
          "amount": 100.0}]


@tagged("freight_sync", "post_install", "-at_install")
class TestAuditRuleVersions(ContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"freight_tolerance_percent": 2.0, "freight_tolerance_amount": 25.0,
                           "freight_tolerance_combine": "lesser"})
        cls.clerk = new_test_user(cls.env, login="rules_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")

    def audited(self, number):
        invoice = self.stage(self.canonical(number=number, lines=LINES))
        invoice._audit()
        return invoice

    def test_the_audit_records_the_rules_it_applied(self):
        invoice = self.audited("RV-1")
        snapshot = invoice.rule_snapshot_id
        self.assertTrue(snapshot)
        config = json.loads(snapshot.config)
        self.assertEqual(config["rules_version"], RULES_VERSION)
        self.assertEqual(config["tolerances"]["default"], [2.0, 25.0, "lesser"])
        contract = self.env["freight.rate.contract"].search([("carrier_id", "=",
                                                              self.carrier.id)])
        self.assertEqual(list(config["contracts"]), [str(contract.id)])
        self.assertEqual(invoice.audit_decision, "approve")
        # the same rules, the same row; other rules, another one
        self.assertEqual(self.audited("RV-2").rule_snapshot_id, snapshot)
        contract.fuel_percent = 21.0
        third = self.audited("RV-3")
        self.assertNotEqual(third.rule_snapshot_id, snapshot)
        self.assertNotEqual(json.loads(third.rule_snapshot_id.config)["contracts"],
                            config["contracts"])

    def test_replay_as_originally_and_with_today_rules(self):
        invoice = self.audited("RV-10")
        linehaul = invoice.line_ids.filtered(lambda line: line.charge_code == "400")
        self.assertEqual((linehaul.decision, linehaul.allowance), ("ok", 10.0))
        state, bill = invoice.state, invoice.move_id
        cases = self.env["freight.exception"].search_count([("invoice_id", "=", invoice.id)])
        snapshot = invoice.rule_snapshot_id
        self.company.freight_tolerance_percent = 1.0  # tighter from today on

        [original] = invoice.with_user(self.clerk).replay_audit("original")
        self.assertFalse(original["changed"], original)
        self.assertEqual((original["decision_before"], original["decision_after"]),
                         ("approve", "approve"))
        self.assertEqual(original["lines"][0]["after"]["allowance"], 10.0)
        self.assertIn("tolerance default: [2.0, 25.0, 'lesser'] → [1.0, 25.0, 'lesser']",
                      original["config_changes"])

        [today] = invoice.with_user(self.clerk).replay_audit("today")
        self.assertTrue(today["changed"])
        self.assertEqual(today["decision_after"], "exception")
        line = today["lines"][0]
        self.assertTrue(line["changed"])
        self.assertEqual((line["before"]["decision"], line["before"]["allowance"]),
                         ("ok", 10.0))
        self.assertEqual((line["after"]["decision"], line["after"]["allowance"]),
                         ("over", 5.0))
        # the fuel line is still within its (narrower) band: same decision, other allowance
        fuel = today["lines"][1]
        self.assertEqual((fuel["before"]["decision"], fuel["after"]["decision"],
                          fuel["before"]["allowance"], fuel["after"]["allowance"]),
                         ("ok", "ok", 2.0, 1.0))

        # a dry run: nothing decided, paid or opened twice
        invoice.invalidate_recordset()
        self.assertEqual((invoice.state, invoice.move_id, invoice.rule_snapshot_id),
                         (state, bill, snapshot))
        self.assertEqual(linehaul.decision, "ok")
        self.assertEqual(self.env["freight.exception"].search_count(
            [("invoice_id", "=", invoice.id)]), cases)
        notes = " ".join(invoice.message_ids.mapped("body"))
        self.assertIn("Replayed as originally: same decision", notes)
        self.assertIn("Replayed with today's rules: decision approve → exception", notes)
        self.assertIn("Line 1 (400): ok, expected 500.00 ±10.00", notes)

    def test_replay_as_originally_prices_with_the_contract_as_it_read_then(self):
        invoice = self.audited("RV-30")
        contract = self.env["freight.rate.contract"].search([("carrier_id", "=",
                                                              self.carrier.id)])
        # the lane renegotiated after the audit: 0.5/kg -> 0.45/kg, 500.00 -> 450.00
        contract.line_ids.rate = 0.45

        [original] = invoice.with_user(self.clerk).replay_audit("original")
        self.assertFalse(original["changed"], original)
        self.assertEqual(original["lines"][0]["after"]["expected"], 500.0)
        self.assertTrue(any(change.startswith(f"contract {contract.id}: revision ")
                            for change in original["config_changes"]), original)

        [today] = invoice.with_user(self.clerk).replay_audit("today")
        self.assertEqual(today["decision_after"], "exception")
        line = today["lines"][0]
        self.assertEqual((line["before"]["expected"], line["after"]["expected"]),
                         (500.0, 450.0))
        self.assertEqual((line["before"]["decision"], line["after"]["decision"]),
                         ("ok", "over"))

    def test_replay_is_a_billing_decision(self):
        invoice = self.audited("RV-20")
        dispatcher = new_test_user(self.env, login="rules_dispatcher",
                                   groups="base.group_user,freight_sync.group_freight_user")
        with self.assertRaises(AccessError):
            invoice.with_user(dispatcher).replay_audit("today")
        with self.assertRaises(UserError):
            invoice.replay_audit("tomorrow")
        received = self.stage(self.canonical(number="RV-21", lines=LINES))
        with self.assertRaises(UserError):
            received.replay_audit("today")
        # audited before rule versions were recorded: only today's rules can replay it
        invoice.flush_recordset()
        self.env.cr.execute(SQL("UPDATE freight_invoice SET rule_snapshot_id = NULL"
                                " WHERE id = %s", invoice.id))
        invoice.invalidate_recordset()
        with self.assertRaises(UserError):
            invoice.replay_audit("original")
        self.assertEqual(len(invoice.replay_audit("today")), 1)


@tagged("freight_sync", "post_install", "-at_install")
class TestProcessingRuleVersions(ContractCase):
    def test_a_processing_run_records_the_code_map_revision(self):
        code_map = self.env["freight.code.map"].create({
            "name": "Partner codes",
            "line_ids": [(0, 0, {"external_code": "ZZ1", "milestone_code": "picked_up"})]})
        self.endpoint.code_map_id = code_map
        first = self.receive(self.event("rv-e1"))
        self.process()
        self.assertEqual(first.rules_version, RULES_VERSION)
        config = json.loads(first.rule_snapshot_id.config)
        self.assertEqual((config["kind"], config["rules_version"], config["code_map"]["id"]),
                         ("processing", RULES_VERSION, code_map.id))
        code_map.line_ids.milestone_code = "delivered"
        second = self.receive(self.event("rv-e2", when="2024-07-09T09:00:00-05:00"))
        self.process()
        revision = json.loads(second.rule_snapshot_id.config)["code_map"]["revision"]
        self.assertNotEqual(revision, config["code_map"]["revision"])
        self.assertNotEqual(second.rule_snapshot_id, first.rule_snapshot_id)

    def test_today_rules_compared_with_the_code_map_a_run_applied(self):
        code_map = self.env["freight.code.map"].create({
            "name": "Partner codes",
            "line_ids": [(0, 0, {"external_code": "ZZ1", "milestone_code": "picked_up"})]})
        self.endpoint.code_map_id = code_map
        mapped = {"id": "rv-c1", "shipment": {"pro_number": "PRO100"}, "raw_code": "ZZ1",
                  "event_time": "2024-07-09T08:00:00-05:00"}
        standard = {"id": "rv-c2", "shipment": {"pro_number": "PRO100"}, "raw_code": "D1",
                    "event_time": "2024-07-10T08:00:00-05:00"}
        message = self.receive(mapped, standard)
        self.process()
        milestones = self.env["freight.milestone"].search_count([])
        [same] = message.compare_rules()
        self.assertEqual(same["changes"], [])

        code_map.line_ids.milestone_code = "delivered"
        [changed] = message.compare_rules()
        self.assertEqual(changed["changes"],
                         [{"code": "ZZ1", "then": "picked_up", "today": "delivered"}])
        self.assertIn("ZZ1 picked_up → delivered", message.message_ids[0].body)
        # a dry run: nothing applied again
        self.assertEqual(self.env["freight.milestone"].search_count([]), milestones)
        self.assertEqual(message.state, "done")
        # only those who may replay a message may see what a replay would do
        dispatcher = new_test_user(self.env, login="rules_dispatcher2",
                                   groups="base.group_user,freight_sync.group_freight_user")
        with self.assertRaises(AccessError):
            message.with_user(dispatcher).compare_rules()
        # a run recorded before the codes were kept can only be replayed with today's rules
        config = json.loads(message.rule_snapshot_id.config)
        del config["code_map"]["codes"]
        message.rule_snapshot_id.sudo().write({"config": json.dumps(config)})
        with self.assertRaises(UserError):
            message.compare_rules()

