"""17.0.1.1.0: what each billed line was approved to pay, for invoices billed before the
cumulative cap, the accruals and the landed costs read it (they would count 0 for them);
the workbench's variance index replaced by one that sorts unpriced invoices first."""

from odoo.tools import SQL


def fill_approved_amounts(cr):
    """A billed line was approved for what its bill paid: the expected amount when the
    invoice was short-paid on the expected amounts, else what was billed."""
    cr.execute(SQL("""
        UPDATE freight_invoice_line AS l
           SET approved_amount = CASE WHEN i.billed_on_expected THEN COALESCE(l.expected, 0)
                                      ELSE l.amount END
          FROM freight_invoice AS i
         WHERE l.invoice_id = i.id AND i.move_id IS NOT NULL AND l.approved_amount IS NULL"""))
    cr.execute(SQL("""
        UPDATE freight_invoice AS i
           SET amount_approved = l.total
          FROM (SELECT invoice_id, SUM(approved_amount) AS total
                  FROM freight_invoice_line GROUP BY invoice_id) AS l
         WHERE l.invoice_id = i.id AND i.move_id IS NOT NULL AND i.amount_approved IS NULL"""))


def migrate(cr, version):
    if not version:
        return
    fill_approved_amounts(cr)
    cr.execute(SQL("DROP INDEX IF EXISTS freight_invoice__variance_total_id_index"))
