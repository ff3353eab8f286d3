"""An endpoint's messages of a period as one downloadable file: gzip-compressed JSON
lines, one per message, with its metadata, its sha256 always and its payload (base64)
while retention has not purged it. For freight managers and administrators only: the
payloads are partners' data."""

import base64
import gzip
import io

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.retention import export_line, period_bounds
from ..services.signature import body_digest

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
        # the endpoint as the user sees it: another company's endpoint is refused here,
        # before its messages are read with the application's rights
        endpoint = self.env["freight.endpoint"].browse(self.endpoint_id.id)
        endpoint.check_access_rule("read")
        messages = self.env["freight.message"].sudo().search([
            ("endpoint_id", "=", self.endpoint_id.id),
            ("received_at", ">=", start), ("received_at", "<", end),
        ], order="received_at, id")
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
            # a few hundred at a time: the payloads of a batch are read in one go
            for index in range(0, len(messages), READ_BATCH):
                batch = messages[index:index + READ_BATCH]
                payloads = batch._raw_payloads()
                for message in batch:
                    out.write(export_line(self._meta(message),
                                          self._verified(message, payloads.get(message.id))))
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
    def _verified(message, payload):
        """The bytes as received, or None once purged or when they no longer match the
        sha256 taken at receipt (the line's ``payload_sha256``)."""
        if payload is None or body_digest(payload) != message.payload_sha256:
            return None
        return payload
