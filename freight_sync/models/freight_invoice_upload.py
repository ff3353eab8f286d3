import base64
import logging
import threading
import time

from odoo import _, api, fields, models

from ..services.invoice_csv_rows import parse_rows
from ..services.invoice_files import x12_invoices

_logger = logging.getLogger(__name__)

# invoices staged and audited per transaction: a crash loses at most one chunk of work,
# and the progress the clerk sees moves every few seconds
CHUNK_SIZE = 200


class FreightInvoiceUpload(models.Model):
    """A large file of carrier invoices (CSV or X12 210), imported in the background
    chunk by chunk.

    The clerk's upload wizard hands files with many invoices over to this queue so the
    browser does not wait on one long request; the form shows how far the import got.
    """

    _name = "freight.invoice.upload"
    _description = "Carrier Invoice Upload"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(string="File", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True,
                                 default=lambda self: self.env.company)
    carrier_id = fields.Many2one("res.partner", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    date_format = fields.Char(required=True, readonly=True)
    mapping = fields.Json(readonly=True,
                          help="Canonical field → column of a CSV file, as chosen by the clerk.")
    file_format = fields.Selection([("csv", "CSV"), ("x12", "X12 210")], default="csv",
                                   required=True, readonly=True)
    file = fields.Binary(string="Uploaded File", attachment=True, required=True, readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Importing"), ("done", "Done"),
         ("failed", "Failed")],
        default="queued", required=True, readonly=True, tracking=True, index=True)
    invoice_total = fields.Integer(string="Invoices in File", readonly=True)
    invoice_done = fields.Integer(string="Invoices Processed", readonly=True)
    progress = fields.Float(compute="_compute_progress", digits=(5, 1))
    row_error_count = fields.Integer(string="Row Errors", readonly=True)
    error_report = fields.Text(readonly=True)
    invoice_ids = fields.One2many("freight.invoice", "upload_id", readonly=True)
    invoice_count = fields.Integer(string="Invoices Staged", compute="_compute_invoice_count")
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)

    @api.depends("invoice_done", "invoice_total", "state")
    def _compute_progress(self):
        for upload in self:
            if upload.state == "done" or not upload.invoice_total:
                upload.progress = 100.0 if upload.state == "done" else 0.0
            else:
                upload.progress = 100.0 * upload.invoice_done / upload.invoice_total

    def _compute_invoice_count(self):
        counts = dict(self.env["freight.invoice"]._read_group(
            [("upload_id", "in", self.ids)], ["upload_id"], ["__count"]))
        for upload in self:
            upload.invoice_count = counts.get(upload, 0)

    def _invoices(self):
        text = base64.b64decode(self.with_context(bin_size=False).file or b"")
        if self.file_format == "x12":
            return x12_invoices(text)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = text.decode("latin-1")
        return parse_rows(text, self.mapping or {}, self.date_format,
                          {"currency": self.currency_id.name})

    @api.model
    def _cron_import_uploads(self, time_budget=50):
        testing = getattr(threading.current_thread(), "testing", False)
        deadline = time.monotonic() + time_budget
        while time.monotonic() < deadline:
            upload = self._claim()
            if not upload:
                return
            finished = upload._import_chunks(deadline)
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if not finished:
                # out of time: the next run goes on where this one stopped
                self.env.ref("freight_sync.ir_cron_import_uploads")._trigger()
                return

    @api.model
    def _claim(self):
        self.flush_model(["state"])
        self.env.cr.execute(
            """SELECT id FROM freight_invoice_upload WHERE state IN ('queued', 'running')
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED""")
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else [])

    def _import_chunks(self, deadline):
        """Stage and audit the next chunks as the clerk who uploaded; True once done."""
        upload = self.with_user(self.create_uid).with_company(self.company_id)
        if upload.state == "queued":
            upload.write({"state": "running", "started_at": fields.Datetime.now()})
        invoices, _row_errors = upload._invoices()
        while upload.invoice_done < len(invoices):
            chunk = invoices[upload.invoice_done:upload.invoice_done + CHUNK_SIZE]
            try:
                with self.env.cr.savepoint():
                    staged, errors = upload.env["freight.invoice"]._stage(
                        chunk, upload.company_id, upload.carrier_id)
                    staged.upload_id = upload
                    staged._audit()
            except Exception as error:  # noqa: BLE001  the clerk sees why, the queue moves on
                _logger.exception("invoice upload %s failed", upload.id)
                upload._fail(str(error))
                return True
            upload.write({
                "invoice_done": upload.invoice_done + len(chunk),
                "error_report": "\n".join(filter(None, [upload.error_report, *errors])) or False,
            })
            if time.monotonic() >= deadline:
                return upload.invoice_done >= len(invoices) and upload._finish()
        return upload._finish()

    def _finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        self.message_post(
            body=_("%(count)s carrier invoice(s) imported from %(file)s, %(errors)s row "
                   "error(s).", count=self.invoice_count, file=self.name,
                   errors=self.row_error_count),
            partner_ids=self.create_uid.partner_id.ids,
        )
        return True

    def _fail(self, error):
        self.write({"state": "failed", "finished_at": fields.Datetime.now(),
                    "error_report": "\n".join(filter(None, [self.error_report, error]))})
        self.message_post(body=_("The import stopped: %s", error),
                          partner_ids=self.create_uid.partner_id.ids)

    def action_view_invoices(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_invoice")
        action["domain"] = [("upload_id", "=", self.id)]
        return action
