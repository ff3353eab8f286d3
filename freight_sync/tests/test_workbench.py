import json
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from ..models.freight_invoice import FreightInvoice
from ..services.workbench import SORTS
from .invoice_common import ContractCase

UI = "/freight_sync/ui/v1"


@tagged("freight_sync", "post_install", "-at_install")
class TestWorkbenchRoutes(ContractCase, HttpCase):
    """The workbench's JSON routes over real HTTP, as a clerk, a manager and a dispatcher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"freight_auto_approve": False, "freight_override_threshold": 20.0})
        # as the demo users: clerks and managers also have Invoicing rights for the bills
        for login, groups in (("wb_clerk", "freight_sync.group_freight_billing,"
                                           "account.group_account_invoice"),
                              ("wb_manager", "freight_sync.group_freight_manager,"
                                             "account.group_account_manager"),
                              ("wb_dispatcher", "freight_sync.group_freight_user")):
            new_test_user(cls.env, login=login, password=login + "-pass-123",
                          groups="base.group_user," + groups)
        cls.clean = cls.stage_one("WB-CLEAN", cls.lines("PRO-100", 500.0))
        # a shipment each: billed on one invoice, not judged against another's linehaul
        cls.over_small = cls.stage_one("WB-OVER-15", cls.lines("WB-PRO-15", 515.0))
        cls.over_big = cls.stage_one("WB-OVER-30", cls.lines("WB-PRO-30", 530.0))
        cls.env["freight.invoice"].browse(
            (cls.clean | cls.over_small | cls.over_big).ids)._audit()

    @classmethod
    def lines(cls, pro, linehaul):
        if pro != "PRO-100":
            cls.like_the_shipment(pro)
        return [{"line_no": 1, "references": {"pro_number": pro}, "charge_code": "400",
                 "amount": linehaul},
                {"line_no": 2, "references": {"pro_number": pro}, "charge_code": "405",
                 "amount": 100.0}]

    @classmethod
    def stage_one(cls, number, lines):
        staged, errors = cls.env["freight.invoice"]._stage(
            [cls.canonical(number, lines)], cls.env.company, cls.carrier)
        assert not errors, errors
        return staged

    def rpc(self, login, route, params=None):
        self.authenticate(login, login + "-pass-123")
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params or {}})
        response = self.url_open(UI + route, data=body, timeout=30,
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def call(self, login, route, params=None):
        answer = self.rpc(login, route, params)
        self.assertNotIn("error", answer)
        return answer["result"]

    def error(self, login, route, params=None):
        """The exception's name and message, as the client's notification shows them."""
        data = self.rpc(login, route, params)["error"]["data"]
        return f"{data['name']}: {data['message']}"

    def test_audit_outcomes_as_the_fixture_says(self):
        self.assertEqual((self.clean.state, self.over_small.state, self.over_big.state),
                         ("audited", "exception", "exception"))

    def test_queue_filters_sorts_pages_and_searches_by_line_reference(self):
        # "WB-" keeps the demo invoices out of the counts
        page = self.call("wb_clerk", "/invoices/queue", {
            "filters": {"state": ["audited", "exception"], "search": "WB-"},
            "sort": "variance desc", "limit": 2})
        self.assertEqual(page["total"], 3)
        self.assertEqual([row["name"] for row in page["rows"]], ["WB-OVER-30", "WB-OVER-15"])
        self.assertEqual(page["rows"][0]["variance_total"], 30.0)
        self.assertGreaterEqual(page["rows"][0]["open_cases"], 1)
        second = self.call("wb_clerk", "/invoices/queue", {
            "filters": {"state": ["audited", "exception"], "search": "WB-"},
            "sort": "variance desc", "limit": 2, "offset": 2})
        self.assertEqual([row["name"] for row in second["rows"]], ["WB-CLEAN"])
        self.assertTrue(second["rows"][0]["within_tolerance"])
        over = self.call("wb_clerk", "/invoices/queue",
                         {"filters": {"variance_above": 20, "search": "WB-"}})
        self.assertEqual([row["name"] for row in over["rows"]], ["WB-OVER-30"])
        by_pro = self.call("wb_clerk", "/invoices/queue", {"filters": {"search": "PRO100"}})
        self.assertEqual([row["name"] for row in by_pro["rows"]], ["WB-CLEAN"])
        by_pro = self.call("wb_clerk", "/invoices/queue", {"filters": {"search": "WB-PRO-30"}})
        self.assertEqual([row["name"] for row in by_pro["rows"]], ["WB-OVER-30"])
        nothing = self.call("wb_clerk", "/invoices/queue", {"filters": {"search": "NOPE"}})
        self.assertEqual(nothing["total"], 0)

    def test_the_total_is_counted_so_far_past_the_page(self):
        query = {"filters": {"state": ["audited", "exception"], "search": "WB-"}, "limit": 1}
        with patch("odoo.addons.freight_sync.models.freight_workbench.COUNT_AHEAD", 1):
            first = self.call("wb_clerk", "/invoices/queue", query)
            second = self.call("wb_clerk", "/invoices/queue", dict(query, offset=1))
        # 3 match: the first page counts to 2 ("1–1 of 2+"), the second to all 3
        self.assertEqual((first["total"], first["total_capped"]), (2, True))
        self.assertEqual((second["total"], second["total_capped"]), (3, False))

    def test_bad_queue_input_is_refused_in_words(self):
        for params, words in (({"sort": "price; drop"}, "sort must be one of"),
                              ({"limit": 5000}, "limit must be at most 200"),
                              ({"offset": -1}, "offset must be at least 0"),
                              ({"filters": {"state": ["nope"]}}, "state must be a list"),
                              ({"filters": {"variance_above": "lots"}}, "must be a number"),
                              ({"filters": {"colour": "red"}}, "unknown filter")):
            self.assertIn(words, self.error("wb_clerk", "/invoices/queue", params))

    def test_detail_explains_every_line_and_shows_the_evidence(self):
        detail = self.call("wb_clerk", f"/invoices/{self.over_big.id}")
        first = detail["lines"][0]
        self.assertEqual((first["billed"], first["expected"], first["variance"]),
                         (530.0, 500.0, 30.0))
        self.assertIn("Billed 530.00 USD against 500.00 expected: 30.00 over", first["explanation"])
        self.assertTrue(first["trace"])
        contract = detail["contract"]
        self.assertEqual((contract["name"], contract["fuel"]),
                         ("Test LTL", "20.0 % of the linehaul"))
        self.assertEqual(contract["lanes"][0]["basis"], "Per kg")
        self.assertEqual((contract["lanes"][0]["rate"], contract["lanes"][0]["minimum"]),
                         (0.5, 150.0))
        self.assertEqual([(a["code"], a["amount"]) for a in contract["accessorials"]],
                         [("LFT", 85.0)])
        shipment = detail["shipments"][0]
        self.assertEqual([m["code"] for m in shipment["milestones"]], ["delivered", "picked_up"])
        self.assertEqual(detail["actions"], ["short_pay", "reject", "dispute", "reaudit"])
        self.assertEqual(self.call("wb_manager", f"/invoices/{self.over_big.id}")["actions"],
                         ["override", "short_pay", "reject", "dispute", "reaudit"])
        self.assertIn("does not exist", self.error("wb_clerk", "/invoices/999999"))
        # audit again: the same findings on the same evidence, the cases opened anew
        cases = self.over_big.exception_ids
        again = self.call("wb_clerk", f"/invoices/{self.over_big.id}/act", {"action": "reaudit"})
        self.assertEqual((again["state"], again["variance_total"]), ("exception", 30.0))
        self.env.invalidate_all()
        self.assertTrue(all(cases.mapped("is_closed")))
        self.assertTrue((self.over_big.exception_ids - cases).filtered(
            lambda case: case.exception_type == "rate_variance" and not case.is_closed))

    def test_clerk_cannot_override_above_the_threshold_but_a_manager_can(self):
        refused = self.error("wb_clerk", f"/invoices/{self.over_big.id}/act",
                             {"action": "override", "reason": "carrier agreed on the phone"})
        self.assertIn("only a Freight Manager may approve it", refused)
        self.over_big.invalidate_recordset()
        self.assertEqual(self.over_big.state, "exception")
        done = self.call("wb_manager", f"/invoices/{self.over_big.id}/act",
                         {"action": "override", "reason": "carrier agreed on the phone"})
        self.assertEqual(done["state"], "approved")
        small = self.call("wb_clerk", f"/invoices/{self.over_small.id}/act",
                          {"action": "override", "reason": "fuel index moved"})
        self.assertEqual(small["state"], "approved")

    def test_dispute_needs_a_reason_code_and_holds_the_invoice(self):
        route = f"/invoices/{self.over_big.id}/act"
        self.assertIn("reason_code must be one of",
                      self.error("wb_clerk", route, {"action": "dispute", "reason": "x"}))
        self.assertIn("say why", self.error("wb_clerk", route,
                                            {"action": "dispute", "reason_code": "rate"}))
        detail = self.call("wb_clerk", route, {"action": "dispute", "reason_code": "rate",
                                               "reason": "Contract says 0.50/kg"})
        self.assertEqual((detail["state"], detail["dispute_reason"]),
                         ("disputed", "Rate not as contracted"))
        self.assertTrue(all(case["stage"] == "Waiting on Carrier" for case in detail["cases"]))
        self.assertIn("Contract says 0.50/kg", "".join(self.over_big.message_ids.mapped("body")))
        self.assertEqual(detail["actions"], ["short_pay", "reject"])
        paid_less = self.call("wb_clerk", route, {"action": "short_pay", "reason": "no answer"})
        self.assertEqual(paid_less["state"], "approved")
        self.assertEqual(self.over_big.move_id.amount_total, 600.0)

    def test_plain_approve_is_only_for_invoices_within_tolerance(self):
        self.assertIn("not within tolerance", self.error(
            "wb_clerk", f"/invoices/{self.over_small.id}/act", {"action": "approve"}))
        done = self.call("wb_clerk", f"/invoices/{self.clean.id}/act", {"action": "approve"})
        self.assertEqual(done["state"], "approved")
        self.assertEqual(self.clean.move_id.amount_total, 600.0)

    def test_an_audited_invoice_can_be_rejected_with_a_reason(self):
        done = self.call("wb_clerk", f"/invoices/{self.clean.id}/act",
                         {"action": "reject", "reason": "not our shipment"})
        self.assertEqual(done["state"], "rejected")
        self.assertFalse(self.clean.move_id)
        self.assertIn("not our shipment", "".join(self.clean.message_ids.mapped("body")))

    def test_bulk_approve_approves_the_clean_and_says_why_it_skipped_the_rest(self):
        ids = [self.clean.id, self.over_small.id, 987654]
        answer = self.call("wb_clerk", "/invoices/bulk_approve", {"ids": ids})
        self.assertEqual((answer["approved"], answer["skipped"]), (1, 2))
        by_id = {r["id"]: r for r in answer["results"]}
        self.assertTrue(by_id[self.clean.id]["ok"])
        self.assertIn("not within tolerance", by_id[self.over_small.id]["message"])
        self.assertIn("not found", by_id[987654]["message"])
        for bad in ([], ["1"], list(range(1, 300))):
            self.assertIn("ids", self.error("wb_clerk", "/invoices/bulk_approve", {"ids": bad}))

    def test_bulk_approve_falls_back_one_by_one_when_the_batch_fails(self):
        # two invoices ready, one whose bill will fail
        self.over_small._set_outcome({"state": "audited"})
        make_bill = FreightInvoice._bill_values

        def bill_values(invoice, *args):
            if invoice.name == "WB-OVER-15":
                raise UserError("No expense account for charge 405")
            return make_bill(invoice, *args)

        clerk = self.env["res.users"].search([("login", "=", "wb_clerk")])
        invoices = (self.clean | self.over_small).with_user(clerk)
        with patch.object(FreightInvoice, "_bill_values", bill_values):
            answer = self.env["freight.workbench"].with_user(clerk)._bulk_approve(invoices)
        self.assertEqual((answer["approved"], answer["skipped"]), (1, 1))
        by_id = {r["id"]: r for r in answer["results"]}
        self.assertIn("No expense account", by_id[self.over_small.id]["message"])
        self.assertEqual((self.clean.state, self.over_small.state), ("approved", "audited"))
        self.assertTrue(self.clean.move_id)
        self.assertFalse(self.over_small.move_id)

    def test_dispatcher_sees_no_invoices(self):
        for route in ("/invoices/queue", f"/invoices/{self.clean.id}", "/carriers"):
            self.assertIn("AccessError", self.error("wb_dispatcher", route))
        self.assertIn("AccessError", self.error(
            "wb_dispatcher", f"/invoices/{self.clean.id}/act", {"action": "approve"}))
        self.clean.invalidate_recordset()
        self.assertEqual(self.clean.state, "audited")

    def test_other_company_invoices_stay_out_of_reach(self):
        other = self.env["res.company"].create({"name": "Other freight co"})
        clerk = self.env["res.users"].search([("login", "=", "wb_clerk")])
        # the clerk is not in that company (moved as only the application may)
        self.clean._with_guarded_rights().write({"company_id": other.id})
        page = self.call("wb_clerk", "/invoices/queue", {})
        self.assertNotIn(self.clean.id, [row["id"] for row in page["rows"]])
        self.assertNotIn(other, clerk.company_ids)
        self.assertIn("AccessError", self.error("wb_clerk", f"/invoices/{self.clean.id}"))

    def test_carriers_lists_the_carriers(self):
        carriers = self.call("wb_clerk", "/carriers")
        self.assertIn([self.carrier.id, "Test Carrier"], carriers)

    def test_the_workbench_reads_and_acts_as_its_own_user(self):
        # records handed over in another environment (here the superuser's) do not lend
        # the workbench their rights
        dispatcher = self.env["res.users"].search([("login", "=", "wb_dispatcher")])
        workbench = self.env["freight.workbench"].with_user(dispatcher)
        self.env.invalidate_all()  # what is cached is not read again, nor checked
        with self.assertRaises(AccessError):
            workbench._detail(self.clean)
        with self.assertRaises(AccessError):
            workbench._act(self.clean, "approve", "", False)
        with self.assertRaises(AccessError):
            workbench._bulk_approve(self.clean)
        self.assertEqual(self.clean.state, "audited")

    def test_a_variance_page_is_found_in_an_index_alone(self):
        # with a million invoices the heap fetch of every invoice of another state above the
        # page cost 79 ms (tests/bench/run workbench): the page's id search must be able to
        # skip them in the index. The planner would read so small a table whole, so the
        # other ways are turned off for this one EXPLAIN.
        clerk = self.env["res.users"].search([("login", "=", "wb_clerk")])
        query = self.env["freight.invoice"].with_user(clerk)._search(
            [("state", "in", ["audited", "exception"])], limit=40, order=SORTS["variance desc"])
        self.env.cr.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; "
                            "SET LOCAL enable_bitmapscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("SET LOCAL enable_seqscan = on; SET LOCAL enable_sort = on; "
                            "SET LOCAL enable_bitmapscan = on")
        # index-only: the states and the company rule are compared in the index
        self.assertIn("Index Only Scan Backward using "
                      "freight_invoice__unpriced_variance_page_index", plan)
