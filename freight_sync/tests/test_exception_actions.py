from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import FreightCase


@tagged("freight_sync", "post_install", "-at_install")
class TestExceptionActions(FreightCase):
    """The kanban's quick actions, run as the people who click them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(cls.env, login="exc_dispatcher",
                                       groups="freight_sync.group_freight_user")
        cls.clerk = new_test_user(cls.env, login="exc_clerk",
                                  groups="freight_sync.group_freight_billing")
        cls.manager = new_test_user(cls.env, login="exc_manager",
                                    groups="freight_sync.group_freight_manager")
        Exception_ = cls.env["freight.exception"]
        cls.refused = Exception_.create(
            {"name": "Refused", "exception_type": "delivery_exception"})
        cls.overbilled = Exception_.create(
            {"name": "Overbilled", "exception_type": "rate_variance", "amount_at_stake": 120.0})
        cls.waiting = cls.env.ref("freight_sync.exception_stage_waiting")
        cls.resolved = cls.env.ref("freight_sync.exception_stage_resolved")

    def _last_note(self, case):
        return case.message_ids.sorted("id")[-1:].body or ""

    def test_assign_to_me(self):
        case = self.refused.with_user(self.dispatcher)
        case.action_assign_to_me()
        self.assertEqual(self.refused.user_id, self.dispatcher)

    def test_dispute_moves_to_waiting_and_posts_the_reason(self):
        case = self.overbilled.with_user(self.clerk)
        self.assertFalse(case.is_waiting)
        case.action_dispute("rate", "  Contract says 1.20/kg <b>not</b> 1.45 ")
        self.assertEqual(self.overbilled.stage_id, self.waiting)
        self.assertEqual(self.overbilled.dispute_reason, "rate")
        self.assertTrue(case.is_waiting)
        body = self._last_note(self.overbilled)
        self.assertIn("Rate not as contracted", body)
        # the clerk's text is escaped, never rendered as markup
        self.assertIn("&lt;b&gt;not&lt;/b&gt;", body)
        self.assertEqual(self.overbilled.message_ids.sorted("id")[-1].author_id,
                         self.clerk.partner_id)

    def test_dispute_needs_a_note_and_a_known_reason(self):
        case = self.overbilled.with_user(self.clerk)
        for reason, note in (("rate", ""), ("rate", "   "), ("rate", None), ("bogus", "x")):
            with self.subTest(reason=reason, note=note), self.assertRaises(UserError):
                case.action_dispute(reason, note)
        self.assertNotEqual(self.overbilled.stage_id, self.waiting)

    def test_resolve_closes_with_a_note(self):
        case = self.refused.with_user(self.dispatcher)
        with self.assertRaises(UserError):
            case.action_resolve(" ")
        case.action_resolve("Redelivered on Monday")
        self.assertEqual(self.refused.stage_id, self.resolved)
        self.assertTrue(self.refused.is_closed)
        self.assertIn("Redelivered on Monday", self._last_note(self.refused))
        with self.assertRaises(UserError):
            case.action_dispute("service", "too late")
        with self.assertRaises(UserError):
            case.action_resolve("again")

    def test_each_team_acts_on_its_own_cases_only(self):
        with self.assertRaises(AccessError):
            self.overbilled.with_user(self.dispatcher).action_assign_to_me()
        with self.assertRaises(AccessError):
            self.refused.with_user(self.clerk).action_resolve("not mine")
        both = self.refused | self.overbilled
        for user, expected in ((self.dispatcher, self.refused), (self.clerk, self.overbilled),
                               (self.manager, both)):
            with self.subTest(user=user.login):
                Cases = self.env["freight.exception"].with_user(user)
                self.assertEqual(Cases.search([("id", "in", both.ids)]), expected)
        both.with_user(self.manager).action_dispute("other", "chasing both")
        self.assertEqual(both.stage_id, self.waiting)

    def test_employee_without_freight_group_cannot_act(self):
        employee = new_test_user(self.env, login="exc_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.refused.with_user(employee).action_assign_to_me()

    def test_dragging_a_card_to_a_closing_stage_needs_the_note(self):
        case = self.overbilled.with_user(self.clerk)
        with self.assertRaisesRegex(UserError, "Close a case with a note"):
            case.write({"stage_id": self.resolved.id})
        self.assertFalse(self.overbilled.is_closed)
        case.write({"stage_id": self.waiting.id})  # other stages move freely
        self.assertEqual(self.overbilled.stage_id, self.waiting)
