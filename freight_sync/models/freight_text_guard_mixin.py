from odoo import api, models


def without_nul(vals: dict) -> dict:
    """``vals`` with NUL characters replaced: PostgreSQL refuses them in text, and what a
    partner sent (a sender id, a control number) is quoted in refusals and notes."""
    return {key: value.replace("\x00", "\ufffd") if isinstance(value, str) else value
            for key, value in vals.items()}


class FreightTextGuardMixin(models.AbstractModel):
    """Records that quote what partners sent: a NUL in it never fails the transaction
    that stores the refusal (the 4xx would become a 5xx and nothing would be kept)."""

    _name = "freight.text.guard.mixin"
    _description = "Texts quoting partner input, stored without NUL"

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([without_nul(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(without_nul(vals))
