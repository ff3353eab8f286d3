"""Milestone wait behind an invoice batch: one inbox cron in arrival order (before issue 15)
against the processing lanes (a milestones cron and an invoices cron side by side), in one
run on the same data shapes.

Each scenario queues BENCH_LANE_INVOICES carrier invoices (5 lines each, audited against a
contract, approved within policy and posted as vendor bills; 50 per message) first, then
feeds milestone messages (50 events each) at BENCH_LANE_RATE events/s for
BENCH_LANE_SECONDS (0: until the invoices are all done) while the cron methods run in
threads with their own transactions, as Odoo's cron threads run them. A milestone message's
wait is from its committed receipt to the commit of its processing (its status visible).
Collisions (batches rolled back after a serialization failure or a deadlock, claimed again)
are counted from the log of models/cron_batches.py, deadlocks also from pg_stat_database.
Threads of one process share the GIL; Odoo's cron workers in multi-worker mode are
processes, so the lanes' figures here are pessimistic.

    odoo shell -d DB --no-http < tests/bench/lanes_bench.py     (commits: a bench database)
Environment: BENCH_LANE_INVOICES (1000), BENCH_LANE_RATE (500), BENCH_LANE_SECONDS (10),
BENCH_LANE_SHIPMENTS (500, the shipments the milestones cycle over),
BENCH_LANE_PER_INVOICE (1, shipments per invoice: 5 lines each),
BENCH_LANE_SCENARIOS ("single,lanes"; "lanes" alone skips the single cron),
BENCH_LANE_RUNNER ("threads"; "crons": no thread here, the lane crons of the Odoo server(s)
running on this database do the work, as prefork cron workers, i.e. processes; a message is
visible when a poll every 50 ms sees it done; lanes only).
"""

import json
import logging
import os
import statistics
import sys
import threading
import time

from odoo import SUPERUSER_ID, Command, api, fields

from odoo.addons.freight_sync.models.cron_batches import run_batches
from odoo.addons.freight_sync.models.freight_message import (
    CLAIMABLE,
    HANDLED_KINDS,
    FreightMessage,
)
from odoo.addons.freight_sync.services.canonical import parse_event_batch
from odoo.addons.freight_sync.services.inbox import item_digest
from odoo.addons.freight_sync.services.invoice_payload import parse_invoice_batch

sys.path.insert(0, os.path.join(os.environ.get("FREIGHT_ROOT", os.getcwd()), "tests", "bench"))
from bench_contract import bench_contract  # noqa: E402 (a sibling file; stdin has no __file__)

INVOICES = int(os.environ.get("BENCH_LANE_INVOICES", "1000"))
RATE = int(os.environ.get("BENCH_LANE_RATE", "500"))
SECONDS = float(os.environ.get("BENCH_LANE_SECONDS", "10"))
PER_MESSAGE = 50  # invoices or events per request
MILESTONE_SHIPMENTS = int(os.environ.get("BENCH_LANE_SHIPMENTS", "500"))
PER_INVOICE = int(os.environ.get("BENCH_LANE_PER_INVOICE", "1"))
RUNNER = os.environ.get("BENCH_LANE_RUNNER", "threads")
SCENARIOS = os.environ.get("BENCH_LANE_SCENARIOS", "single,lanes").split(",")
CODES = ("400", "405", "LFT", "DTU", "HAZ")
CODE_TIMES = ("picked_up", "in_transit", "at_terminal", "out_for_delivery", "delivered")

env = env  # noqa: F821 (given by odoo shell)
registry = env.registry
company = env.company
company.write({"freight_auto_approve": True, "freight_auto_post": True,
               "freight_pod_required": False})
expense = env["account.account"].search(
    [("account_type", "=", "expense"), ("company_id", "=", company.id)], limit=1)
company.freight_expense_account_id = expense
stamp = int(time.time())
carrier = env["res.partner"].create({"name": f"Lane bench carrier {stamp}", "is_company": True,
                                     "is_freight_carrier": True})
robot = env["res.users"].create({
    "name": f"Lane bench robot {stamp}", "login": f"lane_bench_{stamp}",
    "groups_id": [Command.set([env.ref("base.group_user").id,
                               env.ref("freight_sync.group_freight_integration").id])]})
endpoint = env["freight.endpoint"].create({
    "name": f"Lane bench {stamp}", "kind": "carrier", "carrier_id": carrier.id,
    "user_id": robot.id})
bench_contract(env, carrier, "Lane bench")
Shipment = env["freight.shipment"].with_context(tracking_disable=True)
milestone_pros = [f"LM{stamp}{i:05d}" for i in range(MILESTONE_SHIPMENTS)]
Shipment.create([{"carrier_id": carrier.id, "pro_number": pro} for pro in milestone_pros])
env.cr.commit()


