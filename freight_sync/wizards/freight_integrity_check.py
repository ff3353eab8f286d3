from odoo import _, api, fields, models

CLOSED = ("cancelled",)


class FreightIntegrityCheck(models.TransientModel):
    """Month-end proof that freight is booked once: accruals of closed shipments net to
    zero, and the freight expense in the general ledger is what the carriers billed."""

    _name = "freight.integrity.check"
    _description = "Freight Integrity Check"

    company_id = fields.Many2one("res.company", required=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    gl_expense = fields.Monetary(string="Freight Expense in the Ledger", readonly=True)
    billed = fields.Monetary(string="Posted Freight Bills (untaxed)", readonly=True)
    open_accruals = fields.Monetary(readonly=True)
    capitalized = fields.Monetary(string="Capitalized as Landed Costs", readonly=True)
    difference = fields.Monetary(readonly=True,
                                 help="Ledger − (bills + open accruals − landed costs).")
    unbalanced_shipment_ids = fields.Many2many(
        "freight.shipment", string="Closed Shipments with an Accrual Balance", readonly=True)
    is_ok = fields.Boolean(readonly=True)
    summary = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        for check in checks:
            check.write(check._measure())
        return checks

    @api.model
    def action_open(self):
        """The menu entry: measure now and show the result."""
        return self.create({}).action_run()

    def action_run(self):
        self.write(self._measure())
        return {"type": "ir.actions.act_window", "name": _("Freight Integrity Check"),
                "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}

    def _measure(self):
        company = self.company_id
        rounding = company.currency_id
        MoveLine = self.env["account.move.line"].sudo()
        accounts = self._expense_accounts()
        posted = [("company_id", "=", company.id), ("parent_state", "=", "posted")]
        [[gl]] = MoveLine._read_group(posted + [("account_id", "in", accounts.ids)],
                                      aggregates=["balance:sum"])
        [[billed]] = self.env["account.move"].sudo()._read_group(
            [("company_id", "=", company.id), ("state", "=", "posted"),
             ("freight_invoice_id", "!=", False)], aggregates=["amount_untaxed_signed:sum"])
        [[open_accruals]] = self.env["freight.shipment"].sudo()._read_group(
            [("company_id", "=", company.id), ("accrual_state", "=", "accrued")],
            aggregates=["accrued_amount:sum"])
        landed = self.env["stock.landed.cost"].sudo().search(
            [("company_id", "=", company.id), ("freight_shipment_id", "!=", False)])
        [[capitalized]] = MoveLine._read_group(
            posted + [("account_id", "in", accounts.ids),
                      ("move_id", "in", landed.account_move_id.ids)], aggregates=["credit:sum"])
        # vendor bills are credit notes' opposite: their signed untaxed amount is negative
        billed = -(billed or 0.0)
        expected = billed + (open_accruals or 0.0) - (capitalized or 0.0)
        difference = rounding.round((gl or 0.0) - expected)
        unbalanced = self._unbalanced_shipments(company)
        is_ok = rounding.is_zero(difference) and not unbalanced
        return {
            "gl_expense": gl or 0.0, "billed": billed, "open_accruals": open_accruals or 0.0,
            "capitalized": capitalized or 0.0, "difference": difference,
            "unbalanced_shipment_ids": [fields.Command.set(unbalanced.ids)],
            "is_ok": is_ok,
            "summary": _("Books agree.") if is_ok else _(
                "%(n)s closed shipment(s) keep an accrual balance; the ledger differs by "
                "%(d)s.", n=len(unbalanced), d=difference),
        }

    def _expense_accounts(self):
        """Every account freight expense was ever booked on: today's settings, and those
        of the accrual and bill lines already posted (settings change, entries stay)."""
        company = self.company_id
        charges = self.env["freight.charge.code"].sudo().with_company(company).search([])
        used = self.env["account.move.line"].sudo()._read_group(
            [("company_id", "=", company.id), "|",
             ("freight_charge_code", "!=", False),
             "&", ("move_id.freight_invoice_id", "!=", False),
             ("display_type", "=", "product")], ["account_id"])
        return (charges.expense_account_id | company.freight_expense_account_id
                | self.env["account.account"].union(*[account for [account] in used]))

    def _unbalanced_shipments(self, company):
        """Billed or cancelled shipments whose accrual entries do not net to zero."""
        accrued = company.freight_accrued_account_id
        if not accrued:
            return self.env["freight.shipment"]
        rows = self.env["account.move.line"].sudo()._read_group(
            [("company_id", "=", company.id), ("parent_state", "=", "posted"),
             ("account_id", "=", accrued.id),
             ("move_id.freight_move_role", "in", ("accrual", "accrual_reversal")),
             "|", ("move_id.freight_shipment_id.status", "in", CLOSED),
             ("move_id.freight_shipment_id.billed_amount", "!=", 0)],
            ["move_id"], ["balance:sum"])
        totals = {}
        for move, balance in rows:
            shipment = move.freight_shipment_id
            totals[shipment] = totals.get(shipment, 0.0) + balance
        return self.env["freight.shipment"].union(
            *[s for s, total in totals.items() if not company.currency_id.is_zero(total)])
