"""Tenders: what we asked which carrier to move, through the outbox, and its answer.

One ``freight.tender`` per attempt (shipment, carrier, attempt number). It is queued in
the signed outbox (``freight.message`` direction ``out``) as JSON or an X12 204, moves
to ``sent`` when the carrier's system takes it, and to the carrier's decision when its
990 or JSON answer is applied (``_apply_responses``, called by the inbound processing).
The rules (expiry, which answers apply, the waterfall's next carrier) are in
services/tender_flow.py.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services import tender_flow
from ..services.tender_flow import OPEN_STATES, RESPONSE_STATES

_logger = logging.getLogger(__name__)

TENDER_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("counter_offer", "Counter-offer"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
    ("undeliverable", "Undeliverable"),
]
TODO = "mail.mail_activity_data_todo"


class FreightTender(models.Model):
    _name = "freight.tender"
    _description = "Freight Tender"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    shipment_id = fields.Many2one("freight.shipment", required=True, index=True,
                                  ondelete="cascade")
    company_id = fields.Many2one(related="shipment_id.company_id", store=True, index=True)
    carrier_id = fields.Many2one("res.partner", required=True, index=True)
    endpoint_id = fields.Many2one(
        "freight.endpoint", string="Sent To", required=True, ondelete="restrict",
        help="The carrier's system the tender was sent to.")
    attempt = fields.Integer(
        required=True, default=1,
        help="1 for the first tender of this shipment to this carrier, 2 for the next...")
    rank = fields.Integer(help="The carrier's rank in the rate shop when it was tendered.")
    channel = fields.Selection([("json", "JSON"), ("x12", "X12 204")], required=True)
    outbound_message_id = fields.Many2one(
        "freight.message", readonly=True, ondelete="set null",
        help="The tender as queued in the outbox, with its delivery state.")
    quoted_total = fields.Monetary(currency_field="currency_id",
                                   help="The rate shop's expected total when tendered.")
    currency_id = fields.Many2one("res.currency")
    state = fields.Selection(TENDER_STATES, default="queued", required=True, index=True)
    sent_at = fields.Datetime(readonly=True, help="When the carrier's system took it.")
    expires_at = fields.Datetime(
        index=True, help="The carrier must answer by then (told in the tender); after it, "
        "the tender expires and the waterfall moves on.")
    answered_at = fields.Datetime(readonly=True)
    response_message_id = fields.Many2one(
        "freight.message", string="Answer Message", readonly=True, ondelete="set null")
    reason = fields.Text(string="Carrier's Words", readonly=True,
                         help="The reason of a decline or the terms of a counter-offer.")
    confirmed_rate = fields.Monetary(currency_field="confirmed_currency_id", readonly=True)
    confirmed_currency_id = fields.Many2one("res.currency", readonly=True)
    service_level = fields.Char(readonly=True)
    carrier_ref = fields.Char(string="Carrier Reference", readonly=True)
    pickup_appointment = fields.Datetime(readonly=True)
    delivery_appointment = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("attempt_unique", "unique(shipment_id, carrier_id, attempt)",
         "This attempt of this carrier is already recorded for the shipment."),
    ]

    def _compute_name(self):
        for tender in self:
            tender.name = f"{tender.shipment_id.name} → {tender.carrier_id.name} #{tender.attempt}"

    # ---- the carrier's answer ----

    @api.model
    def _apply_responses(self, pairs, endpoint, message):
        """Apply carriers' answers ``[(shipment, event)]`` to their tenders. Returns
        ``({external id: reason} refused, tenders declined)``: a refused answer changes
        nothing; the caller stores the milestones of the others and runs the waterfall
        for the declined ones once they are stored."""
        refused, declined = {}, self.browse()
        if not pairs:
            return refused, declined
        Tender = self.sudo()
        shipments = self.env["freight.shipment"].browse({s.id for s, _e in pairs})
        domain = [("shipment_id", "in", shipments.ids), ("state", "!=", "cancelled")]
        if endpoint.kind == "carrier" and endpoint.carrier_id:
            domain.append(("carrier_id", "=", endpoint.carrier_id.id))
        else:
            domain.append(("endpoint_id", "=", endpoint.id))
        latest = {}
        for tender in Tender.search(domain, order="id"):
            latest[tender.shipment_id.id] = tender  # the last attempt answers
        now = fields.Datetime.now()
        for shipment, event in pairs:
            decision = "counter_offer" if event.get("counter_offer") else (
                "accepted" if event.get("code") == "accepted" else "rejected")
            tender = latest.get(shipment.id)
            verdict, reason = tender_flow.judge_response(tender.state if tender else None,
                                                         decision)
            if verdict == "refuse":
                refused[event["external_id"]] = _("%(shipment)s: %(reason)s",
                                                  shipment=shipment.name, reason=reason)
                continue
            if verdict == "same":
                continue
            tender._record_answer(decision, event, message, now)
            if decision == "rejected":
                declined |= tender
        return refused, declined

    def _record_answer(self, decision, event, message, now):
        self.ensure_one()
        answer = event.get("tender") or {}
        values = {"state": RESPONSE_STATES[decision], "answered_at": now,
                  "response_message_id": message.id, "reason": event.get("note") or False}
        if decision != "accepted":
            self.write(values)
            return
        dates = tender_flow.appointment_times(answer.get("appointments"))
        rate = answer.get("rate")
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", rate[1])], limit=1) if rate else None
        values.update({
            "service_level": answer.get("service_level") or False,
            "carrier_ref": answer.get("carrier_ref") or False,
            "pickup_appointment": dates.get("pickup", False),
            "delivery_appointment": dates.get("delivery", False),
        })
        if rate and currency:
            values.update(confirmed_rate=rate[0], confirmed_currency_id=currency.id)
        self.write(values)
        shipment_values = {"carrier_id": self.carrier_id.id}
        for field_name, value in (("service_level", values["service_level"]),
                                  ("carrier_ref", values["carrier_ref"]),
                                  ("planned_pickup_date", values["pickup_appointment"]),
                                  ("planned_delivery_date", values["delivery_appointment"])):
            if value:
                shipment_values[field_name] = value
        # a rate confirmed for the load is its expected linehaul (invoice_audit.shipment_linehaul)
        if rate and currency:
            shipment_values.update(confirmed_rate=rate[0],
                                   confirmed_rate_currency_id=currency.id)
        self.shipment_id.sudo().write(shipment_values)

    # ---- expiry and waterfall ----

    @api.model
    def _cron_expire_tenders(self):
        """Open tenders past their expiry become ``expired``; the waterfall moves on."""
        now = fields.Datetime.now()
        expired = self.sudo().search([("state", "in", list(OPEN_STATES)),
                                      ("expires_at", "!=", False), ("expires_at", "<=", now)])
        if not expired:
            return
        expired.write({"state": "expired", "answered_at": now})
        for tender in expired:
            tender.shipment_id.message_post(body=_(
                "The tender to %(carrier)s expired without an answer.",
                carrier=tender.carrier_id.name))
        expired._waterfall()

    def _waterfall(self):
        """After a decline or an expiry: tender the next ranked carrier (company setting
        ``automatic``) or ask the dispatcher (an activity). Each shipment on its own: one
        that cannot be tendered again gets an activity saying why."""
        for tender in self:
            shipment = tender.shipment_id.sudo()
            if max(shipment.tender_ids.ids) > tender.id:
                continue  # tendered again meanwhile
            if shipment.company_id.freight_tender_waterfall != "auto":
                shipment._tender_activity(_(
                    "Tender %(state)s by %(carrier)s: choose the next carrier",
                    state=dict(TENDER_STATES)[tender.state].lower(),
                    carrier=tender.carrier_id.name), tender.reason)
                continue
            try:
                with self.env.cr.savepoint():
                    shipment._tender_next_carrier()
            except UserError as error:
                shipment._tender_activity(_("Waterfall stopped: tender %s by hand",
                                            shipment.name), str(error))
