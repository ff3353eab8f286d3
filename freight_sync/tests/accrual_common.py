from .invoice_common import ContractCase


class AccrualCase(ContractCase):
    """ContractCase with accruals set up: misc journal, an accrued freight liability and
    expense accounts for linehaul, fuel and lift gate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        Account = cls.env["account.account"]
        # a ledger account of its own, so the integrity check sees freight and only freight
        cls.expense = Account.create({"name": "Freight expense", "code": "TFS6100",
                                      "account_type": "expense"})
        cls.env["freight.charge.code"].search([]).with_company(company).expense_account_id = (
            cls.expense)
        cls.accrued = Account.create({"name": "Accrued freight", "code": "TFS2100",
                                      "account_type": "liability_current", "reconcile": True})
        company.write({
            "freight_accrual_journal_id": cls.env["account.journal"].search(
                [("type", "=", "general"), ("company_id", "=", company.id)], limit=1).id,
            "freight_accrued_account_id": cls.accrued.id,
            "freight_expense_account_id": cls.expense.id,
            "freight_auto_post": True,
        })
        cls.us = cls.env.ref("base.us")
        cls.origin = cls.shipment.origin_partner_id
        cls.destination = cls.shipment.destination_partner_id
        cls.serial = 0
        cls.today = cls.now.date()

    def new_shipment(self, **values):
        type(self).serial += 1
        return self.make_shipment(**{
            "pro_number": f"ACR-{self.serial}", "weight": 1000.0, "mode": "ltl",
            "origin_partner_id": self.origin.id,
            "destination_partner_id": self.destination.id, **values})

    def accruals(self, shipment, role="accrual"):
        return self.env["account.move"].search([("freight_shipment_id", "=", shipment.id),
                                                ("freight_move_role", "=", role)])

    @staticmethod
    def debits(move):
        return {line.freight_charge_code: round(line.debit, 2)
                for line in move.line_ids if line.debit}

    def bill(self, shipment, amounts, number=None, invoice_date=None):
        """A carrier invoice for ``shipment`` ({charge code: amount}), audited and billed."""
        lines = [{"line_no": n, "references": {"pro_number": shipment.pro_number},
                  "charge_code": code, "quantity": 1, "rate": amount, "amount": amount}
                 for n, (code, amount) in enumerate(amounts.items(), 1)]
        invoice = self.canonical(number or f"INV-{shipment.pro_number}", lines)
        invoice["date"] = invoice_date or self.today
        staged = self.stage(invoice)
        staged._audit()
        return staged

