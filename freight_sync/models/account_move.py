from psycopg2 import errorcodes
from psycopg2.errors import SerializationFailure, UniqueViolation

from odoo import fields, models

MOVE_ROLES = [("accrual", "Freight accrual"), ("accrual_reversal", "Freight accrual reversal"),
              ("customer_invoice", "Freight customer invoice")]


# account.move's unique index of posted entries' numbers (account/models/account_move.py)
MOVE_NUMBER_INDEX = "account_move_unique_name"


class MoveNumberTaken(SerializationFailure):
    """Another transaction posted an entry under the number this one drew for its own.

    Odoo numbers a journal's entries from the last one this transaction sees; two
    transactions posting in the same journal at once (a queue cron and a clerk's import,
    two lanes) can draw the same number, and the second fails on the unique index, which
    a retry in a new transaction, seeing the first one's entry, gets past. Raised as a
    serialization failure (pgcode 40001), so that the queue crons roll the batch back and
    claim it again without spending an attempt (``cron_batches.run_batches``) and Odoo
    runs an HTTP request again (``odoo.service.model.retrying``), as for any collision."""

    pgcode = errorcodes.SERIALIZATION_FAILURE


class AccountMove(models.Model):
    _inherit = "account.move"

    freight_invoice_id = fields.Many2one(
        "freight.invoice", string="Carrier Invoice", readonly=True, copy=False,
        index="btree_not_null")

    freight_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, copy=False,
        index="btree_not_null")
    freight_move_role = fields.Selection(MOVE_ROLES, readonly=True, copy=False)
    freight_message_id = fields.Many2one(
        "freight.message", string="Triggering Message", readonly=True, copy=False)

    _sql_constraints = [
        # the database, not only the code, guarantees one vendor bill per carrier invoice
        ("freight_invoice_unique", "unique(freight_invoice_id)",
         "This carrier invoice already has a vendor bill."),
    ]

    def _freight_post(self):
        """``action_post``, a number drawn twice by concurrent transactions raised as the
        collision it is (``MoveNumberTaken``), not as bad data."""
        try:
            return self.action_post()
        except UniqueViolation as error:
            if error.diag.constraint_name != MOVE_NUMBER_INDEX:
                raise
            raise MoveNumberTaken(str(error)) from error

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        bills = posted.filtered("freight_invoice_id")
        # a bill posted by hand (no auto-post) moves its carrier invoice along
        approved = bills.freight_invoice_id.filtered(lambda i: i.state == "approved")
        approved.sudo()._set_outcome({"state": "posted"})
        shipments = bills.freight_invoice_id.line_ids.shipment_id
        if shipments:
            shipments.sudo()._freight_on_bills_posted(bills.sudo())
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    freight_charge_code = fields.Char(readonly=True, copy=False, index="btree_not_null",
                                      help="Charge code an accrual line expects.")
