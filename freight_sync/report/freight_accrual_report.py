from odoo import fields, models, tools


class FreightAccrualReport(models.Model):
    """Open freight accruals by carrier and age, for month-end."""

    _name = "freight.accrual.report"
    _description = "Open Freight Accruals"
    _auto = False
    _order = "accrual_date"

    shipment_id = fields.Many2one("freight.shipment", readonly=True)
    carrier_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Accrual Entry", readonly=True)
    accrual_date = fields.Date(readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, group_operator="max")
    age_bucket = fields.Selection(
        [("0-30", "0-30 days"), ("31-60", "31-60 days"), ("61-90", "61-90 days"),
         ("90+", "Over 90 days")], readonly=True)
    amount = fields.Monetary(string="Accrued", readonly=True)
    status = fields.Selection(related="shipment_id.status")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # the buckets are services.accrual.age_bucket's, kept in SQL to group in the database
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS (
                SELECT s.id, s.id AS shipment_id, s.carrier_id, s.company_id,
                       c.currency_id, m.id AS move_id, m.date AS accrual_date,
                       CURRENT_DATE - m.date AS age_days,
                       CASE WHEN CURRENT_DATE - m.date <= 30 THEN '0-30'
                            WHEN CURRENT_DATE - m.date <= 60 THEN '31-60'
                            WHEN CURRENT_DATE - m.date <= 90 THEN '61-90'
                            ELSE '90+' END AS age_bucket,
                       s.accrued_amount AS amount
                  FROM freight_shipment s
                  JOIN account_move m ON m.id = s.accrual_move_id
                  JOIN res_company c ON c.id = s.company_id
                 WHERE s.accrual_state = 'accrued' AND m.state = 'posted'
            )""")
