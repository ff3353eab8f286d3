# Quick actions of the exception kanban, kept apart from the case model itself.
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.exceptions import UserError

DISPUTE_REASONS = [
    ("rate", "Rate not per contract"),
    ("accessorial", "Accessorial not approved"),
    ("duplicate", "Duplicate billing"),
    ("weight", "Weight or class"),
    ("service", "Service failure"),
    ("damage", "Damage or loss claim"),
    ("other", "Other"),
]


class FreightException(models.Model):
    _inherit = "freight.exception"

    dispute_reason = fields.Selection(DISPUTE_REASONS, tracking=True, readonly=True)
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
        self.write({"stage_id": self._resolved_stage().id})
        for case in self:
            case.message_post(body=_("Resolved: %s", note))
        return True
