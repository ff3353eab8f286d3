"""Seed data for the workbench benchmark: BENCH_INVOICES audited carrier invoices of 3 lines
each, as intake and the audit would have left them, written with set-based SQL so 100,000
take seconds, not the ORM's minutes. Commits (the benchmark reads it over HTTP), then
VACUUM ANALYZEs the tables.

    BENCH_INVOICES=100000 odoo shell -d DB --no-http < tests/bench/workbench_seed.py

Spread: BENCH_CARRIERS carriers (default 20; the first ones busiest: a carrier's share
falls as its rank grows, as a shipper's routing guide does), invoice dates over 400 days
(ids grow with the date, as they arrive),
states ~50 % posted, 29 % approved, 10 % audited, 8 % exception, 2 % disputed, 1 % received;
PRO/BOL references normalised (upper case, no dashes) as the intake stores them; one
invoice in ten bills one of 1,000 real shipments (ORM-created, 3 milestones each); one
open billing case per exception invoice (first stage), one per disputed invoice (waiting).
Also creates the clerk ``bench_clerk`` (password ``bench_clerk``) if missing.
"""

import os
import time

from odoo import sql_db

INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
CARRIER_COUNT = int(os.environ.get("BENCH_CARRIERS", "20"))
SHIPMENTS = 1000
DAYS = 400
CARRIERS = (("Bench Arrow Freight", "BARW"), ("Bench Old Dominion", "BODF"),
            ("Bench Saia", "BSAI"), ("Bench R+L", "BRLC"), ("Bench Estes", "BEXL"))
# more carriers past the named ones: "Bench Carrier AB" (SCAC BXAB), ...
CARRIERS += tuple((f"Bench Carrier {a}{b}", f"BX{a}{b}") for a in "ABCDEFGHIJ"
                  for b in "ABCDEFGHIJ")
CARRIERS = CARRIERS[:max(CARRIER_COUNT, 1)]
MILESTONES = (("picked_up", 0), ("in_transit", 1), ("delivered", 3))

env = env  # noqa: F821 (given by odoo shell)
cr = env.cr
started = time.perf_counter()
company = env.company
currency = company.currency_id

# ---- the clerk --------------------------------------------------------------------------
clerk = env["res.users"].with_context(active_test=False).search([("login", "=", "bench_clerk")])
if not clerk:
    clerk = env["res.users"].with_context(no_reset_password=True).create({
        "name": "Bench Clerk", "login": "bench_clerk", "password": "bench_clerk",
        "company_id": company.id, "company_ids": [(6, 0, company.ids)],
        "groups_id": [(6, 0, [env.ref(x).id for x in (
            "base.group_user", "account.group_account_invoice",
            "freight_sync.group_freight_billing")])],
    })

# ---- carriers, shipments and milestones (ORM: few, and they should look real) ------------
Partner = env["res.partner"]
carriers = Partner.browse()
for name, scac in CARRIERS:
    carrier = Partner.search([("freight_scac", "=", scac)], limit=1) or Partner.create(
        {"name": name, "is_company": True, "is_freight_carrier": True, "freight_scac": scac})
    carriers |= carrier
quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
run = time.strftime("%y%m%d%H%M%S")
shipments = env["freight.shipment"].with_context(**quiet).create([{
    "carrier_id": carriers[k % len(carriers)].id, "mode": "ltl", "weight": 400.0 + k % 900,
    "pro_number": f"9{run[6:]}{k:04d}", "bol_number": f"BS{run[6:]}{k:04d}",
} for k in range(SHIPMENTS)])
env["freight.milestone"].with_context(**quiet).create([{
    "shipment_id": shipment.id, "code": code, "source": "api", "location": "Columbus, OH",
    "event_time": f"2024-07-{10 + days:02d} {8 + k % 10:02d}:00:00",
} for k, shipment in enumerate(shipments) for code, days in MILESTONES])
env.flush_all()
orm_seconds = time.perf_counter() - started

