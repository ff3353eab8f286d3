from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..services.dispute_window import (
    LAPSED,
    NONE,
    OK,
    SENT,
    URGENCIES,
    URGENT,
    dispute_by,
    urgency,
    urgent_until,
    window_days,
    window_terms,
)
from ..services.workbench import DISPUTE_REASONS

EXCEPTION_TYPES = [
    ("delivery_exception", "Delivery exception"),
    ("late_delivery", "Late delivery"),
    ("damage", "Damage"),
    ("rate_variance", "Rate variance"),
    ("unknown_shipment", "Unknown shipment"),
    ("duplicate_invoice", "Duplicate invoice"),
    ("missing_pod", "Missing proof of delivery"),
    ("unapproved_accessorial", "Unapproved accessorial"),
    ("weight_variance", "Weight variance"),
    ("reweigh", "Reweigh"),
    ("reclass", "Reclassification"),
    ("dim_weight", "Dimensional weight"),
    ("currency_mismatch", "Currency mismatch"),
    ("correction_code", "Unknown correction code"),
    ("processing_error", "Processing error"),
    ("tender_counter_offer", "Tender counter-offer"),
]
OPERATIONAL_TYPES = ("delivery_exception", "late_delivery", "damage", "tender_counter_offer")
# X12 AT701 codes of damage; other exception milestones are delivery exceptions.
DAMAGE_CODES = {"A9"}
RESPONSE_TIME = timedelta(days=1)
# what the decisions and the dispute with the carrier booked on a case: the recoveries,
# the dashboard and the suggestions count on them, so no caller writes them
OUTCOME_FIELDS = frozenset({
    "resolution", "decided_at", "closed_at", "amount_disputed", "amount_recovered",
    "amount_written_off", "recovery_percent", "packet_id", "dispute_sent_at",
    "dispute_deadline", "dispute_reminded", "dispute_escalated", "rebill_invoice_id",
})
# a clerk's decisions on an invoice in exception (freight.invoice.resolve), as case outcomes
CASE_RESOLUTIONS = [
    ("override", "Approved as billed"),
    ("short_pay", "Short-paid to the expected amount"),
    ("rebill", "Sent back for a rebill"),
    ("reject", "Rejected"),
]


