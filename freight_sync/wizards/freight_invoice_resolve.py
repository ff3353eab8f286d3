from odoo import _, api, fields, models
from odoo.exceptions import UserError

RESOLUTIONS = [
    ("override", "Approve with override: pay what was billed"),
    ("short_pay", "Short-pay: pay the amount below, dispute the rest"),
    ("rebill", "Ask for a rebill at the expected amount"),
    ("reject", "Reject the invoice"),
]


class FreightInvoiceResolve(models.TransientModel):
    """A clerk's decision on an invoice in exception, with the reason kept in the chatter."""

    _name = "freight.invoice.resolve"
    _description = "Resolve a carrier invoice"

    invoice_id = fields.Many2one("freight.invoice", required=True)
    resolution = fields.Selection(RESOLUTIONS, required=True, default="short_pay")
    reason = fields.Text(required=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    variance = fields.Monetary(related="invoice_id.variance_total")
    amount = fields.Monetary(
        string="Amount to Pay", compute="_compute_amount", store=True, readonly=False,
        help="Short-pay: what the vendor bill pays, at most the billed amount. Proposed: "
             "the expected total of the lines the audit could price. Priced lines are paid "
             "up to their expected amounts first, the rest goes to the unpriced lines in "
             "proportion to what they billed.")
    unpriced_line_count = fields.Integer(related="invoice_id.unpriced_line_count")

    @api.depends("invoice_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.invoice_id.expected_total

    @api.constrains("reason")
    def _check_reason(self):
        if any(not (wizard.reason or "").strip() for wizard in self):
            raise UserError(_("Say why: the reason is kept with the invoice."))

    def action_confirm(self):
        self.ensure_one()
        invoice = self.invoice_id
        # the invoice's own rule (group, override threshold), as for every other door
        invoice._check_decision(self.resolution)
        # an audited invoice needs no resolution, but may still be refused outright
        if invoice.state not in ("exception", "disputed") and not (
                invoice.state == "audited" and self.resolution == "reject"):
            raise UserError(_("Only invoices in exception or disputed are resolved here."))
        label = dict(RESOLUTIONS)[self.resolution]
        note = _("%(what)s — %(reason)s (%(user)s)", what=label, reason=self.reason.strip(),
                 user=self.env.user.name)
        if self.resolution == "short_pay":
            invoice._check_short_pay(self.amount)  # before anything is recorded
        # kept on the cases before they move: suggestions learn from the clerk's decisions
        self.env["freight.dispute"]._record_decision(
            invoice, self.resolution, paid=self.amount if self.resolution == "short_pay"
            else None)
        resolved = self.env.ref("freight_sync.exception_stage_resolved")
        disputed = self.env.ref("freight_sync.exception_stage_waiting")
        if self.resolution == "override":
            invoice._move_cases(resolved, note)
            invoice._approve(note)
        elif self.resolution == "short_pay":
            invoice._check_short_pay(self.amount)  # before anything moves
            # the difference stays disputed with the carrier until it credits or explains it
            invoice._move_cases(disputed, note)
            invoice._set_outcome({"state": "approved"})
            invoice.message_post(body=note)
            invoice._post_bills(use_expected=True, amount=self.amount)
        else:
            invoice._move_cases(disputed if self.resolution == "rebill" else resolved, note)
            invoice._set_outcome({"state": "rejected"})
            invoice.message_post(body=note)
        return {"type": "ir.actions.act_window_close"}
