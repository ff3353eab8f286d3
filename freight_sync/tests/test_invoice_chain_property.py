"""Property: whatever a carrier sends (originals, corrections, rebills, balance-dues,
adjustments, cancels) and whatever clerks do in between (post, pay, short-pay, reject), the
books never owe a carrier more for a shipment's charge than its expected cost plus the
tolerance, nor for the shipment more than its expected cost plus the cumulative cap, unless
a manager overrode the audit, and then the override is on record."""

import random

from odoo.tests import new_test_user, tagged

from ..services.invoice_audit import Tolerance
from .test_invoice_chain import ChainCase, booked_lines

EXPECTED = {"400": 500.0, "405": 100.0}  # the confirmed linehaul and the contract's 20 % fuel
CARRIER_SENDS = ("original", "CO", "RB", "BD", "AD", "CA")
CLERK_DOES = ("post", "pay", "short_pay", "reject", "override")


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceChainProperty(ChainCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, login="chain_clerk",
                                  groups="base.group_user,freight_sync.group_freight_billing")
        cls.manager = new_test_user(cls.env, login="chain_manager",
                                    groups="base.group_user,freight_sync.group_freight_manager")
        band = Tolerance(*cls.env.company._freight_tolerance())
        cls.bound = {code: cost + band.allowance(cost) for code, cost in EXPECTED.items()}
        cls.charge_of = {cls.env["freight.charge.code"].search([("code", "=", code)])
                         .display_name: code for code in EXPECTED}

    def test_random_chains_never_pay_more_than_expected_tolerance_and_cap(self):
        rng = random.Random(20261206)
        self.seen = set()
        for run in range(14):
            with self.subTest(run=run):
                self.run_chain(rng, run)
        # a property over nothing proves nothing: the draws did exercise the chain
        self.assertLessEqual(set(CARRIER_SENDS) | {"pay", "override"}, self.seen)
        kinds = self.env["account.move"].search(
            [("freight_invoice_id.name", "=like", "PR%"), ("state", "=", "posted")]
        ).mapped("move_type")
        self.assertIn("in_invoice", kinds)

    def run_chain(self, rng, run):
        pro = f"PROP-{run}"
        shipment = self.make_shipment(pro_number=pro, confirmed_rate=EXPECTED["400"],
                                      confirmed_rate_currency_id=self.usd.id)
        self.add(shipment, "delivered", 5)
        numbers, invoices, story = [], self.env["freight.invoice"], []
        for step in range(rng.randint(3, 9)):
            action = rng.choice(CARRIER_SENDS + CLERK_DOES)
            if action in CARRIER_SENDS:
                invoices |= self.carrier_sends(rng, action, pro, run, step, numbers)
            else:
                self.clerk_does(rng, action, invoices)
            story.append(action)
            self.seen.add(action)
        for invoice in invoices.filtered(lambda i: i.move_id.state == "draft"):
            invoice.move_id.action_post()  # the worst case: every bill made is posted
        booked = self.booked_by_charge(shipment)
        overrides = [body for body in invoices.message_ids.mapped("body")
                     if "Approve with override" in body]
        if overrides:
            self.assertTrue(all("chain_manager" in body or "Chain Manager" in body.title()
                                for body in overrides), overrides)
            return
        for code, amount in booked.items():
            self.assertLessEqual(amount, self.bound[code] + 0.01, (code, booked, story))
        self.assertLessEqual(sum(booked.values()),
                             sum(EXPECTED.values()) + self.env.company.freight_cumulative_cap
                             + 0.01, (booked, story))

    def carrier_sends(self, rng, code, pro, run, step, numbers):
        if code == "original" or not numbers:
            code = "original"
            numbers.append(f"PR{run}-{len(numbers) + 1}")
            number = numbers[-1]
        else:
            number = rng.choice(numbers)
        if code in ("BD", "AD"):
            charge = rng.choice(list(EXPECTED))
            amounts = {charge: rng.choice([5.0, 20.0, 60.0, 150.0] if code == "BD"
                                          else [-40.0, -5.0, 10.0])}
        else:
            amounts = {"400": rng.choice([300.0, 480.0, 500.0, 505.0, 650.0])}
            if rng.random() < 0.6:
                amounts["405"] = rng.choice([90.0, 100.0, 130.0])
        lines = [{"line_no": i, "references": {"pro_number": pro}, "charge_code": charge,
                  "quantity": 1, "amount": amount}
                 for i, (charge, amount) in enumerate(amounts.items(), 1)]
        document = self.canonical(number=number, lines=lines, correction=code)
        document["date"] = document["date"].replace(day=1 + step)  # a link per day
        staged, errors = self.env["freight.invoice"]._stage(
            [document], self.env.company, self.carrier)
        self.assertFalse(errors)
        staged._audit()
        return staged

    def clerk_does(self, rng, action, invoices):
        if action == "post":
            drafts = invoices.filtered(lambda i: i.move_id.state == "draft")
            if drafts:
                rng.choice(drafts).move_id.action_post()
        elif action == "pay":
            unpaid = invoices.filtered(lambda i: i.move_id.state == "posted"
                                       and i.move_id.payment_state == "not_paid"
                                       and i.move_id.move_type == "in_invoice")
            if unpaid:
                self.paid_move(rng.choice(unpaid).move_id)
        else:
            held = invoices.filtered(lambda i: i.state == "exception")
            if action == "short_pay":
                held = held.filtered(lambda i: i.expected_total > 0)
            if held:
                invoice = rng.choice(held)
                user = self.manager if action == "override" else self.clerk
                self.env["freight.invoice.resolve"].with_user(user).create({
                    "invoice_id": invoice.id, "resolution": action,
                    "reason": "property test"}).action_confirm()

    def paid_move(self, move):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids,
        ).create({"journal_id": self.bank.id})._create_payments()

    def booked_by_charge(self, shipment):
        """What the books owe the carrier per charge, for this shipment."""
        booked = dict.fromkeys(EXPECTED, 0.0)
        for line in booked_lines(self.env, shipment):
            booked[self.charge_of[line.name]] += line.balance
        return {code: round(amount, 2) for code, amount in booked.items()}
