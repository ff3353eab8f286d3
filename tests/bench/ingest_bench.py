#!/usr/bin/env python3
"""Inbound milestone throughput, measured side by side in one run against a live Odoo.

1. baseline: one XML-RPC ``create`` per milestone (what a naive integration does);
2. accept path: signed ``POST /freight_sync/v1/events`` in batches (auth, signature,
   validation, durable store, per-event idempotency, cron trigger);
3. processing: the inbox cron turning those messages into milestones and statuses,
   measured from each message's own processing time (one cron worker).

Usage: ingest_bench.py URL DB [--events 10000] [--batch 500] [--baseline 200]
Needs an admin login (admin/admin by default) on a database with freight_sync installed.
Only the standard library: it runs with any python3.
"""

import argparse
import hashlib
import hmac
import json
import secrets
import time
import urllib.request
import xmlrpc.client


def rpc(args):
    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(args.db, args.login, args.password, {})
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *params, **kwargs):
        return models.execute_kw(args.db, uid, args.password, model, method, list(params), kwargs)

    return call


def setup(call, run, carrier=None):
    """A carrier endpoint with its robot user, API key and signing secret; several
    endpoints of one ``carrier`` (its EDI and its API, say) report on the same shipments."""
    carrier = carrier or call("res.partner", "create", {
        "name": f"Bench carrier {run}", "is_company": True, "is_freight_carrier": True})
    groups = [call("ir.model.data", "check_object_reference", "base", "group_user")[1],
              call("ir.model.data", "check_object_reference", "freight_sync",
                   "group_freight_integration")[1]]
    robot = call("res.users", "create", {"name": f"Bench robot {run}", "login": f"bench_{run}",
                                         "groups_id": [(6, 0, groups)]})
    secret = secrets.token_hex(16)
    endpoint = call("freight.endpoint", "create", {
        "name": f"Bench {run}", "kind": "carrier", "carrier_id": carrier, "user_id": robot,
        "hmac_secret": secret})
    action = call("freight.endpoint", "action_rotate_api_key", [endpoint])
    key = call("freight.endpoint.key", "read", [action["res_id"]], ["api_key"])[0]["api_key"]
    return carrier, endpoint, key, secret


def signed_request(url, body, key, secret, content_type="application/json", headers=None):
    """A POST signed as the machine routes expect (timestamp now), extra ``headers`` added."""
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "X-Freight-Key": key,
        "X-Freight-Timestamp": timestamp, "X-Freight-Signature": "sha256=" + signature.hexdigest(),
        **(headers or {})})


def post(url, body, key, secret):
    with urllib.request.urlopen(signed_request(url, body, key, secret), timeout=120) as response:
        return response.status, json.loads(response.read())


CODES = ("picked_up", "in_transit", "at_terminal", "out_for_delivery", "delivered")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("db")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=200)
    args = parser.parse_args()
    call = rpc(args)
    run = secrets.token_hex(3)
    carrier, endpoint, key, secret = setup(call, run)
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
    started = time.perf_counter()
    accepted = 0
    for body in bodies:
        status, result = post(f"{args.url}/freight_sync/v1/events", body, key, secret)
        assert status == 202, (status, result)
        accepted += result["accepted"]
    accept_seconds = time.perf_counter() - started
    accept_rate = accepted / accept_seconds

    # 3. processing by the cron (woken by the requests); wait until every message is done
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

    print(f"events: {accepted} accepted in {len(bodies)} requests of {args.batch}")
    print(f"baseline (XML-RPC create, one per milestone): {baseline_rate:,.0f} milestones/s "
          f"({args.baseline} records)")
    print(f"accept path (signed POST, durable store): {accept_rate:,.0f} events/s "
          f"({accept_seconds:.2f} s)")
    print(f"accept / baseline ratio: {accept_rate / baseline_rate:,.1f}x")
    print(f"processing (inbox -> milestones -> status, one cron worker): "
          f"{processed / processing_seconds if processing_seconds else 0:,.0f} events/s "
          f"({processed} events, {processing_seconds:.2f} s of worker time, "
          f"{len(done)}/{len(messages)} messages done)")
    print("shipment statuses after processing:",
          {g["status"]: g["status_count"] for g in statuses})


if __name__ == "__main__":
    main()
