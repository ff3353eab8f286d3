#!/usr/bin/env python3
"""Processing throughput of the milestones lane with N shards on the Odoo server(s) running
on DB, and a check that every event was applied exactly once.

1. With the lane crons off, a backlog of --events events (5 per shipment, picked up to
   delivered) is stored through the signed route by --endpoints endpoints of one carrier,
   the requests spread over the servers' URLs. Each shipment hears from --senders
   endpoints (a carrier's EDI and its API, say), so shards meet on shipments.
2. The milestone lane gets --shards crons (shard k of N, ``_cron_process_lane``), switched
   on and woken at once; the backlog drained is timed by polling the queue every 0.1 s.
3. Exactly once: every event an applied item, one milestone per event key, one accrual
   entry per shipment, no attempt spent, every shipment delivered; deadlocks from
   pg_stat_database (collisions are in the servers' logs: tests/bench/run counts them).

Usage: processing_bench.py URL[,URL2] DB [--events 20000] [--endpoints 8] [--senders 2]
       [--shards 2] [--batch 500] [--db-host 127.0.0.1] [--db-user freight]
Uses psycopg2: run it with the python3 that Odoo runs with.
"""

import json
import os
import secrets
import sys
import time
from itertools import zip_longest

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_bench import CODES, bench_parser, post, rpc, setup  # noqa: E402

LANE = "model._cron_process_lane('milestones'"
CLAIMABLE = ["received", "processing", "partial", "failed"]


def lane_crons(call, cr, shards):
    """Exactly ``shards`` milestone crons (copies of the first one if needed), all off.
    In SQL: the ORM refuses to write a cron while a server runs it (this waits instead)."""
    crons = call("ir.cron", "search", [("code", "=like", LANE + "%")],
                 context={"active_test": False}, order="id")
    while len(crons) < shards:
        crons.append(call("ir.cron", "copy", [crons[0]]))
    cr.execute("UPDATE ir_cron SET active = false WHERE id = ANY(%s)", [crons])
    for shard, cron in enumerate(crons):
        cr.execute("UPDATE ir_act_server SET code = %s WHERE id = "
                   "(SELECT ir_actions_server_id FROM ir_cron WHERE id = %s)",
                   [f"{LANE}, {shard}, {shards})", cron])
    return crons[:shards]


def pricing(call, carrier):
    """Accruals set up and a contract, so that every picked-up shipment gets an accrual
    entry (at most one: a second one for an event worked twice would show)."""
    first = {"limit": 1, "order": "id"}
    company = call("res.company", "search", [], **first)[0]  # the endpoints' company
    call("res.company", "write", [company], {
        "freight_accrual_journal_id": call("account.journal", "search", [
            ("type", "=", "general"), ("company_id", "=", company)], **first)[0],
        "freight_accrued_account_id": call("account.account", "search", [
            ("account_type", "=", "liability_current"), ("company_id", "=", company)],
            **first)[0],
        "freight_expense_account_id": call("account.account", "search", [
            ("account_type", "=", "expense"), ("company_id", "=", company)], **first)[0]})
    us = call("ir.model.data", "check_object_reference", "base", "us")[1]
    call("freight.rate.contract", "create", {
        "name": f"Processing bench {carrier}", "carrier_id": carrier, "date_start": "2024-01-01",
        "fuel_percent": 20.0, "line_ids": [(0, 0, {
            "origin_country_id": us, "destination_country_id": us, "basis": "per_kg",
            "rate": 0.5, "minimum": 150})]})


def backlog(args, call, run):
    endpoints = [setup(call, f"{run}e0")]
    carrier = endpoints[0][0]
    endpoints += [setup(call, f"{run}e{j}", carrier) for j in range(1, args.endpoints)]
    pricing(call, carrier)
    shipments = args.events // len(CODES)
    pros = [f"PB{run}{i:06d}".upper() for i in range(shipments)]
    ids = call("freight.shipment", "create", [
        {"carrier_id": carrier, "pro_number": pro, "weight": 800.0 + i % 400, "mode": "ltl"}
        for i, pro in enumerate(pros)])
    by_sender = [[] for _ in endpoints]
    for s, pro in enumerate(pros):
        for c, code in enumerate(CODES):
            sender = (s + c % args.senders) % len(endpoints)
            by_sender[sender].append({
                "id": f"{run}-{s}-{c}", "shipment": {"pro_number": pro}, "code": code,
                "event_time": f"2024-07-09T{8 + 2 * c:02d}:00:00Z"})
    # the senders' requests in turns, as they would arrive
    chunks = [[(j, events[i:i + args.batch]) for i in range(0, len(events), args.batch)]
              for j, events in enumerate(by_sender)]
    requests = [request for turn in zip_longest(*chunks) for request in turn if request]
    started = time.perf_counter()
    for n, (j, events) in enumerate(requests):
        url = args.urls[n % len(args.urls)]
        _carrier, _endpoint, key, secret = endpoints[j]
        body = json.dumps({"events": events}).encode()
        status, result = post(f"{url}/freight_sync/v1/events", body, key, secret)
        assert status == 202 and result["accepted"] == len(events), (status, result)
    stored = time.perf_counter() - started
    print(f"  stored {args.events:,} events in {len(requests)} signed requests over "
          f"{len(args.urls)} server(s): {args.events / stored:,.0f} events/s")
    return [e[1] for e in endpoints], ids


