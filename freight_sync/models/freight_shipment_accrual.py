# One file per concern (inbound events, accruals, billing) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict
from datetime import datetime

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..services.accrual import CANCELLED, entry_date, expected_cost, plan_accrual

# a change of these fields can change what the carrier is expected to charge
COST_FIELDS = {"carrier_id", "mode", "weight", "distance_km", "pallet_count",
               "origin_partner_id", "destination_partner_id", "approved_accessorial_ids",
               "confirmed_rate", "confirmed_rate_currency_id"}
ACCRUAL_STATES = [("none", "Not accrued"), ("accrued", "Accrued"), ("reversed", "Reversed")]


def lock_date(company):
    """Automatic entries respect the stricter of the two locks, whoever triggers them."""
    return max(filter(None, [company.period_lock_date, company.fiscalyear_lock_date]),
               default=None)


class FreightShipment(models.Model):
    _inherit = "freight.shipment"

    company_currency_id = fields.Many2one(related="company_id.currency_id")
    confirmed_rate = fields.Monetary(
        string="Confirmed Linehaul", currency_field="confirmed_rate_currency_id", tracking=True,
        copy=False, help="The linehaul the carrier or TMS confirmed for this load; it "
        "replaces the contract lane in the expected cost.")
    confirmed_rate_currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id)
    accrual_state = fields.Selection(ACCRUAL_STATES, default="none", required=True,
                                     readonly=True, copy=False, tracking=True)
    # journal entries are shown to those who may read them (Invoicing / Billing and up)
    accrual_move_id = fields.Many2one("account.move", string="Open Accrual", readonly=True,
                                      copy=False, groups="account.group_account_invoice")
    expected_cost = fields.Monetary(currency_field="company_currency_id", readonly=True,
                                    copy=False, help="Contract linehaul, fuel and approved "
                                    "accessorials, in company currency, as last accrued.")
    accrued_amount = fields.Monetary(string="Accrued", currency_field="company_currency_id",
                                     readonly=True, copy=False,
                                     help="Amount of the latest accrual, open or reversed.")
    billed_amount = fields.Monetary(string="Billed", currency_field="company_currency_id",
                                    readonly=True, copy=False,
                                    help="Posted carrier bills for this shipment.")
    cost_variance = fields.Monetary(string="Billed − Accrued",
                                    currency_field="company_currency_id",
                                    compute="_compute_cost_variance", store=True)
    accrual_note = fields.Char(readonly=True, copy=False,
                               help="Why the last accrual attempt posted nothing.")
    freight_move_ids = fields.One2many("account.move", "freight_shipment_id",
                                       string="Journal Entries",
                                       groups="account.group_account_invoice")

    @api.depends("billed_amount", "accrued_amount")
    def _compute_cost_variance(self):
        for shipment in self:
            # before the carrier bills there is nothing to compare the accrual with
            shipment.cost_variance = (shipment.billed_amount - shipment.accrued_amount
                                      if shipment.billed_amount else 0.0)

    def write(self, vals):
        result = super().write(vals)
        if COST_FIELDS & set(vals) and not self.env.context.get("freight_accruing"):
            accrued = self.filtered(lambda s: s.accrual_state == "accrued")
            if accrued:
                # a dispatcher corrects the weight; the books follow with the app's rights
                accrued.sudo()._freight_accrue(fields.Datetime.now())
        return result

    # ------------------------------------------------------------------ triggers
    def _freight_on_milestones(self, milestones):
        """Accrue at the company's trigger milestone, reverse on cancellation."""
        cancelled = milestones.filtered(lambda m: m.code == CANCELLED).shipment_id
        (cancelled & self).filtered(lambda s: s.accrual_state == "accrued")._freight_accrue(
            fields.Datetime.now())
        triggers = {}
        for milestone in milestones.sorted("event_time"):
            shipment = milestone.shipment_id
            trigger = shipment.company_id.freight_accrual_trigger
            if (milestone.code == trigger and shipment.accrual_state == "none"
                    and shipment not in cancelled and shipment not in triggers):
                triggers[shipment] = milestone
        if triggers:
            self.browse([s.id for s in triggers])._freight_accrue(
                {s.id: m.event_time for s, m in triggers.items()},
                {s.id: m.message_id.id for s, m in triggers.items()})

    # ------------------------------------------------------------------ accruing
    def _freight_expected(self):
        """Expected cost per shipment: {id: ExpectedCost} (contract currency)."""
        facts = {f.id: f for f in self._audit_facts()}
        contracts = tuple(c._as_terms() for c in self.env["freight.rate.contract"].sudo().search(
            [("carrier_id", "in", self.carrier_id.ids)]))
        codes = self.env["freight.charge.code"]._codes_by_kind()
        today = fields.Date.context_today(self)
        return {s.id: expected_cost(facts[s.id], contracts, today, codes, confirmed=(
            s.confirmed_rate, s.confirmed_rate_currency_id.name) if s.confirmed_rate else None)
                for s in self}

    def _freight_accrue(self, when, message_ids=None):
        """Bring each shipment's accrual in line with its expected cost.

        ``when`` is a datetime, or {shipment id: datetime}, the date of the entries (the
        first open day if that period is locked). One create and one post for the batch.
        """
        if not self:
            return self.env["account.move"]
        expected = self._freight_expected()
        currencies = self._freight_currencies(expected.values())
        to_reverse, to_post = self.browse(), []
        for shipment in self:
            missing = shipment._freight_accrual_setup_missing()
            if missing:
                shipment.with_context(freight_accruing=True).accrual_note = missing
                continue
            cost = expected[shipment.id]
            moment = when[shipment.id] if isinstance(when, dict) else when
            amounts = shipment._freight_in_company_currency(cost, moment, currencies)
            open_amounts = shipment._freight_open_amounts()
            plan = plan_accrual(open_amounts, amounts,
                                cancelled=shipment.status == "cancelled",
                                billed=bool(shipment.billed_amount))
            if plan.reverse:
                to_reverse |= shipment
            if plan.post:
                to_post.append((shipment, plan.post, moment,
                                (message_ids or {}).get(shipment.id)))
            elif not plan.reverse and cost.missing and shipment.accrual_state == "none":
                shipment.with_context(freight_accruing=True).accrual_note = cost.missing
        to_reverse._freight_reverse_accrual(fields.Datetime.now())
        moves = self._freight_post_accruals(to_post)
        return moves

    def _freight_accrual_setup_missing(self):
        company = self.company_id
        if not (company.freight_accrual_journal_id and company.freight_accrued_account_id):
            return _("Accruals are not set up: choose the accrual journal and the accrued "
                     "freight account in the Freight settings.")
        return None

    def _freight_currencies(self, costs):
        names = list({cost.currency for cost in costs if cost.currency})
        return {c.name: c for c in self.env["res.currency"].with_context(
            active_test=False).search([("name", "in", names)])}

    def _freight_in_company_currency(self, cost, moment, currencies=None):
        if not cost.amounts:
            return {}
        company = self.company_id
        if currencies is None:
            currencies = self._freight_currencies([cost])
        currency = currencies.get(cost.currency) or company.currency_id
        day = moment.date() if isinstance(moment, datetime) else moment
        return {code: currency._convert(amount, company.currency_id, company, day)
                for code, amount in cost.amounts.items()}

    def _freight_open_amounts(self):
        """The open accrual per charge code, or None when there is none."""
        move = self.accrual_move_id
        if self.accrual_state != "accrued" or not move:
            return None
        amounts = defaultdict(float)
        for line in move.line_ids.filtered("debit"):
            amounts[line.freight_charge_code] += line.debit
        return dict(amounts)

    def _freight_post_accruals(self, to_post):
        Move = self.env["account.move"].sudo()
        if not to_post:
            return Move
        codes = list({code for _s, amounts, _m, _id in to_post for code in amounts})
        charges = self.env["freight.charge.code"].search([("code", "in", codes)])
        accounts = {}  # (company, code) -> expense account, read once per company
        for company in {shipment.company_id for shipment, *_rest in to_post}:
            for charge in charges.with_company(company):
                accounts[company, charge.code] = charge.expense_account_id
        values, posting = [], []
        for shipment, amounts, moment, message_id in to_post:
            try:
                values.append(shipment._freight_accrual_values(amounts, moment, message_id,
                                                               accounts))
                posting.append(shipment)
            except UserError as error:  # a setup gap must not block the milestone feed
                shipment.with_context(freight_accruing=True).accrual_note = str(error)
        moves = Move.create(values)
        moves.action_post()
        for shipment, move in zip(posting, moves):
            shipment.with_context(freight_accruing=True).write({
                "accrual_state": "accrued", "accrual_move_id": move.id,
                "accrued_amount": move.amount_total, "expected_cost": move.amount_total,
                "accrual_note": False,
            })
        return moves

    def _freight_accrual_values(self, amounts, moment, message_id, accounts):
        company = self.company_id
        journal = company.freight_accrual_journal_id
        accrued = company.freight_accrued_account_id
        lines = []
        for code, amount in sorted(amounts.items()):
            account = accounts.get((company, code)) or company.freight_expense_account_id
            if not account:
                raise UserError(_("No expense account for charge %s: set one on the charge "
                                  "code or in the Freight settings.", code))
            lines.append(Command.create({
                "name": _("%(shipment)s: %(code)s expected", shipment=self.name, code=code),
                "account_id": account.id, "debit": amount, "credit": 0.0,
                "freight_charge_code": code,
            }))
        lines.append(Command.create({
            "name": _("%s: accrued freight", self.name), "account_id": accrued.id,
            "debit": 0.0, "credit": company.currency_id.round(sum(amounts.values())),
        }))
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": entry_date(moment, lock_date(company)),
            "ref": _("Freight accrual %s", self.name),
            "freight_shipment_id": self.id,
            "freight_move_role": "accrual",
            "freight_message_id": message_id,
            "line_ids": lines,
        }

    def _freight_reverse_accrual(self, moment):
        """Reverse the open accruals with Odoo's reversal, dated ``moment`` or the first
        open day of a locked period."""
        open_moves = self.accrual_move_id.filtered(lambda m: m.state == "posted")
        if open_moves:
            defaults = [{
                "date": entry_date(moment, lock_date(move.company_id)),
                "ref": _("Reversal of %s", move.ref),
                "freight_shipment_id": move.freight_shipment_id.id,
                "freight_move_role": "accrual_reversal",
            } for move in open_moves]
            open_moves.sudo()._reverse_moves(defaults, cancel=True)
        self.with_context(freight_accruing=True).write(
            {"accrual_state": "reversed", "accrual_move_id": False})

    # ------------------------------------------------------------------ billing
    def _freight_on_bills_posted(self, bills):
        """The carriers billed: record what they billed and reverse the accruals, each
        on the date of the bill that closes it (in batches of one date)."""
        lines = self.env["freight.invoice.line"].sudo().search_fetch(
            [("shipment_id", "in", self.ids), ("invoice_id.move_id.state", "=", "posted")],
            ["shipment_id", "amount", "expected", "invoice_id"])
        billed = defaultdict(float)
        for line in lines:
            invoice = line.invoice_id
            amount = line.expected if invoice.billed_on_expected else line.amount
            billed[line.shipment_id] += invoice.currency_id._convert(
                amount, invoice.company_id.currency_id, invoice.company_id, invoice.date)
        for shipment in self:
            shipment.with_context(freight_accruing=True).billed_amount = billed[shipment]
        closing = defaultdict(lambda: self.browse())
        for bill in bills:
            shipments = bill.freight_invoice_id.line_ids.shipment_id & self
            closing[bill.invoice_date or bill.date] |= shipments.filtered(
                lambda s: s.accrual_state == "accrued")
        for day, shipments in closing.items():
            shipments._freight_reverse_accrual(day)