def store(kind, items, key):
    """Store a request as the route does; returns its message id (committed)."""
    body = json.dumps({kind: items}).encode()
    parse = parse_event_batch if kind == "events" else parse_invoice_batch
    valid, rejected = parse(json.loads(body))
    assert not rejected, rejected
    keys = [(item["external_id"], item_digest(items[index])) for index, item in valid]
    with registry.cursor() as cr:
        cr_env = api.Environment(cr, SUPERUSER_ID, {})
        message, _statuses = cr_env["freight.message"]._store_batch(
            cr_env["freight.endpoint"].browse(endpoint.id), kind, body, "application/json",
            key, None, len(items), keys)
        message._wake_lanes()  # as the route does: the crons of a server (RUNNER crons)
        return message.id


def invoice_lines(i, pro):
    """The 5 lines of shipment ``i``, priced as the contract says."""
    linehaul = max((800.0 + i % 400) * 0.5, 150.0)
    amounts = (linehaul, round(linehaul * 0.2, 2), 85.0, 150.0, 40.0)
    return [{"charge_code": code, "amount": amount, "shipment": {"pro_number": pro}}
            for code, amount in zip(CODES, amounts)]


def queue_invoices(run):
    """Shipments delivered with a 4 h wait, and their invoices queued, 50 per message; an
    invoice bills PER_INVOICE shipments (consolidated, each line naming its shipment)."""
    pros = [f"LI{stamp}{run}{i:06d}" for i in range(INVOICES * PER_INVOICE)]
    for start in range(0, len(pros), 5000):  # bounded memory per create
        shipments = Shipment.create([{"carrier_id": carrier.id, "pro_number": pro,
                                      "weight": 800.0 + i % 400, "mode": "ltl"}
                                     for i, pro in enumerate(pros[start:start + 5000],
                                                             start)])
        env["freight.milestone"].create([
            {"shipment_id": s.id, "code": code, "event_time": when}
            for s in shipments for code, when in (("out_for_delivery", "2024-07-10 06:00:00"),
                                                  ("delivered", "2024-07-10 10:00:00"))])
        env.cr.commit()
        env.invalidate_all()
    for start in range(0, INVOICES, PER_MESSAGE):
        items = []
        for n in range(start, min(start + PER_MESSAGE, INVOICES)):
            lines = [line for i in range(n * PER_INVOICE, (n + 1) * PER_INVOICE)
                     for line in invoice_lines(i, pros[i])]
            items.append({
                "number": f"LB{stamp}{run}{n}", "date": "2024-07-12", "currency": "USD",
                "total": round(sum(line["amount"] for line in lines), 2), "lines": lines})
        store("invoices", items, f"lane-bench-{stamp}-{run}-inv-{start}")


stored, finished = {}, {}
finish = FreightMessage._finish


def timed_finish(self, *args, **kwargs):
    if self.kind == "events":
        # visible once its batch commits; a batch rolled back after a collision clears this
        message_id = self.id
        self.env.cr.postcommit.add(
            lambda: finished.__setitem__(message_id, time.monotonic()))
    return finish(self, *args, **kwargs)


FreightMessage._finish = timed_finish