def connect(args, db):
    # not ``with``: psycopg2 2.9 opens a transaction there even in autocommit
    conn = psycopg2.connect(host=args.db_host, user=args.db_user, dbname=db)
    conn.autocommit = True
    return conn


def drain(args, cr, crons, endpoints):
    cr.execute("UPDATE ir_cron SET active = true, nextcall = now() AT TIME ZONE 'UTC' "
               "WHERE id = ANY(%s)", [crons])
    started = time.perf_counter()
    wake = connect(args, "postgres")  # where Odoo's cron workers listen
    wake.cursor().execute("SELECT pg_notify('cron_trigger', %s)", [args.db])
    wake.close()
    deadline = started + 900
    while time.perf_counter() < deadline:
        cr.execute("SELECT count(*) FROM freight_message WHERE endpoint_id = ANY(%s) "
                   "AND state = ANY(%s)", [endpoints, CLAIMABLE])
        if not cr.fetchone()[0]:
            break
        time.sleep(0.1)
    return time.perf_counter() - started


def check(cr, run, endpoints, shipments):
    """Exactly once, from the database; returns the problems found."""
    problems = []
    cr.execute("SELECT state, count(*), COALESCE(sum(attempts), 0) FROM freight_message "
               "WHERE endpoint_id = ANY(%s) GROUP BY state", [endpoints])
    messages = {state: (count, attempts) for state, count, attempts in cr.fetchall()}
    cr.execute("SELECT state, count(*) FROM freight_message_event "
               "WHERE endpoint_id = ANY(%s) GROUP BY state", [endpoints])
    items = dict(cr.fetchall())
    cr.execute("SELECT count(*), count(DISTINCT external_id) FROM freight_milestone "
               "WHERE shipment_id = ANY(%s) AND external_id LIKE %s", [shipments, f"{run}-%"])
    milestones, keys = cr.fetchone()
    cr.execute("SELECT freight_move_role, count(*), count(DISTINCT freight_shipment_id) "
               "FROM account_move WHERE freight_shipment_id = ANY(%s) GROUP BY 1", [shipments])
    moves = {role: (count, distinct) for role, count, distinct in cr.fetchall()}
    cr.execute("SELECT status, count(*) FROM freight_shipment WHERE id = ANY(%s) GROUP BY 1",
               [shipments])
    statuses = dict(cr.fetchall())
    events = len(shipments) * len(CODES)
    print(f"  messages {dict((k, v[0]) for k, v in messages.items())}, attempts spent "
          f"{sum(v[1] for v in messages.values())}; items {items}; milestones {milestones:,} "
          f"for {keys:,} event keys; entries per role (entries, shipments) {moves}; "
          f"statuses {statuses}")
    if set(messages) != {"done"} or sum(v[1] for v in messages.values()):
        problems.append(f"messages not all done at their first attempt: {messages}")
    if items != {"applied": events}:
        problems.append(f"items: {items}, expected {events} applied")
    if (milestones, keys) != (events, events):
        problems.append(f"{milestones} milestones for {keys} keys, expected {events}")
    accruals = moves.get("accrual", (0, 0))
    if accruals[0] != accruals[1] or set(moves) - {"accrual"}:
        problems.append(f"accrual entries twice for a shipment, or reversed: {moves}")
    if statuses != {"delivered": len(shipments)}:
        problems.append(f"statuses: {statuses}")
    return problems


def main():
    parser = bench_parser("urls")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--endpoints", type=int, default=8)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-user", default="freight")
    args = parser.parse_args()
    args.url = args.urls[0]
    call = rpc(args)
    run = secrets.token_hex(3)
    print(f"processing: {len(args.urls)} server(s), {args.shards} milestone shard(s), "
          f"{args.events:,} events from {args.endpoints} endpoints, {args.senders} per "
          f"shipment; load {os.getloadavg()[0]:.2f}")
    conn = connect(args, args.db)
    try:
        cr = conn.cursor()
        crons = lane_crons(call, cr, args.shards)
        endpoints, shipments = backlog(args, call, run)
        cr.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [args.db])
        deadlocks = cr.fetchone()[0]
        load = os.getloadavg()[0]
        seconds = drain(args, cr, crons, endpoints)
        cr.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [args.db])
        deadlocks = cr.fetchone()[0] - deadlocks
        print(f"  drained {args.events:,} events in {seconds:.2f} s: "
              f"{args.events / seconds:,.0f} events/s (load {load:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after); deadlocks (pg_stat_database): {deadlocks}")
        problems = check(cr, run, endpoints, shipments)
    finally:
        conn.close()
    for problem in problems:
        print("  PROBLEM:", problem)
    print(f"RESULT servers={len(args.urls)} shards={args.shards} "
          f"events_per_s={args.events / seconds:.0f} deadlocks={deadlocks} "
          f"problems={len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
