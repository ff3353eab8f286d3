#!/usr/bin/env python3
"""Inbound milestone throughput, measured side by side in one run against a live Odoo.

1. baseline: one XML-RPC ``create`` per milestone (what a naive integration does);
2. accept path: signed ``POST /freight_sync/v1/events`` in batches (auth, signature,
   validation, durable store, per-event idempotency, cron trigger), sent by ``--clients``
   threads on keep-alive connections, bodies built and signed beforehand; with
   ``--hold-processing`` the inbox crons are paused meanwhile, so that what is measured
   is the intake alone, not the intake sharing the cores with the processing;
3. PostgreSQL ``COPY`` of the rows the route wrote for those events (message, payload
   attachment with the same bytes, one key row per event), one committed transaction
   per batch over as many connections, for a second endpoint, then deleted: the rate of
   the database alone, of which the accept path is a fraction;
4. processing: the inbox cron turning those messages into milestones and statuses,
   measured from each message's own processing time (one cron worker).

Usage: ingest_bench.py URL DB [--events 10000] [--batch 500] [--baseline 200]
                      [--clients 4] [--hold-processing] [--dsn "host=... user=..."]
Needs an admin login (admin/admin by default) on a database with freight_sync installed,
and psycopg2 for the COPY (``--dsn``: libpq connection string of that database).
"""

import argparse
import hashlib
import hmac
import http.client
import io
import json
import os
import secrets
import threading
import time
import urllib.parse
import urllib.request
import uuid
import xmlrpc.client
from datetime import datetime, timezone

# the bench endpoints' requests per second (BENCH_RATE_LIMIT): 0, no limit, by default; a
# limit too high to reach measures what the per-endpoint limiter costs the accept path
BENCH_RATE_LIMIT = float(os.environ.get("BENCH_RATE_LIMIT", "0"))


def rpc(args):
    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(args.db, args.login, args.password, {})
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *params, **kwargs):
        return models.execute_kw(args.db, uid, args.password, model, method, list(params), kwargs)

    return call


def setup(call, run, carrier=None, copies=0):
    """A carrier endpoint with its robot user, API key and signing secret; several
    endpoints of one ``carrier`` (its EDI and its API, say) report on the same shipments.
    With ``copies``, the endpoint is a list: that many more endpoints of the same carrier
    and robot, without a key (the COPY's rows go under them)."""
    carrier = carrier or call("res.partner", "create", {
        "name": f"Bench carrier {run}", "is_company": True, "is_freight_carrier": True})
    groups = [call("ir.model.data", "check_object_reference", "base", "group_user")[1],
              call("ir.model.data", "check_object_reference", "freight_sync",
                   "group_freight_integration")[1]]
    robot = call("res.users", "create", {"name": f"Bench robot {run}", "login": f"bench_{run}",
                                         "groups_id": [(6, 0, groups)]})
    secret = secrets.token_hex(16)
    endpoints = call("freight.endpoint", "create", [{
        "name": f"Bench {n or ''} {run}", "kind": "carrier", "carrier_id": carrier,
        "user_id": robot, "hmac_secret": secret, "rate_limit": BENCH_RATE_LIMIT}
        for n in range(copies + 1)])
    action = call("freight.endpoint", "action_rotate_api_key", [endpoints[0]])
    # shown once, in the answer's context: no record keeps the key
    key = action["context"]["freight_issued_api_key"]
    return carrier, endpoints if copies else endpoints[0], key, secret


def signed_headers(body, key, secret, content_type="application/json"):
    """The headers of a POST signed as the machine routes expect (timestamp now)."""
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"Content-Type": content_type, "X-Freight-Key": key,
            "X-Freight-Timestamp": timestamp,
            "X-Freight-Signature": "sha256=" + signature.hexdigest()}


def signed_request(url, body, key, secret, content_type="application/json", headers=None):
    """A signed POST request, extra ``headers`` added."""
    return urllib.request.Request(url, data=body, method="POST", headers={
        **signed_headers(body, key, secret, content_type), **(headers or {})})


def post(url, body, key, secret):
    with urllib.request.urlopen(signed_request(url, body, key, secret), timeout=120) as response:
        return response.status, json.loads(response.read())


def post_all(url, requests, clients):
    """POST the pre-signed ``requests`` [(body, headers)] from ``clients`` threads, each on
    one keep-alive connection; returns (seconds, [(status, answer)])."""
    target = urllib.parse.urlsplit(url)
    path = target.path.rstrip("/") + "/freight_sync/v1/events"
    answers = [None] * len(requests)
    cursor = iter(range(len(requests)))
    lock = threading.Lock()

    def work():
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            body, headers = requests[index]
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            answers[index] = (response.status, json.loads(response.read()))
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers


