#!/usr/bin/env python3
"""The chaos run (issue 15): events with duplicates, out-of-order statuses and malformed
items, invoices with corrections and the same invoice sent through three channels at once,
against a real Odoo in prefork mode whose cron worker and HTTP worker are SIGKILLed and
which is stopped and started again mid-run; then the queue is drained and the ledger
checked (ledger.py). Prints one PASS/FAIL line per invariant; exits 1 on any FAIL.

    chaos_run.py --db DB --port PORT [--events 50000] [--invoices 2000] -- ODOO_COMMAND...

ODOO_COMMAND runs Odoo on DB (freight_sync installed, admin/admin) without --workers,
--http-port or --max-cron-threads: this script adds them. Debian's python3 (psycopg2).
"""

import argparse
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "bench")]

from client import Sender  # noqa: E402
from feed import plan as make_plan  # noqa: E402
from ingest_bench import rpc  # noqa: E402
from ledger import RANKS, Ledger  # noqa: E402
from seed import seed  # noqa: E402
from server import OdooServer  # noqa: E402

UNFINISHED = ("received", "processing", "failed", "partial")
# when, as a share of the requests answered, each fault strikes
FAULTS = ((0.3, "kill cron worker"), (0.5, "kill HTTP worker"), (0.7, "restart server"))


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True, help="Odoo's HTTP port")
    parser.add_argument("--gevent-port", type=int, help="default: --port + 1")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--invoices", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="requests in flight")
    parser.add_argument("--cron-threads", type=int, default=5)
    parser.add_argument("--drain-timeout", type=int, default=900)
    parser.add_argument("--log", default="artifacts/chaos-server.log")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--tamper", action="append", default=[], metavar="SQL",
                        help="run SQL on the database before the ledger (%%(endpoint)s, "
                             "%%(carrier)s given): shows that the ledger sees the damage")
    parser.add_argument("odoo", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    args.odoo = [part for part in args.odoo if part != "--"]
    if not args.odoo:
        parser.error("give the Odoo command after --")
    args.url = f"http://127.0.0.1:{args.port}"
    return args


def connect(db):
    connection = psycopg2.connect(dbname=db, host=os.environ.get("PGHOST", "127.0.0.1"),
                                  port=os.environ.get("PGPORT", "5432"),
                                  user=os.environ.get("FREIGHT_DB_USER", "freight"),
                                  password=os.environ.get("FREIGHT_DB_PASSWORD") or None)
    connection.autocommit = True
    return connection


class StatusSampler(threading.Thread):
    """Reads every shipment's status each second: a rank lower than one seen before is a
    status that moved backwards."""

    def __init__(self, db, carrier):
        super().__init__(daemon=True)
        self.db, self.carrier, self.stop = db, carrier, threading.Event()
        self.best, self.regressions, self.samples = {}, [], 0

    def run(self):
        connection = connect(self.db)
        with connection.cursor() as cr:
            while not self.stop.is_set():
                cr.execute("SELECT id, status FROM freight_shipment WHERE carrier_id = %s",
                           [self.carrier])
                for shipment, status in cr.fetchall():
                    rank, (best, code) = RANKS.get(status, 0), self.best.get(shipment, (0, ""))
                    if rank < best:
                        self.regressions.append((shipment, code, status))
                    elif rank > best:
                        self.best[shipment] = (rank, status)
                self.samples += 1
                self.stop.wait(1.0)
        connection.close()


def steps_of(sends):
    """Requests that go out at the same instant as one step: a request and its twin, an
    invoice sent as JSON, CSV and X12 210."""
    steps = []
    for send in sends:
        together = send.group >= 0 and send.group == steps[-1][0].group if steps else False
        if send.fault == "twin" or together:
            steps[-1].append(send)
        else:
            steps.append([send])
    return steps


def run_step(sender, step):
    if len(step) == 1:
        sender.send(step[0])
        return
    threads = [threading.Thread(target=sender.send, args=(send,)) for send in step]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def strike(fault, server):
    started = time.monotonic()
    if fault == "restart server":
        server.restart()
        return f"{fault}: stopped and started again in {time.monotonic() - started:.1f} s"
    kind = "cron" if "cron" in fault else "http"
    return f"{fault}: SIGKILL pid {server.kill_worker(kind)}"


def send_all(sender, sends, server, threads):
    steps = steps_of(sends)
    faults, done = list(FAULTS), []
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(run_step, sender, step) for step in steps]
        while not all(future.done() for future in futures):
            finished = sum(future.done() for future in futures) / len(futures)
            if faults and finished >= faults[0][0]:
                done.append(strike(faults.pop(0)[1], server))
                print(f"  {done[-1]} ({finished:.0%} of the requests answered)", flush=True)
            time.sleep(0.05)
        for future in futures:
            future.result()
    return done


