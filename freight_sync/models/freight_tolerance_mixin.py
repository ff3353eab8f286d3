from odoo import fields, models

COMBINE = [("lesser", "Lesser of the two"), ("greater", "Greater of the two")]


class FreightToleranceMixin(models.AbstractModel):
    """A tolerance band: ±percent of the expected amount and ±amount, combined by a rule.

    Company, carrier and charge code each carry one; the most specific set one applies.
    """

    _name = "freight.tolerance.mixin"
    _description = "Freight audit tolerance"

    freight_tolerance_set = fields.Boolean(
        string="Own Tolerance", help="Use this tolerance instead of the more general one.")
    freight_tolerance_percent = fields.Float(string="Tolerance (%)", default=2.0)
    freight_tolerance_amount = fields.Float(string="Tolerance (amount)", default=25.0)
    freight_tolerance_combine = fields.Selection(COMBINE, string="Combine", default="lesser")

    def _freight_tolerance(self):
        """(percent, amount, combine) of this record, or None when it has no own band."""
        self.ensure_one()
        if not self.freight_tolerance_set:
            return None
        return (self.freight_tolerance_percent, self.freight_tolerance_amount,
                self.freight_tolerance_combine)
