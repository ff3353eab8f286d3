from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

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
    ("currency_mismatch", "Currency mismatch"),
    ("correction_code", "Unknown correction code"),
    ("processing_error", "Processing error"),
    ("tender_counter_offer", "Tender counter-offer"),
]
OPERATIONAL_TYPES = ("delivery_exception", "late_delivery", "damage", "tender_counter_offer")
# X12 AT701 codes of damage; other exception milestones are delivery exceptions.
DAMAGE_CODES = {"A9"}
RESPONSE_TIME = timedelta(days=1)


class FreightException(models.Model):
    """A case somebody must look at: an operational problem or a billing discrepancy."""

    _name = "freight.exception"
    _description = "Freight Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True

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
        if vals.get("stage_id") and not self.env.context.get("freight_case_note"):
            stage = self.env["freight.exception.stage"].browse(vals["stage_id"])
            if stage.is_closed and self.filtered(lambda case: not case.is_closed):
                raise UserError(_("Close a case with a note: use Resolve on its card, so the "
                                  "reason is kept with the case."))
        return super().write(vals)

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
