"""An endpoint's messages of a period as one downloadable file: gzip-compressed JSON
lines, one per message, with its metadata, its sha256 always and its payload (base64)
while retention has not purged it. For freight managers and administrators only: the
payloads are partners' data."""

import base64
import gzip
import io

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.canonical import PayloadError
from ..services.retention import export_line, period_bounds

EXPORT_GROUPS = ("freight_sync.group_freight_manager", "base.group_system")
EXPORT_FIELDS = ("id", "direction", "kind", "state", "content_type", "idempotency_key",
                 "correlation_id", "received_at", "processed_at", "rules_version",
                 "payload_sha256", "payload_size", "payload_archived_at", "payload_purged_at")
READ_BATCH = 500


class FreightMessageExport(models.TransientModel):
    _name = "freight.message.export"
    _description = "Export an endpoint's messages"

    endpoint_id = fields.Many2one("freight.endpoint", required=True, ondelete="cascade")
    date_from = fields.Date(required=True, help="Received on or after this day (UTC).")
    date_to = fields.Date(required=True, help="Received on or before this day (UTC).")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)
    message_count = fields.Integer(readonly=True)

    @api.model
    def _check_export_rights(self):
        if not any(self.env.user.has_group(group) for group in EXPORT_GROUPS):
            raise AccessError(_("Only Freight Managers and administrators export messages."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_export_rights()
        return super().create(vals_list)

    def action_export(self):
        self.ensure_one()
        self._check_export_rights()
        try:
            start, end = period_bounds(self.date_from, self.date_to)
        except ValueError as error:
            raise UserError(_("The period ends before it starts.")) from error
        messages = self.env["freight.message"].sudo().search([
            ("endpoint_id", "=", self.endpoint_id.id),
            ("received_at", ">=", start), ("received_at", "<", end),
        ], order="received_at, id")
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
            # a few hundred at a time: the payloads of a batch are read in one go
            for index in range(0, len(messages), READ_BATCH):
                for message in messages[index:index + READ_BATCH]:
                    out.write(export_line(self._meta(message), self._payload_of(message)))
                messages.invalidate_recordset()
        self.write({
            "file": base64.b64encode(buffer.getvalue()), "message_count": len(messages),
            "filename": f"messages-{self.endpoint_id.id}-{self.date_from}-{self.date_to}"
                        ".jsonl.gz",
        })
        return {
            "type": "ir.actions.act_url", "target": "self",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}?download=true",
        }

    @staticmethod
    def _meta(message):
        meta = {name: message[name] or None for name in EXPORT_FIELDS}
        meta["endpoint"] = message.endpoint_id.name
        return meta

    @staticmethod
    def _payload_of(message):
        """The bytes as received, or None once purged (or found altered: the sha256 in
        the line is the one taken at receipt)."""
        try:
            return message._payload()
        except PayloadError:
            return None
