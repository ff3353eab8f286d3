"""Settings of payload retention (services/retention.py), apart from the others' blocks."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services.retention import (
    ARCHIVE_DAYS_PARAM,
    DEFAULT_ARCHIVE_DAYS,
    DEFAULT_PURGE_DAYS,
    PURGE_DAYS_PARAM,
    retention_problem,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