class FreightException(models.Model):
    """A case somebody must look at: an operational problem or a billing discrepancy."""

    _name = "freight.exception"
    _description = "Freight Exception"
    _inherit = ["mail.thread", "mail.activity.mixin", "freight.guarded.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True
    _freight_guarded_fields = OUTCOME_FIELDS

    # ---- fields ----
    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    exception_type = fields.Selection(EXCEPTION_TYPES, string="Type", required=True, index=True)
    category = fields.Selection(
        [("operations", "Operations"), ("billing", "Billing")],
        compute="_compute_category", store=True, index=True,
    )
    shipment_id = fields.Many2one("freight.shipment", index=True, check_company=True)
    carrier_id = fields.Many2one(related="shipment_id.carrier_id", store=True)
    milestone_id = fields.Many2one("freight.milestone", index="btree_not_null", readonly=True)
    message_id = fields.Many2one("freight.message", string="Source Message", readonly=True)
    invoice_id = fields.Many2one("freight.invoice", string="Carrier Invoice",
                                 index="btree_not_null", readonly=True)
    invoice_line_id = fields.Many2one("freight.invoice.line", readonly=True)
    stage_id = fields.Many2one(
        "freight.exception.stage", tracking=True, index=True, group_expand="_read_group_stage_ids",
        default=lambda self: self._first_stage(),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    user_id = fields.Many2one("res.users", string="Assignee", tracking=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0")
    deadline = fields.Datetime(tracking=True)
    amount_at_stake = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    description = fields.Text()
    # the same reasons as an invoice's dispute in the workbench
    dispute_reason = fields.Selection(list(DISPUTE_REASONS.items()), tracking=True,
                                      readonly=True)
    # tells the kanban whether "Dispute" would move the card anywhere
    is_waiting = fields.Boolean(compute="_compute_is_waiting")
    # ---- the clerk's decision and what it brought back (suggestions learn from these) ----
    resolution = fields.Selection(CASE_RESOLUTIONS, readonly=True, tracking=True, index=True,
                                  copy=False,
                                  help="The clerk's decision on the invoice this case is about.")
    decided_at = fields.Datetime(readonly=True, index=True, copy=False)
    closed_at = fields.Datetime(readonly=True, copy=False)
    charge_code = fields.Char(related="invoice_line_id.charge_code", store=True)
    charge_kind = fields.Selection(related="invoice_line_id.charge_code_id.kind", store=True)
    variance_percent = fields.Float(
        string="Variance (%)", compute="_compute_variance_percent", store=True,
        help="The amount at stake as a share of what the carrier billed on the line (of the "
             "whole invoice for a case about no one line).")
    # ---- the dispute with the carrier: on the invoice's lead case only ----
    amount_disputed = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False,
        help="What the carrier is asked to take back: billed less what we hold to be due.")
    amount_recovered = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False,
        help="What was not paid in the end: the short-paid or rejected amount, the rebill's "
             "reduction or the carrier's credit.")
    amount_written_off = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False,
        help="Disputed money paid after all.")
    recovery_percent = fields.Float(
        string="Recovered (%)", readonly=True, copy=False,
        help="Recovered as a share of the disputed amount of the invoice's dispute.")
    packet_id = fields.Many2one("ir.attachment", string="Dispute Packet", readonly=True,
                                copy=False)
    dispute_sent_at = fields.Datetime(string="Sent to Carrier", readonly=True, copy=False)
    dispute_deadline = fields.Datetime(string="Carrier Answer Due", readonly=True, copy=False,
                                       tracking=True)
    dispute_reminded = fields.Boolean(readonly=True, copy=False)
    dispute_escalated = fields.Boolean(string="Escalated", readonly=True, copy=False,
                                       tracking=True)
    suggestion = fields.Char(
        string="Suggested Resolution", compute="_compute_suggestion",
        help="How similar cases of this carrier were settled; none when too few were.")
    rebill_invoice_id = fields.Many2one(
        "freight.invoice", string="Settled By", readonly=True, copy=False,
        help="The carrier's rebill, correction or credit note that settled the dispute.")
    # ---- the contract's dispute window (services/dispute_window.py) ----
    dispute_by = fields.Date(
        compute="_compute_dispute_by", store=True, index="btree_not_null",
        help="The last day a dispute can reach the carrier: the invoice date plus the dispute "
             "window of the carrier's contract valid on that date. Empty when the contract "
             "states no window.")
    dispute_urgency = fields.Selection(
        [(OK, "In window"), (URGENT, "Urgent"), (LAPSED, "Window lapsed"),
         (SENT, "Dispute sent"), (NONE, "No window")],
        string="Dispute Window", compute="_compute_dispute_urgency",
        search="_search_dispute_urgency", compute_sudo=True,
        help="Lapsed: the case is open, no dispute of its invoice was sent and the window "
             "closed, so the money at stake is lost. Urgent: the window closes within the "
             "days set in Freight settings.")

    # ---- constraints ----
    _sql_constraints = [
        ("milestone_unique", "unique(milestone_id)", "This milestone already opened a case."),
    ]

    # ---- compute ----
    @api.depends("exception_type")
    def _compute_category(self):
        for case in self:
            case.category = (
                "operations" if case.exception_type in OPERATIONAL_TYPES else "billing"
            )

    @api.depends("amount_at_stake", "invoice_line_id.amount", "invoice_id.amount_total")
    def _compute_variance_percent(self):
        for case in self:
            billed = (case.invoice_line_id.amount if case.invoice_line_id
                      else case.invoice_id.amount_total)
            case.variance_percent = (100.0 * case.amount_at_stake / billed) if billed else 0.0

    @api.depends("invoice_id", "stage_id")
    def _compute_suggestion(self):
        Dispute = self.env["freight.dispute"]
        for case in self:
            found = (Dispute._suggestion(case.invoice_id)
                     if case.invoice_id and case.category == "billing" and not case.is_closed
                     else None)
            case.suggestion = found.evidence if found else False

    @api.depends("category", "invoice_id.date", "invoice_id.carrier_id",
                 "invoice_id.company_id")
    def _compute_dispute_by(self):
        billing = self.filtered(lambda case: case.category == "billing" and case.invoice_id)
        (self - billing).dispute_by = False
        if not billing:
            return
        invoices = billing.invoice_id
        # a date derived from the contract, whoever triggers the computation
        contracts = self.env["freight.rate.contract"].sudo().search_fetch(
            [("carrier_id", "in", invoices.carrier_id.ids),
             ("company_id", "in", invoices.company_id.ids)],
            ["carrier_id", "company_id", "date_start", "date_end", "dispute_window_days"])
        terms, windows = {}, {}
        for contract in contracts:
            terms.setdefault(contract.company_id.id, []).append(window_terms(
                contract.id, contract.carrier_id.id, contract.date_start,
                contract.date_end or None))
            windows[contract.id] = contract.dispute_window_days
        for case in billing:
            invoice = case.invoice_id
            days = window_days(terms.get(invoice.company_id.id, []), windows,
                               invoice.carrier_id.id, invoice.date)
            case.dispute_by = dispute_by(invoice.date, days)

    @api.depends("dispute_by", "is_closed", "dispute_sent_at",
                 "invoice_id.exception_ids.dispute_sent_at",
                 "company_id.freight_dispute_urgent_days")
    @api.depends_context("tz")
    def _compute_dispute_urgency(self):
        today = fields.Date.context_today(self)
        # the dispute is sent from the invoice's lead case: it covers the invoice's others
        sent_invoices = set(self.search([("invoice_id", "in", self.invoice_id.ids),
                                         ("dispute_sent_at", "!=", False)]).invoice_id.ids)
        for case in self:
            sent = bool(case.dispute_sent_at) or case.invoice_id.id in sent_invoices
            case.dispute_urgency = urgency(case.dispute_by, today,
                                           case.company_id.freight_dispute_urgent_days,
                                           sent, case.is_closed)

    def _search_dispute_urgency(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Dispute windows are searched by state, not with %s.", operator))
        wanted = {value} if operator in ("=", "!=") else set(value or ())
        if operator in ("!=", "not in"):
            wanted = set(URGENCIES) - wanted
        domains = [self._dispute_urgency_domain(state) for state in URGENCIES
                   if state in wanted]
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.model
    def _dispute_urgency_domain(self, state):
        """The cases ``_compute_dispute_urgency`` gives ``state`` today, as a domain."""
        # invoices with a dispute sent, whoever searches (a dispatcher may not read
        # invoices); no NULL in it, or NOT IN would match nothing
        sent_invoices = self.sudo()._search(
            [("dispute_sent_at", "!=", False), ("invoice_id", "!=", False)]
        ).subselect(SQL.identifier("freight_exception", "invoice_id"))
        if state == SENT:
            return ["|", ("dispute_sent_at", "!=", False), ("invoice_id", "in", sent_invoices)]
        not_sent = [("dispute_sent_at", "=", False), "|", ("invoice_id", "=", False),
                    ("invoice_id", "not in", sent_invoices)]
        if state == NONE:
            return expression.AND([not_sent, ["|", ("dispute_by", "=", False),
                                              ("is_closed", "=", True)]])
        today = fields.Date.context_today(self)
        open_cases = expression.AND([not_sent, [("is_closed", "=", False)]])
        if state == LAPSED:
            return expression.AND([open_cases, [("dispute_by", "<", today)]])
        # the urgent days are a company setting: one branch per setting in use
        companies = {}
        for company in self.env["res.company"].sudo().search([]):
            companies.setdefault(company.freight_dispute_urgent_days, []).append(company.id)
        if state == URGENT:
            within = [[("company_id", "in", ids), ("dispute_by", "<=", urgent_until(today, n))]
                      for n, ids in companies.items()]
            return expression.AND([open_cases, [("dispute_by", ">=", today)],
                                   expression.OR(within)])
        later = [[("company_id", "in", ids), ("dispute_by", ">", urgent_until(today, n))]
                 for n, ids in companies.items()]
        return expression.AND([open_cases, expression.OR(later)])

    @api.model
    def _recompute_dispute_by(self, carriers):
        """A carrier's contracts changed: its billing cases' last dispute day may have."""
        if not carriers:
            return
        cases = self.sudo().search([("category", "=", "billing"),
                                    ("invoice_id.carrier_id", "in", carriers.ids)])
        self.env.add_to_compute(self._fields["dispute_by"], cases)

    @api.depends("stage_id")
    def _compute_is_waiting(self):
        waiting = self._waiting_stage(raise_if_missing=False)
        for case in self:
            case.is_waiting = bool(waiting) and case.stage_id == waiting

    # ---- CRUD ----
    @api.model_create_multi
    def create(self, vals_list):
        # one stage lookup for the whole batch, not one per case
        first = None
        for vals in vals_list:
            if "stage_id" not in vals:
                first = first if first is not None else self._first_stage().id
                vals["stage_id"] = first
        return super().create(vals_list)

    def write(self, vals):
        # a case is closed with the reason kept: dragging a card to a closing stage is refused,
        # Resolve on the card (or the invoice's decision) asks for the note
        if vals.get("stage_id"):
            stage = self.env["freight.exception.stage"].browse(vals["stage_id"])
            closing = stage.is_closed and self.filtered(lambda case: not case.is_closed)
            if closing and not self.env.context.get("freight_case_note"):
                raise UserError(_("Close a case with a note: use Resolve on its card, so the "
                                  "reason is kept with the case."))
            self._check_guarded(vals)
            # the closing time is the application's, whoever moves the card
            return super(FreightException, self._with_guarded_rights()).write(
                dict(vals, closed_at=fields.Datetime.now() if stage.is_closed else False))
        return super().write(vals)

    def _freight_guarded_message(self, labels):
        return _("%s: a case keeps the decision and what the dispute with the carrier "
                 "recovered as the application booked them; nobody edits these.",
                 ", ".join(labels))

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        return stages.search([], order=order)

    # ---- actions ----
    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        return True

    def action_dispute(self, reason_code, note):
        """Puts the case on the carrier's side; an invoice's own dispute is handled there."""
        labels = dict(self._fields["dispute_reason"]._description_selection(self.env))
        if reason_code not in labels:
            raise UserError(_("Unknown dispute reason: %s", reason_code))
        note = self._required_note(
            note, _("Say why you dispute: the note is kept with the case."))
        self._check_open()
        self.write({"stage_id": self._waiting_stage().id, "dispute_reason": reason_code})
        body = _("Disputed with the carrier (%(reason)s): %(note)s",
                 reason=labels[reason_code], note=note)
        for case in self:
            case.message_post(body=body)
        return True

    def action_preview_packet(self):
        """The dispute packet as the carrier will get it (rendered again until sent)."""
        self.ensure_one()
        packet = self.env["freight.dispute"]._packet(self.invoice_id)
        return {"type": "ir.actions.act_url", "url": f"/web/content/{packet.id}",
                "target": "new"}

    def action_send_dispute(self):
        """Send the packet through every way the carrier takes disputes."""
        self.ensure_one()
        Dispute = self.env["freight.dispute"]
        contact, endpoints = Dispute._channels(self.invoice_id)
        channels = (["email"] if contact else []) + (["endpoint"] if endpoints else [])
        if not channels:
            raise UserError(_("%s has neither a billing contact with an email address nor an "
                              "endpoint that takes disputes.", self.invoice_id.carrier_id.name))
        Dispute._send(self.invoice_id, channels)
        return True

    def action_resolve(self, note):
        note = self._required_note(
            note, _("Say how it was resolved: the note is kept with the case."))
        self._check_open()
        self.with_context(freight_case_note=True).write({"stage_id": self._resolved_stage().id})
        for case in self:
            case.message_post(body=_("Resolved: %s", note))
        return True

    # ---- business methods ----
    @api.model
    def _first_stage(self):
        return self.env["freight.exception.stage"].search([], limit=1)

    def _waiting_stage(self, raise_if_missing=True):
        stage = self.env.ref("freight_sync.exception_stage_waiting", raise_if_not_found=False)
        if not stage and raise_if_missing:
            raise UserError(_("The “Waiting on Carrier” stage was deleted: ask a manager."))
        return stage

    def _resolved_stage(self):
        stage = self.env.ref("freight_sync.exception_stage_resolved", raise_if_not_found=False)
        stage = stage or self.env["freight.exception.stage"].search(
            [("is_closed", "=", True)], limit=1)
        if not stage:
            raise UserError(_("No stage closes a case: ask a manager to add one."))
        return stage

    def _check_open(self):
        closed = self.filtered("is_closed")
        if closed:
            raise UserError(_("Already closed: %s", ", ".join(closed.mapped("name"))))

    @staticmethod
    def _required_note(note, message):
        note = (note or "").strip()
        if not note:
            raise UserError(message)
        return note

    @api.model
    def _open_for_milestones(self, milestones):
        """One case per exception milestone; the unique milestone keeps replays harmless."""
        exceptional = milestones.filtered(lambda m: m.code == "exception")
        if not exceptional:
            return self.browse()
        already = set(
            self.sudo().search([("milestone_id", "in", exceptional.ids)]).milestone_id.ids)
        values = []
        for milestone in exceptional.filtered(lambda m: m.id not in already):
            shipment = milestone.shipment_id
            what = milestone.note or milestone.raw_code or _("exception reported")
            values.append({
                "name": _("%(shipment)s: %(what)s", shipment=shipment.name, what=what),
                "company_id": shipment.company_id.id,
                "exception_type": "damage" if milestone.raw_code in DAMAGE_CODES
                else "delivery_exception",
                "shipment_id": shipment.id,
                "milestone_id": milestone.id,
                "message_id": milestone.message_id.id,
                "user_id": shipment.user_id.id,
                "priority": "1",
                "deadline": milestone.received_at + RESPONSE_TIME,
                "description": _("%(code)s %(reason)s at %(where)s",
                                 code=milestone.raw_code or "", reason=milestone.reason_code or "",
                                 where=milestone.location or _("unknown location")),
            })
        return self.create(values)
