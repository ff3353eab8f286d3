"""The invoice chain's shell around services/invoice_chain.py: which earlier invoice a
correction names, the resend of an invoice already received, and what a replacement
(CO/RB) or a cancel (CA) does to the earlier invoices and their vendor bills. The rules are
the pure module's; this file finds the records and moves the money."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..services.invoice_chain import (
    ADDS,
    CANCELS,
    CHAIN_CODES,
    REBUTS,
    REMINDS,
    REPLACES,
    credit_left,
    number_key,
    pick_target,
    replaced_bill_fate,
    resend_difference,
    settlement,
    withheld,
)

# a replaced invoice in these states has no money of its own yet: it goes at once
UNBILLED = ("received", "audited", "exception", "disputed")


class FreightInvoiceChain(models.AbstractModel):
    _name = "freight.invoice.chain"
    _description = "Carrier invoice chain"

    # ---- intake: links and resends ------------------------------------------------------

    @api.model
    def _link(self, staged):
        """Point each staged correction at the earlier invoice it names (``corrects``, or
        its own number): one search for the whole batch."""
        # a carrier's technical user stages invoices it may not write: linking them into
        # their chain is the application's work
        links = staged.sudo().filtered(lambda i: i.correction in CHAIN_CODES)
        if not links:
            return
        candidates = defaultdict(list)
        for invoice in self.env["freight.invoice"].sudo().search_fetch([
            ("company_id", "in", links.company_id.ids),
            ("carrier_id", "in", links.carrier_id.ids),
            ("number_key", "in", list({number_key(i.corrects or i.name) for i in links})),
            # a rejected invoice is named by a rebuttal (pick_target)
            ("state", "not in", ("cancelled", "superseded")),
        ], ["company_id", "carrier_id", "number_key", "correction", "state"]):
            candidates[(invoice.company_id.id, invoice.carrier_id.id, invoice.number_key)
                       ].append((invoice.id, invoice.correction, invoice.state))
        awaiting = self.env["freight.dispute"]._awaiting_rebill(
            [cid for found in candidates.values() for cid, _code, state in found
             if state == "rejected"])
        for link in links:
            named = link.corrects or link.name
            targets = pick_target(link.correction, link.id, candidates[
                (link.company_id.id, link.carrier_id.id, number_key(named))], awaiting,
                credit=link.amount_total < 0)
            if targets:
                link._set_outcome({"corrects_id": targets[0]})
            else:
                link.message_post(body=_(
                    "This %(code)s names invoice %(number)s, which was not received from "
                    "this carrier (or no longer stands): it is audited on its own.",
                    code=link.correction, number=named))

    @api.model
    def _note_resent(self, pairs, message):
        """An invoice received again under the same identity is not staged twice: the
        clerk gets a duplicate case on the invoice already received, saying what differs.
        A replay of the message that staged it is no resend."""
        cases = []
        for invoice, document in pairs:
            if message and invoice.message_id == message:
                continue
            changes = resend_difference(
                {"total": invoice.amount_total, "date": invoice.date,
                 "currency": invoice.currency_id.name, "lines": len(invoice.line_ids)},
                {"total": document["total"], "date": document["date"],
                 "currency": document["currency"], "lines": len(document["lines"])})
            text = _("Invoice %(number)s was sent again without a correction code (%(what)s). "
                     "It is not received twice: if the amount changed, the carrier sends a "
                     "correction (CO, RB) or a balance due (BD).",
                     number=document["number"],
                     what="; ".join(changes) if changes else _("the same invoice"))
            invoice.sudo().message_post(body=text)
            cases.append({
                "name": f"{invoice.display_name}: {text}"[:250],
                "company_id": invoice.company_id.id,
                "exception_type": "duplicate_invoice",
                "invoice_id": invoice.id,
                "amount_at_stake": document["total"],
                "description": text,
            })
        self.env["freight.exception"].sudo().create(cases)

    # ---- audit: what a correction does at once ------------------------------------------

    @api.model
    def _after_audit(self, invoices):
        """A cancel cancels its chain; a replacement replaces at once an earlier invoice
        that has no money of its own yet (a billed one waits for the replacement's bill)."""
        for cancel in invoices.filtered(lambda i: i.correction in CANCELS
                                        and i.state == "cancelled"):
            self._cancel_chain(cancel)
        for replacement in invoices.filtered(lambda i: i.correction in REPLACES
                                             and i.corrects_id.state in UNBILLED):
            self._supersede(replacement.corrects_id, replacement)
        states = dict(self.env["freight.invoice"]._fields["state"]._description_selection(
            self.env))
        for reminder in invoices.filtered(lambda i: i.correction in REMINDS and i.corrects_id):
            reminder.corrects_id.message_post(body=_(
                "Past-due reminder %(reminder)s received: this invoice is %(state)s.",
                reminder=reminder.name, state=states[reminder.corrects_id.state]))
        for rebuttal in invoices.filtered(lambda i: i.correction in REBUTS and i.corrects_id):
            self._reopen(rebuttal.corrects_id, rebuttal)

    def _reopen(self, target, rebuttal):
        """The carrier answers a rejection or a dispute: the invoice is back in exception,
        its billing cases open again with the carrier's text, for the clerk to decide."""
        text = "; ".join(filter(None, rebuttal.line_ids.mapped("description"))) or _(
            "no text sent")
        note = _("The carrier's rebuttal %(doc)s (%(code)s): %(text)s", doc=rebuttal.name,
                 code=rebuttal.correction, text=text)
        if target.state in ("rejected", "disputed"):
            target._set_outcome({"state": "exception", "dispute_reason": False})
        cases = target.exception_ids.filtered(lambda c: c.category == "billing")
        cases.with_context(freight_case_note=True).write(
            {"stage_id": self.env.ref("freight_sync.exception_stage_in_progress").id})
        for case in cases:
            case.message_post(body=note)
        target.message_post(body=note)

    def _cancel_chain(self, cancel):
        """Every invoice of the number a CA names is cancelled with its cases; each bill
        that stands is cancelled (draft), credited and reconciled (unpaid), or credited
        and left open for the carrier to pay back (paid)."""
        chain = self._chain(cancel).filtered(
            lambda i: i.correction not in CANCELS and i.state not in ("rejected", "cancelled"))
        why = _("cancelled by the carrier's invoice %s (CA)", cancel.name)
        for invoice in chain:
            self.env["freight.dispute"]._on_cancelled(invoice, cancel)
            self._undo_bill(invoice, why, keep_paid=False)
            invoice._move_cases(self.env.ref("freight_sync.exception_stage_resolved"),
                                why.capitalize())
            invoice._set_outcome({"state": "cancelled"})
            invoice.message_post(body=why.capitalize() + ".")
        self._refresh_billed(chain)

    def _chain(self, cancel):
        """The invoices of the number ``cancel`` names and the corrections linked to them,
        whatever their own numbers (one search per level of the chain)."""
        Invoice = self.env["freight.invoice"].sudo()
        chain = Invoice.search([
            ("company_id", "=", cancel.company_id.id),
            ("carrier_id", "=", cancel.carrier_id.id),
            ("number_key", "=", number_key(cancel.corrects or cancel.name)),
            ("id", "!=", cancel.id)])
        level = chain
        while level:
            level = Invoice.search([("corrects_id", "in", level.ids),
                                    ("id", "not in", chain.ids + [cancel.id])])
            chain |= level
        return chain

    # ---- bill: what a replacement still pays --------------------------------------------

    @api.model
    def _replace(self, replacement, amounts):
        """At the replacement's bill: the earlier invoice is replaced, its unpaid bill
        cancelled or credited; returns what the replacement still bills per charge (less
        what paid bills already paid)."""
        target = replacement.corrects_id.sudo()
        self.env.cr.execute(SQL("SELECT id FROM freight_invoice WHERE id = %s FOR UPDATE",
                                target.id))
        paid = self._standing_money(target, replacement)
        self._refresh_billed(target)
        return settlement(amounts, paid)

    def _standing_money(self, target, replacement):
        """What was paid for good on ``target``'s chain, per charge, once its unpaid bill is
        undone; ``target`` and what it replaced are marked replaced."""
        why = _("replaced by %s", replacement.display_name)
        if self._undo_bill(target, why, keep_paid=True) == "settle":
            paid = defaultdict(float)
            for line in target.line_ids:
                paid[line.charge_code_id or line.charge_code] += line.approved_amount
            paid = dict(paid)
        elif target.correction in REPLACES and target.corrects_id:
            paid = self._standing_money(target.corrects_id, replacement)
        else:
            paid = {}
        if target.state != "superseded":
            self._supersede(target, replacement)
        return paid

    def _undo_bill(self, invoice, why, keep_paid):
        """Cancel or credit ``invoice``'s bill as ``replaced_bill_fate`` says; a paid bill
        stands (``keep_paid``) or is credited and left open. Returns the fate."""
        move = invoice.move_id.sudo()
        if move:
            fate = replaced_bill_fate(move.state, move.payment_state)
        else:  # settled against a paid bill of the invoice it replaced
            fate = "settle" if invoice.state in ("posted", "paid") else "none"
        if fate == "cancel":
            move.button_cancel()
        elif fate == "reverse" or (fate == "settle" and move and not keep_paid):
            day = max(move.date, fields.Date.context_today(self))
            credit = move._reverse_moves([{
                "ref": _("%(bill)s: %(why)s", bill=move.name, why=why),
                "date": day, "invoice_date": day,
            }], cancel=fate == "reverse")
            if credit.state == "draft":
                credit._freight_post()
            invoice.message_post(body=_("Vendor bill %(bill)s credited by %(credit)s: %(why)s.",
                                        bill=move.name, credit=credit.name, why=why))
        return fate

    def _supersede(self, target, replacement):
        why = _("Replaced by %s.", replacement.display_name)
        if self.env["freight.dispute"]._in_dispute(target):
            # the dispute closes, with what it recovered, once the replacement is approved
            for case in target.exception_ids.filtered(lambda c: not c.is_closed):
                case.message_post(body=_("%(doc)s received from the carrier: the dispute is "
                                         "settled when it is approved.",
                                         doc=replacement.display_name))
        else:
            target._move_cases(self.env.ref("freight_sync.exception_stage_resolved"), why)
        target._set_outcome({"state": "superseded"})
        target.message_post(body=why)

    def _absorb_credits(self, invoices):
        """Credit notes among ``invoices`` (approved, amounts not billed yet) that name an
        invoice we short-paid or rejected pay back only what we did not keep already:
        their lines' approved amounts are reduced (credit_left), so the refund, the
        shipments' billed totals and the accruals count the money once."""
        credits = invoices.filtered(
            lambda i: i.correction in ADDS and i.corrects_id and i.amount_total < 0)
        for credit in credits.sorted("id"):
            target = credit.corrects_id.sudo()
            # concurrent credits of one invoice: the second waits here, then fails to
            # serialize on the touched row and is retried, seeing the first one's take
            self.env.cr.execute(SQL(
                "UPDATE freight_invoice SET write_date = now() at time zone 'UTC' "
                "WHERE id = %s", target.id))
            earlier = self.env["freight.invoice"].sudo().search([
                ("corrects_id", "=", target.id), ("correction", "in", list(ADDS)),
                ("state", "in", ("approved", "posted")), ("id", "!=", credit.id)])
            taken = sum(other.amount_approved - other.amount_total for other in earlier)
            kept = withheld(target.state, target.amount_total, target.amount_approved) - taken
            if kept <= 0:
                continue
            lines = credit.line_ids.sorted("id")
            paid = credit_left(lines.mapped("approved_amount"), kept)
            for line, amount in zip(lines, paid):
                line._with_guarded_rights().approved_amount = amount
            credit._set_outcome({"amount_approved": round(sum(paid), 2)})
            credit.message_post(body=_(
                "%(kept)s of this credit was kept already on %(invoice)s (short-paid or "
                "rejected): it is not refunded again.",
                kept=credit.currency_id.format(min(kept, -credit.amount_total)),
                invoice=target.display_name))

    def _refresh_billed(self, invoices):
        """The shipments' billed amounts follow the bills that still stand."""
        shipments = invoices.line_ids.shipment_id
        if shipments:
            self.env["freight.accrual.booking"].sudo()._on_bills_posted(
                shipments, self.env["account.move"])
