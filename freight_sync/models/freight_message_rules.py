"""What today's rules read otherwise in a processed message: the status codes its events
carried, through the code map its run applied (its rule snapshot) and through today's. A
dry run: nothing is applied; **Replay** applies today's rules."""

from odoo import _, models
from odoo.exceptions import UserError

from ..services.rule_snapshot import status_changes


class FreightMessage(models.Model):
    _inherit = "freight.message"

    def compare_rules(self):
        """Per message, each status code whose meaning today's code map reads otherwise
        than the code map of its last run, posted in its chatter. Returns
        ``[{"message_id", "changes": [{"code", "then", "today"}]}]``."""
        # those who may replay a message: the rest may not learn what a replay would do
        self.check_access_rights("write")
        self.check_access_rule("write")
        results = []
        for message in self:
            message._check_replayable()
            original = message._code_map_applied()
            endpoint = message.sudo().endpoint_id
            today = endpoint.code_map_id._overrides() if endpoint.code_map_id else {}
            events = message._read_items()[0]
            changes = status_changes(
                [event.get("raw_code") for event in events if not event.get("code")],
                original, today)
            message.message_post(body=message._rules_note(changes))
            results.append({"message_id": message.id, "changes": [
                {"code": code, "then": then, "today": now} for code, then, now in changes]})
        return results

    def _code_map_applied(self):
        """The codes of the code map the last run applied (``{}``: none, the standard
        meanings); a UserError when the run recorded no codes."""
        config = self.rule_snapshot_id._config() if self.rule_snapshot_id else {}
        if self.direction != "in" or config.get("kind") != "processing":
            raise UserError(_("%s has no processing run with its rules recorded: only a "
                              "replay with today's rules is possible.", self.display_name))
        code_map = config.get("code_map")
        if code_map and "codes" not in code_map:
            raise UserError(_("%(message)s was processed before the code maps' codes were "
                              "recorded (revision %(revision)s only): only a replay with "
                              "today's rules is possible.", message=self.display_name,
                              revision=code_map["revision"]))
        return code_map["codes"] if code_map else {}

    def action_compare_rules(self):
        self.compare_rules()

    def _rules_note(self, changes):
        if not changes:
            return _("Compared with today's rules: every status code of this message means "
                     "what it meant when it was processed.")
        return _("Compared with today's rules (a dry run, nothing applied): %s. Replay "
                 "applies today's meaning.", "; ".join(f"{code} {then} → {now}"
                                                      for code, then, now in changes))