# ---- invoices: one parameter row per invoice, then set-based inserts ---------------------
stage_new = env["freight.exception.stage"].search([], limit=1)
stage_waiting = env.ref("freight_sync.exception_stage_waiting")
codes = dict(env["freight.charge.code"].search([]).mapped(lambda c: (c.code, c.id)))
params = {
    "n": INVOICES, "days": DAYS, "run": run, "carriers": carriers.ids,
    "scacs": carriers.mapped("freight_scac"), "shipments": shipments.ids,
    "pros": shipments.mapped("pro_number"), "bols": shipments.mapped("bol_number"),
    "company": company.id, "currency": currency.id, "uid": env.uid, "clerk": clerk.id,
    "stage_new": stage_new.id, "stage_waiting": stage_waiting.id,
    "c400": codes.get("400"), "cfsc": codes.get("FSC"), "clft": codes.get("LFT"),
}
cr.execute("""
    CREATE TEMP TABLE bench_seed ON COMMIT DROP AS
    SELECT g, nextval('freight_invoice_id_seq') AS id,
           %(carriers)s::int[] AS carriers, %(scacs)s::text[] AS scacs,
           -- carrier rank: u squared, u uniform in [0, 1) from a hash of g, so the first
           -- carrier bills ~1/sqrt(carriers) of the invoices and the last ones few
           1 + floor(array_length(%(carriers)s::int[], 1)
                     * power(((g::bigint * 2654435761) %% 1000003) / 1000003.0, 2))::int AS c,
           (g::bigint * 7919) %% 100 AS r,                      -- decides the state
           current_date - %(days)s + (g::bigint * %(days)s / %(n)s)::int
               - (g %% 3) AS date,
           300 + (g::bigint * 37) %% 900 AS linehaul,          -- expected linehaul
           CASE WHEN g %% 10 = 0 THEN 1 + (g / 10) %% array_length(%(shipments)s::int[], 1)
           END AS s
      FROM generate_series(1, %(n)s) AS g
""", params)
cr.execute("""
    ALTER TABLE bench_seed ADD COLUMN state varchar, ADD COLUMN billed numeric,
        ADD COLUMN pro varchar, ADD COLUMN bol varchar, ADD COLUMN shipment_id int;
    UPDATE bench_seed SET
        state = CASE WHEN r < 8 THEN 'exception' WHEN r < 18 THEN 'audited'
                     WHEN r < 20 THEN 'disputed' WHEN r < 21 THEN 'received'
                     WHEN r < 50 THEN 'approved' ELSE 'posted' END,
        -- exception/disputed: linehaul 6-25 %% over; others within 0-2 %%
        billed = round(linehaul * CASE WHEN r < 8 OR r BETWEEN 18 AND 19
                                       THEN 1.06 + (g %% 20) / 100.0
                                       ELSE 1 + (g %% 3) / 100.0 END, 2),
        -- PROs: 11 digits (carrier digit + a multiplicative hash of g, so the digits are
        -- spread as real ones are, not a zero-padded counter); BOLs 'BL' and 8 digits
        pro = CASE WHEN s IS NULL THEN (c * 10000000000::bigint
                                        + (g::bigint * 2654435761) %% 9999999967)::text
                   ELSE (%(pros)s::text[])[s] END,
        bol = CASE WHEN s IS NULL THEN 'BL' || lpad(((g::bigint * 40503) %% 99999989)::text, 8, '0')
                   ELSE (%(bols)s::text[])[s] END,
        shipment_id = (%(shipments)s::int[])[s];
""", params)
# The two big tables are bulk loaded as PostgreSQL's manual advises: their plain
# (non-unique) indexes and foreign keys dropped, then built and checked once each after the
# inserts, instead of five trigram indexes updated and a dozen foreign keys looked up row by
# row, 3 million times. The definitions are read from the catalog, so what is rebuilt is
# exactly what the models declared.
BIG = "('freight_invoice'::regclass, 'freight_invoice_line'::regclass)"
cr.execute(f"""
    SELECT c.relname, pg_get_indexdef(c.oid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid IN {BIG} AND NOT i.indisunique
""")  # noqa: S608 (fixed names)
plain_indexes = cr.fetchall()
cr.execute(f"""
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
      FROM pg_constraint WHERE conrelid IN {BIG} AND contype = 'f'
""")  # noqa: S608 (fixed names)
foreign_keys = cr.fetchall()
for index_name, _definition in plain_indexes:
    cr.execute(f'DROP INDEX "{index_name}"')  # noqa: S608 (names from the catalog)
