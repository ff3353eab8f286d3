from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.workbench import (
    BadRequest,
    available_actions,
    explain_line,
    parse_action,
    parse_channels,
    parse_ids,
    parse_queue,
)


@tagged("freight_sync", "at_install")
class TestWorkbenchRules(BaseCase):
    def test_queue_defaults_and_domain(self):
        query = parse_queue({})
        self.assertEqual((query.offset, query.limit, query.order), (0, 40, "date desc, id desc"))
        self.assertEqual(query.filter_domain(date(2024, 7, 30), 7), [])
        query = parse_queue({"filters": {"state": ["exception"], "carrier_id": 3,
                                         "variance_above": 10, "age_days": 30, "mine": True,
                                         "search": "  PRO1 "}})
        domain = query.filter_domain(date(2024, 7, 31), 7)
        self.assertIn(("date", "<=", date(2024, 7, 1)), domain)
        self.assertIn(("exception_ids.user_id", "=", 7), domain)
        self.assertEqual(query.search, "PRO1")

    def test_bad_queue_requests(self):
        for params in ({"page": 1}, {"filters": []}, {"filters": {"mine": 1, "x": 2}},
                       {"limit": 0}, {"limit": True}, {"offset": "abc"},
                       {"filters": {"variance_above": "nan"}}, {"filters": {"search": "x" * 101}},
                       {"filters": {"carrier_id": 0}}, {"filters": {"state": "exception"}}):
            with self.assertRaises(BadRequest, msg=params):
                parse_queue(params)

    def test_actions_need_reasons_and_codes(self):
        self.assertEqual(parse_action({"action": "approve"}), ("approve", "", None, None))
        self.assertEqual(parse_action({"action": "dispute", "reason": " late ",
                                       "reason_code": "service", "amount": 5}),
                         ("dispute", "late", "service", None))
        self.assertEqual(parse_action({"action": "short_pay", "reason": "x", "amount": "12.5"}),
                         ("short_pay", "x", None, 12.5))
        self.assertEqual(parse_action({"action": "short_pay", "reason": "x"})[3], None)
        for params in ({}, {"action": "pay"}, {"action": "reject"},
                       {"action": "short_pay", "reason": "x", "amount": 0},
                       {"action": "short_pay", "reason": "x", "amount": -3},
                       {"action": "short_pay", "reason": "x", "amount": "ten"},
                       {"action": "override", "reason": "   "},
                       {"action": "dispute", "reason": "x", "reason_code": "mood"},
                       {"action": "reject", "reason": 5}):
            with self.assertRaises(BadRequest, msg=params):
                parse_action(params)

    def test_ids(self):
        self.assertEqual(parse_ids([3, 1, 3]), [3, 1])
        for value in (None, [], [0], [True], ["1"], list(range(1, 202))):
            with self.assertRaises(BadRequest, msg=value):
                parse_ids(value)

    def test_dispute_channels(self):
        self.assertEqual(parse_channels(["email", "endpoint", "email"]), ["email", "endpoint"])
        for value in (None, [], "email", ["fax"], [1], [None]):
            with self.assertRaises(BadRequest, msg=value):
                parse_channels(value)

    def test_actions_offered(self):
        self.assertEqual(available_actions("audited", 0, 50, False),
                         ["approve", "dispute", "reject", "reaudit"])
        self.assertEqual(available_actions("exception", 80, 50, False),
                         ["short_pay", "reject", "dispute", "reaudit"])
        self.assertEqual(available_actions("exception", 80, 50, True),
                         ["override", "short_pay", "reject", "dispute", "reaudit"])
        self.assertEqual(available_actions("disputed", 10, 50, False),
                         ["override", "short_pay", "reject"])
        self.assertEqual(available_actions("posted", 0, 50, True), [])

    def test_line_explanations(self):
        self.assertEqual(explain_line("over", 530, 500, 30, 10, "carrier", "USD"),
                         "Billed 530.00 USD against 500.00 expected: 30.00 over, tolerance "
                         "(carrier) allows 10.00 → over the tolerance.")
        self.assertEqual(explain_line("ok", 500, 500, 0, 10, "company"),
                         "Billed 500.00 against 500.00 expected: exactly as expected → "
                         "within policy.")
        self.assertEqual(explain_line("under", 90, 100, -10, 5, "company"),
                         "Billed 90.00 against 100.00 expected: 10.00 under → "
                         "under-billed, accepted.")
        self.assertIn("nothing to compare", explain_line("unmatched", 75, None, None, None, ""))
        self.assertIn("expected unknown", explain_line("unpriced", 75, None, None, None, ""))
