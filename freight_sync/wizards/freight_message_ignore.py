from odoo import fields, models


class FreightMessageIgnore(models.TransientModel):
    _name = "freight.message.ignore"
    _description = "Ignore integration messages"

    message_ids = fields.Many2many("freight.message", required=True)
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.message_ids._ignore(self.reason)
