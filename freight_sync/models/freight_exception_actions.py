# Quick actions of the exception kanban, kept apart from the case model itself.
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.workbench import DISPUTE_REASONS


class FreightException(models.Model):
    _inherit = "freight.exception"

    # the same reasons as an invoice's dispute in the workbench
    dispute_reason = fields.Selection(list(DISPUTE_REASONS.items()), tracking=True,
                                      readonly=True)
    # tells the kanban whether "Dispute" would move the card anywhere
    is_waiting = fields.Boolean(compute="_compute_is_waiting")

    @api.depends("stage_id")
    def _compute_is_waiting(self):
        waiting = self._waiting_stage(raise_if_missing=False)
        for case in self:
            case.is_waiting = bool(waiting) and case.stage_id == waiting

    def _waiting_stage(self, raise_if_missing=True):
        stage = self.env.ref("freight_sync.exception_stage_waiting", raise_if_not_found=False)
        if not stage and raise_if_missing:
            raise UserError(_("The “Waiting on Carrier” stage was deleted: ask a manager."))
        return stage

    def _resolved_stage(self):
        stage = self.env.ref("freight_sync.exception_stage_resolved", raise_if_not_found=False)
        stage = stage or self.env["freight.exception.stage"].search(
            [("is_closed", "=", True)], limit=1)
        if not stage:
            raise UserError(_("No stage closes a case: ask a manager to add one."))
        return stage

    def _check_open(self):
        closed = self.filtered("is_closed")
        if closed:
            raise UserError(_("Already closed: %s", ", ".join(closed.mapped("name"))))

    @staticmethod
    def _required_note(note, message):
        note = (note or "").strip()
        if not note:
            raise UserError(message)
        return note

    def write(self, vals):
        # a case is closed with the reason kept: dragging a card to a closing stage is refused,
        # Resolve on the card (or the invoice's decision) asks for the note
        if vals.get("stage_id") and not self.env.context.get("freight_case_note"):
            stage = self.env["freight.exception.stage"].browse(vals["stage_id"])
            if stage.is_closed and self.filtered(lambda case: not case.is_closed):
                raise UserError(_("Close a case with a note: use Resolve on its card, so the "
                                  "reason is kept with the case."))
        return super().write(vals)

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        return True

    def action_dispute(self, reason_code, note):
        """Puts the case on the carrier's side; an invoice's own dispute is handled there."""
        labels = dict(self._fields["dispute_reason"]._description_selection(self.env))
        if reason_code not in labels:
            raise UserError(_("Unknown dispute reason: %s", reason_code))
        note = self._required_note(
            note, _("Say why you dispute: the note is kept with the case."))
        self._check_open()
        self.write({"stage_id": self._waiting_stage().id, "dispute_reason": reason_code})
        body = _("Disputed with the carrier (%(reason)s): %(note)s",
                 reason=labels[reason_code], note=note)
        for case in self:
            case.message_post(body=body)
        return True

    def action_resolve(self, note):
        note = self._required_note(
            note, _("Say how it was resolved: the note is kept with the case."))
        self._check_open()
        self.with_context(freight_case_note=True).write({"stage_id": self._resolved_stage().id})
        for case in self:
            case.message_post(body=_("Resolved: %s", note))
        return True
