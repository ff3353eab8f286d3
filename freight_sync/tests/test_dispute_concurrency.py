import threading
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tests.common import get_db_name

from .common import committed_env, side_by_side


@tagged("freight_sync", "post_install", "-at_install")
class TestConcurrentDisputes(BaseCase):
    """Two clerks sending the same dispute at once send it once; two carrier documents
    settling the same dispute at once book its recovery once.

    Real transactions on the real database (committed, removed at the end): the second
    waits on the dispute case's row lock, fails to serialize once the first commits, and
    Odoo's retry runs it again, when the dispute is already sent (or settled).
    """

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with committed_env(self.registry) as env:
            carrier = env["res.partner"].create({
                "name": "Race carrier", "is_freight_carrier": True,
                "email": "billing@race-carrier.example"})
            clerk = new_test_user(env, login=f"race_clerk_{self._testMethodName}"[:60],
                                  groups="base.group_user,freight_sync.group_freight_billing")
            invoice = env["freight.invoice"]._with_guarded_rights().create({
                "name": "RACE-D1", "carrier_id": carrier.id, "date": date(2024, 7, 12),
                "currency_id": env.company.currency_id.id, "state": "disputed",
                "amount_total": 300.0, "expected_total": 250.0, "dispute_reason": "rate",
                "line_ids": [Command.create({"charge_code": "400", "amount": 300.0})],
            })
            case = env["freight.exception"]._with_guarded_rights().create({
                "name": "RACE-D1: rate", "exception_type": "rate_variance",
                "invoice_id": invoice.id, "amount_at_stake": 50.0, "amount_disputed": 50.0,
                "stage_id": env.ref("freight_sync.exception_stage_waiting").id})
            self.ids = (carrier.id, clerk.id, invoice.id, case.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        carrier_id, clerk_id, invoice_id, case_id = self.ids
        with committed_env(self.registry) as env:
            env["mail.mail"].sudo().search([("model", "=", "freight.exception"),
                                            ("res_id", "=", case_id)]).unlink()
            env["freight.exception"].browse(case_id).unlink()
            invoices = env["freight.invoice"].search(["|", ("id", "=", invoice_id),
                                                      ("corrects_id", "=", invoice_id)])
            env["account.move"].search([("freight_invoice_id", "in", invoices.ids)]).unlink()
            invoices.sorted("id", reverse=True)._with_guarded_rights().unlink()
            env["res.users"].browse(clerk_id).active = False
            env["res.partner"].browse(carrier_id).active = False

    def _race(self, work):
        """``work(env, worker)`` in two transactions at once, the first holding its locks
        a moment while the second comes; returns each worker's result or UserError."""
        results, first_locked = {}, threading.Event()

        def run(worker):
            with committed_env(self.registry) as env:
                if worker == 1:
                    first_locked.wait(10)

                def attempt():
                    done = work(env, worker)
                    if worker == 0:
                        first_locked.set()
                        threading.Event().wait(0.5)
                    return done

                try:
                    results[worker] = retrying(attempt, env)
                except UserError as error:
                    results[worker] = error

        side_by_side(run, timeout=120)
        return results

    def test_two_clerks_send_one_dispute_once(self):
        _carrier_id, clerk_id, invoice_id, case_id = self.ids

        def send(env, _worker):
            clerk = env["res.users"].browse(clerk_id)
            invoice = env["freight.invoice"].with_user(clerk).browse(invoice_id)
            return env["freight.dispute"].with_user(clerk)._send(invoice, ["email"]).id

        results = self._race(send)
        refused = [r for r in results.values() if isinstance(r, UserError)]
        self.assertEqual(len(refused), 1, results)
        self.assertIn("was sent on", refused[0].args[0])
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_mail m JOIN mail_message msg "
                       "ON msg.id = m.mail_message_id WHERE msg.model = 'freight.exception' "
                       "AND msg.res_id = %s", [case_id])
            self.assertEqual(cr.fetchone()[0], 1, "one email to the carrier")

    def test_two_documents_settle_one_dispute_once(self):
        carrier_id, _clerk_id, invoice_id, case_id = self.ids
        with committed_env(self.registry) as env:
            credits = env["freight.invoice"]._with_guarded_rights().create([{
                "name": f"RACE-D1-CR{n}", "carrier_id": carrier_id, "date": date(2024, 7, 13),
                "currency_id": env.company.currency_id.id, "state": "approved",
                "correction": "AD", "corrects_id": invoice_id, "amount_total": -amount,
                "amount_approved": -amount,
                "line_ids": [Command.create({"charge_code": "400", "amount": -amount})],
            } for n, amount in ((1, 50.0), (2, 40.0))])
            credit_ids = credits.ids

        def settle(env, worker):
            credit = env["freight.invoice"].browse(credit_ids[worker])
            env["freight.dispute"]._on_approved(credit)
            return credit.id

        self._race(settle)
        with committed_env(self.registry) as env:
            case = env["freight.exception"].browse(case_id)
            self.assertTrue(case.is_closed)
            self.assertIn(case.rebill_invoice_id.id, credit_ids)
            recovered = {credit_ids[0]: 50.0, credit_ids[1]: 40.0}[case.rebill_invoice_id.id]
            self.assertEqual(case.amount_recovered, recovered, "booked once, by one document")
            settled_notes = case.message_ids.filtered(lambda m: "Settled by" in (m.body or ""))
            self.assertEqual(len(settled_notes), 1)

    def test_two_credits_of_money_we_kept_take_it_once(self):
        """The invoice was short-paid by 50.00; two credit notes of 50.00 each come at
        once: one is what we kept already, the other is refunded, in whichever order."""
        carrier_id, _clerk_id, invoice_id, _case_id = self.ids
        with committed_env(self.registry) as env:
            env["freight.invoice"].browse(invoice_id)._set_outcome(
                {"state": "approved", "amount_approved": 250.0})
            credits = env["freight.invoice"]._with_guarded_rights().create([{
                "name": f"RACE-D1-KEPT{n}", "carrier_id": carrier_id,
                "date": date(2024, 7, 13), "currency_id": env.company.currency_id.id,
                "state": "approved", "correction": "AD", "corrects_id": invoice_id,
                "amount_total": -50.0, "amount_approved": -50.0,
                "line_ids": [Command.create({"charge_code": "400", "amount": -50.0})],
            } for n in (1, 2)])
            credit_ids = credits.ids

        def absorb(env, worker):
            credit = env["freight.invoice"].browse(credit_ids[worker])
            credit._set_approved_amounts(None)
            env["freight.invoice.chain"]._absorb_credits(credit)
            return credit.amount_approved

        results = self._race(absorb)
        self.assertEqual(sorted(results.values()), [-50.0, 0.0], results)
        with committed_env(self.registry) as env:
            refunds = env["freight.invoice"].browse(credit_ids).mapped("amount_approved")
            self.assertEqual(sorted(refunds), [-50.0, 0.0], "the 50.00 kept is taken once")