class CollisionCounter(logging.Handler):
    """Counts the batches run_batches rolled back after a collision (it logs each)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        self.count += "collision" in record.getMessage()


collisions = CollisionCounter()
batches_logger = logging.getLogger(run_batches.__module__)
batches_logger.setLevel(logging.INFO)
batches_logger.propagate = False
batches_logger.addHandler(collisions)


def deadlocks():
    with registry.cursor() as cr:
        cr.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cr.fetchone()[0]


def invoices_pending():
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM freight_message WHERE endpoint_id = %s AND "
                   "kind = 'invoices' AND state = ANY(%s)", [endpoint.id, list(CLAIMABLE)])
        return cr.fetchone()[0]


def feed(run):
    """Milestone messages at RATE events/s for SECONDS, or until no invoice waits (0)."""
    per_second = max(RATE // PER_MESSAGE, 1)
    started = time.monotonic()
    n, checked = 0, started
    while n < per_second * SECONDS if SECONDS else time.monotonic() - started < 3600:
        due = started + n / per_second
        time.sleep(max(due - time.monotonic(), 0))
        if not SECONDS and time.monotonic() - checked > 1:
            checked = time.monotonic()
            if not invoices_pending():
                break
        events = [{
            "id": f"lane-bench-{stamp}-{run}-{n}-{k}",
            "shipment": {"pro_number": milestone_pros[(n * PER_MESSAGE + k)
                                                      % MILESTONE_SHIPMENTS]},
            "code": CODE_TIMES[n % len(CODE_TIMES)],
            "event_time": f"2024-07-09T{8 + n % 12:02d}:{k % 60:02d}:00-05:00"}
            for k in range(PER_MESSAGE)]
        message_id = store("events", events, f"lane-bench-{stamp}-{run}-ev-{n}")
        stored[message_id] = time.monotonic()
        n += 1
    return n * PER_MESSAGE / (time.monotonic() - started)


def single_cron(cr_env):
    """The inbox cron before lanes: every kind in arrival order."""
    def claim():
        cr_env["freight.message"].flush_model()
        cr_env.cr.execute("""
            SELECT id FROM freight_message
             WHERE direction = 'in' AND state = ANY(%s) AND kind = ANY(%s)
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
             ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED""",
            [list(CLAIMABLE), HANDLED_KINDS, fields.Datetime.now()])
        return cr_env["freight.message"].browse([row[0] for row in cr_env.cr.fetchall()])
    return run_batches(cr_env, claim, lambda batch: batch._process(), 5)


def worker(run_once, stop):
    def loop():
        with registry.cursor() as cr:
            cr_env = api.Environment(cr, SUPERUSER_ID, {})
            while not stop.is_set():
                worked = run_once(cr_env)
                # a cron run is a transaction: the next one sees what arrived meanwhile
                cr.commit()
                if not worked:
                    time.sleep(0.05)
    return loop


def poll_visible(stop):
    """RUNNER crons: the time each stored milestone message is first seen done."""
    def loop():
        with registry.cursor() as cr:
            while not stop.is_set():
                waiting = [i for i in list(stored) if i not in finished]
                if waiting:
                    cr.execute("SELECT id FROM freight_message WHERE id = ANY(%s) AND "
                               "state <> ALL(%s)", [waiting, list(CLAIMABLE)])
                    seen = time.monotonic()
                    finished.update((row[0], seen) for row in cr.fetchall())
                cr.rollback()  # the next poll in a new snapshot
                time.sleep(0.05)
    return loop


def percentile(values, share):
    return values[max(int(len(values) * share) - 1, 0)]


def scenario(name, runners, run):
    queue_invoices(run)
    stored.clear()
    finished.clear()
    collisions.count, deadlocks_before = 0, deadlocks()
    stop = threading.Event()
    threads = [threading.Thread(target=worker(runner, stop)) for runner in runners] \
        if RUNNER == "threads" else [threading.Thread(target=poll_visible(stop))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    fed = feed(run)
    while set(stored) - set(finished) and time.monotonic() - started < 3600:
        time.sleep(0.1)
    milestones_done = time.monotonic() - started
    while invoices_pending() and time.monotonic() - started < 3600:
        time.sleep(0.2)
    everything_done = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(120)
    waits = sorted(finished[i] - stored[i] for i in stored if i in finished)
    p50, p95 = statistics.median(waits), percentile(waits, 0.95)
    print(f"{name:<34} milestone wait p50 {p50:6.2f} s, p95 {p95:6.2f} s, "
          f"p99 {percentile(waits, 0.99):6.2f} s, max {waits[-1]:6.2f} s "
          f"({len(waits)} messages, {len(waits) * PER_MESSAGE} events fed at {fed:,.0f}/s); "
          f"all milestones in {milestones_done:5.1f} s, everything (the invoice batch) in "
          f"{everything_done:5.1f} s; batches rolled back after a collision: "
          f"{collisions.count}, deadlocks (pg_stat_database): {deadlocks() - deadlocks_before}")
    return p50, p95


lines = INVOICES * PER_INVOICE * len(CODES)
print(f"lanes: {INVOICES:,} invoices ({lines:,} lines) queued first, then "
      f"milestones at {RATE} events/s "
      + (f"for {SECONDS:g} s" if SECONDS else "until the invoices are done")
      + f" over {MILESTONE_SHIPMENTS:,} shipments, worked by {RUNNER}; "
      f"load {os.getloadavg()[0]:.2f}")
results = {}
if "single" in SCENARIOS and RUNNER == "threads":
    results["single"] = scenario("one inbox cron (arrival order)", [single_cron], "a")
if "lanes" in SCENARIOS:
    results["lanes"] = scenario("lanes: milestones + invoices crons", [
        lambda cr_env: cr_env["freight.message"]._cron_process_lane("milestones", 0, 1,
                                                                    time_budget=5),
        lambda cr_env: cr_env["freight.message"]._cron_process_lane("invoices", 0, 1,
                                                                    time_budget=5),
    ], "b")
if len(results) == 2:
    single, lanes = results["single"], results["lanes"]
    print(f"lanes vs one cron: p50 {single[0] / max(lanes[0], 1e-3):.0f}x shorter, "
          f"p95 {single[1] / max(lanes[1], 1e-3):.0f}x shorter")
with registry.cursor() as cr:
    cr.execute("SELECT state, count(*) FROM freight_message WHERE endpoint_id = %s "
               "GROUP BY state ORDER BY state", [endpoint.id])
    print("messages by state:", dict(cr.fetchall()))
    cr.execute("SELECT state, count(*) FROM freight_invoice WHERE carrier_id = %s "
               "GROUP BY state ORDER BY state", [carrier.id])
    print("invoices by state:", dict(cr.fetchall()))
print(f"load at the end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
      f"{os.getloadavg()[2]:.2f}")
FreightMessage._finish = finish
