from datetime import timedelta

from odoo import _, api, fields, models

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
    ("processing_error", "Processing error"),
]
OPERATIONAL_TYPES = ("delivery_exception", "late_delivery", "damage")
# X12 AT701 codes of damage; other exception milestones are delivery exceptions.
DAMAGE_CODES = {"A9"}
RESPONSE_TIME = timedelta(days=1)


class FreightExceptionStage(models.Model):
    _name = "freight.exception.stage"
    _description = "Freight Exception Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban: cases here are closed.")
    is_closed = fields.Boolean(string="Closes the case")


class FreightException(models.Model):
    """A case somebody must look at: an operational problem or a billing discrepancy."""

    _name = "freight.exception"
    _description = "Freight Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True

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

    _sql_constraints = [
        ("milestone_unique", "unique(milestone_id)", "This milestone already opened a case."),
    ]

    @api.depends("exception_type")
    def _compute_category(self):
        for case in self:
            case.category = (
                "operations" if case.exception_type in OPERATIONAL_TYPES else "billing"
            )

    @api.model
    def _first_stage(self):
        return self.env["freight.exception.stage"].search([], limit=1)

    @api.model_create_multi
    def create(self, vals_list):
        # one stage lookup for the whole batch, not one per case
        first = None
        for vals in vals_list:
            if "stage_id" not in vals:
                first = first if first is not None else self._first_stage().id
                vals["stage_id"] = first
        return super().create(vals_list)

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        return stages.search([], order=order)

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
