from odoo import _, fields, models

from ..services import notify
from .freight_subscription import CHANNEL_SELECTION


class FreightSubscriptionDelivery(models.Model):
    """One notification told: the unique key makes a replayed event tell nothing twice;
    the ETA last told is the baseline of the next ETA change."""

    _name = "freight.subscription.delivery"
    _description = "Shipment Status Notification"
    _order = "id desc"
    _rec_name = "key"

    key = fields.Char(required=True, readonly=True, index=True)
    subscription_id = fields.Many2one("freight.subscription", required=True, readonly=True,
                                      ondelete="cascade", index=True)
    company_id = fields.Many2one(related="subscription_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="subscription_id.partner_id", string="Partner")
    shipment_id = fields.Many2one("freight.shipment", required=True, readonly=True,
                                  ondelete="cascade", index=True)
    milestone_id = fields.Many2one("freight.milestone", readonly=True, ondelete="set null",
                                   help="The milestone first told; a replay of it tells nothing.")
    event = fields.Selection(notify.EVENT_SELECTION, required=True, readonly=True)
    channel = fields.Selection(CHANNEL_SELECTION, required=True, readonly=True)
    eta = fields.Datetime(string="ETA Told", readonly=True)
    message_id = fields.Many2one("freight.message", string="Outbound Message", readonly=True,
                                 ondelete="set null")
    message_state = fields.Selection(related="message_id.state", string="Delivery State")
    mail_message_id = fields.Many2one("mail.message", string="Email", readonly=True,
                                      ondelete="set null")
    note = fields.Char(readonly=True)
    summary = fields.Char(compute="_compute_summary",
                          help="Who was told what, and how: the shipment's timeline shows it.")

    _sql_constraints = [
        ("key_unique", "unique(key)", "This notification was already sent."),
    ]

    def _compute_summary(self):
        events = dict(self._fields["event"]._description_selection(self.env))
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for log in self:
            log.summary = _("%(partner)s told of %(event)s (%(channel)s)",
                            partner=log.partner_id.display_name, event=events.get(log.event),
                            channel=channels.get(log.channel))
