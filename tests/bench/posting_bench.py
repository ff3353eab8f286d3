"""Posting speed: approved carrier invoices -> posted vendor bills, against Odoo's own
batched ``account.move`` create + post of the same bills, in one run: first in this one
process (rolled back), then in parallel lanes: ``BENCH_LANES`` processes side by side, each
posting its own share of the approved invoices batch by batch, committed per batch as a
cron shard does, against as many processes running Odoo's own create + post.

Run inside Odoo (the serial part rolls back; the lanes commit: use a throwaway database):
    odoo shell -d DB --no-http < tests/bench/posting_bench.py
Environment: BENCH_BILLS (default 300, per measurement), BENCH_BATCH (default 100),
BENCH_LANES (default 2; 0 skips the lanes).
"""

import os
import time
from datetime import date

import odoo
from odoo import Command

BILLS = int(os.environ.get("BENCH_BILLS", "300"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))
LANES = int(os.environ.get("BENCH_LANES", "2"))
CODES = ("400", "405", "LFT")  # 3-line bills, one line per charge code

env = env  # noqa: F821 (given by odoo shell)


def setup(env):
    """The carrier, the purchase journal and the expense account of the bills."""
    company = env.company
    company.freight_auto_post = True
    carrier = env["res.partner"].create(
        {"name": "Bench carrier", "is_freight_carrier": True, "is_company": True})
    journal = env["account.journal"].search(
        [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
    expense = env["account.account"].search(
        [("account_type", "=", "expense"), ("company_id", "=", company.id)], limit=1)
    company.freight_expense_account_id = expense
    return carrier, journal, expense


def invoices(env, carrier, run, count=BILLS):
    values = [{
        "name": f"BENCH-{run}-{i}", "carrier_id": carrier.id,
        "currency_id": env.company.currency_id.id, "date": date.today(), "state": "approved",
        "external_id": f"bench:{run}:{i}",
        "line_ids": [Command.create({"charge_code": code, "amount": 100.0 + n})
                     for n, code in enumerate(CODES)],
    } for i in range(count)]
    # staged as intake stages them: the carrier's fields are the application's to write
    return env["freight.invoice"]._with_guarded_rights().create(values).with_env(env)


def plain_bills(carrier, journal, expense, run, count=BILLS):
    return [{
        "move_type": "in_invoice", "partner_id": carrier.id, "ref": f"PLAIN-{run}-{i}",
        "invoice_date": date.today(), "journal_id": journal.id,
        "invoice_line_ids": [Command.create({
            "name": code, "account_id": expense.id, "quantity": 1, "price_unit": 100.0 + n,
            "tax_ids": [Command.clear()]}) for n, code in enumerate(CODES)],
    } for i in range(count)]


def ours(env, ids):
    """Post bills for these approved invoices, a batch at a time."""
    for start in range(0, len(ids), BATCH):
        env["freight.invoice"].browse(ids[start:start + BATCH])._post_bills()
        yield


def odoo_own(env, values):
    for start in range(0, len(values), BATCH):
        env["account.move"].create(values[start:start + BATCH]).action_post()
        yield


def timed(work):
    env.flush_all()
    started = time.perf_counter()
    for _batch in work:
        pass
    env.flush_all()
    return BILLS / (time.perf_counter() - started)


# ---- one process, one transaction (rolled back) ---------------------------------------------
carrier, journal, expense = setup(env)
# warm both paths (caches, compiled queries) before measuring either
invoices(env, carrier, "warm", 5)._post_bills()
env["account.move"].create(plain_bills(carrier, journal, expense, "warm", 5)).action_post()
staged = invoices(env, carrier, "a")
values = plain_bills(carrier, journal, expense, "a")
rates = {"serial": (timed(odoo_own(env, values)), timed(ours(env, staged.ids)))}
assert all(staged.mapped("move_id")) and set(staged.move_id.mapped("state")) == {"posted"}
env.cr.rollback()


# ---- parallel lanes: one process per lane, a commit per batch ---------------------------------
def run_lane(registry, work, args):
    """In a forked child: its own connections (the parent's stay the parent's), the work
    committed batch by batch; writes 'start end' (perf_counter) to stdout of the pipe."""
    odoo.sql_db._Pool = None  # noqa: SLF001 (a fresh pool: never share a socket)
    registry._db = odoo.sql_db.db_connect(registry.db_name)  # noqa: SLF001
    with registry.cursor() as cr:
        lane_env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        for _batch in work(lane_env, args):
            cr.commit()
        return started, time.perf_counter()


def in_lanes(work, shares):
    """``work`` on each share in its own process, side by side; bills/s of all of them:
    bills over the time from the first start to the last end."""
    pipes = []
    for share in shares:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read)
            code = 1
            try:
                span = run_lane(env.registry, work, share)
                os.write(write, f"{span[0]} {span[1]}".encode())
                code = 0
            finally:
                os._exit(code)  # noqa: SLF001 (no parent cleanup in the child)
        os.close(write)
        pipes.append((pid, read))
    spans = []
    for pid, read in pipes:
        with os.fdopen(read) as answer:
            text = answer.read()
        _pid, status = os.waitpid(pid, 0)
        if status or not text:
            raise SystemExit(f"a lane failed (exit status {status})")
        spans.append([float(x) for x in text.split()])
    count = sum(len(share) for share in shares)
    return count / (max(end for _s, end in spans) - min(start for start, _e in spans))


if LANES > 1:
    carrier, journal, expense = setup(env)
    invoices(env, carrier, "lanes-warm", 5)._post_bills()
    staged = invoices(env, carrier, "lanes")
    values = plain_bills(carrier, journal, expense, "lanes")
    env.cr.commit()  # the lanes' processes read what is committed
    rates["lanes"] = (in_lanes(odoo_own, [values[n::LANES] for n in range(LANES)]),
                      in_lanes(ours, [staged.ids[n::LANES] for n in range(LANES)]))
    env.invalidate_all()
    assert set(staged.move_id.mapped("state")) == {"posted"} and all(staged.mapped("move_id"))

print(f"{'posting, bills/s':<34}{'Odoo create+post':>17}{'freight_sync':>14}{'ratio':>7}")
for name, (odoo_rate, our_rate) in rates.items():
    label = "one process" if name == "serial" else f"{LANES} lanes (processes) side by side"
    print(f"{label:<34}{odoo_rate:>17.1f}{our_rate:>14.1f}{our_rate / odoo_rate:>7.2f}")
print(f"({BILLS} bills of 3 lines per measurement, batches of {BATCH}; goal: ratio >= 1.0)")
