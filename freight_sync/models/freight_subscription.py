"""Status out: partners (customers, other systems) subscribe to a shipment's events and
hear of them by signed JSON webhook, X12 214 and/or email, once per event.

The rules (which events, the ETA threshold, the identity of a notification, the JSON
body, the 214) are pure (``services/notify.py``, ``services/x12_214_out.py``); this file
finds the subscriptions of a batch in one search, keeps the delivery log that makes
every notification happen once, and hands webhooks and 214s to the outbox."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services import notify
from ..services.codemap import STATUS_CODES
from ..services.x12_214_out import build_214, status_code
from .freight_endpoint import DEFAULT_X12_SENDER, X12_SENDER_PARAM

_logger = logging.getLogger(__name__)

TEMPLATE = "freight_sync.mail_template_shipment_status"
X12_CONTENT_TYPE = "application/edi-x12"
EXCEPTION_CODES = frozenset(code for code, (canonical, _label) in STATUS_CODES.items()
                            if canonical == "exception")
CHANNEL_SELECTION = [(notify.WEBHOOK, "Webhook (JSON)"), (notify.X12, "X12 214"),
                     (notify.EMAIL, "Email")]
MAX_CONTROL = 999_999_999


@dataclass
class Notice:
    """One event to tell one subscription about."""

    subscription: "models.Model"
    shipment: "models.Model"
    event: str
    identity: str
    occurred_at: object
    milestone: "models.Model" = None
    eta: object = None
    previous_eta: object = None


class FreightSubscription(models.Model):
    _name = "freight.subscription"
    _description = "Shipment Status Subscription"
    _order = "partner_id, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company,
        help="Only this company's shipments are told to the partner.")
    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, check_company=True,
        help="Who hears of the shipments: a customer (the shipments of its sales orders "
             "or delivered to it, its contacts included) or another system.")
    all_shipments = fields.Boolean(
        help="Every shipment of the company, not only the partner's own: for a system "
             "such as a TMS or a control tower that follows all loads.")
    notify_picked_up = fields.Boolean(string="Picked up", default=True)
    notify_delivered = fields.Boolean(string="Delivered", default=True)
    notify_exception = fields.Boolean(
        string="Exception", default=True,
        help="A problem reported on the way: delay, refusal, damage, attempted delivery.")
    notify_eta = fields.Boolean(
        string="ETA changed",
        help="The carrier's delivery estimate moved by more than the threshold from what "
             "the partner was last told (or from the planned delivery date).")
    eta_threshold_minutes = fields.Integer(
        string="ETA Threshold (minutes)", default=notify.DEFAULT_ETA_THRESHOLD,
        help="A new estimate is told only when it moved by more than this many minutes.")
    send_webhook = fields.Boolean(
        string="Webhook (JSON)", help="POST a signed JSON notification to the endpoint.")
    send_x12 = fields.Boolean(string="X12 214", help="POST an X12 214 status to the endpoint.")
    send_email = fields.Boolean(
        string="Email", help="Email the partner, from the template, through the mail queue; "
                             "the email shows in the shipment's chatter.")
    endpoint_id = fields.Many2one(
        "freight.endpoint", check_company=True,
        help="Where webhooks and 214s are POSTed: its outbound URL, signed with its secret.")
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Template",
        domain="[('model', '=', 'freight.shipment')]",
        default=lambda self: self.env.ref(TEMPLATE, raise_if_not_found=False),
        help="The email sent to the partner; the event is in the context as "
             "ctx['freight_event_label'].")
    delivery_ids = fields.One2many("freight.subscription.delivery", "subscription_id",
                                   string="Notifications")
    delivery_count = fields.Integer(compute="_compute_delivery_count")

    @api.constrains("send_webhook", "send_x12", "send_email", "endpoint_id",
                    "notify_picked_up", "notify_delivered", "notify_exception", "notify_eta",
                    "eta_threshold_minutes")
    def _check_channels(self):
        for subscription in self:
            name = subscription.partner_id.display_name
            if not (subscription.send_webhook or subscription.send_x12
                    or subscription.send_email):
                raise ValidationError(_("Subscription of %s: choose at least one channel "
                                        "(webhook, X12 214 or email).", name))
            if (subscription.send_webhook or subscription.send_x12) \
                    and not subscription.endpoint_id:
                raise ValidationError(_("Subscription of %s: webhooks and 214s need an "
                                        "endpoint to be sent to.", name))
            if not subscription._events():
                raise ValidationError(_("Subscription of %s: choose at least one event.",
                                        name))
            if subscription.eta_threshold_minutes < 0:
                raise ValidationError(_("The ETA threshold is a number of minutes, 0 or "
                                        "more."))

    def _compute_delivery_count(self):
        counts = dict(self.env["freight.subscription.delivery"]._read_group(
            [("subscription_id", "in", self.ids)], ["subscription_id"], ["__count"]))
        for subscription in self:
            subscription.delivery_count = counts.get(subscription, 0)

    def _events(self):
        self.ensure_one()
        chosen = {notify.PICKED_UP: self.notify_picked_up, notify.DELIVERED: self.notify_delivered,
                  notify.EXCEPTION: self.notify_exception, notify.ETA_CHANGED: self.notify_eta}
        return {event for event, on in chosen.items() if on}

    def _channels(self):
        self.ensure_one()
        chosen = {notify.WEBHOOK: self.send_webhook, notify.X12: self.send_x12,
                  notify.EMAIL: self.send_email}
        return [channel for channel, on in chosen.items() if on]

    def action_view_deliveries(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Notifications"),
            "res_model": "freight.subscription.delivery",
            "view_mode": "tree,form",
            "domain": [("subscription_id", "in", self.ids)],
        }

    # ---- which subscriptions hear of which shipments ----

    @api.model
    def _for_shipments(self, shipments):
        """``{shipment id: subscriptions}`` in one search: a subscription of the shipment's
        company whose partner (as a company: its contacts count) is the customer of a
        sales order, the ship-to or a transfer's partner; or one for all shipments."""
        audience = {
            shipment.id: (shipment.sale_order_ids.partner_id | shipment.destination_partner_id
                          | shipment.picking_ids.partner_id).commercial_partner_id
            for shipment in shipments
        }
        partners = self.env["res.partner"].union(*audience.values())
        subscriptions = self.sudo().search([
            ("company_id", "in", shipments.company_id.ids),
            "|", ("all_shipments", "=", True),
            ("partner_id.commercial_partner_id", "in", partners.ids),
        ])
        found = {}
        for shipment in shipments:
            found[shipment.id] = subscriptions.filtered(
                lambda s, shipment=shipment: s.company_id == shipment.company_id and (
                    s.all_shipments
                    or s.partner_id.commercial_partner_id in audience[shipment.id]))
        return found

    # ---- firing ----

    @api.model
    def _notify_milestones(self, milestones):
        """Tell the subscribers of new milestones' shipments the events they chose."""
        milestones = milestones.filtered(lambda m: notify.event_of_milestone(m.code))
        if not milestones:
            return
        shipments = milestones.shipment_id
        audience = self._for_shipments(shipments)
        if not any(audience.values()):
            return
        codes = defaultdict(set)
        for shipment, code in self.env["freight.milestone"].sudo()._read_group(
                [("shipment_id", "in", shipments.ids)], ["shipment_id", "code"]):
            codes[shipment.id].add(code)
        notices = []
        for milestone in milestones:
            shipment = milestone.shipment_id
            event = notify.event_of_milestone(milestone.code)
            if notify.superseded(event, codes[shipment.id]):
                continue
            identity = notify.milestone_identity(shipment.id, event, milestone.stop,
                                                 milestone.event_time)
            notices += [Notice(subscription, shipment, event, identity, milestone.event_time,
                               milestone=milestone)
                        for subscription in audience[shipment.id]
                        if event in subscription._events()]
        self._send(notices)

    @api.model
    def _notify_eta(self, shipments):
        """The carrier's ETA of ``shipments`` changed: tell the subscribers to ETA changes
        for whom it moved by more than their threshold since what they were last told
        (or the planned delivery date)."""
        audience = self._for_shipments(shipments)
        wanting = self.browse().union(*audience.values()).filtered(
            lambda s: notify.ETA_CHANGED in s._events())
        if not wanting:
            return
        told = {}
        for row in self.env["freight.subscription.delivery"].sudo().search_fetch(
                [("subscription_id", "in", wanting.ids), ("shipment_id", "in", shipments.ids),
                 ("event", "=", notify.ETA_CHANGED)],
                ["subscription_id", "shipment_id", "eta"], order="id"):
            told[row.subscription_id.id, row.shipment_id.id] = row.eta  # the latest wins
        notices = []
        for shipment in shipments:
            for subscription in audience[shipment.id] & wanting:
                previous = told.get((subscription.id, shipment.id)) \
                    or shipment.planned_delivery_date or None
                if notify.eta_change_due(previous, shipment.carrier_eta,
                                         subscription.eta_threshold_minutes):
                    notices.append(Notice(
                        subscription, shipment, notify.ETA_CHANGED,
                        notify.eta_identity(shipment.id, shipment.carrier_eta),
                        fields.Datetime.now(), eta=shipment.carrier_eta,
                        previous_eta=previous))
        self._send(notices)

    @api.model
    def _send(self, notices):
        """Log each notification once (the log's unique key is the guard against a
        replay), then queue webhooks and 214s in the outbox and post emails."""
        if not notices:
            return
        Delivery = self.env["freight.subscription.delivery"].sudo()
        wanted = {}
        for notice in notices:
            for channel in notice.subscription._channels():
                key = notify.notification_key(notice.subscription.id, channel, notice.identity)
                wanted.setdefault(key, (notice, channel))
        known = set(Delivery.search_fetch([("key", "in", list(wanted))], ["key"]).mapped("key"))
        fresh = [(key, notice, channel) for key, (notice, channel) in wanted.items()
                 if key not in known]
        if not fresh:
            return
        logs = Delivery.create([{
            "key": key, "subscription_id": notice.subscription.id,
            "shipment_id": notice.shipment.id, "event": notice.event, "channel": channel,
            "eta": notice.eta, "milestone_id": notice.milestone.id if notice.milestone else False,
        } for key, notice, channel in fresh])
        told = defaultdict(list)
        for log, (_key, notice, channel) in zip(logs, fresh):
            getattr(self, f"_send_{channel}")(log, notice)
            told[notice.shipment, notice.subscription.partner_id, notice.event].append(
                notify.CHANNEL_LABELS[channel])
        events = dict(self.env["freight.subscription.delivery"]._fields["event"]
                      ._description_selection(self.env))
        for (shipment, partner, event), channels in told.items():
            shipment.message_post(body=_(
                "Notified %(partner)s of %(event)s (%(channels)s)",
                partner=partner.display_name, event=events[event],
                channels=", ".join(channels)))

    def _payload(self, log, notice):
        shipment = notice.shipment
        milestone = notice.milestone
        return notify.build_payload(
            key=log.key, event=notice.event, occurred_at=notice.occurred_at,
            shipment={"name": shipment.name, "load_ref": shipment.load_ref,
                      "pro_number": shipment.pro_number, "bol_number": shipment.bol_number,
                      "carrier_ref": shipment.carrier_ref, "scac": shipment.carrier_scac,
                      "status": shipment.status},
            partner={"name": log.partner_id.name, "ref": log.partner_id.ref},
            stop=milestone.stop if milestone else None,
            location=milestone.location if milestone else None,
            reason_code=milestone.reason_code if milestone else None,
            raw_code=milestone.raw_code if milestone else None,
            eta=notice.eta, previous_eta=notice.previous_eta)

    def _queue(self, log, notice, payload, content_type=None):
        milestone = notice.milestone
        correlation = milestone.message_id.correlation_id if milestone else None
        message = self.env["freight.message"]._queue_outbound(
            notice.subscription.endpoint_id, "notification", payload, log.key, content_type,
            correlation)
        message.sudo().outbound_shipment_id = notice.shipment
        log.message_id = message

    def _send_webhook(self, log, notice):
        self._queue(log, notice, self._payload(log, notice))

    def _send_x12_214(self, log, notice):
        shipment, milestone = notice.shipment, notice.milestone
        endpoint = notice.subscription.endpoint_id.sudo()
        sender = self.env["ir.config_parameter"].sudo().get_param(
            X12_SENDER_PARAM, DEFAULT_X12_SENDER)
        receiver = endpoint.x12_sender_id or (notice.subscription.partner_id.ref or "")[:15] \
            or "RECEIVER"
        when = fields.Datetime.now()
        control = log.id % MAX_CONTROL or MAX_CONTROL
        event_time = notice.eta if notice.event == notify.ETA_CHANGED else notice.occurred_at
        text = build_214({
            "status_code": status_code(notice.event, milestone.raw_code if milestone else None,
                                       EXCEPTION_CODES),
            "reason_code": (milestone.reason_code if milestone else None) or None,
            "event_time": event_time.replace(tzinfo=None).isoformat() + "+00:00",
            "shipment_id": shipment.name, "pro_number": shipment.pro_number or "",
            "scac": shipment.carrier_scac or "",
            "references": {"load_ref": shipment.load_ref, "bol_number": shipment.bol_number},
            "stop": milestone.stop if milestone else None,
            "city": (milestone.location or "")[:30] if milestone else None,
        }, sender=sender, receiver=receiver, interchange_control=control,
            group_control=control, when=when)
        self._queue(log, notice, text, X12_CONTENT_TYPE)

    def _send_email(self, log, notice):
        subscription, shipment = notice.subscription, notice.shipment
        partner = subscription.partner_id
        template = subscription.mail_template_id or self.env.ref(TEMPLATE)
        if not partner.email:
            log.note = _("No email address: nothing sent.")
            _logger.warning("subscription %s: partner %s has no email address",
                            subscription.id, partner.id)
            return
        labels = dict(self.env["freight.subscription.delivery"]._fields["event"]
                      ._description_selection(self.with_context(lang=partner.lang).env))
        template = template.with_context(
            lang=partner.lang, freight_event_label=labels[notice.event],
            freight_partner_name=partner.name, freight_eta=notice.eta)
        subject = template._render_field("subject", shipment.ids)[shipment.id]
        body = template._render_field("body_html", shipment.ids)[shipment.id]
        # queued (mail.mail, outgoing): the mail queue's cron sends it
        message = shipment.with_context(mail_notify_force_send=False).message_post(
            body=body, subject=subject, partner_ids=partner.ids, message_type="comment",
            subtype_xmlid="mail.mt_comment")
        log.mail_message_id = message
