from collections import defaultdict
from datetime import datetime

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..services.accrual import CANCELLED, entry_date, expected_cost, plan_accrual
from ..services.invoice_chain import GONE_STATES


def lock_date(company):
    """Automatic entries respect the stricter of the two locks, whoever triggers them."""
    return max(filter(None, [company.period_lock_date, company.fiscalyear_lock_date]),
               default=None)


class FreightAccrualBooking(models.AbstractModel):
    """Freight accruals in the books: Dr freight expense / Cr accrued freight per shipment,
    posted at the company's trigger milestone, re-created when the expected cost changes,
    reversed with Odoo's own reversal on cancellation and when the carrier bills.

    Every method takes the shipments it books for; it works in the environment it is called
    from, which the shipment chooses (the application's rights, see its `reactions`).
    The decisions themselves are pure: `services.accrual`.
    """

    _name = "freight.accrual.booking"
    _description = "Freight Accrual Booking"

    # ---- reactions ----
    @api.model
    def _on_milestones(self, shipments, milestones):
        """Accrue at the company's trigger milestone, reverse on cancellation."""
        cancelled = milestones.filtered(lambda m: m.code == CANCELLED).shipment_id
        self._accrue((cancelled & shipments).filtered(lambda s: s.accrual_state == "accrued"),
                     fields.Datetime.now())
        triggers = {}
        for milestone in milestones.sorted("event_time"):
            shipment = milestone.shipment_id
            trigger = shipment.company_id.freight_accrual_trigger
            if (milestone.code == trigger and shipment.accrual_state == "none"
                    and shipment not in cancelled and shipment not in triggers):
                triggers[shipment] = milestone
        if triggers:
            self._accrue(shipments.browse([s.id for s in triggers]),
                         {s.id: m.event_time for s, m in triggers.items()},
                         {s.id: m.message_id.id for s, m in triggers.items()})

    @api.model
    def _on_bills_posted(self, shipments, bills):
        """The carriers billed: record what they billed and reverse the accruals, each
        on the date of the bill that closes it (in batches of one date)."""
        lines = self.env["freight.invoice.line"].sudo().search_fetch(
            [("shipment_id", "in", shipments.ids),
             ("invoice_id.state", "not in", GONE_STATES),
             # settled against a replaced invoice's paid bill: nothing more billed, no bill
             "|", ("invoice_id.move_id.state", "=", "posted"),
             "&", ("invoice_id.move_id", "=", False), ("invoice_id.state", "=", "posted")],
            ["shipment_id", "approved_amount", "invoice_id"])
        billed = defaultdict(float)
        for line in lines:
            invoice = line.invoice_id
            # what the bill pays for the line: as billed or its share of a short-pay
            billed[line.shipment_id] += invoice.currency_id._convert(
                line.approved_amount, invoice.company_id.currency_id, invoice.company_id,
                invoice.date)
        for shipment in shipments:
            shipment.with_context(freight_accruing=True).billed_amount = billed[shipment]
        closing = defaultdict(shipments.browse)
        for bill in bills:
            billed_shipments = bill.freight_invoice_id.line_ids.shipment_id & shipments
            closing[bill.invoice_date or bill.date] |= billed_shipments.filtered(
                lambda s: s.accrual_state == "accrued")
        for day, closed in closing.items():
            self._reverse(closed, day)

    # ---- expected cost ----
    @api.model
    def _expected(self, shipments):
        """Expected cost per shipment: {id: ExpectedCost} (contract currency)."""
        facts = {f.id: f for f in shipments._audit_facts()}
        # read as the system, but each shipment priced by its own company's contracts only
        contracts = defaultdict(list)
        found = self.env["freight.rate.contract"].sudo().search([
            ("carrier_id", "in", shipments.carrier_id.ids),
            ("company_id", "in", shipments.company_id.ids)])
        for contract, terms in zip(found, found._as_terms_batch()):
            contracts[contract.company_id.id].append(terms)
        codes = self.env["freight.charge.code"]._codes_by_kind()
        today = fields.Date.context_today(self)
        return {s.id: expected_cost(facts[s.id], contracts[s.company_id.id], today, codes)
                for s in shipments}

    @api.model
    def _currencies(self, costs):
        names = list({cost.currency for cost in costs if cost.currency})
        return {c.name: c for c in self.env["res.currency"].with_context(
            active_test=False).search([("name", "in", names)])}

    @api.model
    def _in_company_currency(self, shipment, cost, moment, currencies=None):
        """The expected amounts per charge code in the shipment's company currency."""
        if not cost.amounts:
            return {}
        company = shipment.company_id
        if currencies is None:
            currencies = self._currencies([cost])
        currency = currencies.get(cost.currency) or company.currency_id
        day = moment.date() if isinstance(moment, datetime) else moment
        return {code: currency._convert(amount, company.currency_id, company, day)
                for code, amount in cost.amounts.items()}

    # ---- entries ----
    @api.model
    def _accrue(self, shipments, when, message_ids=None):
        """Bring each shipment's accrual in line with its expected cost.

        ``when`` is a datetime, or {shipment id: datetime}, the date of the entries (the
        first open day if that period is locked). One create and one post for the batch.
        """
        if not shipments:
            return self.env["account.move"]
        expected = self._expected(shipments)
        currencies = self._currencies(expected.values())
        to_reverse, to_post = shipments.browse(), []
        for shipment in shipments:
            missing = self._setup_missing(shipment.company_id)
            if missing:
                shipment.with_context(freight_accruing=True).accrual_note = missing
                continue
            cost = expected[shipment.id]
            moment = when[shipment.id] if isinstance(when, dict) else when
            amounts = self._in_company_currency(shipment, cost, moment, currencies)
            plan = plan_accrual(self._open_amounts(shipment), amounts,
                                cancelled=shipment.status == "cancelled",
                                billed=bool(shipment.billed_amount))
            if plan.reverse:
                to_reverse |= shipment
            if plan.post:
                to_post.append((shipment, plan.post, moment,
                                (message_ids or {}).get(shipment.id)))
            elif not plan.reverse and cost.missing and shipment.accrual_state == "none":
                shipment.with_context(freight_accruing=True).accrual_note = cost.missing
        self._reverse(to_reverse, fields.Datetime.now())
        return self._post(to_post)

    @api.model
    def _setup_missing(self, company):
        if not (company.freight_accrual_journal_id and company.freight_accrued_account_id):
            return _("Accruals are not set up: choose the accrual journal and the accrued "
                     "freight account in the Freight settings.")
        return None

    @api.model
    def _open_amounts(self, shipment):
        """The open accrual per charge code, or None when there is none."""
        move = shipment.accrual_move_id
        if shipment.accrual_state != "accrued" or not move:
            return None
        amounts = defaultdict(float)
        for line in move.line_ids.filtered("debit"):
            amounts[line.freight_charge_code] += line.debit
        return dict(amounts)

    @api.model
    def _post(self, to_post):
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
                values.append(self._entry_values(shipment, amounts, moment, message_id,
                                                 accounts))
                posting.append(shipment)
            except UserError as error:  # a setup gap must not block the milestone feed
                shipment.with_context(freight_accruing=True).accrual_note = str(error)
        moves = Move.create(values)
        moves._freight_post()
        for shipment, move in zip(posting, moves):
            shipment.with_context(freight_accruing=True).write({
                "accrual_state": "accrued", "accrual_move_id": move.id,
                "accrued_amount": move.amount_total, "expected_cost": move.amount_total,
                "accrual_note": False,
            })
        return moves

    @api.model
    def _entry_values(self, shipment, amounts, moment, message_id, accounts):
        company = shipment.company_id
        journal = company.freight_accrual_journal_id
        accrued = company.freight_accrued_account_id
        lines = []
        for code, amount in sorted(amounts.items()):
            account = accounts.get((company, code)) or company.freight_expense_account_id
            if not account:
                raise UserError(_("No expense account for charge %s: set one on the charge "
                                  "code or in the Freight settings.", code))
            lines.append(Command.create({
                "name": _("%(shipment)s: %(code)s expected", shipment=shipment.name, code=code),
                "account_id": account.id, "debit": amount, "credit": 0.0,
                "freight_charge_code": code,
            }))
        lines.append(Command.create({
            "name": _("%s: accrued freight", shipment.name), "account_id": accrued.id,
            "debit": 0.0, "credit": company.currency_id.round(sum(amounts.values())),
        }))
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": entry_date(moment, lock_date(company)),
            "ref": _("Freight accrual %s", shipment.name),
            "freight_shipment_id": shipment.id,
            "freight_move_role": "accrual",
            "freight_message_id": message_id,
            "line_ids": lines,
        }

    @api.model
    def _reverse(self, shipments, moment):
        """Reverse the open accruals with Odoo's reversal, dated ``moment`` or the first
        open day of a locked period."""
        open_moves = shipments.accrual_move_id.filtered(lambda m: m.state == "posted")
        if open_moves:
            defaults = [{
                "date": entry_date(moment, lock_date(move.company_id)),
                "ref": _("Reversal of %s", move.ref),
                "freight_shipment_id": move.freight_shipment_id.id,
                "freight_move_role": "accrual_reversal",
            } for move in open_moves]
            open_moves.sudo()._reverse_moves(defaults, cancel=True)
        shipments.with_context(freight_accruing=True).write(
            {"accrual_state": "reversed", "accrual_move_id": False})
