"""Audit speed: staged carrier invoices (5 lines each) -> persisted audit results and
exception cases, at two sizes measured in one run; prints lines/s, the time ratio and
the process's peak memory and the CPU time of Odoo and of its PostgreSQL backend (on a
shared machine the CPU times say what the wall time cannot). As the invoices lane does,
the invoices are staged and committed, then audited in a transaction of their own, and the
shipments they bill were committed long before (PostgreSQL re-checks every foreign key of
a row updated in the transaction that inserted it); the audit is rolled back and the
staged invoices deleted, the shipments kept. Run it on a throwaway database.

    odoo shell -d DB --no-http < tests/bench/audit_bench.py
Environment: BENCH_SIZES (default "10000,100000" lines); BENCH_AUDIT_WORKERS (e.g. "1,2"):
then the audit queue (freight_invoice_queue.py) drained by that many worker processes at
once (BENCH_ODOO_SHELL: the ``odoo shell`` command line on this database), each count at
both sizes, each on a fresh staging; BENCH_LTL=1: the contract's lane is
rated by an LTL base tariff of 300 lanes (bench_contract.ltl_bench_contract) and each
shipment has freight items by class (one in four has two classes), between 20 origin and 15
destination ZIP3s: the linehaul of every invoice is an LTL rating. BENCH_PROFILE=N: the audit
under cProfile (slower), its N costliest functions printed.
"""

import cProfile
import os
import pstats
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import date

from odoo import Command

sys.path.insert(0, os.path.join(os.environ.get("FREIGHT_ROOT", os.getcwd()), "tests", "bench"))
from bench_contract import (  # noqa: E402 (a sibling file; stdin has no __file__)
    LTL_DESTINATIONS,
    LTL_ORIGINS,
    bench_contract,
    ltl_bench_contract,
)

from odoo.addons.freight_sync.models.freight_shipment_item import (  # noqa: E402
    PATH_KEY,
    ItemPath,
)
from odoo.addons.freight_sync.services.ltl import FreightItem, rate_ltl  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
LINES = ("400", "405", "LFT", "DTU", "HAZ")
PROFILE = int(os.environ.get("BENCH_PROFILE", "0"))  # print the N costliest functions
OVERBILLED_EVERY = 10  # one invoice in ten bills 20 % too much linehaul

env = env  # noqa: F821 (given by odoo shell)
company = env.company
company.write({"freight_auto_approve": False, "freight_pod_required": True})
carrier = env["res.partner"].create(
    {"name": "Bench carrier", "is_freight_carrier": True, "freight_scac": "BNCH"})
LTL = os.environ.get("BENCH_LTL") == "1"
if LTL:
    contract, imported = ltl_bench_contract(env, carrier, "Bench")
    TERMS = contract._as_terms().lines[0].ltl
    print(f"LTL tariff imported: {len(LTL_ORIGINS) * len(LTL_DESTINATIONS)} lanes, "
          f"{len(TERMS.revisions[0].lanes[0].rates)} classes, in {imported:.1f} s")
    us = env.ref("base.us").id
    ORIGINS = env["res.partner"].create([{"name": f"DC {z}", "zip": f"{z}01",
                                          "country_id": us} for z in LTL_ORIGINS])
    DESTINATIONS = env["res.partner"].create([{"name": f"Store {z}", "zip": f"{z}01",
                                               "country_id": us} for z in LTL_DESTINATIONS])
else:
    bench_contract(env, carrier, "Bench")
CLASSES = ("85", "70", "100", "150", "55")


def items(i):
    """(class, kg) of shipment ``i``: one class, or two for one shipment in four."""
    weight = 800.0 + i % 400
    if i % 4 == 0:
        return [("85", weight * 0.6), ("150", weight * 0.4)]
    return [(CLASSES[i % len(CLASSES)], weight)]


