import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from .accrual_common import AccrualCase

ROUTE = "/freight_sync/ui/v1/dashboard"
JULY = {"date_from": "2024-07-01", "date_to": "2024-07-14"}  # two whole weeks


@tagged("freight_sync", "post_install", "-at_install")
class TestDashboardRoute(AccrualCase, HttpCase):
    """The dashboard's numbers against a fixture small enough to count by hand: July 2024
    invoices and inbox messages written as they would be stored, today's open accruals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login, groups in (("db_clerk", "freight_sync.group_freight_billing"),
                              ("db_manager", "freight_sync.group_freight_manager"),
                              ("db_dispatcher", "freight_sync.group_freight_user")):
            new_test_user(cls.env, login=login, password=login + "-pass-123",
                          groups="base.group_user," + groups)
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Carrier", "is_freight_carrier": True})
        cls.inv = {key: cls.invoice(key, *values) for key, values in {
            # key: audited (July day, hour), state, billed, expected, extra values
            "A": ((2, 10), "posted", 600.0, 600.0, {"approved_by_rule": True}),
            "B": ((3, 10), "approved", 600.0, 600.0, {"approved_by_rule": True}),
            "C": ((4, 10), "posted", 650.0, 600.0, {"billed_on_expected": True,
                                                      "amount_approved": 600.0}),
            "D": ((9, 10), "rejected", 700.0, 600.0, {}),
            "E": ((10, 10), "exception", 630.0, 600.0, {}),
            "F": ((10, 11), "cancelled", 600.0, 600.0, {}),
            "G": ((1, -1), "approved", 600.0, 600.0, {"approved_by_rule": True}),
            "H": ((8, 10), "approved", 600.0, 600.0, {"approved_by_rule": True,
                                                       "carrier_id": cls.other.id}),
        }.items()}
        for key, kind in (("C", "rate_variance"), ("D", "duplicate_invoice"),
                          ("E", "rate_variance"), ("A", "late_delivery")):
            cls.env["freight.exception"].create({
                "name": f"case {key}", "exception_type": kind, "invoice_id": cls.inv[key].id})
        cls.messages = {key: cls.message(key, *values) for key, values in {
            # key: received (July day), seconds to processed, state
            "M1": (2, 2, "done"), "M2": (2, 4, "done"), "M3": (3, 6, "done"),
            "M4": (4, 100, "done"), "M5": (9, 10, "done"), "M6": (3, None, "dead"),
            "M7": (9, None, "failed"),
        }.items()}
        cls.accrued = cls.env["freight.shipment"]
        for number in ("DB-ACR-1", "DB-ACR-2"):
            cls.accrued |= cls.make_shipment(
                pro_number=number, weight=1000.0, mode="ltl",
                origin_partner_id=cls.origin.id, destination_partner_id=cls.destination.id)
        for shipment in cls.accrued:
            cls.add(shipment, "picked_up", 30)
            cls.add(shipment, "delivered", 6)

    @classmethod
    def invoice(cls, key, audited, state, billed, expected, extra):
        day, hour = audited
        # the fixture states an audit's outcome: written as the application writes it
        return cls.env["freight.invoice"]._with_guarded_rights().create({
            "name": f"DB-{key}", "carrier_id": cls.carrier.id, "currency_id": cls.usd.id,
            "date": datetime(2024, 7, 1).date(), "amount_total": billed,
            "expected_total": expected, "state": state,
            "audited_at": datetime(2024, 7, day) + timedelta(hours=hour), **extra,
        }).with_env(cls.env)

    @classmethod
    def message(cls, key, day, seconds, state):
        received = datetime(2024, 7, day, 8)
        return cls.env["freight.message"].create({
            "endpoint_id": cls.endpoint.id, "kind": "events", "idempotency_key": f"db-{key}",
            "state": state, "received_at": received,
            "processed_at": received + timedelta(seconds=seconds) if seconds else False})

    def call(self, login, **params):
        self.authenticate(login, login + "-pass-123")
        return self.make_jsonrpc_request(ROUTE, params)

    def error(self, login, **params):
        """The JSON-RPC error as the client gets it (make_jsonrpc_request keeps the name only)."""
        self.authenticate(login, login + "-pass-123")
        response = self.url_open(ROUTE, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"})
        return response.json()["error"]["data"]

    def records(self, drill):
        return self.env[drill["model"]].search(drill["domain"])

    def test_invoice_charts_count_what_the_fixture_holds(self):
        answer = self.call("db_clerk", carrier_id=self.carrier.id, **JULY)
        self.assertEqual(answer["weeks"], ["2024-07-01", "2024-07-08"])
        auto = answer["auto_approval"]["series"][0]
        self.assertEqual(auto["values"], [66.7, 0.0])
        self.assertEqual(auto["counts"], [[2, 3], [0, 2]])
        self.assertEqual(self.records(auto["drills"][0]), self.inv["A"] | self.inv["B"])
        kpi = answer["kpis"]["auto_approval_rate"]
        self.assertEqual((kpi["value"], kpi["count"], kpi["of"]), (40.0, 2, 5))
        short, rejected = answer["recovered"]["series"]
        self.assertEqual((short["values"], rejected["values"]), ([50.0, 0.0], [0.0, 700.0]))
        self.assertEqual(self.records(rejected["drills"][1]), self.inv["D"])
        self.assertEqual(answer["kpis"]["recovered"]["value"], 750.0)
        self.assertEqual(self.records(answer["kpis"]["recovered"]["drill"]),
                         self.inv["C"] | self.inv["D"])

    def test_carriers_exception_rate_and_accuracy(self):
        carriers = self.call("db_clerk", **JULY)["carriers"]
        self.assertEqual(carriers["carrier_ids"][:2], [self.carrier.id, self.other.id])
        exception, accuracy = carriers["series"]
        self.assertEqual((exception["values"][:2], accuracy["values"][:2]),
                         ([60.0, 0.0], [40.0, 100.0]))
        self.assertEqual(self.records(exception["drills"][0]),
                         self.inv["C"] | self.inv["D"] | self.inv["E"])
        self.assertEqual(self.records(accuracy["drills"][0]), self.inv["A"] | self.inv["B"])

    def test_an_invoice_with_a_billing_case_is_not_accurate_even_at_zero_variance(self):
        # an unknown shipment leaves nothing to compare: billed equals "expected", yet the
        # invoice was not billed right
        self.env["freight.exception"].create({
            "name": "case B", "exception_type": "unknown_shipment", "invoice_id": self.inv["B"].id})
        accuracy = self.call("db_clerk", **JULY)["carriers"]["series"][1]
        self.assertEqual(accuracy["values"][0], 20.0)
        self.assertEqual(self.records(accuracy["drills"][0]), self.inv["A"])

    def test_open_accruals_by_age(self):
        answer = self.call("db_clerk", carrier_id=self.carrier.id, **JULY)
        chart = answer["accruals"]["series"][0]
        self.assertEqual(answer["accruals"]["labels"][0], "0-30 days")
        self.assertEqual((chart["values"], chart["counts"]), ([1200.0, 0, 0, 0], [2, 0, 0, 0]))
        kpi = answer["kpis"]["open_accruals"]
        self.assertEqual((kpi["value"], kpi["count"]), (1200.0, 2))
        self.assertEqual(self.records(chart["drills"][0]).shipment_id, self.accrued)

    def test_ingestion_latency_and_dead_letters_for_a_manager(self):
        answer = self.call("db_manager", carrier_id=self.carrier.id, **JULY)
        latency = answer["latency"]
        # percentile_cont: [2, 4, 6, 100] → p50 5, p95 6 + 94 × 0.85; overall over five
        self.assertEqual([s["values"] for s in latency["series"]], [[5.0, 10.0], [85.9, 10.0]])
        self.assertEqual((latency["count"], latency["p50"], latency["p95"]), (5, 6.0, 82.0))
        self.assertEqual(self.records(latency["series"][0]["drills"][0]),
                         self.messages["M1"] | self.messages["M2"] | self.messages["M3"]
                         | self.messages["M4"])
        dead = answer["kpis"]["dead_letters"]
        self.assertEqual(dead["value"], 1)
        self.assertEqual(self.records(dead["drill"]), self.messages["M6"])

    def test_a_clerk_sees_no_inbox_and_a_dispatcher_nothing(self):
        answer = self.call("db_clerk", **JULY)
        self.assertIsNone(answer["latency"])
        self.assertIsNone(answer["kpis"]["dead_letters"])
        self.assertEqual(self.error("db_dispatcher", **JULY)["name"],
                         "odoo.exceptions.AccessError")

    def test_bad_params_say_what_to_fix(self):
        for params, message in (({"date_from": "July"}, "date_from must be a date"),
                                ({"carrier_id": "x"}, "carrier_id must be"),
                                ({"date_from": "2024-07-14", "date_to": "2024-07-01"},
                                 "must not be after"),
                                ({"context": {"allowed_company_ids": "1"}},
                                 "allowed_company_ids must be")):
            with self.subTest(params=params):
                error = self.error("db_clerk", **params)
                self.assertEqual(error["name"], "odoo.exceptions.UserError")
                self.assertIn(message, error["message"])

    def test_auto_approval_by_the_audit_is_recorded(self):
        lines = [{"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
                  "amount": 500.0},
                 {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
                  "amount": 100.0}]
        clean, manual = self.stage(self.canonical("DB-AUTO", lines),
                                   self.canonical("DB-MANUAL", [dict(lines[0], amount=530.0)]))
        (clean | manual)._audit()
        self.assertEqual((clean.state, clean.approved_by_rule), ("posted", True))
        self.assertEqual(manual.state, "exception")
        self.env["freight.invoice.resolve"].create({
            "invoice_id": manual.id, "resolution": "override", "reason": "agreed"}).action_confirm()
        self.assertFalse(manual.approved_by_rule)
