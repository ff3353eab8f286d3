"""The inbox on queue_job: one job per stored message, in the channel of its lane, instead
of waking the lane crons. Benchmark only; the addon itself runs on the lane crons."""

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.freight_sync.models.freight_message import CLAIMABLE

MODE = "freight_queue_job_probe.mode"  # lanes (the addon's own), queue_job, or hold


class FreightMessage(models.Model):
    _inherit = "freight.message"

    def _probe_mode(self):
        return self.env["ir.config_parameter"].sudo().get_param(MODE, "lanes")

    def _wake_lanes(self):
        mode = self._probe_mode()
        if mode == "lanes":
            return self._wake_lane_crons()
        if mode == "queue_job":
            self._enqueue_jobs()
        return None

    def _wake_lane_crons(self):
        # the addon's own wake-up, whatever the mode
        return super()._wake_lanes()  # pylint: disable=super-method-mismatch

    def _enqueue_jobs(self):
        for message in self:
            message.with_delay(channel="root", description=f"freight message {message.id}",
                               identity_key=f"freight-message-{message.id}")._run_as_job()

    def _run_as_job(self):
        # a job may run twice (its worker killed, a requeue): claim it as the lanes do
        self.env.cr.execute(SQL(
            "SELECT id FROM freight_message WHERE id = %s AND state = ANY(%s) "
            "FOR UPDATE SKIP LOCKED", self.id, list(CLAIMABLE)))
        if self.env.cr.fetchone():
            self._process()

    @api.model
    def bench_release(self):
        """Benchmark hook (admin only): hand every waiting inbound message to the current
        mode's machinery at once, so both drain the same backlog from the same start."""
        if not self.env.is_admin():
            raise AccessError("Benchmark hook: administrators only.")
        waiting = self.sudo().search([("direction", "=", "in"), ("state", "=", "received")])
        if self._probe_mode() == "queue_job":
            waiting._enqueue_jobs()
        else:
            waiting._wake_lane_crons()
        return len(waiting)
