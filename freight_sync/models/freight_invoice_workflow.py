# One file per concern (workflow, intake, audit) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict

from odoo import Command, _, fields, models
from odoo.exceptions import UserError


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    def action_audit(self):
        self._audit()

    def action_approve(self):
        if self.filtered(lambda i: i.state not in ("audited", "exception")):
            raise UserError(_("Only audited invoices can be approved."))
        self._approve(_("Approved by %s", self.env.user.name))

    def _approve(self, note):
        self.write({"state": "approved"})
        for invoice in self:
            invoice.message_post(body=note)
        self._post_bills()

    def action_post(self):
        self._post_bills()

    def _post_bills(self, use_expected=False):
        """Vendor bills for approved invoices, once: concurrent callers wait on the row lock
        and, retried, find the bill made; a unique index backs this up."""
        approved = self.filtered(lambda i: i.state == "approved" and not i.move_id)
        if not approved:
            return self.env["account.move"]
        self.env.cr.execute(
            "SELECT id FROM freight_invoice WHERE id = ANY(%s) AND move_id IS NULL FOR UPDATE",
            [approved.ids])
        todo = self.browse([row[0] for row in self.env.cr.fetchall()])
        moves = self.env["account.move"]
        for company, invoices in todo.grouped("company_id").items():
            moves |= invoices._create_bills(company, use_expected)
        return moves

    def _create_bills(self, company, use_expected):
        Move = self.env["account.move"].with_company(company).sudo()
        journal = company.freight_purchase_journal_id or self.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
        if not journal:
            raise UserError(_("%s has no purchase journal for freight bills.", company.name))
        # one read of the company-dependent accounts for the whole batch
        charges = self.line_ids.charge_code_id.with_company(company)
        accounts = {charge: charge.expense_account_id for charge in charges}
        values = [invoice._bill_values(company, journal, use_expected, accounts)
                  for invoice in self]
        moves = Move.create(values)
        for invoice, move in zip(self, moves):
            invoice.move_id = move
        if use_expected:
            self.billed_on_expected = True
        self.write({"state": "posted" if company.freight_auto_post else "approved"})
        if company.freight_auto_post:
            moves.action_post()
        return moves

    def _bill_values(self, company, journal, use_expected, accounts):
        """One bill line per charge code, on the charge code's expense account."""
        amounts = defaultdict(float)
        for line in self.line_ids:
            amounts[line.charge_code_id or line.charge_code] += (
                line.expected if use_expected else line.amount)
        default_account = company.freight_expense_account_id or journal.default_account_id
        bill_lines = []
        for charge, amount in amounts.items():
            is_record = isinstance(charge, models.BaseModel)
            account = accounts.get(charge) if is_record else None
            if not (account or default_account):
                raise UserError(_("No expense account for charge %s: set one on the charge "
                                  "code or in the Freight settings.", charge.display_name
                                  if is_record else charge))
            bill_lines.append(Command.create({
                "name": charge.display_name if is_record else charge,
                "account_id": (account or default_account).id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            }))
        return {
            "move_type": "in_invoice",
            "partner_id": self.carrier_id.id,
            "ref": self.name,
            "invoice_date": self.date,
            "date": max(self.date, fields.Date.context_today(self)),
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "company_id": company.id,
            "freight_invoice_id": self.id,
            "invoice_line_ids": bill_lines,
        }

    def action_open_resolution(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Resolve %s", self.display_name),
            "res_model": "freight.invoice.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_invoice_id": self.id},
        }

    def _move_cases(self, stage, reason):
        open_cases = self.exception_ids.filtered(lambda c: not c.is_closed)
        # the reason is posted on each case below
        open_cases.with_context(freight_case_note=True).write({"stage_id": stage.id})
        for case in open_cases:
            case.message_post(body=reason)
