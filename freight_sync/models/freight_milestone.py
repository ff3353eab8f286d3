from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services.canonical import FUTURE_TOLERANCE
from ..services.milestones import CODE_SELECTION, RANKS

SOURCE_SELECTION = [
    ("manual", "Manual"),
    ("tms", "TMS"),
    ("carrier", "Carrier API"),
    ("edi", "EDI (X12 214)"),
    ("api", "API"),
]
# who reported a milestone received through an endpoint, by the endpoint's kind (X12 is "edi")
SOURCE_BY_KIND = {"tms": "tms", "carrier": "carrier", "audit": "api"}


class FreightMilestone(models.Model):
    _name = "freight.milestone"
    _description = "Shipment Milestone"
    _order = "event_time desc, id desc"
    _rec_name = "code"

    # ---- fields ----
    shipment_id = fields.Many2one(
        "freight.shipment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="shipment_id.company_id", store=True, index=True, precompute=True)
    code = fields.Selection(CODE_SELECTION, string="Milestone", required=True)
    rank = fields.Integer(compute="_compute_rank", store=True, precompute=True)
    event_time = fields.Datetime(
        required=True, help="When it happened, in UTC (shown in your time zone)."
    )
    event_tz = fields.Char(
        string="Source Time Zone", help="UTC offset or zone the event was reported in."
    )
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now,
        help="When Odoo learned about the event; later than the event time for late scans.",
    )
    location = fields.Char()
    raw_code = fields.Char(help="Code as the carrier sent it, e.g. X12 AT701 'AF'.")
    reason_code = fields.Char(help="Status reason as sent, e.g. X12 AT702 'NS'.")
    source = fields.Selection(SOURCE_SELECTION, required=True, default="manual")
    external_id = fields.Char(
        string="External ID", copy=False, help="Sender's event id; a resent event is ignored."
    )
    note = fields.Char()
    stop = fields.Integer(
        help="The stop of a multi-stop trip this event happened at (X12 L11 QN, JSON "
             "'stop'); empty when the sender did not say.")
    reported_code = fields.Selection(
        CODE_SELECTION, readonly=True,
        help="The milestone as reported, before a delivery at a stop before the last was "
             "made a stop delivery.")
    message_id = fields.Many2one(
        "freight.message", string="Source Message", index="btree_not_null", readonly=True
    )
    # the id alone, readable by everyone: the timeline links it for those who may open it
    source_message_ref = fields.Integer(related="message_id.id", string="Source Message ID")

    # ---- constraints ----
    _sql_constraints = [
        (
            "external_id_shipment_unique",
            "unique(shipment_id, external_id)",
            "This shipment already has a milestone with this external ID.",
        ),
    ]

    @api.constrains("event_time")
    def _check_event_time(self):
        limit = fields.Datetime.now() + FUTURE_TOLERANCE
        for milestone in self:
            if milestone.event_time > limit:
                raise ValidationError(
                    _("Milestone %(code)s is dated %(when)s, in the future: events record "
                      "what already happened.", code=milestone.code, when=milestone.event_time)
                )

    # ---- compute ----
    @api.depends("code")
    def _compute_rank(self):
        for milestone in self:
            milestone.rank = RANKS.get(milestone.code, 0)

    @api.depends("code", "event_time")
    def _compute_display_name(self):
        labels = dict(self._fields["code"]._description_selection(self.env))
        for milestone in self:
            milestone.display_name = labels.get(milestone.code) or _("Milestone")

    # ---- CRUD ----
    @api.model_create_multi
    def create(self, vals_list):
        milestones = super().create(vals_list)
        # whoever reports a problem (carrier, TMS or dispatcher), somebody must handle it
        self.env["freight.exception"].sudo()._open_for_milestones(milestones)
        # accruals and customer invoices are the books' business, not the reporter's rights
        milestones.shipment_id.sudo()._freight_on_milestones(milestones.sudo())
        return milestones
