from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang

from ..services.retention import (
    ARCHIVE_DAYS_PARAM,
    DEFAULT_ARCHIVE_DAYS,
    DEFAULT_PURGE_DAYS,
    PURGE_DAYS_PARAM,
    retention_problem,
)

RELATED = "company_id."


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    freight_tolerance_percent = fields.Float(
        related=RELATED + "freight_tolerance_percent", readonly=False)
    freight_tolerance_amount = fields.Float(
        related=RELATED + "freight_tolerance_amount", readonly=False)
    freight_tolerance_combine = fields.Selection(
        related=RELATED + "freight_tolerance_combine", readonly=False)
    freight_cumulative_cap = fields.Float(
        related=RELATED + "freight_cumulative_cap", readonly=False)
    freight_weight_tolerance_percent = fields.Float(
        related=RELATED + "freight_weight_tolerance_percent", readonly=False)
    freight_auto_approve = fields.Boolean(related=RELATED + "freight_auto_approve", readonly=False)
    freight_auto_post = fields.Boolean(related=RELATED + "freight_auto_post", readonly=False)
    freight_pod_required = fields.Boolean(related=RELATED + "freight_pod_required", readonly=False)
    freight_override_threshold = fields.Float(
        related=RELATED + "freight_override_threshold", readonly=False)
    freight_expense_account_id = fields.Many2one(
        related=RELATED + "freight_expense_account_id", readonly=False)
    freight_purchase_journal_id = fields.Many2one(
        related=RELATED + "freight_purchase_journal_id", readonly=False)

    freight_accrual_trigger = fields.Selection(
        related=RELATED + "freight_accrual_trigger", readonly=False)
    freight_accrual_journal_id = fields.Many2one(
        related=RELATED + "freight_accrual_journal_id", readonly=False)
    freight_accrued_account_id = fields.Many2one(
        related=RELATED + "freight_accrued_account_id", readonly=False)
    freight_customer_billing = fields.Selection(
        related=RELATED + "freight_customer_billing", readonly=False)
    freight_customer_invoice_post = fields.Boolean(
        related=RELATED + "freight_customer_invoice_post", readonly=False)
    freight_pass_through_product_id = fields.Many2one(
        related=RELATED + "freight_pass_through_product_id", readonly=False)
    freight_landed_cost_split = fields.Selection(
        related=RELATED + "freight_landed_cost_split", readonly=False)
    freight_landed_cost_product_id = fields.Many2one(
        related=RELATED + "freight_landed_cost_product_id", readonly=False)
    freight_tender_expiry_minutes = fields.Integer(
        related=RELATED + "freight_tender_expiry_minutes", readonly=False)
    freight_tender_waterfall = fields.Selection(
        related=RELATED + "freight_tender_waterfall", readonly=False)
    freight_tender_ack_minutes = fields.Integer(
        related=RELATED + "freight_tender_ack_minutes", readonly=False)
    freight_dispute_response_days = fields.Integer(
        related=RELATED + "freight_dispute_response_days", readonly=False)
    freight_dispute_reminder_days = fields.Integer(
        related=RELATED + "freight_dispute_reminder_days", readonly=False)
    freight_dispute_urgent_days = fields.Integer(
        related=RELATED + "freight_dispute_urgent_days", readonly=False)
    freight_suggestion_min_cases = fields.Integer(
        related=RELATED + "freight_suggestion_min_cases", readonly=False)
    freight_shipment_creation = fields.Selection(
        related=RELATED + "freight_shipment_creation", readonly=False)

    freight_whatif_days = fields.Integer(string="Look Back (days)", default=30)
    freight_whatif_summary = fields.Char(
        string="What If", compute="_compute_freight_whatif",
        help="The company tolerance above, applied to the invoices audited in the period.")

    @api.depends("freight_tolerance_percent", "freight_tolerance_amount",
                 "freight_tolerance_combine", "freight_whatif_days")
    def _compute_freight_whatif(self):
        for settings in self:
            days = max(settings.freight_whatif_days, 1)
            result = self.env["freight.invoice.audit"]._what_if(
                settings.company_id,
                (settings.freight_tolerance_percent, settings.freight_tolerance_amount,
                 settings.freight_tolerance_combine), days)
            if not result:
                settings.freight_whatif_summary = _(
                    "No invoice audited in the last %(days)s days.", days=days)
                continue
            settings.freight_whatif_summary = _(
                "With these values, %(ok)s of the last %(n)s invoices (%(days)s days) would "
                "have been approved automatically; over-billing accepted: %(amount)s.",
                ok=result.would_approve, n=result.invoices, days=days,
                amount=formatLang(self.env, result.variance_accepted,
                                  currency_obj=settings.company_id.currency_id))

    # ---- payload retention (services/retention.py) ----

    freight_payload_archive_days = fields.Integer(
        string="Archive Payloads After (days)", config_parameter=ARCHIVE_DAYS_PARAM,
        default=DEFAULT_ARCHIVE_DAYS,
        help="Settled messages' raw payloads older than this are compressed into the "
             "filestore (0: never).")
    freight_payload_purge_days = fields.Integer(
        string="Purge Payloads After (days)", config_parameter=PURGE_DAYS_PARAM,
        default=DEFAULT_PURGE_DAYS,
        help="Settled messages' raw payloads older than this are removed; the sha256, size "
             "and message are kept (0: never). More than the archive age.")

    @api.constrains("freight_payload_archive_days", "freight_payload_purge_days")
    def _check_freight_retention(self):
        for settings in self:
            problem = retention_problem(settings.freight_payload_archive_days,
                                        settings.freight_payload_purge_days)
            if problem:
                raise ValidationError(problem[0].upper() + problem[1:] + ".")

    # ---- monitoring: health thresholds, alerts, metrics token (README "Monitoring") ----

    freight_health_max_queue_age_minutes = fields.Integer(
        string="Queue Waiting Limit (minutes)", default=15,
        config_parameter="freight_sync.health_max_queue_age_minutes",
        help="Health degrades when an inbound message has been due for longer.")
    freight_health_max_dead_letters = fields.Integer(
        string="Dead Letters Allowed", default=10,
        config_parameter="freight_sync.health_max_dead_letters",
        help="Health degrades when more messages than this are dead letters.")
    freight_health_max_p95_seconds = fields.Integer(
        string="Latency Limit, p95 (seconds)", default=300,
        config_parameter="freight_sync.health_max_p95_seconds",
        help="Health degrades when 95% of the messages processed in the last hour took "
             "longer than this from receipt to done.")
    freight_alert_user_id = fields.Many2one(
        "res.users", string="Alerts To", config_parameter="freight_sync.alert_user_id",
        help="Who gets an activity when the integration's health degrades (once per "
             "incident); the administrator when empty.")

    def action_freight_issue_metrics_token(self):
        """Show a new metrics token once; only its hash is kept, the old one stops."""
        token = self.env["freight.monitor"]._issue_metrics_token()
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "title": _("Metrics token (shown once)"), "sticky": True, "type": "warning",
            "message": _("Copy it into Prometheus now as the bearer token of the scrape "
                         "job; it cannot be shown again: %s", token)}}