def cpu_ticks(db):
    """CPU time (clock ticks) of each process on this machine whose command line names
    ``db``: the Odoo server's processes and their PostgreSQL backends, not this client."""
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if db.encode() not in cmdline.read():
                    continue
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        ticks[entry] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def cpu_ms(db, before):
    """Milliseconds of CPU those processes used since ``before`` (``cpu_ticks``)."""
    after = cpu_ticks(db)
    used = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
    return used * 1000 / os.sysconf("SC_CLK_TCK")


def hold_processing(call, active):
    """Pause (or resume) the inbox crons, so the accept path is measured alone."""
    crons = call("ir.cron", "search", [("cron_name", "ilike", "Freight: process inbound"),
                                       ("active", "in", (True, False))])
    call("ir.cron", "write", crons, {"active": active})


def item_digest(item):
    """freight_sync.services.inbox.item_digest: what the route stores per event."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def copy_rows(dsn, db, endpoint, company, bodies, clients):
    """COPY, per body, the rows the route writes (attachment, message, key rows) for
    ``endpoint``, each body in its own committed transaction over ``clients``
    connections; deletes them after. Returns the seconds the COPYs took and the
    milliseconds of CPU their PostgreSQL backends used."""
    import psycopg2  # noqa: PLC0415 (only this step needs it)

    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    with psycopg2.connect(dsn) as connection, connection.cursor() as cr:
        cr.execute("""SELECT nextval('ir_attachment_id_seq'), nextval('freight_message_id_seq')
                        FROM generate_series(1, %s)""", [len(bodies)])
        ids = cr.fetchall()
    batches = []
    for (attachment, message), body in zip(ids, bodies):
        events = json.loads(body)["events"]
        size, sha256 = len(body), hashlib.sha256(body).hexdigest()
        attachment_row = "\t".join(map(str, [
            attachment, f"events-{message}.json", "freight.message", message,
            "application/json", "binary", "\\\\x" + body.hex(), size,
            hashlib.sha1(body).hexdigest(), "application", company, 1, now, 1, now]))
        message_row = "\t".join(map(str, [
            message, attachment, "in", "done", endpoint, company, "events",
            "application/json", f"sha256:{sha256}", uuid.uuid4(), sha256, size, len(events),
            "milestones", now[:19], 1, now, 1, now]))
        keys = "".join(f"{endpoint}\t{event['id']}\t{item_digest(event)}\t{message}\tpending\n"
                       for event in events)
        batches.append((attachment_row + "\n", message_row + "\n", keys))
    cursor = iter(batches)
    lock = threading.Lock()

    def work(connection):
        while True:
            with lock:
                batch = next(cursor, None)
            if batch is None:
                break
            with connection.cursor() as cr:
                for table, columns, rows in zip(COPY_TABLES, COPY_COLUMNS, batch):
                    cr.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(rows))
            connection.commit()

    connections = [psycopg2.connect(dsn) for _client in range(clients)]
    threads = [threading.Thread(target=work, args=[connection]) for connection in connections]
    ticks = cpu_ticks(db)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = cpu_ms(db, ticks)
    for connection in connections:
        connection.close()
    with psycopg2.connect(dsn) as connection, connection.cursor() as cr:
        cr.execute("DELETE FROM freight_message WHERE endpoint_id = %s", [endpoint])
        assert cr.rowcount == len(bodies), (cr.rowcount, len(bodies))
        cr.execute("DELETE FROM ir_attachment WHERE id = ANY(%s)", [[a for a, _m in ids]])
    return seconds, cpu


COPY_TABLES = ("ir_attachment", "freight_message", "freight_message_event")
COPY_COLUMNS = (
    "id, name, res_model, res_id, mimetype, type, db_datas, file_size, checksum, "
    "index_content, company_id, create_uid, create_date, write_uid, write_date",
    "id, payload_attachment_id, direction, state, endpoint_id, company_id, kind, "
    "content_type, idempotency_key, correlation_id, payload_sha256, payload_size, "
    "item_count, lane, received_at, create_uid, create_date, write_uid, write_date",
    "endpoint_id, external_id, digest, message_id, state",
)


CODES = ("picked_up", "in_transit", "at_terminal", "out_for_delivery", "delivered")


def bench_parser(url="url", login="admin"):
    """The arguments every bench against a live Odoo takes: where, which database, who."""
    parser = argparse.ArgumentParser()
    parser.add_argument(url, **({"type": lambda text: text.split(",")} if url == "urls" else {}))
    parser.add_argument("db")
    parser.add_argument("--login", default=login)
    parser.add_argument("--password", default=login)
    return parser


def main():
    parser = bench_parser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--hold-processing", action="store_true")
    parser.add_argument("--dsn", help="libpq connection string of DB, for the COPY")
    args = parser.parse_args()
    call = rpc(args)
    run = secrets.token_hex(3)
    carrier, (endpoint, copy_endpoint), key, secret = setup(call, run, copies=1)
    shipments = args.events // len(CODES)
    refs = [f"BENCH{run}{i:06d}".upper() for i in range(shipments)]
    shipment_ids = call("freight.shipment", "create",
                        [{"carrier_id": carrier, "pro_number": ref} for ref in refs])

    # 1. baseline: one XML-RPC create per milestone
    started = time.perf_counter()
    for i in range(args.baseline):
        call("freight.milestone", "create", {
            "shipment_id": shipment_ids[i % len(shipment_ids)], "code": "tendered",
            "event_time": "2024-07-09 08:00:00", "source": "api"})
    baseline_rate = args.baseline / (time.perf_counter() - started)

    # 2. accept path
    events = [{"id": f"{run}-{i}", "shipment": {"pro_number": refs[i // len(CODES)]},
               "code": CODES[i % len(CODES)],
               "event_time": f"2024-07-{9 + i % len(CODES):02d}T08:00:00Z"}
              for i in range(shipments * len(CODES))]
    bodies = [json.dumps({"events": events[i:i + args.batch]}).encode()
              for i in range(0, len(events), args.batch)]
    if args.hold_processing:
        hold_processing(call, False)
    ticks = cpu_ticks(args.db)
    accept_seconds, answers = post_all(
        args.url, [(body, signed_headers(body, key, secret)) for body in bodies], args.clients)
    accept_cpu = cpu_ms(args.db, ticks) / len(bodies)
    refused = [answer for answer in answers if answer[0] != 202]
    assert not refused, refused[:1]
    accepted = sum(answer["accepted"] for _status, answer in answers)
    accept_rate = accepted / accept_seconds

    # 3. COPY of the same rows, for the other endpoint (its key rows would collide)
    copy_rate = None
    if args.dsn:
        company = call("freight.endpoint", "read", [copy_endpoint], ["company_id"])[0]
        copy_seconds, copy_cpu = copy_rows(args.dsn, args.db, copy_endpoint,
                                           company["company_id"][0], bodies, args.clients)
        copy_cpu /= len(bodies)
        copy_rate = len(events) / copy_seconds

    # 4. processing by the cron, woken by the requests (or, held, by one more request
    # once resumed); wait until every message is done
    if args.hold_processing:
        hold_processing(call, True)
        wake = json.dumps({"events": [{**events[-1], "id": f"{run}-wake"}]}).encode()
        post_all(args.url, [(wake, signed_headers(wake, key, secret))], 1)
    deadline = time.time() + 600
    domain = [("endpoint_id", "=", endpoint)]
    while time.time() < deadline:
        pending = call("freight.message", "search_count",
                       domain + [("state", "in", ("received", "processing"))])
        if not pending:
            break
        time.sleep(1)
    messages = call("freight.message", "search_read", domain,
                    ["state", "processing_ms", "item_count"])
    done = [m for m in messages if m["state"] == "done"]
    processing_seconds = sum(m["processing_ms"] for m in done) / 1000
    processed = sum(m["item_count"] for m in done)
    statuses = call("freight.shipment", "read_group", [("id", "in", shipment_ids)],
                    ["status"], ["status"])

    print(f"events: {accepted} accepted in {len(bodies)} requests of {args.batch}, "
          f"{args.clients} client threads, processing "
          f"{'held meanwhile' if args.hold_processing else 'running meanwhile'}")
    print(f"baseline (XML-RPC create, one per milestone): {baseline_rate:,.0f} milestones/s "
          f"({args.baseline} records)")
    print(f"accept path (signed POST, durable store): {accept_rate:,.0f} events/s "
          f"({accept_seconds:.2f} s)")
    print(f"accept / baseline ratio: {accept_rate / baseline_rate:,.1f}x")
    cores = os.cpu_count()
    print(f"accept CPU: {accept_cpu:.1f} ms per request of {args.batch} (Odoo processes and "
          f"their PostgreSQL backends; proxy and client not counted): at most "
          f"{cores * 1000 / accept_cpu * args.batch:,.0f} events/s on {cores} idle cores")
    if copy_rate:
        print(f"PostgreSQL COPY of the same rows (message, payload, key rows; one "
              f"transaction per batch): {copy_rate:,.0f} events/s ({copy_seconds:.2f} s)")
        print(f"accept / COPY fraction: {accept_rate / copy_rate:.2f}; COPY CPU "
              f"{copy_cpu:.1f} ms per batch (its backends; the accept path's / COPY's: "
              f"{accept_cpu / copy_cpu:.1f})")
    print(f"processing (inbox -> milestones -> status, one cron worker): "
          f"{processed / processing_seconds if processing_seconds else 0:,.0f} events/s "
          f"({processed} events, {processing_seconds:.2f} s of worker time, "
          f"{len(done)}/{len(messages)} messages done)")
    print("shipment statuses after processing:",
          {g["status"]: g["status_count"] for g in statuses})


if __name__ == "__main__":
    main()