for table, key, _definition in foreign_keys:
    cr.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key}"')  # noqa: S608 (catalog)
cr.execute("""
    INSERT INTO freight_invoice (id, name, carrier_id, company_id, currency_id, date,
        correction, state, external_id, amount_total, expected_total, variance_total,
        audit_summary, audited_at, dispute_reason,
        create_uid, create_date, write_uid, write_date)
    SELECT id, scacs[c] || '-' || lpad(g::text, 8, '0'), carriers[c], %(company)s,
           %(currency)s, date, 'original', state, 'bench:' || %(run)s || ':' || g,
           billed + round(linehaul * 0.2, 2) + 85,
           CASE WHEN state <> 'received' THEN linehaul + round(linehaul * 0.2, 2) + 85 END,
           CASE WHEN state <> 'received' THEN billed - linehaul  -- Odoo's compute: no
                ELSE billed + round(linehaul * 0.2, 2) + 85 END,     -- expected, all variance
           CASE WHEN state <> 'received' THEN
               CASE WHEN billed - linehaul > linehaul * 0.05
                    THEN '1 line over the tolerance' ELSE 'All 3 lines within policy' END END,
           CASE WHEN state <> 'received' THEN date + interval '1 day' END,
           CASE WHEN state = 'disputed' THEN 'rate' END,
           %(uid)s, date + interval '1 hour', %(uid)s, date + interval '1 day'
      FROM bench_seed
""", params)
cr.execute("""
    INSERT INTO freight_invoice_line (invoice_id, company_id, line_no, shipment_id, pro_number,
        bol_number, charge_code, charge_code_id, description, quantity, rate, amount,
        billed_weight_kg, expected, variance, allowance, tolerance_layer, decision, trace,
        create_uid, create_date, write_uid, write_date)
    SELECT s.id, %(company)s, l.no, s.shipment_id, s.pro, s.bol, l.code, l.code_id, l.label,
           1, x.billed, x.billed, 400 + s.g %% 900,
           x.expected, x.billed - x.expected, round(x.expected * 0.05, 2),
           CASE WHEN s.state <> 'received' THEN 'contract' END,
           CASE WHEN s.state = 'received' THEN NULL
                WHEN x.billed - x.expected > round(x.expected * 0.05, 2) THEN 'over'
                WHEN s.shipment_id IS NULL AND l.no = 1 AND s.g %% 7 = 0 THEN 'unmatched'
                ELSE 'ok' END,
           CASE WHEN s.state <> 'received' THEN
               'contract ' || s.scacs[s.c] || ' LTL 2024' || chr(10)
               || l.code || ': expected ' || to_char(x.expected, 'FM999990.00') || chr(10)
               || 'tolerance contract 5%% = ' || to_char(x.expected * 0.05, 'FM999990.00') END,
           %(uid)s, s.date + interval '1 hour', %(uid)s, s.date + interval '1 day'
      FROM bench_seed s
     CROSS JOIN (VALUES (1, '400', %(c400)s, 'Linehaul'), (2, 'FSC', %(cfsc)s, 'Fuel surcharge'),
                        (3, 'LFT', %(clft)s, 'Liftgate')) AS l(no, code, code_id, label)
     CROSS JOIN LATERAL (SELECT
           CASE l.no WHEN 1 THEN s.billed WHEN 2 THEN round(s.linehaul * 0.2, 2) ELSE 85 END
               AS billed,
           CASE WHEN s.state = 'received' THEN NULL WHEN l.no = 1 THEN s.linehaul
                WHEN l.no = 2 THEN round(s.linehaul * 0.2, 2) ELSE 85 END AS expected) AS x
     ORDER BY s.id, l.no
""", params)
index_started = time.perf_counter()
cr.execute("SET LOCAL maintenance_work_mem = '256MB'")
for _index_name, definition in plain_indexes:
    cr.execute(definition)
