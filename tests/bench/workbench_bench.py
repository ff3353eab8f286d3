#!/usr/bin/env python3
"""Response times of the reconciliation workbench's JSON routes against a live Odoo, as the
clerk, with Odoo's own list/form reads of the same page timed in the same run. The goal
(p95 <= 100 ms per page, detail and search) is measured with a million invoices:
BENCH_INVOICES=1000000 tests/bench/run workbench.

Scenarios (each N requests, after a warm-up; ours and Odoo's alternate request by request):
  queue 3 states     states exception/audited/approved (47% of the invoices, more than the
                     UI's default audited/exception/disputed), date desc, first page of 40
  queue variance     same states, variance desc
  queue deep page    same states, date desc, offset 4000
  queue search PRO   same states, search by a line's PRO number (a different one each time)
  queue carrier+var  same states, one carrier, variance above 20
  detail             one invoice (random ids taken from queue answers)
Odoo's side: POST /web/dataset/call_kw/freight.invoice/web_search_read with the same domain,
order, page and fields (count_limit 10001, as the list view asks), and web_read of the form's
fields with lines and cases for the detail. Prints p50/p95/max in ms per scenario, the
number of invoices and lines in the database, ours/Odoo's p95 ratio; exits 1 when one of
ours has a p95 above the goal (100 ms).

Usage: workbench_bench.py URL DB [--login bench_clerk] [--password bench_clerk]
                                 [--requests 200] [--warmup 20] [--goal-ms 100]
Only the standard library: it runs with any python3.
"""

import argparse
import http.cookiejar
import json
import math
import random
import sys
import time
import urllib.request

STATES = ["exception", "audited", "approved"]
ORDERS = {"date desc": "date desc, id desc",
          "variance desc": "unpriced_line_count desc, variance_total desc, id desc"}
LIST_SPEC = {
    "name": {}, "carrier_id": {"fields": {"display_name": {}}}, "date": {},
    "currency_id": {"fields": {"display_name": {}}}, "amount_total": {}, "expected_total": {},
    "variance_total": {}, "state": {},
}
FORM_SPEC = {
    **LIST_SPEC, "audit_summary": {}, "dispute_reason": {},
    "move_id": {"fields": {"display_name": {}}},
    "line_ids": {"fields": {
        "line_no": {}, "charge_code": {}, "description": {},
        "shipment_id": {"fields": {"display_name": {}}}, "amount": {}, "expected": {},
        "variance": {}, "allowance": {}, "tolerance_layer": {}, "decision": {}, "trace": {}}},
    "exception_ids": {"fields": {
        "name": {}, "exception_type": {}, "amount_at_stake": {},
        "stage_id": {"fields": {"display_name": {}}}, "is_closed": {},
        "user_id": {"fields": {"display_name": {}}}}},
}


class Client:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.context = {}

    def call(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                           "params": params}).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RuntimeError(f"{path}: {data.get('name')}: {data.get('message')}")
        return answer["result"]

    def login(self, db, login, password):
        info = self.call("/web/session/authenticate",
                         {"db": db, "login": login, "password": password})
        if not info.get("uid"):
            raise SystemExit(f"login as {login} failed")
        self.context = dict(info["user_context"], bin_size=True,
                            allowed_company_ids=[info["user_companies"]["current_company"]])

    def kw(self, model, method, args, **kwargs):
        return self.call(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": args,
            "kwargs": dict(kwargs, context=self.context)})

    def timed(self, path, params):
        started = time.perf_counter()
        result = self.call(path, params)
        return (time.perf_counter() - started) * 1000, result


def domain_of(filters):
    """The domain the queue route builds (services/workbench.QueueQuery.domain)."""
    domain = [("state", "in", filters["state"])] if filters.get("state") else []
    if filters.get("carrier_id"):
        domain.append(("carrier_id", "=", filters["carrier_id"]))
    if filters.get("variance_above") is not None:
        domain.append(("variance_total", ">", filters["variance_above"]))
    if filters.get("search"):
        text = filters["search"]
        domain += ["|", "|", "|", "|", ("name", "ilike", text),
                   ("line_ids.pro_number", "ilike", text), ("line_ids.bol_number", "ilike", text),
                   ("line_ids.load_ref", "ilike", text), ("line_ids.shipment_ref", "ilike", text)]
    return domain


