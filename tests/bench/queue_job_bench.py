#!/usr/bin/env python3
"""The inbox drained by the lane crons (the addon's own) against OCA queue_job (one job per
message, dispatched by queue_job's runner), on the same server, same capacity (2 cron
threads / a root channel of 2), same backlog shapes, in one run.

For each machinery and shape: a fresh carrier, endpoint and shipments; the backlog is stored
through the signed route with processing held; ``bench_release`` (the probe addon
tests/bench/queue_job_probe) hands every waiting message over at once; the clock runs until
no message of the endpoint waits. Shapes: batches of 500 events (a TMS, a carrier's batch
feed) and one event per request (webhooks), where the per-message cost of each machinery
shows.

Usage: queue_job_bench.py URL DB [--events 10000] [--single 1000] [--rounds 1]
"""

import json
import os
import secrets
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_bench import bench_parser, post, rpc, setup  # noqa: E402 (a sibling, not a package)

MODE = "freight_queue_job_probe.mode"
CODES = ("picked_up", "in_transit", "at_terminal", "out_for_delivery", "delivered")
WAITING = ("received", "processing")


def set_mode(call, mode):
    call("ir.config_parameter", "set_param", MODE, mode)
    # the lane crons and the safety net work only in the lanes mode
    crons = call("ir.cron", "search", [("code", "like", "model._cron_process_"),
                                       ("active", "in", (True, False))])
    call("ir.cron", "write", crons, {"active": mode == "lanes"})


def backlog(call, args, events, batch):
    """Stores ``events`` events in requests of ``batch`` with processing held; returns the
    endpoint and the message count."""
    run = secrets.token_hex(3)
    carrier, endpoint, key, secret = setup(call, run)
    refs = [f"QJ{run}{i:06d}".upper() for i in range(max(events // len(CODES), 1))]
    call("freight.shipment", "create", [{"carrier_id": carrier, "pro_number": ref}
                                        for ref in refs])
    items = [{"id": f"{run}-{i}", "shipment": {"pro_number": refs[i // len(CODES) % len(refs)]},
              "code": CODES[i % len(CODES)],
              "event_time": f"2024-07-{9 + i % len(CODES):02d}T08:00:00Z"}
             for i in range(events)]
    for start in range(0, events, batch):
        body = json.dumps({"events": items[start:start + batch]}).encode()
        status, answer = post(f"{args.url}/freight_sync/v1/events", body, key, secret)
        assert status == 202, (status, answer)
    return endpoint, -(-events // batch)


def drain(call, mode, endpoint, events, messages):
    set_mode(call, mode)
    started = time.perf_counter()
    released = call("freight.message", "bench_release")
    handed = time.perf_counter() - started
    domain = [("endpoint_id", "=", endpoint)]
    while call("freight.message", "search_count", domain + [("state", "in", WAITING)]):
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    done = call("freight.message", "search_count", domain + [("state", "=", "done")])
    assert released == messages, (released, messages)
    assert done == messages, f"{mode}: {done} of {messages} messages done"
    milestones = call("freight.milestone", "search_count",
                      [("message_id.endpoint_id", "=", endpoint)])
    assert milestones == events, f"{mode}: {milestones} milestones for {events} events"
    set_mode(call, "hold")
    return {"seconds": seconds, "handed": handed, "events/s": events / seconds,
            "ms/message": 1000 * seconds / messages}


def main():
    parser = bench_parser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    call = rpc(args)
    shapes = {f"{args.events} events, 500 per message": (args.events, 500),
              f"{args.single} events, 1 per message": (args.single, 1)}
    results = {}
    for _round in range(args.rounds):
        # alternate the order so neither machinery always runs on a warmer database
        for mode in ("lanes", "queue_job") if _round % 2 == 0 else ("queue_job", "lanes"):
            for shape, (events, batch) in shapes.items():
                set_mode(call, "hold")
                endpoint, messages = backlog(call, args, events, batch)
                results.setdefault((shape, mode), []).append(
                    drain(call, mode, endpoint, events, messages))
    jobs = call("queue.job", "read_group", [], ["state"], ["state"])
    print(f"{'shape':34} {'machinery':10} {'drain s':>8} {'events/s':>9} {'ms/message':>10}")
    for shape in shapes:
        rates = {}
        for mode in ("lanes", "queue_job"):
            runs = results[(shape, mode)]
            rate = statistics.median(r["events/s"] for r in runs)
            rates[mode] = rate
            print(f"{shape:34} {mode:10} {statistics.median(r['seconds'] for r in runs):8.2f} "
                  f"{rate:9,.0f} {statistics.median(r['ms/message'] for r in runs):10.1f}")
        print(f"{shape:34} lanes / queue_job: {rates['lanes'] / rates['queue_job']:.2f}x")
    print("queue.job rows by state:", {g["state"]: g["state_count"] for g in jobs})


if __name__ == "__main__":
    main()
