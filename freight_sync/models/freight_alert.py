"""An incident of the integration's health: opened, with one activity for the person who
watches the integration, when a threshold is crossed; resolved when the reading is back
under it. One open incident per reason at a time, so a lasting outage alerts once."""

from odoo import _, api, fields, models

from ..services.health import (
    DATABASE,
    DEAD_LETTERS,
    LATENCY,
    QUEUE_AGE,
    plan_incidents,
)

REASONS = [
    (DATABASE, "Database unreachable"),
    (QUEUE_AGE, "Queue waiting too long"),
    (DEAD_LETTERS, "Dead letters over the limit"),
    (LATENCY, "Processing latency (p95) over the limit"),
]
ALERT_USER_PARAM = "freight_sync.alert_user_id"


class FreightAlert(models.Model):
    _name = "freight.alert"
    _description = "Freight Integration Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "opened_at desc, id desc"
    # Freight Managers read alerts only, and still complete their activities and write in
    # their chatter
    _mail_post_access = "read"

    reason = fields.Selection(REASONS, required=True, readonly=True, index=True)
    state = fields.Selection([("open", "Open"), ("resolved", "Resolved")], default="open",
                             required=True, readonly=True, index=True, tracking=True)
    opened_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    resolved_at = fields.Datetime(readonly=True)
    reading = fields.Char(readonly=True, help="The reading and the limit when it opened.")

    def init(self):
        # a second open incident for a reason would alert twice for one outage
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS freight_alert_one_open_per_reason
                ON freight_alert (reason) WHERE state = 'open'""")

    @api.depends("reason", "opened_at")
    def _compute_display_name(self):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        for alert in self:
            alert.display_name = labels.get(alert.reason, alert.reason or "")

    @api.model
    def _cron_check_health(self):
        """Compare the health with the thresholds; open an incident (and alert) for each
        new crossing, keep quiet while it lasts, resolve it on recovery."""
        health, _queues = self.env["freight.monitor"]._health()
        Alert = self.sudo()
        opened = Alert.search([("state", "=", "open")])
        plan = plan_incidents(opened.mapped("reason"), health.reasons)
        opened.filtered(lambda alert: alert.reason in plan.resolve).write(
            {"state": "resolved", "resolved_at": fields.Datetime.now()})
        new = Alert.create([{"reason": reason, "reading": _reading(health.checks[reason])}
                            for reason in plan.open])
        responsible = self._responsible()
        for alert in new:
            alert.activity_schedule(
                "mail.mail_activity_data_todo", user_id=responsible.id,
                summary=_("Freight integration: %s", alert.display_name),
                note=alert.reading)
        return new

    @api.model
    def _responsible(self):
        """The user chosen in the settings, else the administrator."""
        chosen = self.env["ir.config_parameter"].sudo().get_param(ALERT_USER_PARAM)
        user = self.env["res.users"].sudo().browse(int(chosen)).exists() \
            if chosen and chosen.isdigit() else None
        return user if user and user.active else self.env.ref("base.user_admin")


def _reading(check):
    if "value" not in check:
        return _("no answer from the database")
    return _("%(value)s, limit %(limit)s", value=check["value"], limit=check["limit"])
