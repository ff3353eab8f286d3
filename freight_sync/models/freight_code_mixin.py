from odoo import api, models


class FreightCodeMixin(models.AbstractModel):
    """A partner's or a standard's code, kept trimmed and in capitals whoever types it, so
    ``af`` and ``AF `` are one code for lookups and for the unique constraint."""

    _name = "freight.code.mixin"
    _description = "Freight code kept in capitals"
    _freight_code_field = "code"

    def _freight_upper_code(self, vals):
        code = vals.get(self._freight_code_field)
        if code:
            vals[self._freight_code_field] = code.strip().upper()
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._freight_upper_code(dict(vals)) for vals in vals_list])

    def write(self, vals):
        return super().write(self._freight_upper_code(dict(vals)))
