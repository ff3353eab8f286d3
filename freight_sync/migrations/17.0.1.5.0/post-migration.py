"""17.0.1.5.0: LTL rating (issue 17). Shipments linked to transfers before freight items
existed get their items from those transfers, as a new link would build them, in batches
of shipments (the rebuild reads all the transfers of a batch in one query). Products have
no NMFC class yet: the items carry none until one is set on the products (which rebuilds
the shipments not tendered yet) or a dispatcher corrects them."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

BATCH = 1000


def build_items(cr):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(SQL("""
        SELECT DISTINCT p.freight_shipment_id FROM stock_picking AS p
         WHERE p.freight_shipment_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM freight_shipment_item AS i
                            WHERE i.shipment_id = p.freight_shipment_id)
         ORDER BY 1"""))
    ids = [row[0] for row in cr.fetchall()]
    for start in range(0, len(ids), BATCH):
        shipments = env["freight.shipment"].browse(ids[start:start + BATCH])
        env["freight.shipment.item"]._build_from_transfers(shipments)
        env.flush_all()
        env.invalidate_all()


def migrate(cr, version):
    if version:
        build_items(cr)
