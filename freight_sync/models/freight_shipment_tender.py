"""The shipment's side of tendering: the "Tender" action, the waterfall's next carrier,
and the outbox messages' side (204 control numbers, 997s, dead tenders, no-997 alerts)."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services import tender_flow
from ..services.canonical import PayloadError
from ..services.tender import to_json_tender
from ..services.tender_build import Party, ShipmentTender, build_tender
from ..services.x12_204 import build_204
from .freight_tender import TENDER_STATES, TODO

_logger = logging.getLogger(__name__)

SENDER_PARAM = "freight_sync.x12_sender_id"
DEFAULT_SENDER = "FREIGHTSYNC"


class FreightEndpointTender(models.Model):
    _inherit = "freight.endpoint"

    tender_format = fields.Selection(
        [("json", "JSON"), ("x12", "X12 204")], string="Tender Format", default="json",
        required=True, help="How tenders are sent to this carrier's system.")


class FreightShipmentTender(models.Model):
    _inherit = "freight.shipment"

    tender_ids = fields.One2many("freight.tender", "shipment_id", string="Tenders")
    tender_state = fields.Selection(
        TENDER_STATES, compute="_compute_tender_state", store=True,
        help="The state of the latest tender.")
    outbound_message_ids = fields.One2many(
        "freight.message", "outbound_shipment_id", string="Outbound Messages",
        readonly=True,
        help="What was sent about this shipment through the outbox (tenders, status "
             "notifications), with its delivery state.")

    @api.depends("tender_ids.state")
    def _compute_tender_state(self):
        for shipment in self:
            shipment.tender_state = shipment.tender_ids.sorted("id")[-1:].state or False

    # ---- the action ----

    def action_tender(self):
        """Tender each shipment to its carrier (dispatchers and managers)."""
        self.env["freight.rate.shop"]._check_dispatcher()
        self.check_access_rights("write")
        self.check_access_rule("write")
        tenders = self.env["freight.tender"]
        for shipment in self:
            if not shipment.carrier_id:
                raise UserError(_("%s has no carrier: choose one first (rate shop).",
                                  shipment.name))
            if shipment.tender_state in ("queued", "sent", "accepted"):
                raise UserError(_("%(name)s already has a tender %(state)s.",
                                  name=shipment.name, state=shipment.tender_state))
            tenders |= shipment.sudo()._send_tender(shipment.carrier_id)
        return tenders.with_env(self.env)

    def _tender_next_carrier(self):
        """The waterfall: the best ranked carrier of the rate shop not tendered yet."""
        self.ensure_one()
        user = self.user_id if self.user_id.has_group("freight_sync.group_freight_user") \
            else self.env.ref("base.user_admin")
        shop = self.env["freight.rate.shop"].with_user(user)
        shipment = self.with_user(user)
        ranked = shop._shop(shipment)["quotes"]
        reachable = self.env["freight.endpoint"].sudo().search([
            ("kind", "=", "carrier"), ("company_id", "=", self.company_id.id),
            ("outbound_url", "!=", False)]).carrier_id.ids
        carrier_id = tender_flow.next_carrier([q["carrier_id"] for q in ranked],
                                              self.tender_ids.carrier_id.ids, reachable)
        if carrier_id is None:
            raise UserError(_("No other carrier with a quote and an outbound endpoint is "
                              "left to tender %s to.", self.name))
        shop._choose(shipment, carrier_id)
        rank = [q["carrier_id"] for q in ranked].index(carrier_id) + 1
        return self._send_tender(self.env["res.partner"].browse(carrier_id), rank=rank)

    def _send_tender(self, carrier, rank=0):
        """Queue a tender of this shipment to ``carrier`` (as the system: the callers
        checked who may). Returns the tender."""
        self.ensure_one()
        endpoint = self.env["freight.endpoint"].sudo().search([
            ("kind", "=", "carrier"), ("carrier_id", "=", carrier.id),
            ("company_id", "=", self.company_id.id), ("outbound_url", "!=", False)], limit=1)
        if not endpoint:
            raise UserError(_("%(carrier)s has no endpoint with an outbound URL to send "
                              "tenders to.", carrier=carrier.name))
        now = fields.Datetime.now().replace(microsecond=0)
        expires = tender_flow.expires_at(now, self.company_id.freight_tender_expiry_minutes)
        try:
            doc = build_tender(self._tender_facts(carrier), now, expires)
        except PayloadError as error:
            raise UserError(_("%(name)s cannot be tendered: %(error)s", name=self.name,
                              error=error)) from None
        Tender = self.env["freight.tender"].sudo()
        attempt = Tender.search_count([("shipment_id", "=", self.id),
                                       ("carrier_id", "=", carrier.id)]) + 1
        tender = Tender.create({
            "shipment_id": self.id, "carrier_id": carrier.id, "endpoint_id": endpoint.id,
            "attempt": attempt, "rank": rank, "channel": endpoint.tender_format,
            "quoted_total": self.quoted_total, "currency_id": self.quoted_currency_id.id,
            "expires_at": expires,
        })
        key = f"tender:{self.id}:{carrier.id}:{attempt}"
        controls = {}
        if endpoint.tender_format == "x12":
            control = int(self.env["ir.sequence"].sudo().next_by_code("freight.x12.control"))
            sender = self.env["ir.config_parameter"].sudo().get_param(
                SENDER_PARAM, DEFAULT_SENDER)
            receiver = endpoint.x12_sender_id or carrier.freight_scac
            payload = build_204(doc, sender=sender, receiver=receiver,
                                interchange_control=control, group_control=control,
                                when=now)
            content_type = "application/edi-x12"
            controls = {"x12_group_control": str(control), "x12_set_control": "0001"}
        else:
            payload, content_type = to_json_tender(doc), "application/json"
        message = self.env["freight.message"].sudo()._queue_outbound(
            endpoint, "tender", payload, key, content_type)
        message.write({**controls, "outbound_shipment_id": self.id})
        tender.outbound_message_id = message
        self.env["freight.milestone"].sudo().create({
            "shipment_id": self.id, "code": "tendered", "event_time": now,
            "source": "manual", "external_id": f"tender:{tender.id}",
            "note": _("Tendered to %s", carrier.name)})
        self.message_post(body=_("Tendered to %(carrier)s (%(channel)s, attempt %(n)s).",
                                 carrier=carrier.name, channel=tender.channel, n=attempt))
        return tender

    def _tender_facts(self, carrier):
        def party(partner):
            return Party(partner.name or partner.display_name, partner.street or None,
                         partner.street2 or None, partner.city or None,
                         partner.state_id.code or None, partner.zip or None,
                         partner.country_id.code or None)
        origin = self.origin_partner_id or self.company_id.partner_id
        destination = (self.destination_partner_id or self.picking_ids[:1].partner_id
                       or self.company_id.partner_id)
        return ShipmentTender(
            shipment_id=self.name, scac=carrier.freight_scac or "", mode=self.mode,
            weight_kg=self.weight, origin=party(origin), destination=party(destination),
            load_ref=self.load_ref or None, volume_m3=self.volume or None,
            pallets=self.pallet_count or None, pickup_at=self.planned_pickup_date or None,
            delivery_at=self.planned_delivery_date or None,
            references={"bol_number": self.bol_number or None},
            requested_rate=(self.quoted_total, self.quoted_currency_id.name)
            if self.quoted_total and self.quoted_currency_id else None)

    def _tender_activity(self, summary, note=None):
        for shipment in self:
            user = shipment.user_id or self.env.ref("base.user_admin")
            shipment.sudo().activity_schedule(TODO, user_id=user.id, summary=summary,
                                              note=note or False)


class FreightMessageTender(models.Model):
    _inherit = "freight.message"

    tender_ids = fields.One2many("freight.tender", "outbound_message_id", string="Tenders")
    x12_group_control = fields.Char(
        string="GS Control Number", readonly=True, index="btree_not_null",
        help="Group control number of an outbound X12 204: its 997 names it (AK102).")
    x12_set_control = fields.Char(string="ST Control Number", readonly=True)
    acknowledged_at = fields.Datetime(readonly=True,
                                      help="When the carrier's 997 acknowledged it.")
    ack_alert_sent = fields.Boolean(readonly=True)

    def _record_delivery(self, verdict, reason, status, answer, retry_after=None):
        result = super()._record_delivery(verdict, reason, status, answer, retry_after)
        if self.state == "sent":
            self.tender_ids.filtered(lambda t: t.state == "queued").sudo().write(
                {"state": "sent", "sent_at": self.sent_at})
        return result

    def _notify_dead(self):
        result = super()._notify_dead()
        tenders = self.sudo().tender_ids.filtered(lambda t: t.state in ("queued", "sent"))
        if tenders:
            tenders.write({"state": "undeliverable"})
            for tender in tenders:
                tender.shipment_id._tender_activity(
                    _("Tender to %s not delivered", tender.carrier_id.name), self.last_error)
        return result

    @api.model
    def _reconcile_997(self, endpoint, acks):
        """The 997s of ``endpoint`` acknowledging our 204s: an accepted set makes its
        message ``acknowledged``, a rejected one ``dead`` with the reason (and the tender
        undeliverable, the dispatcher told). Returns how many messages were matched."""
        acks = [ack for ack in acks if ack["set_code"] == "204"]
        if not acks:
            return 0
        messages = self.sudo().search([
            ("endpoint_id", "=", endpoint.id), ("direction", "=", "out"),
            ("x12_group_control", "in", [ack["group_control"] for ack in acks])])
        by_control = {(m.x12_group_control, m.x12_set_control.lstrip("0")): m
                      for m in messages}
        matched = 0
        for ack in acks:
            message = by_control.get((ack["group_control"], ack["set_control"].lstrip("0")))
            if not message:
                _logger.info("997 of endpoint %s names no 204 of ours (group %s set %s)",
                             endpoint.id, ack["group_control"], ack["set_control"])
                continue
            matched += 1
            if ack["accepted"]:
                if message.state in ("queued", "retry", "sent"):
                    message.write({"state": "acknowledged",
                                   "acknowledged_at": fields.Datetime.now()})
            elif message.state != "dead":
                message.write({"state": "dead", "next_attempt_at": False,
                               "last_error": _("Rejected by the carrier's 997: %s",
                                               ack["reason"])})
                message._notify_dead()
        return matched

    @api.model
    def _cron_tender_ack_alert(self):
        """X12 tenders sent without a 997 back within the company's minutes: an activity
        for the shipment's dispatcher, once per message."""
        now = fields.Datetime.now()
        candidates = self.sudo().search([
            ("direction", "=", "out"), ("kind", "=", "tender"), ("state", "=", "sent"),
            ("x12_group_control", "!=", False), ("ack_alert_sent", "=", False),
            ("sent_at", "<=", now - timedelta(minutes=1))])
        late = candidates.filtered(lambda m: tender_flow.unacknowledged(
            m.sent_at, m.endpoint_id.company_id.freight_tender_ack_minutes, now))
        for message in late:
            for tender in message.tender_ids:
                tender.shipment_id._tender_activity(
                    _("No 997 from %s for the tender", tender.carrier_id.name),
                    _("The X12 204 (group %s) was sent at %s and not acknowledged.",
                      message.x12_group_control, message.sent_at))
        late.write({"ack_alert_sent": True})