def lane_of(i):
    return ORIGINS[i % len(ORIGINS)], DESTINATIONS[(i // len(ORIGINS)) % len(DESTINATIONS)]


def linehaul_of(i):
    if not LTL:
        return max((800.0 + i % 400) * 0.5, 150.0)
    origin, destination = lane_of(i)
    return rate_ltl(TERMS, [FreightItem(c, kg) for c, kg in items(i)], origin.zip,
                    destination.zip, date(2024, 7, 10)).amount


def amounts(i):
    linehaul = linehaul_of(i)
    billed = round(linehaul * (1.2 if i % OVERBILLED_EVERY == 0 else 1.0), 2)
    return billed, round(linehaul * 0.2, 2), 85.0, 150.0, 40.0


def stage(count, run):
    """``count`` invoices, one shipment each: the shipments committed first, as they are
    long before their bills come, then the invoices created in batches as intake would."""
    for start in range(0, count, 1000):
        shipments = env["freight.shipment"].with_context(tracking_disable=True).create([
            {"carrier_id": carrier.id, "pro_number": f"B{run}{i:07d}", "weight": 800.0 + i % 400,
             "mode": "ltl", **({"origin_partner_id": lane_of(i)[0].id,
                               "destination_partner_id": lane_of(i)[1].id} if LTL else {})}
            for i in range(start, min(start + 1000, count))])
        if LTL:
            env["freight.shipment.item"].with_context(
                **{PATH_KEY: ItemPath("correction", "bench")}).create([
                    {"shipment_id": s.id, "freight_class": c, "weight_kg": kg}
                    for i, s in zip(range(start, count), shipments) for c, kg in items(i)])
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
    # committed before the audit, as the invoices lane commits what it stages
    env.cr.commit()
    env.invalidate_all()
    return invoices.with_env(env)


def backend_cpu(cr):
    """CPU seconds of the PostgreSQL backend of ``cr``, from /proc; None when the server
    runs on another machine."""
    cr.execute("SELECT pg_backend_pid()")
    try:
        with open(f"/proc/{cr.fetchone()[0]}/stat", encoding="ascii") as stat:
            user, system = stat.read().rsplit(")", 1)[1].split()[11:13]
    except OSError:
        return None
    return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")


def database_cpu():
    return backend_cpu(env.cr)


timings = {}
for size in SIZES:
    invoices = stage(size // len(LINES), size)
    profiler = cProfile.Profile() if PROFILE else None
    started, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu()
    if profiler:
        profiler.enable()
    invoices._audit()
    env.flush_all()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(PROFILE)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db_cpu = None if db_cpu is None else f"{database_cpu() - db_cpu:.1f} s"
    timings[size] = seconds
    cases = env["freight.exception"].search_count([("invoice_id", "in", invoices.ids)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kind = "audit (LTL)" if LTL else "audit"
    print(f"{kind} {size:,} lines ({len(invoices):,} invoices): {seconds:.1f} s = "
          f"{size / seconds:,.0f} lines/s, {cases:,} cases; peak memory {peak:,.0f} MB; "
          f"CPU: Odoo {cpu:.1f} s, PostgreSQL {db_cpu or 'not measured'}")
    env.cr.rollback()
    # the staged invoices were committed: gone with their lines, so no queue finds them
    env.cr.execute("DELETE FROM freight_invoice WHERE id = ANY(%s)", [invoices.ids])
    env.cr.commit()
    env.invalidate_all()
if len(SIZES) == 2:
    small, large = SIZES
    print(f"ratio t({large:,})/t({small:,}) = {timings[large] / timings[small]:.1f} "
          f"(linear would be {large / small:.0f})")
env.cr.rollback()


WORKER = """
import os, time
ready, go = os.environ["BENCH_READY"], os.environ["BENCH_GO"]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
env["freight.invoice"]._cron_audit_received(time_budget=600)
env.cr.commit()
print(f"finished {time.time()!r}")
"""


def drain(workers):
    """The audit queue drained by ``workers`` cron workers at once, each an Odoo process
    of its own as a prefork server's cron workers are (``odoo shell``, its registry loaded
    before the clock starts), each batch committed; returns the seconds from the start
    to the last worker's end."""
    command = shlex.split(os.environ["BENCH_ODOO_SHELL"])
    with tempfile.TemporaryDirectory() as folder:
        go = os.path.join(folder, "go")
        processes = [subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env={**os.environ, "BENCH_READY": os.path.join(folder, f"ready{n}"),
                            "BENCH_GO": go}) for n in range(workers)]
        for process in processes:
            process.stdin.write(WORKER)
            process.stdin.close()
        while len([name for name in os.listdir(folder) if name.startswith("ready")]) < workers:
            time.sleep(0.05)
        started = time.time()
        open(go, "w").close()
        ends = []
        for process in processes:
            out = process.stdout.read()
            process.wait()
            ends += [float(line.split()[1]) for line in out.splitlines()
                     if line.startswith("finished ")]
        if len(ends) != workers:
            raise RuntimeError(f"{workers - len(ends)} audit worker(s) failed")
    return max(ends) - started


for workers in [int(n) for n in os.environ.get("BENCH_AUDIT_WORKERS", "").split(",") if n]:
    drained = {}
    for size in SIZES:
        invoices = stage(size // len(LINES), f"w{workers}-{size}")
        drained[size] = seconds = drain(workers)
        env.invalidate_all()
        left = env["freight.invoice"].search_count([("id", "in", invoices.ids),
                                                    ("state", "=", "received")])
        print(f"audit queue, {workers} worker process(es): {size:,} lines in {seconds:.1f} s "
              f"= {size / seconds:,.0f} lines/s ({left} left)")
    if len(SIZES) == 2:
        small, large = SIZES
        print(f"audit queue, {workers} worker process(es): ratio t({large:,})/t({small:,}) = "
              f"{drained[large] / drained[small]:.1f}")