def drain(cr, db, endpoint, timeout):
    """Until no message of ``endpoint`` waits and none of its invoices waits for its audit:
    retries due later are made due now (time passing faster, nothing else) and the lane and
    audit queue crons woken, as ``_trigger`` does."""
    started, rounds = time.monotonic(), 0
    postgres = connect("postgres")
    try:
        return _drain(cr, db, endpoint, timeout, postgres, started, rounds)
    finally:
        postgres.close()


def _drain(cr, db, endpoint, timeout, postgres, started, rounds):
    while time.monotonic() - started < timeout:
        cr.execute("""SELECT count(*), count(*) FILTER (
                               WHERE next_attempt_at IS NULL
                                  OR next_attempt_at <= now() at time zone 'utc')
                        FROM freight_message WHERE endpoint_id = %s AND direction = 'in'
                         AND state = ANY(%s)""", [endpoint, list(UNFINISHED)])
        waiting, due = cr.fetchone()
        # and every invoice staged audited: the audit follows the staging's commit, in
        # the lane or the audit queue's crons (a worker killed in between leaves it there)
        cr.execute("""SELECT count(*) FROM freight_invoice i
                        JOIN freight_message m ON m.id = i.message_id
                       WHERE m.endpoint_id = %s AND i.state = 'received'
                         AND i.audit_error IS NULL""", [endpoint])
        unaudited = cr.fetchone()[0]
        if not waiting and not unaudited:
            return time.monotonic() - started, rounds
        if not due:
            rounds += 1
            cr.execute("""UPDATE freight_message
                             SET next_attempt_at = now() at time zone 'utc' - interval '1 second'
                           WHERE endpoint_id = %s AND direction = 'in' AND state = ANY(%s)""",
                       [endpoint, list(UNFINISHED)])
        cr.execute("""INSERT INTO ir_cron_trigger (cron_id, call_at)
                      SELECT c.id, now() at time zone 'utc' FROM ir_cron c
                        JOIN ir_act_server a ON a.id = c.ir_actions_server_id
                       WHERE c.active AND (a.code LIKE 'model._cron_process_lane(%%'
                                           OR a.code LIKE 'model._cron_audit_received(%%')""")
        # Odoo's cron workers LISTEN on the "postgres" database (ir_cron._notifydb)
        with postgres.cursor() as notify:
            notify.execute("NOTIFY cron_trigger, %s", [db])
        time.sleep(2)
    return None, rounds


def main():
    args = arguments()
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    server = OdooServer(args.odoo + [
        "-d", args.db, f"--db-filter=^{args.db}$", "--workers=2",
        f"--max-cron-threads={args.cron_threads}", "--http-interface=127.0.0.1",
        f"--http-port={args.port}", f"--gevent-port={args.gevent_port or args.port + 1}"],
        args.port, log)
    timings, connection = {}, connect(args.db)
    try:
        t0 = time.monotonic()
        server.start()
        timings["start"] = time.monotonic() - t0
        run = secrets.token_hex(3).upper()
        plan = make_plan(run, args.events, args.invoices, args.seed)
        print(f"chaos {run}: {plan.stats}", flush=True)
        t0 = time.monotonic()
        ids = seed(rpc(args), run, plan.shipments, plan.weights)
        timings["seed"] = time.monotonic() - t0
        sender = Sender(args.url, args.db, ids["key"], ids["secret"], ids["carrier"],
                        args.login, args.password)
        sampler = StatusSampler(args.db, ids["carrier"])
        sampler.start()
        cr = connection.cursor()
        t0 = time.monotonic()
        faults = send_all(sender, plan.sends, server, args.threads)
        timings["send"] = time.monotonic() - t0
        drained, rounds = drain(cr, args.db, ids["endpoint"], args.drain_timeout)
        timings["drain"] = drained if drained is not None else args.drain_timeout
        sampler.stop.set()
        sampler.join()
        outcomes = sender.outcomes.values()
        print(f"sent {len(plan.sends)} requests in {timings['send']:.1f} s, "
              f"{sum(o.attempts for o in outcomes)} attempts, "
              f"{sum(len(o.lost) for o in outcomes)} unanswered or 5xx and retried "
              f"({sorted(set(r for o in outcomes for r in o.lost))}); faults: {len(faults)}; "
              f"queue drained in {timings['drain']:.1f} s ({rounds} retry rounds made due)",
              flush=True)
        for sql in args.tamper:
            cr.execute(sql, {"endpoint": ids["endpoint"], "carrier": ids["carrier"]})
            print(f"tampered: {sql} ({cr.rowcount} rows)")
        ledger = Ledger(cr, plan, sender.outcomes, ids)
        ledger.check("queue: drained (no message received, processing, failed or partial; "
                     "no invoice left unaudited)",
                     drained is not None, f"{timings['drain']:.0f} s, {rounds} retry rounds"
                     " made due" + ("" if drained is not None else ", time out"))
        results = ledger.run(sampler.regressions, sampler.samples)
        print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        print(f"chaos invariants: {sum(results)} passed, {len(results) - sum(results)} failed")
        return 0 if all(results) and len(faults) == len(FAULTS) else 1
    finally:
        server.stop()
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
