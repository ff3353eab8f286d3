"""Audit speed: staged carrier invoices (5 lines each) -> persisted audit results and
exception cases, at two sizes measured in one run; prints lines/s, the time ratio and
the process's peak memory and the CPU time of Odoo and of its PostgreSQL backend (on a
shared machine the CPU times say what the wall time cannot). As in the invoices lane,
the invoices are staged in the audit's transaction, and the shipments they bill were
committed long before (created in the same transaction, PostgreSQL spent a fifth more
time on the foreign-key checks of rows its own transaction wrote); the invoices and the
audit are rolled back, the shipments kept. Run it on a throwaway database.

    odoo shell -d DB --no-http < tests/bench/audit_bench.py
Environment: BENCH_SIZES (default "10000,100000" lines).
"""

import os
import resource
import sys
import time
from datetime import date

from odoo import Command

sys.path.insert(0, os.path.join(os.environ.get("FREIGHT_ROOT", os.getcwd()), "tests", "bench"))
from bench_contract import bench_contract  # noqa: E402 (a sibling file; stdin has no __file__)

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
LINES = ("400", "405", "LFT", "DTU", "HAZ")
OVERBILLED_EVERY = 10  # one invoice in ten bills 20 % too much linehaul

env = env  # noqa: F821 (given by odoo shell)
company = env.company
company.write({"freight_auto_approve": False, "freight_pod_required": True})
carrier = env["res.partner"].create(
    {"name": "Bench carrier", "is_freight_carrier": True, "freight_scac": "BNCH"})
bench_contract(env, carrier, "Bench")


def amounts(i):
    linehaul = max((800.0 + i % 400) * 0.5, 150.0)
    billed = round(linehaul * (1.2 if i % OVERBILLED_EVERY == 0 else 1.0), 2)
    return billed, round(linehaul * 0.2, 2), 85.0, 150.0, 40.0


def stage(count, run):
    """``count`` invoices, one shipment each: the shipments committed first, as they are
    long before their bills come, then the invoices created in batches as intake would."""
    for start in range(0, count, 1000):
        shipments = env["freight.shipment"].with_context(tracking_disable=True).create([
            {"carrier_id": carrier.id, "pro_number": f"B{run}{i:07d}", "weight": 800.0 + i % 400,
             "mode": "ltl"} for i in range(start, min(start + 1000, count))])
        # waited 4 h at delivery: 2 h of detention billable at 75
        env["freight.milestone"].create([
            {"shipment_id": s.id, "code": code, "event_time": when}
            for s in shipments for code, when in (("out_for_delivery", "2024-07-10 06:00:00"),
                                                  ("delivered", "2024-07-10 10:00:00"))])
    env.cr.commit()
    invoices = env["freight.invoice"]
    for start in range(0, count, 1000):
        # staged as intake stages them: the carrier's fields are the application's to write
        invoices |= env["freight.invoice"]._with_guarded_rights().create([{
            "name": f"INV{run}{i}", "carrier_id": carrier.id, "date": date(2024, 7, 12),
            "currency_id": company.currency_id.id, "external_id": f"bench:{run}:{i}",
            "line_ids": [Command.create({"line_no": n + 1, "pro_number": f"B{run}{i:07d}",
                                         "charge_code": code, "amount": amount})
                         for n, (code, amount) in enumerate(zip(LINES, amounts(i)))],
        } for i in range(start, min(start + 1000, count))])
    env.flush_all()
    env.invalidate_all()
    return invoices.with_env(env)


def database_cpu():
    """CPU seconds of this session's PostgreSQL backend, from /proc; None when the
    server runs on another machine."""
    env.cr.execute("SELECT pg_backend_pid()")
    try:
        with open(f"/proc/{env.cr.fetchone()[0]}/stat", encoding="ascii") as stat:
            user, system = stat.read().rsplit(")", 1)[1].split()[11:13]
    except OSError:
        return None
    return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")


timings = {}
for size in SIZES:
    invoices = stage(size // len(LINES), size)
    started, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu()
    invoices._audit()
    env.flush_all()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db_cpu = None if db_cpu is None else f"{database_cpu() - db_cpu:.1f} s"
    timings[size] = seconds
    cases = env["freight.exception"].search_count([("invoice_id", "in", invoices.ids)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"audit {size:,} lines ({len(invoices):,} invoices): {seconds:.1f} s = "
          f"{size / seconds:,.0f} lines/s, {cases:,} cases; peak memory {peak:,.0f} MB; "
          f"CPU: Odoo {cpu:.1f} s, PostgreSQL {db_cpu or 'not measured'}")
    env.cr.rollback()
    env.invalidate_all()
if len(SIZES) == 2:
    small, large = SIZES
    print(f"ratio t({large:,})/t({small:,}) = {timings[large] / timings[small]:.1f} "
          f"(linear would be {large / small:.0f})")
env.cr.rollback()
