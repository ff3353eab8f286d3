from datetime import timedelta

from odoo.tests import new_test_user, tagged

from .accrual_common import AccrualCase


@tagged("freight_sync", "post_install", "-at_install")
class TestAccrual(AccrualCase):
    def test_pickup_posts_the_expected_cost(self):
        shipment = self.new_shipment()
        self.add(shipment, "tendered", 50)
        self.assertFalse(self.accruals(shipment))
        picked = self.add(shipment, "picked_up", 30)
        move = self.accruals(shipment)
        self.assertEqual((move.state, move.date, move.move_type),
                         ("posted", picked.event_time.date(), "entry"))
        self.assertEqual(self.debits(move), {"400": 500.0, "405": 100.0})
        credit = move.line_ids.filtered("credit")
        self.assertEqual((credit.account_id, credit.credit), (self.accrued, 600.0))
        self.assertEqual((shipment.accrual_state, shipment.accrual_move_id, shipment.accrued_amount,
                          shipment.expected_cost), ("accrued", move, 600.0, 600.0))

    def test_a_shipment_is_priced_by_its_own_company_contracts_only(self):
        ours = self.env["freight.accrual.booking"]._expected(self.new_shipment())
        company_b = self.env["res.company"].create({"name": "Freight B accruals"})
        theirs = self.env["freight.accrual.booking"]._expected(
            self.new_shipment(company_id=company_b.id))
        self.assertEqual([cost.total for cost in ours.values()], [600.0])
        # the carrier's contract is company A's: company B has none to price with
        (cost_b,) = theirs.values()
        self.assertEqual((cost_b.total, cost_b.missing[:11]), (0.0, "no contract"))

    def test_trigger_milestone_follows_the_setting(self):
        for trigger, first, second in (("delivered", "picked_up", "delivered"),
                                       ("accepted", "tendered", "accepted")):
            with self.subTest(trigger=trigger):
                self.env.company.freight_accrual_trigger = trigger
                shipment = self.new_shipment()
                self.add(shipment, first, 20)
                self.assertFalse(self.accruals(shipment))
                self.add(shipment, second, 10)
                self.assertEqual(len(self.accruals(shipment)), 1)

    def test_replays_and_later_milestones_accrue_nothing_more(self):
        shipment = self.new_shipment()
        picked = self.add(shipment, "picked_up", 30)
        shipment._freight_on_milestones(picked)
        self.add(shipment, "picked_up", 29, external_id="again")
        self.add(shipment, "delivered", 5)
        self.assertEqual(len(self.accruals(shipment)), 1)
        self.assertFalse(self.accruals(shipment, "accrual_reversal"))

    def test_change_of_expected_cost_reverses_and_recreates(self):
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        first = shipment.accrual_move_id
        lift_gate = self.env.ref("freight_sync.charge_lft")
        shipment.write({"weight": 2000.0, "approved_accessorial_ids": [(4, lift_gate.id)]})
        reversal = self.accruals(shipment, "accrual_reversal")
        self.assertEqual((reversal.state, reversal.reversed_entry_id), ("posted", first))
        second = shipment.accrual_move_id
        self.assertNotEqual(first, second)
        self.assertEqual(self.debits(second), {"400": 1000.0, "405": 200.0, "LFT": 85.0})
        self.assertEqual(shipment.accrued_amount, 1285.0)
        # the accrued liability holds exactly one open accrual
        self.assertEqual(sum(self.env["account.move.line"].search(
            [("account_id", "=", self.accrued.id), ("move_id.freight_shipment_id", "=",
                                                    shipment.id)]).mapped("balance")), -1285.0)
        # an edit that changes no amount posts nothing
        shipment.service_level = "Guaranteed"
        shipment.write({"weight": 2000.0})
        self.assertEqual(len(self.accruals(shipment)), 2)

    def test_dispatcher_edit_reaccrues_without_accounting_rights(self):
        dispatcher = new_test_user(self.env, "acr_dispatcher",
                                   groups="base.group_user,freight_sync.group_freight_user")
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        shipment.with_user(dispatcher).weight = 1500.0
        self.assertEqual(self.debits(shipment.accrual_move_id), {"400": 750.0, "405": 150.0})
        self.assertNotIn("freight_move_ids", shipment.with_user(dispatcher).fields_get())

    def test_rate_confirmation_reaccrues(self):
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        shipment.confirmed_rate = 550.0
        self.assertEqual(self.debits(shipment.accrual_move_id), {"400": 550.0, "405": 110.0})
        self.assertEqual(len(self.accruals(shipment, "accrual_reversal")), 1)

    def test_cancellation_reverses(self):
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        self.add(shipment, "cancelled", 2)
        self.assertEqual(shipment.status, "cancelled")
        self.assertEqual(len(self.accruals(shipment, "accrual_reversal")), 1)
        self.assertEqual((shipment.accrual_state, shipment.accrual_move_id.id),
                         ("reversed", False))

    def test_vendor_bill_reverses_on_its_date_and_shows_the_variance(self):
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        self.add(shipment, "delivered", 6)
        invoice = self.bill(shipment, {"400": 500.0, "405": 101.5}, invoice_date=self.today)
        self.assertFalse(invoice.exception_ids.mapped("name"))
        self.assertEqual((invoice.state, invoice.move_id.state), ("posted", "posted"))
        reversal = self.accruals(shipment, "accrual_reversal")
        self.assertEqual((reversal.date, reversal.state), (self.today, "posted"))
        self.assertEqual((shipment.accrual_state, shipment.accrued_amount,
                          shipment.billed_amount, shipment.cost_variance),
                         ("reversed", 600.0, 601.5, 1.5))

    def test_locked_period_moves_entries_to_the_first_open_day(self):
        shipment = self.new_shipment()
        picked = self.add(shipment, "picked_up", 30)
        self.add(shipment, "delivered", 6)
        lock = picked.event_time.date() + timedelta(days=1)
        self.env.company.sudo().period_lock_date = lock
        self.bill(shipment, {"400": 500.0, "405": 100.0}, invoice_date=lock - timedelta(days=1))
        # the bill is dated inside the locked period: the reversal goes to the first open day
        self.assertEqual(self.accruals(shipment, "accrual_reversal").date, lock + timedelta(days=1))
        late = self.new_shipment()
        self.add(late, "picked_up", 30)
        self.assertEqual(self.accruals(late).date, lock + timedelta(days=1),
                         "an event in a locked period is accrued on the first open day")

    def test_contract_currency_is_converted_at_the_event_date(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        picked_day = self.hours_ago(30).date()
        self.env["res.currency.rate"].create({"currency_id": eur.id, "name": picked_day,
                                              "rate": 0.8, "company_id": self.env.company.id})
        contract = self.env["freight.rate.contract"].search([("carrier_id", "=", self.carrier.id)])
        contract.currency_id = eur
        shipment = self.new_shipment(weight=1001.0)  # 500.50 + 100.10 EUR
        self.add(shipment, "picked_up", 30)
        # 1 USD = 0.8 EUR: 500.50 / 0.8 = 625.625 → 625.63; 100.10 / 0.8 = 125.125 → 125.13
        self.assertEqual(self.debits(shipment.accrual_move_id), {"400": 625.63, "405": 125.13})
        self.assertEqual(shipment.accrued_amount, 750.76)

    def test_missing_setup_is_explained_and_blocks_nothing(self):
        self.env.company.freight_accrued_account_id = False
        shipment = self.new_shipment()
        self.add(shipment, "picked_up", 30)
        self.assertFalse(self.accruals(shipment))
        self.assertIn("Accruals are not set up", shipment.accrual_note)
        self.assertEqual(shipment.status, "picked_up")

    def test_shipment_without_contract_lane_is_explained(self):
        shipment = self.new_shipment(mode="ftl")
        self.add(shipment, "picked_up", 30)
        self.assertFalse(self.accruals(shipment))
        self.assertEqual(shipment.accrual_note, "no lane of the contract covers it")

    def test_accrual_from_a_carrier_message_links_it_and_replays_add_nothing(self):
        shipment = self.new_shipment(pro_number="ACR-MSG")
        message = self.receive({**self.event("m1", when=f"{self.hours_ago(30).isoformat()}Z"),
                                "shipment": {"pro_number": "ACR-MSG"}})
        self.process()
        move = self.accruals(shipment)
        self.assertEqual((message.state, move.freight_message_id), ("done", message))
        message.action_replay()
        self.process()
        self.assertEqual((message.state, self.accruals(shipment)), ("done", move))


@tagged("freight_sync", "post_install", "-at_install")
class TestAccrualReports(AccrualCase):
    def test_open_accruals_by_carrier_and_age_and_the_integrity_check(self):
        billed, open_one = self.new_shipment(), self.new_shipment()
        for shipment in (billed, open_one):
            self.add(shipment, "picked_up", 30)
            self.add(shipment, "delivered", 6)
        self.bill(billed, {"400": 500.0, "405": 101.5})
        rows = self.env["freight.accrual.report"].search(
            [("shipment_id", "in", (billed | open_one).ids)])
        self.assertEqual([(r.shipment_id, r.carrier_id, r.amount, r.age_bucket) for r in rows],
                         [(open_one, self.carrier, 600.0, "0-30")])
        check = self.env["freight.integrity.check"].create({})
        self.assertTrue(check.is_ok, check.summary)
        self.assertEqual(check.difference, 0.0)
        self.assertGreaterEqual(check.open_accruals, 600.0)
        # an accrual entry nobody reversed breaks the books, and the check says where
        stray = billed.freight_move_ids.filtered(lambda m: m.freight_move_role == "accrual")
        stray.copy({"freight_shipment_id": billed.id, "freight_move_role": "accrual",
                    "date": stray.date}).action_post()
        check.action_run()
        self.assertFalse(check.is_ok)
        self.assertEqual(check.unbalanced_shipment_ids, billed)
        self.assertEqual(check.difference, 600.0)