for table, key, definition in foreign_keys:
    cr.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{key}" {definition}')  # noqa: S608
index_seconds = time.perf_counter() - index_started
cr.execute("""
    INSERT INTO freight_exception (name, company_id, exception_type, category, shipment_id,
        carrier_id, invoice_id, invoice_line_id, stage_id, is_closed, user_id, priority,
        deadline, amount_at_stake, dispute_reason,
        create_uid, create_date, write_uid, write_date)
    SELECT i.name || ': linehaul over the tolerance', %(company)s, 'rate_variance', 'billing',
           s.shipment_id, sh.carrier_id, s.id, l.id,
           CASE WHEN s.state = 'disputed' THEN %(stage_waiting)s ELSE %(stage_new)s END, false,
           CASE WHEN s.g %% 4 = 0 THEN %(clerk)s END, '0', s.date + interval '2 days',
           s.billed - s.linehaul, CASE WHEN s.state = 'disputed' THEN 'rate' END,
           %(uid)s, s.date + interval '1 day', %(uid)s, s.date + interval '1 day'
      FROM bench_seed s
      JOIN freight_invoice i ON i.id = s.id
      JOIN freight_invoice_line l ON l.invoice_id = s.id AND l.line_no = 1
      LEFT JOIN freight_shipment sh ON sh.id = s.shipment_id
     WHERE s.state IN ('exception', 'disputed')
""", params)
cases = cr.rowcount
cr.execute("SELECT count(*) FILTER (WHERE l.shipment_id IS NOT NULL), count(*) "
           "FROM freight_invoice_line l JOIN bench_seed s ON s.id = l.invoice_id")
linked, lines = cr.fetchone()
cr.execute("SELECT state, count(*) FROM bench_seed GROUP BY state ORDER BY 2 DESC")
states = cr.fetchall()
sql_seconds = time.perf_counter() - started - orm_seconds
cr.commit()
# VACUUM ANALYZE what autovacuum would soon do on its own (and might do in the middle of the
# benchmark): statistics for the planner, the visibility map for index-only scans
vacuum = sql_db.db_connect(cr.dbname).cursor()
vacuum._cnx.autocommit = True  # VACUUM refuses to run inside a transaction
for table in ("freight_invoice", "freight_invoice_line", "freight_exception",
              "freight_shipment", "freight_milestone"):
    vacuum.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 (fixed names)
vacuum.execute("SELECT pg_size_pretty(pg_database_size(current_database())), "
               "pg_size_pretty(pg_total_relation_size('freight_invoice')), "
               "pg_size_pretty(pg_total_relation_size('freight_invoice_line'))")
sizes = vacuum.fetchone()
vacuum.close()
env.invalidate_all()
print(f"seeded {INVOICES:,} invoices, {lines:,} lines ({linked:,} linked to "
      f"{len(shipments):,} shipments with {len(shipments) * len(MILESTONES):,} milestones), "
      f"{cases:,} open cases; clerk bench_clerk (uid {clerk.id})")
print("states:", ", ".join(f"{state} {count:,}" for state, count in states))
print(f"time: {time.perf_counter() - started:.1f} s (ORM part {orm_seconds:.1f} s, "
      f"SQL {sql_seconds:.1f} s of which {len(plain_indexes)} indexes and "
      f"{len(foreign_keys)} foreign keys rebuilt in {index_seconds:.1f} s, "
      "the rest VACUUM ANALYZE)")
print("database size: {} (invoices {}, lines {}, indexes included)".format(*sizes))
