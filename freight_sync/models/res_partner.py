from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services.references import is_valid_scac


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "freight.tolerance.mixin"]

    is_freight_carrier = fields.Boolean(
        string="Freight Carrier",
        help="This partner moves goods for us: it can be chosen on shipments and bills freight.",
    )
    freight_scac = fields.Char(
        string="SCAC",
        size=4,
        index="btree_not_null",
        help="Standard Carrier Alpha Code (2 to 4 letters) identifying the carrier in EDI.",
    )
    freight_dispute_response_days = fields.Integer(
        string="Dispute Answer Due (days)",
        help="Days this carrier has to answer a dispute packet (its contract's term); "
        "0: the company's setting.")

    @api.constrains("freight_scac", "is_freight_carrier")
    def _check_freight_scac(self):
        carriers = self.filtered("freight_scac")
        for partner in carriers:
            if not is_valid_scac(partner.freight_scac):
                raise ValidationError(
                    _("SCAC %(scac)r of %(partner)s must be 2 to 4 capital letters.",
                      scac=partner.freight_scac, partner=partner.display_name)
                )
        if not carriers:
            return
        groups = self._read_group(
            [("freight_scac", "in", carriers.mapped("freight_scac")), ("parent_id", "=", False)],
            ["freight_scac"],
            ["__count"],
        )
        taken = [scac for scac, count in groups if count > 1]
        if taken:
            raise ValidationError(
                _("SCAC %(scac)s is already used by another carrier.", scac=", ".join(taken))
            )

    @api.onchange("freight_scac")
    def _onchange_freight_scac(self):
        if self.freight_scac:
            self.freight_scac = self.freight_scac.strip().upper()
