"""Dispute windows of carrier contracts on the cases, the board's filters, the workbench
and the dashboard's money lost; dates relative to today, as the urgency is."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import FreightCase


@tagged("freight_sync", "post_install", "-at_install")
class TestDisputeWindow(FreightCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["freight.exception"])
        cls.env.company.freight_dispute_urgent_days = 14
        cls.clerk = new_test_user(cls.env, login="window_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")
        cls.dispatcher = new_test_user(cls.env, login="window_dispatcher",
                                       groups="base.group_user,freight_sync.group_freight_user")
        cls.contract = cls.env["freight.rate.contract"].create({
            "name": "Window contract", "carrier_id": cls.carrier.id,
            "date_start": cls.today - timedelta(days=365), "dispute_window_days": 30})
        # cases by days since the invoice date, with a 30-day window:
        cls.lapsed = cls.case("LAPSED", 40, 100.0)  # closed 10 days ago
        cls.urgent = cls.case("URGENT", 20, 20.0)  # 10 days left
        cls.in_window = cls.case("OK", 5, 5.0)  # 25 days left
        cls.sent = cls.case("SENT", 40, 50.0)
        cls.closed = cls.case("CLOSED", 40, 70.0)
        # the dispute went out on the invoice's lead case: the invoice's other case is
        # covered by it
        cls.sent_lead = cls.env["freight.exception"].create({
            "name": "lead", "exception_type": "rate_variance",
            "invoice_id": cls.sent.invoice_id.id, "amount_at_stake": 1.0})
        cls.env["freight.dispute"]._outcome(cls.sent_lead).dispute_sent_at = cls.now
        cls.closed.with_context(freight_case_note=True).write(
            {"stage_id": cls.env.ref("freight_sync.exception_stage_resolved").id})

    @classmethod
    def invoice(cls, number, days_ago, carrier=None):
        return cls.env["freight.invoice"]._with_guarded_rights().create({
            "name": number, "carrier_id": (carrier or cls.carrier).id,
            "currency_id": cls.env.company.currency_id.id,
            "date": cls.today - timedelta(days=days_ago), "amount_total": 1000.0,
            "state": "exception"}).with_env(cls.env)

    @classmethod
    def case(cls, number, days_ago, at_stake, carrier=None):
        return cls.env["freight.exception"].create({
            "name": f"case {number}", "exception_type": "rate_variance",
            "invoice_id": cls.invoice(f"DW-{number}", days_ago, carrier).id,
            "amount_at_stake": at_stake})

    def urgencies(self, cases):
        cases.invalidate_recordset(["dispute_urgency"])
        return cases.mapped("dispute_urgency")

    def found(self, state, user=None):
        Case = self.env["freight.exception"].with_user(user or self.env.user)
        return Case.search([("dispute_urgency", "=", state),
                            ("id", "in", self.all_cases.ids)])

    @property
    def all_cases(self):
        return (self.lapsed | self.urgent | self.in_window | self.sent | self.sent_lead
                | self.closed)

    def test_last_day_is_invoice_date_plus_the_contract_window(self):
        self.assertEqual(self.urgent.dispute_by, self.today + timedelta(days=10))
        self.assertEqual(self.urgent.dispute_by,
                         self.urgent.invoice_id.date + timedelta(days=30))
        self.assertEqual(self.urgencies(self.all_cases),
                         ["lapsed", "urgent", "ok", "sent", "sent", "none"])

    def test_changing_the_window_recomputes_the_last_day(self):
        self.contract.dispute_window_days = 60
        self.assertEqual(self.lapsed.dispute_by, self.lapsed.invoice_id.date + timedelta(days=60))
        self.assertEqual(self.urgencies(self.lapsed | self.urgent), ["ok", "ok"])
        self.contract.dispute_window_days = 0
        self.assertFalse(self.lapsed.dispute_by)
        self.assertEqual(self.urgencies(self.lapsed), ["none"])

    def test_the_contract_valid_on_the_invoice_date_gives_the_window(self):
        # a newer contract from 10 days ago: invoices dated since then take its window
        self.contract.date_end = self.today - timedelta(days=11)
        newer = self.env["freight.rate.contract"].create({
            "name": "Newer", "carrier_id": self.carrier.id,
            "date_start": self.today - timedelta(days=10), "dispute_window_days": 90})
        self.assertEqual(self.in_window.dispute_by,
                         self.in_window.invoice_id.date + timedelta(days=90))
        self.assertEqual(self.urgent.dispute_by,
                         self.urgent.invoice_id.date + timedelta(days=30))
        newer.unlink()
        self.assertFalse(self.in_window.dispute_by)

    def test_no_contract_no_window(self):
        other = self.env["res.partner"].create({"name": "No Contract Carrier",
                                                "is_freight_carrier": True})
        case = self.case("NOCONTRACT", 40, 10.0, carrier=other)
        self.assertFalse(case.dispute_by)
        self.assertEqual(case.dispute_urgency, "none")

    def test_urgent_days_are_a_company_setting(self):
        self.env.company.freight_dispute_urgent_days = 5
        self.assertEqual(self.urgencies(self.urgent), ["ok"])
        self.assertEqual(self.found("ok"), self.urgent | self.in_window)
        self.env.company.freight_dispute_urgent_days = 10  # the last urgent day
        self.assertEqual(self.urgencies(self.urgent), ["urgent"])
        self.assertEqual(self.found("urgent"), self.urgent)

    def test_board_filters_find_what_the_cards_show(self):
        self.assertEqual(self.found("urgent", self.clerk), self.urgent)
        self.assertEqual(self.found("lapsed", self.clerk), self.lapsed)
        # dispatchers see operations cases only: the filter works, finds no billing case
        self.assertFalse(self.found("lapsed", self.dispatcher))
        self.assertEqual(self.found("ok"), self.in_window)
        self.assertEqual(self.found("sent"), self.sent | self.sent_lead)
        self.assertEqual(self.found("none"), self.closed)
        Case = self.env["freight.exception"]
        mine = [("id", "in", self.all_cases.ids)]
        self.assertEqual(Case.search(mine + [("dispute_urgency", "in", ["urgent", "lapsed"])]),
                         self.lapsed | self.urgent)
        self.assertEqual(Case.search(mine + [("dispute_urgency", "!=", "lapsed")]),
                         self.all_cases - self.lapsed)
        # the search and the computation agree on every case, each in one state only
        found = [self.found(state) for state in ("ok", "urgent", "lapsed", "sent", "none")]
        self.assertEqual(sum(len(cases) for cases in found), len(self.all_cases))
        for case in self.all_cases:
            self.assertIn(case, self.found(case.dispute_urgency))

    def test_money_lost_counts_open_lapsed_cases_without_a_dispute(self):
        lost = self.env["freight.dashboard"]._money_lost(self.carrier.id)
        self.assertEqual((lost["count"], lost["value"]), (1, 100.0))
        self.assertEqual(self.env[lost["drill"]["model"]].search(lost["drill"]["domain"]),
                         self.lapsed)
        kpis = self.env["freight.dashboard"].with_user(self.clerk)._figures(
            self.today - timedelta(days=7), self.today, False)["kpis"]
        self.assertEqual((kpis["money_lost"]["count"], kpis["money_lost"]["value"]), (1, 100.0))
        other = self.env["res.partner"].create({"name": "Other", "is_freight_carrier": True})
        self.assertEqual(self.env["freight.dashboard"]._money_lost(other.id)["count"], 0)

    def test_workbench_shows_the_lead_case_window(self):
        workbench = self.env["freight.workbench"].with_user(self.clerk)
        window = workbench._detail(self.urgent.invoice_id)["dispute_window"]
        # the days left are counted from the clerk's today, in the clerk's time zone (around
        # midnight UTC another day than the test's own)
        clerks_today = fields.Date.context_today(workbench)
        last_day = self.today + timedelta(days=10)
        self.assertEqual(window, {
            "case_id": self.urgent.id, "urgency": "urgent",
            "days_left": (last_day - clerks_today).days,
            "dispute_by": fields.Date.to_string(last_day)})
        no_window = self.env["freight.workbench"]._detail(self.case(
            "NOWINDOW", 5, 1.0, carrier=self.env["res.partner"].create(
                {"name": "Free", "is_freight_carrier": True})).invoice_id)
        self.assertIsNone(no_window["dispute_window"])

    def test_only_managers_set_a_contract_window(self):
        with self.assertRaises(AccessError):
            self.contract.with_user(self.clerk).dispute_window_days = 180
        with self.assertRaises(AccessError):
            self.contract.with_user(self.dispatcher).dispute_window_days = 180
