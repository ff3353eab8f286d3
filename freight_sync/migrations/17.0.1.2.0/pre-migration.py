"""17.0.1.2.0: one identity per carrier invoice (services/invoice_chain.py), filled in
before the unique index on it is created. Invoices received twice before the upgrade (the
same number through two channels) keep their rows: the later ones get their id appended to
the key, so the index holds and nothing is lost; the clerk finds them by number."""

from odoo.tools import SQL

from odoo.addons.freight_sync.services.invoice_chain import identity, number_key


def fill_identities(cr):
    cr.execute(SQL("ALTER TABLE freight_invoice ADD COLUMN IF NOT EXISTS number_key varchar, "
                   "ADD COLUMN IF NOT EXISTS identity_key varchar"))
    cr.execute(SQL("""SELECT id, company_id, carrier_id, name, correction, date, amount_total
                        FROM freight_invoice WHERE identity_key IS NULL ORDER BY id"""))
    seen, rows = set(), []
    for invoice_id, company_id, carrier_id, name, correction, day, total in cr.fetchall():
        key = identity(name, correction, day, total or 0.0)
        if (company_id, carrier_id, key) in seen:
            key = f"{key}#{invoice_id}"
        seen.add((company_id, carrier_id, key))
        rows.append(SQL("(%s, %s, %s)", invoice_id, number_key(name), key))
    if rows:
        cr.execute(SQL("""UPDATE freight_invoice AS i SET number_key = v.number_key,
                                                         identity_key = v.identity_key
                            FROM (VALUES %s) AS v(id, number_key, identity_key)
                           WHERE i.id = v.id""", SQL(", ").join(rows)))
    # the sender's key was unique per channel only; the identity replaces it
    cr.execute(SQL("ALTER TABLE freight_invoice "
                   "DROP CONSTRAINT IF EXISTS freight_invoice_external_id_unique"))


def migrate(cr, version):
    if version:
        fill_identities(cr)
