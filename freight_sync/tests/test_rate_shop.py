import json
from collections import Counter
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, sql_db
from odoo.tests import HttpCase, new_test_user, tagged

from .invoice_common import ContractCase

UI = "/freight_sync/ui/v1"


class RateShopCase(ContractCase):
    """ContractCase's carrier (0.50/kg, minimum 150, fuel 20 %: 600.00 for 1,000 kg, no
    transit days) and three more: Quick (0.55/kg, 2 days: 550.00), Heavy (a lane for
    5,000 kg and more only) and Old (its contract ended in 2024)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.us = cls.env.ref("base.us")
        # the market of these tests is theirs alone: contracts already in the database
        # (demo data of the CI database) would be quoted too
        cls.env["freight.rate.contract"].search(
            [("carrier_id", "!=", cls.carrier.id)]).active = False
        cls.quick = cls.carrier_with_contract("Quick Freight", rate=0.55, transit_days=2)
        cls.heavy = cls.carrier_with_contract("Heavy Only", rate=0.10, weight_min=5000.0)
        cls.old = cls.carrier_with_contract("Old Contract", rate=0.20,
                                            end=date(2024, 6, 30))
        cls.draft = cls.make_shipment(
            pro_number="RS-1", weight=1000.0, mode="ltl",
            origin_partner_id=cls.shipment.origin_partner_id.id,
            destination_partner_id=cls.shipment.destination_partner_id.id)

    @classmethod
    def carrier_with_contract(cls, name, rate, end=False, **lane):
        carrier = cls.env["res.partner"].create({"name": name, "is_freight_carrier": True})
        cls.env["freight.rate.contract"].create({
            "name": name, "carrier_id": carrier.id, "currency_id": cls.usd.id,
            "date_start": date(2024, 1, 1), "date_end": end,
            "fuel_band_ids": [Command.create({"index_from": 0, "index_to": 10, "percent": 5})],
            "accessorial_ids": [Command.create({
                "charge_code_id": cls.env.ref("freight_sync.charge_lft").id, "amount": 50.0})],
            "line_ids": [Command.create({
                "origin_country_id": cls.us.id, "destination_country_id": cls.us.id,
                "mode": "ltl", "basis": "per_kg", "rate": rate, **lane})],
        })
        return carrier


@tagged("freight_sync", "post_install", "-at_install")
class TestRateShopRoute(RateShopCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login, groups in (("rs_dispatcher", "base.group_user,freight_sync.group_freight_user"),
                              ("rs_manager", "base.group_user,freight_sync.group_freight_manager"),
                              ("rs_clerk", "base.group_user,freight_sync.group_freight_billing"),
                              ("rs_portal", "base.group_portal")):
            new_test_user(cls.env, login=login, password=login + "-pass-123", groups=groups)

    def call(self, login, route, **params):
        """The JSON-RPC answer as the client gets it: ``result`` or ``error.data``."""
        self.authenticate(login, login + "-pass-123")
        response = self.url_open(f"{UI}/{route}", data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"}).json()
        return response.get("result"), (response.get("error") or {}).get("data")

    def test_a_dispatcher_gets_every_carrier_ranked(self):
        answer, error = self.call("rs_dispatcher", "rate_shop", shipment_id=self.draft.id,
                                  sort="cost")
        self.assertIsNone(error)
        self.assertEqual([(q["carrier_name"], q["total"], q["transit_days"])
                          for q in answer["quotes"]],
                         [("Quick Freight", 550.0, 2), ("Test Carrier", 600.0, None)])
        self.assertEqual(answer["quotes"][0]["amounts"], {"400": 550.0})
        self.assertEqual({e["carrier_name"]: e["reason"] for e in answer["excluded"]}, {
            "Heavy Only": "weight band 5,000–∞ kg of the lane excludes 1,000.0 kg",
            "Old Contract": f"no contract valid on {answer['date']}",
        })
        self.assertEqual((answer["current_carrier_id"], answer["suggested_carrier_id"]),
                         (self.carrier.id, self.quick.id))
        speed, _error = self.call("rs_manager", "rate_shop", shipment_id=self.draft.id,
                                  sort="speed")
        self.assertEqual([q["carrier_id"] for q in speed["quotes"]],
                         [self.quick.id, self.carrier.id])
        self.assertEqual(len(speed["quotes"][0]["breakdown"]), 5)

    def test_clerks_and_portal_users_are_refused(self):
        for login in ("rs_clerk", "rs_portal"):
            with self.subTest(login=login):
                for route, params in (("rate_shop", {"shipment_id": self.draft.id}),
                                      ("scorecard", {}),
                                      ("rate_shop/choose", {"shipment_id": self.draft.id,
                                                            "carrier_id": self.quick.id})):
                    _answer, error = self.call(login, route, **params)
                    self.assertEqual(error["name"], "odoo.exceptions.AccessError", route)

    def test_a_shipment_of_another_company_is_refused(self):
        company = self.env["res.company"].create({"name": "Rate Shop Elsewhere"})
        elsewhere = self.env["freight.shipment"].with_company(company).create(
            {"company_id": company.id, "pro_number": "RS-ELSEWHERE", "weight": 1000.0})
        _answer, error = self.call("rs_dispatcher", "rate_shop", shipment_id=elsewhere.id)
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        _answer, error = self.call("rs_dispatcher", "rate_shop", shipment_id=999999999)
        self.assertEqual(error["name"], "odoo.exceptions.MissingError")

    def test_bad_params_say_what_to_fix(self):
        for route, params, message in (
                ("rate_shop", {}, "shipment_id is required"),
                ("rate_shop", {"shipment_id": "7"}, "shipment_id must be a positive integer"),
                ("rate_shop", {"shipment_id": self.draft.id, "sort": "cheap"},
                 "sort must be one of"),
                ("rate_shop", {"shipment_id": self.draft.id, "limit": 3},
                 "unknown parameter(s): limit"),
                ("scorecard", {"months": 99}, "months must be a whole number from 1 to 24"),
                ("rate_shop/choose", {"shipment_id": self.draft.id, "carrier_id": "x"},
                 "carrier_id must be a positive integer")):
            with self.subTest(route=route, params=params):
                _answer, error = self.call("rs_dispatcher", route, **params)
                self.assertEqual(error["name"], "odoo.exceptions.UserError")
                self.assertIn(message, error["message"])

    def test_choose_carrier_keeps_the_quoted_total(self):
        answer, error = self.call("rs_dispatcher", "rate_shop/choose", shipment_id=self.draft.id,
                                  carrier_id=self.quick.id, quote={"total": 550.0})
        self.assertIsNone(error)
        self.assertEqual(answer["quoted_total"], 550.0)
        self.draft.invalidate_recordset()
        self.assertEqual((self.draft.carrier_id, self.draft.quoted_total,
                          self.draft.quoted_currency_id, self.draft.quoted_rate_line_id),
                         (self.quick, 550.0, self.usd,
                          self.env["freight.rate.line"].search(
                              [("contract_id.carrier_id", "=", self.quick.id)])))
        self.assertTrue(self.draft.message_ids.filtered(
            lambda m: "Carrier chosen by rate shopping: Quick Freight" in (m.body or "")))

    def test_choose_refuses_a_changed_price_and_a_carrier_without_quote(self):
        for carrier, quote, message in ((self.quick, {"total": 500.0}, "The price changed"),
                                        (self.heavy, None, "weight band")):
            _answer, error = self.call("rs_dispatcher", "rate_shop/choose",
                                       shipment_id=self.draft.id, carrier_id=carrier.id,
                                       quote=quote)
            self.assertEqual(error["name"], "odoo.exceptions.UserError")
            self.assertIn(message, error["message"])
        # delivered: its carrier is no longer a choice
        with self.assertRaisesRegex(Exception, "its carrier is chosen"):
            self.shipment.action_choose_carrier(self.quick.id)
        self.assertEqual(self.draft.carrier_id, self.carrier)

    def test_scorecard_of_a_carrier(self):
        self.shipment.planned_delivery_date = self.now + timedelta(hours=1)
        answer, error = self.call("rs_dispatcher", "scorecard", carrier_id=self.carrier.id,
                                  months=3)
        self.assertIsNone(error)
        self.assertEqual(len(answer["months"]), 3)
        [card] = answer["carriers"]
        self.assertEqual((card["carrier_name"], card["total"]["on_time"]),
                         ("Test Carrier", {"percent": 100.0, "count": 1, "of": 1}))
        quiet, _error = self.call("rs_manager", "scorecard", carrier_id=self.quick.id)
        self.assertEqual(quiet["carriers"][0]["total"]["on_time"]["of"], 0)
        self.assertEqual(len(quiet["carriers"][0]["months"]), 6)


@tagged("freight_sync", "post_install", "-at_install")
class TestRateShopGathering(RateShopCase):
    def queries(self, shipment):
        dispatcher = self.env["res.users"].search([("login", "=", "rsg_dispatcher")]) or \
            new_test_user(self.env, login="rsg_dispatcher",
                          groups="base.group_user,freight_sync.group_freight_user")
        shipment = shipment.with_user(dispatcher)
        self.env.flush_all()
        self.env.invalidate_all()
        log = []
        execute = sql_db.Cursor.execute

        def logged(cursor, query, params=None, log_exceptions=True):
            log.append(str(query)[:200])
            return execute(cursor, query, params, log_exceptions)
        with patch.object(sql_db.Cursor, "execute", logged):
            answer = shipment._rate_shop("best_value")
        return log, answer

    def test_queries_do_not_grow_with_carriers_and_contracts(self):
        self.queries(self.draft)  # the caches every call finds warm (groups, rates, fields)
        few, answer = self.queries(self.draft)
        self.assertEqual(len(answer["quotes"]), 2)
        for number in range(8):
            carrier = self.carrier_with_contract(f"More {number}", rate=0.6 + number / 100,
                                                 transit_days=3)
            self.add(self.make_shipment(carrier_id=carrier.id, pro_number=f"RSG-{number}"),
                     "tendered", 5)
        many, answer = self.queries(self.draft)
        self.assertEqual(len(answer["quotes"]), 10)
        self.assertEqual(len(many), len(few), "\n".join(
            f"{count} {query}" for query, count in (Counter(many) - Counter(few)).items()))
        self.assertLess(len(many), 40)

    def test_the_quote_is_what_the_accrual_expects_once_chosen(self):
        quick = next(q for q in self.draft._rate_shop()["quotes"]
                     if q["carrier_id"] == self.quick.id)
        self.draft.action_choose_carrier(self.quick.id, quick)
        expected = self.env["freight.accrual.booking"]._expected(self.draft)[self.draft.id]
        self.assertEqual(expected.total, quick["total"])
