"""The invoice chain through the real intake, audit, bills and payments: corrections,
rebills, balance-dues, adjustments and cancels after a posted and after a paid original,
and the same invoice received again through another channel."""

from datetime import date

from psycopg2.errors import UniqueViolation

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..services.invoice_csv_rows import parse_rows, suggest_mapping
from ..services.invoice_payload import parse_invoice
from .common import load_migration
from .invoice_common import ContractCase


def charge(code, amount, line_no=1, pro="PRO-100"):
    return {"line_no": line_no, "references": {"pro_number": pro}, "charge_code": code,
            "quantity": 1, "amount": amount}


def booked_lines(env, shipment):
    """The expense lines of the posted bills, credit notes and reversals of the carrier
    invoices of ``shipment``: debit what is owed, credit what is not (any more)."""
    moves = env["account.move"].search([
        ("state", "=", "posted"),
        "|", ("freight_invoice_id.line_ids.shipment_id", "=", shipment.id),
        ("reversed_entry_id.freight_invoice_id.line_ids.shipment_id", "=", shipment.id),
    ])
    return moves.line_ids.filtered(
        lambda line: line.account_id.account_type != "liability_payable")


class ChainCase(ContractCase):
    """Expected: linehaul (400) 500.00, fuel (405) 100.00; company band and a cap of 50."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"freight_cumulative_cap": 50.0, "freight_auto_post": False})
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1)

    def audited(self, number, *lines, correction="original", corrects=None):
        document = self.canonical(number=number, lines=list(lines), correction=correction)
        document["corrects"] = corrects
        invoice = self.stage(document)
        invoice._audit()
        return invoice

    def posted(self, invoice):
        self.assertEqual(invoice.state, "approved", invoice.audit_summary)
        invoice.move_id.action_post()
        return invoice.move_id

    def paid(self, invoice):
        move = self.posted(invoice)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids,
        ).create({"journal_id": self.bank.id})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        return move

    def booked(self, shipment=None):
        """What the carrier is owed for the shipment in the books: the expense side of
        every posted bill, credit note and reversal of them (a refund's reversal is a
        journal entry), of the shipment's carrier invoices."""
        lines = booked_lines(self.env, shipment or self.shipment)
        return round(sum(lines.mapped("balance")), 2)


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceChain(ChainCase):
    def test_every_code_after_a_posted_and_after_a_paid_original(self):
        # code, linehaul billed by it, what the books owe the carrier in the end
        codes = [("CO", 480.0, 480.0), ("RB", 510.0, 510.0), ("BD", 5.0, 505.0),
                 ("AD", -50.0, 450.0), ("CA", 500.0, 0.0)]
        for code, amount, owed in codes:
            for paid in (False, True):
                with self.subTest(code=code, paid=paid):
                    number = f"ALL-{code}-{int(paid)}"
                    pro = f"PRO-{number}"
                    shipment = self.like_the_shipment(pro)
                    original = self.audited(number, charge("400", 500.0, pro=pro))
                    (self.paid if paid else self.posted)(original)
                    link = self.audited(number, charge("400", amount, pro=pro),
                                        correction=code)
                    self.assertEqual(link.corrects_id, original)
                    if link.move_id.state == "draft":
                        link.move_id.action_post()
                    self.assertEqual(self.booked(shipment), owed)
                    self.assertLessEqual(len(link.move_id), 1)
                    if code in ("CO", "RB", "CA"):
                        self.assertEqual(original.state,
                                         "cancelled" if code == "CA" else "superseded")

    def test_a_correction_after_a_posted_original_replaces_its_bill(self):
        original = self.audited("CH-1", charge("400", 500.0))
        bill = self.posted(original)
        corrected = self.audited("CH-1", charge("400", 480.0), correction="CO")
        self.assertEqual(corrected.corrects_id, original)
        self.assertEqual(corrected.state, "approved")
        corrected.move_id.action_post()
        self.assertEqual(original.state, "superseded")
        self.assertEqual(bill.payment_state, "reversed", "credited and reconciled")
        self.assertEqual(corrected.move_id.amount_total, 480.0)
        self.assertEqual(self.booked(), 480.0)
        self.assertEqual(self.shipment.billed_amount, 480.0)

    def test_the_same_lines_again_as_a_correction_of_a_paid_original_pay_nothing(self):
        original = self.audited("CH-2", charge("400", 500.0))
        self.paid(original)
        again = self.audited("CH-2", charge("400", 500.0), correction="CO")
        self.assertEqual((again.state, again.move_id.id), ("posted", False))
        self.assertIn("Nothing more to pay", again.message_ids[0].body)
        self.assertEqual(original.state, "superseded")
        self.assertEqual(self.booked(), 500.0)
        self.assertEqual(self.shipment.billed_amount, 500.0)

    def test_a_rebill_of_a_paid_original_bills_only_the_difference(self):
        original = self.audited("CH-3", charge("400", 500.0))
        self.paid(original)
        rebill = self.audited("CH-3", charge("400", 500.0), charge("405", 100.0, 2),
                              correction="RB")
        self.assertEqual(rebill.move_id.move_type, "in_invoice")
        self.assertEqual(rebill.move_id.amount_total, 100.0, "the fuel, not the linehaul again")
        self.assertEqual(rebill.move_id.invoice_line_ids.name, rebill.line_ids[1].charge_code_id
                         .display_name)
        rebill.move_id.action_post()
        self.assertEqual(self.booked(), 600.0)

    def test_a_lower_correction_of_a_paid_original_is_a_credit_note(self):
        original = self.audited("CH-4", charge("400", 500.0))
        self.paid(original)
        lower = self.audited("CH-4", charge("400", 470.0), correction="CO")
        self.assertEqual((lower.move_id.move_type, lower.move_id.amount_total),
                         ("in_refund", 30.0))
        lower.move_id.action_post()
        self.assertEqual(self.booked(), 470.0)

    def test_a_balance_due_is_judged_against_what_the_shipment_was_billed(self):
        original = self.audited("CH-5", charge("400", 500.0))
        self.paid(original)
        small = self.audited("CH-5", charge("400", 5.0), correction="BD")
        self.assertEqual(small.state, "approved", small.audit_summary)
        self.assertIn("Already billed for 400 on this shipment: 500.00 (invoice CH-5)",
                      small.line_ids.trace)
        self.assertEqual(small.move_id.amount_total, 5.0)
        small.move_id.action_post()
        # what the issue saw: "under-billed by 245.50: accepted" for money billed twice
        large = self.audited("CH-5", charge("400", 245.5), correction="BD")
        self.assertEqual(large.state, "exception")
        self.assertFalse(large.move_id)
        [case] = large.exception_ids
        self.assertEqual((case.exception_type, case.amount_at_stake), ("rate_variance", 245.5))
        self.assertIn("on top of 505.00 billed before", case.description)
        self.assertEqual(self.booked(), 505.0)

    def test_a_negative_adjustment_is_a_credit_note(self):
        original = self.audited("CH-6", charge("400", 500.0))
        self.posted(original)
        adjustment = self.audited("CH-6", charge("400", -50.0), correction="AD")
        self.assertEqual(adjustment.state, "approved", adjustment.audit_summary)
        self.assertEqual((adjustment.move_id.move_type, adjustment.move_id.amount_total),
                         ("in_refund", 50.0))
        adjustment.move_id.action_post()
        self.assertEqual(self.booked(), 450.0)

    def test_a_cancel_after_a_posted_original_credits_its_bill(self):
        original = self.audited("CH-7", charge("400", 500.0))
        bill = self.posted(original)
        cancel = self.audited("CH-7", charge("400", 500.0), correction="CA")
        self.assertEqual((cancel.state, original.state), ("cancelled", "cancelled"))
        self.assertEqual(bill.payment_state, "reversed")
        self.assertEqual(self.booked(), 0.0)
        self.assertEqual(self.shipment.billed_amount, 0.0)

    def test_a_cancel_after_a_paid_original_claims_the_money_back(self):
        original = self.audited("CH-8", charge("400", 500.0))
        bill = self.paid(original)
        self.audited("CH-8", charge("400", 500.0), correction="CA")
        self.assertEqual(original.state, "cancelled")
        credit = self.env["account.move"].search([("reversed_entry_id", "=", bill.id)])
        self.assertEqual((credit.state, credit.move_type, credit.amount_total,
                          credit.payment_state), ("posted", "in_refund", 500.0, "not_paid"),
                         "left open: the carrier owes it back")
        self.assertEqual(self.booked(), 0.0)

    def test_a_cancel_closes_the_cases_of_the_chain(self):
        original = self.audited("CH-9", charge("400", 700.0))
        self.assertEqual(original.state, "exception")
        self.assertTrue(original.exception_ids.filtered(lambda c: not c.is_closed))
        self.audited("CH 9", charge("400", 700.0), correction="CA")
        self.assertEqual(original.state, "cancelled")
        self.assertTrue(all(original.exception_ids.mapped("is_closed")))
        self.assertFalse(self.env["account.move"].search(
            [("freight_invoice_id", "=", original.id)]))

    def test_a_correction_replaces_an_original_in_exception_at_once(self):
        original = self.audited("CH-10", charge("400", 700.0))
        corrected = self.audited("CH-10", charge("400", 500.0), correction="CO")
        self.assertEqual(original.state, "superseded")
        self.assertTrue(all(original.exception_ids.mapped("is_closed")))
        self.assertEqual((corrected.state, corrected.move_id.amount_total), ("approved", 500.0))

    def test_a_second_correction_after_a_paid_original_and_a_paid_first_one(self):
        original = self.audited("CH-11", charge("400", 500.0))
        self.paid(original)
        first = self.audited("CH-11", charge("400", 480.0), correction="CO")
        self.paid(first)  # the credit note of 20.00, settled
        second = self.audited("CH-11", charge("400", 510.0), correction="RB")
        self.assertEqual(second.corrects_id, first)
        self.assertEqual((second.move_id.move_type, second.move_id.amount_total),
                         ("in_invoice", 30.0))
        second.move_id.action_post()
        self.assertEqual(self.booked(), 510.0)
        # and a cancel of the number claims back all that stands
        self.audited("CH-11", charge("400", 510.0), correction="CA")
        self.assertEqual(self.booked(), 0.0)
        self.assertEqual(set((original | first | second).mapped("state")), {"cancelled"})

    def test_the_carriers_own_user_stages_a_correction(self):
        """The route's processing stages with the endpoint's technical user, which may
        create invoices but not write them: the link is made all the same."""
        original = self.audited("CH-R", charge("400", 500.0))
        document = self.canonical(number="CH-R", lines=[charge("400", 480.0)],
                                  correction="CO")
        staged, errors = self.env["freight.invoice"].with_user(self.robot)._stage(
            [document], self.env.company, self.carrier)
        self.assertFalse(errors)
        self.assertEqual(staged.sudo().corrects_id, original)
        with self.assertRaises(AccessError):
            staged.write({"corrects_id": False})

    def test_corrects_names_another_number(self):
        original = self.audited("CH-12", charge("400", 700.0))
        corrected = self.audited("CH-12-A", charge("400", 500.0), correction="CO",
                                 corrects="ch 12")
        self.assertEqual((corrected.corrects_id, original.state), (original, "superseded"))

    def test_a_past_due_reminder_is_never_billed(self):
        original = self.audited("CH-14", charge("400", 500.0))
        self.posted(original)
        reminder = self.audited("CH-14", charge("400", 500.0), correction="PD")
        self.assertEqual((reminder.state, reminder.move_id.id, reminder.corrects_id),
                         ("cancelled", False, original))
        self.assertIn("Past-due reminder", reminder.audit_summary)
        self.assertIn("Past-due reminder CH-14 received: this invoice is Posted",
                      original.message_ids[0].body)
        self.assertEqual(original.state, "posted")
        self.assertEqual(self.booked(), 500.0)

    def test_a_rebuttal_reopens_the_rejected_invoice_with_the_carriers_text(self):
        original = self.audited("CH-15", charge("400", 700.0))
        self.env["freight.invoice.resolve"].create({
            "invoice_id": original.id, "resolution": "reject", "reason": "not our rate",
        }).action_confirm()
        self.assertTrue(all(original.exception_ids.mapped("is_closed")))
        answer = dict(charge("400", 700.0), description="Rate per the spot quote of 7/10")
        rebuttal = self.audited("CH-15", answer, correction="RF")
        self.assertEqual((rebuttal.corrects_id, rebuttal.state, rebuttal.move_id.id),
                         (original, "cancelled", False))
        self.assertEqual(original.state, "exception")
        self.assertFalse(any(original.exception_ids.mapped("is_closed")))
        self.assertIn("spot quote of 7/10", original.exception_ids[0].message_ids[0].body)
        # the money follows the clerk's decision on the reopened invoice
        self.env["freight.invoice.resolve"].create({
            "invoice_id": original.id, "resolution": "short_pay", "reason": "agreed 520",
            "amount": 520.0}).action_confirm()
        original.move_id.action_post()
        self.assertEqual(self.booked(), 520.0)

    def test_an_unknown_correction_code_is_held_for_a_clerk(self):
        self.audited("CH-16", charge("400", 500.0))
        other = self.audited("CH-16", charge("400", 500.0), correction="DR")
        self.assertEqual((other.correction, other.correction_code, other.state),
                         ("other", "DR", "exception"))
        case = other.exception_ids.filtered(lambda c: c.exception_type == "correction_code")
        self.assertIn("Correction code DR (X12 B308) is none this application knows",
                      case.description)

    def test_a_correction_naming_nothing_received_is_audited_on_its_own(self):
        lone = self.audited("CH-13", charge("400", 500.0), correction="CO")
        self.assertFalse(lone.corrects_id)
        self.assertTrue(any("was not received from this carrier" in body
                            for body in lone.message_ids.mapped("body")))
        self.assertEqual(lone.state, "approved")


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceIdentity(ChainCase):
    def json(self, number="ID-1", total=500.0, scac=None):
        document = {"number": number, "date": "2024-07-12", "currency": "USD", "total": total,
                    "shipment": {"pro_number": "PRO-100"},
                    "lines": [{"charge_code": "400", "amount": total}]}
        if scac:
            document["scac"] = scac
        return parse_invoice(document, "")

    def csv(self, number="ID-1", total=500.0, correction=""):
        text = ("Invoice,Date,Currency,Correction,PRO,Charge,Amount\n"
                f"{number},2024-07-12,USD,{correction},PRO-100,400,{total}\n")
        invoices, errors = parse_rows(text, suggest_mapping(text.splitlines()[0].split(",")))
        self.assertFalse(errors)
        return invoices[0]

    def invoices(self, number):
        return self.env["freight.invoice"].search(
            [("carrier_id", "=", self.carrier.id), ("number_key", "=", number)])

    def test_the_same_invoice_through_json_csv_with_and_without_scac_is_one(self):
        self.carrier.freight_scac = "TSTC"
        first = self.stage(self.json(scac="TSTC"))
        first._audit()
        self.assertEqual(first.state, "approved")
        for document in (self.json(), self.csv(), self.json(number="id 1", scac="TSTC")):
            self.assertFalse(self.stage(document))
        self.assertEqual(len(self.invoices("ID1")), 1)
        cases = first.exception_ids.filtered(lambda c: c.exception_type == "duplicate_invoice")
        self.assertEqual(len(cases), 3)
        self.assertIn("the same invoice", cases[0].description)
        self.assertEqual(self.env["account.move"].search_count(
            [("freight_invoice_id", "=", first.id)]), 1)

    def test_a_resent_number_with_another_amount_is_a_case_never_a_second_bill(self):
        first = self.stage(self.json(number="ID-2"))
        first._audit()
        self.assertFalse(self.stage(self.csv(number="ID-2", total=650.0)))
        [case] = first.exception_ids
        self.assertEqual((case.exception_type, case.amount_at_stake),
                         ("duplicate_invoice", 650.0))
        self.assertIn("total 650.00 instead of 500.00", case.description)
        self.assertEqual(len(self.invoices("ID2")), 1)

    def test_a_clerks_csv_carries_the_correction_code(self):
        first = self.stage(self.json(number="ID-6", total=700.0))
        first._audit()
        self.assertEqual(first.state, "exception")
        corrected = self.stage(self.csv(number="ID-6", correction="co"))
        self.assertEqual((corrected.correction, corrected.corrects_id), ("CO", first))
        corrected._audit()
        self.assertEqual((first.state, corrected.state), ("superseded", "approved"))

    def test_the_database_holds_one_invoice_per_identity(self):
        values = {"name": "ID-3", "carrier_id": self.carrier.id, "date": date(2024, 7, 12),
                  "currency_id": self.usd.id,
                  "line_ids": [Command.create({"charge_code": "400", "amount": 1.0})]}
        Invoice = self.env["freight.invoice"]._with_guarded_rights()
        Invoice.create(values)
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            Invoice.create(dict(values, name="id 3", date=date(2024, 8, 1)))

    def test_the_upgrade_gives_every_invoice_its_identity(self):
        migration = load_migration("17.0.1.2.0", "pre-migration")
        first = self.stage(self.json(number="ID-4"))
        second = self.stage(self.json(number="ID-5"))
        # as before the upgrade: no identity, and the same number received twice
        self.env.flush_all()
        self.env.cr.execute("UPDATE freight_invoice SET identity_key = NULL, number_key = NULL, "
                            "name = 'ID-4' WHERE id = ANY(%s)", [(first | second).ids])
        migration.fill_identities(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual((first.identity_key, first.number_key), ("ID4", "ID4"))
        self.assertEqual(second.identity_key, f"ID4#{second.id}")
