import threading
from datetime import date

from odoo import Command
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .common import committed_env, side_by_side


def approved_invoices(env, carrier_name, numbers):
    """A carrier and its approved invoices of 250.00 each, not billed yet (committed by the
    caller), the company's expense account set if it had none."""
    carrier = env["res.partner"].create({"name": carrier_name, "is_freight_carrier": True})
    company = env.company
    if not company.freight_expense_account_id:
        company.freight_expense_account_id = env["account.account"].search(
            [("account_type", "=", "expense"), ("company_id", "=", company.id)], limit=1)
    return carrier, env["freight.invoice"]._with_guarded_rights().create([{
        "name": number, "carrier_id": carrier.id, "date": date(2024, 7, 12),
        "currency_id": company.currency_id.id, "state": "approved",
        "line_ids": [Command.create({"charge_code": "400", "amount": 250.0})],
    } for number in numbers])

@tagged("freight_sync", "post_install", "-at_install")
class TestConcurrentPosting(BaseCase):
    """Two workers posting the same approved carrier invoice at once make one vendor bill.

    Real transactions on the real database (committed, removed at the end): the second
    waits on the invoice's row lock, fails to serialize once the first commits, and Odoo's
    retry runs it again, when the invoice already has its bill.
    """

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with committed_env(self.registry) as env:
            env.company.freight_auto_post = False
            carrier, invoice = approved_invoices(env, "Race carrier", ["RACE-1"])
            self.ids = (carrier.id, invoice.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        carrier_id, invoice_id = self.ids
        with committed_env(self.registry) as env:
            env["account.move"].search([("freight_invoice_id", "=", invoice_id)]).unlink()
            env["freight.invoice"].browse(invoice_id)._with_guarded_rights().unlink()
            env["res.partner"].browse(carrier_id).unlink()

    def test_same_invoice_posted_by_two_workers_makes_one_bill(self):
        _carrier_id, invoice_id = self.ids
        made = {}
        first_locked = threading.Event()

        def post(worker):
            with committed_env(self.registry) as env:
                if worker == 1:
                    first_locked.wait(10)

                def attempt():
                    moves = env["freight.invoice"].browse(invoice_id)._post_bills()
                    if worker == 0:
                        first_locked.set()
                        threading.Event().wait(0.5)  # keep the lock while the other comes
                    return moves.ids

                made[worker] = retrying(attempt, env)

        side_by_side(post)  # the second fails to serialize, then is retried
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM account_move WHERE freight_invoice_id = %s",
                       [invoice_id])
            self.assertEqual(cr.fetchone()[0], 1)
        self.assertEqual(len(made[0]) + len(made[1]), 1, made)


@tagged("freight_sync", "post_install", "-at_install")
class TestConcurrentBillNumbers(BaseCase):
    """Two workers posting bills of two invoices at once, in the same journal, both draw
    the next bill number from the last bill they see; the second's posting then fails on
    account.move's unique index of posted numbers. Found by the chaos run (an invoice lane
    cron and a clerk's CSV import posting the month's first bills): the message failed as
    a "processing error", an attempt spent. It is a collision: Odoo's retry runs the
    second worker again, which sees the first bill and takes the number after it."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with committed_env(self.registry) as env:
            company = env.company
            self.before = (company.freight_auto_post, company.freight_purchase_journal_id.id)
            # a journal of its own: both workers draw its first number, whatever bills other
            # tests left in the company's purchase journal
            journal = env["account.journal"].create({
                "name": "Number race bills", "code": "NRACE", "type": "purchase",
                "company_id": company.id})
            company.write({"freight_auto_post": True, "freight_purchase_journal_id": journal.id})
            carrier, invoices = approved_invoices(
                env, "Number race carrier", ["NUMBER-RACE-1", "NUMBER-RACE-2"])
            self.ids = (carrier.id, invoices.ids, journal.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        carrier_id, invoice_ids, journal_id = self.ids
        with committed_env(self.registry) as env:
            moves = env["account.move"].search([("freight_invoice_id", "in", invoice_ids)])
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["freight.invoice"].browse(invoice_ids)._with_guarded_rights().unlink()
            env["res.partner"].browse(carrier_id).unlink()
            auto_post, journal_before = self.before
            env.company.write({"freight_auto_post": auto_post,
                               "freight_purchase_journal_id": journal_before})
            env["account.journal"].browse(journal_id).unlink()

    def test_bills_posted_at_once_by_two_workers_get_two_numbers(self):
        _carrier_id, invoice_ids, _journal_id = self.ids
        made, errors, tries = {}, {}, {0: 0, 1: 0}
        first_posted, second_began = threading.Event(), threading.Event()

        def post(worker):
            try:
                with committed_env(self.registry) as env:
                    if worker == 1:
                        first_posted.wait(10)

                    def attempt():
                        tries[worker] += 1
                        if worker == 1 and tries[1] == 1:
                            # its snapshot is taken now, before the first one commits,
                            # however slowly this thread was scheduled
                            env.cr.execute("SELECT 1")
                            second_began.set()
                        moves = env["freight.invoice"].browse(invoice_ids[worker])._post_bills()
                        if worker == 0:
                            first_posted.set()
                            second_began.wait(10)
                            threading.Event().wait(0.5)  # 1 draws its number meanwhile
                        return moves.mapped("name")

                    made[worker] = retrying(attempt, env)
            except Exception as error:  # noqa: BLE001  reported by the assertion below
                errors[worker] = error

        side_by_side(post)  # the second meets the unique violation, then is retried
        self.assertFalse(errors, errors)
        with self.registry.cursor() as cr:
            cr.execute("""SELECT count(*), count(DISTINCT name) FROM account_move
                           WHERE freight_invoice_id = ANY(%s) AND state = 'posted'""",
                       [invoice_ids])
            self.assertEqual(cr.fetchone(), (2, 2))
        self.assertEqual(len(made[0]) + len(made[1]), 2, made)
        self.assertGreater(tries[1], 1, "the second worker did not draw the same number")