def queue(filters, sort="date desc", offset=0, limit=40):
    ours = ("/freight_sync/ui/v1/invoices/queue",
            {"filters": filters, "sort": sort, "offset": offset, "limit": limit})
    odoo = ("freight.invoice", "web_search_read", [], {
        "domain": domain_of(filters), "specification": LIST_SPEC, "offset": offset,
        "limit": limit, "order": ORDERS[sort], "count_limit": 10001})
    return ours, odoo


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("db")
    parser.add_argument("--login", default="bench_clerk")
    parser.add_argument("--password", default="bench_clerk")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--goal-ms", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    client = Client(args.url)
    client.login(args.db, args.login, args.password)

    # counted exactly here, not from the queue's total (counted so far past the page only)
    everything = client.kw("freight.invoice", "search_count", [[]])
    in_states = client.kw("freight.invoice", "search_count", [[("state", "in", STATES)]])
    lines = client.kw("freight.invoice.line", "search_count", [[]])
    carriers = [c[0] for c in client.call("/freight_sync/ui/v1/carriers", {})]
    # PROs of invoices in the queue's states, and invoices to open, from random places
    pros = sorted({line["pro_number"] for line in client.kw(
        "freight.invoice.line", "search_read", [],
        domain=[("invoice_id.state", "in", STATES), ("line_no", "=", 1)],
        fields=["pro_number"], offset=rnd.randrange(max(in_states - 500, 1)), limit=500)})
    ids = []
    for _ in range(10):
        page = client.call("/freight_sync/ui/v1/invoices/queue", {
            "offset": rnd.randrange(max(everything - 200, 1)), "limit": 200})
        ids += [row["id"] for row in page["rows"]]
    if not (pros and ids and carriers):
        raise SystemExit("no invoices to read: seed the database first (workbench_seed.py)")

    default = {"state": STATES}
    scenarios = [
        ("queue 3 states (date desc)", lambda i: queue(default)),
        ("queue sorted by variance", lambda i: queue(default, "variance desc")),
        ("queue deep page (offset 4000)", lambda i: queue(default, offset=4000)),
        ("queue search by PRO", lambda i: queue(dict(default, search=pros[i % len(pros)]))),
        ("queue carrier + variance > 20", lambda i: queue(
            dict(default, carrier_id=carriers[i % len(carriers)], variance_above=20))),
        ("invoice detail", lambda i: (
            (f"/freight_sync/ui/v1/invoices/{ids[i % len(ids)]}", {}),
            ("freight.invoice", "web_read", [[ids[i % len(ids)]]],
             {"specification": FORM_SPEC}))),
    ]
    rnd.shuffle(ids)
    rnd.shuffle(pros)

    def odoo_call(model, method, call_args, kwargs):
        return client.timed(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": call_args,
            "kwargs": dict(kwargs, context=client.context)})

    results = []
    for label, make in scenarios:
        ours_ms, odoo_ms = [], []
        for i in range(args.warmup + args.requests):
            ours, odoo = make(i)
            spent, answer = client.timed(*ours)
            theirs, _ = odoo_call(*odoo)
            if i == 0 and "total" in answer:
                more = "+" if answer.get("total_capped") else ""
                label = f"{label} [{answer['total']:,}{more} match]"
            if i >= args.warmup:
                ours_ms.append(spent)
                odoo_ms.append(theirs)
        results.append((label, ours_ms, odoo_ms))

    print(f"invoices in the database: {everything:,} ({in_states:,} in states "
          f"{'/'.join(STATES)}), {lines:,} lines, {len(carriers)} carriers; "
          f"{args.requests} requests per scenario after "
          f"{args.warmup} warm-up, as {args.login}; times in ms")
    head = (f"{'scenario':<48} {'p50':>7} {'p95':>7} {'max':>7}   {'Odoo p50':>8} "
            f"{'Odoo p95':>8}   {'ours/Odoo p95':>13}  goal")
    print(head)
    print("-" * len(head))
    failed = []
    for label, ours_ms, odoo_ms in results:
        p95, odoo_p95 = percentile(ours_ms, 0.95), percentile(odoo_ms, 0.95)
        verdict = "PASS" if p95 <= args.goal_ms else "FAIL"
        if verdict == "FAIL":
            failed.append(label)
        print(f"{label:<48} {percentile(ours_ms, 0.5):>7.1f} {p95:>7.1f} {max(ours_ms):>7.1f}"
              f"   {percentile(odoo_ms, 0.5):>8.1f} {odoo_p95:>8.1f}   "
              f"{p95 / odoo_p95:>13.2f}  {verdict}")
    print("Odoo's side: web_search_read of the same page (list view), web_read of the form "
          "with lines and cases (detail)")
    if failed:
        print(f"FAIL: p95 above {args.goal_ms:.0f} ms with {everything:,} invoices: "
              + "; ".join(failed))
        sys.exit(1)
    print(f"PASS: every p95 within {args.goal_ms:.0f} ms with {everything:,} invoices")


if __name__ == "__main__":
    main()
