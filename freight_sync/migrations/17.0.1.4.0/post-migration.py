"""17.0.1.4.0: processing lanes (issue 15). Every inbound message gets its lane, as the
routes now decide it at receipt (``services.lanes.lane_of``): by kind for JSON, by the
functional groups of the stored interchange for X12, read in batches. The lane crons are
created by the data file; the old single inbox cron stays as the safety net over every
lane, moved from every 5 to every 30 minutes unless an admin changed its schedule."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.freight_sync.services.lanes import LANE_OF_KIND, x12_lane

BATCH = 1000


def fill_lanes(cr):
    for kind, lane in LANE_OF_KIND.items():
        cr.execute(SQL("UPDATE freight_message SET lane = %s "
                       "WHERE direction = 'in' AND kind = %s AND lane IS NULL", lane, kind))
    last = 0
    while True:
        cr.execute(SQL("""
            SELECT m.id, a.db_datas FROM freight_message AS m
              LEFT JOIN ir_attachment AS a ON a.id = m.payload_attachment_id
             WHERE m.direction = 'in' AND m.kind = 'edi' AND m.lane IS NULL AND m.id > %s
             ORDER BY m.id LIMIT %s""", last, BATCH))
        rows = cr.fetchall()
        if not rows:
            return
        by_lane = {}
        for message_id, body in rows:
            by_lane.setdefault(x12_lane(bytes(body or b"")), []).append(message_id)
        for lane, ids in by_lane.items():
            cr.execute(SQL("UPDATE freight_message SET lane = %s WHERE id = ANY(%s)", lane, ids))
        last = rows[-1][0]


def slow_down_safety_net(cr):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("freight_sync.ir_cron_process_inbox", raise_if_not_found=False)
    if cron and (cron.interval_number, cron.interval_type) == (5, "minutes"):
        cron.write({"interval_number": 30, "priority": 20,
                    "name": "Freight: process inbound messages (all lanes, safety net)"})
    if cron and cron.code.strip() == "model._cron_process_inbox()":
        # only what waited 10 minutes: never a sender's fresh messages beside its lane cron
        cron.code = "model._cron_process_inbox(waited_minutes=10)"


def migrate(cr, version):
    if version:
        fill_lanes(cr)
        slow_down_safety_net(cr)
