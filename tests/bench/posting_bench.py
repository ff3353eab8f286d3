"""Posting speed: approved carrier invoices -> posted vendor bills, against Odoo's own
batched ``account.move`` create + post of the same bills, in one run.

Run inside Odoo (rolls everything back at the end):
    odoo shell -d DB --no-http < tests/bench/posting_bench.py
Environment: BENCH_BILLS (default 300), BENCH_BATCH (default 100).
"""

import os
import time
from datetime import date

from odoo import Command

BILLS = int(os.environ.get("BENCH_BILLS", "300"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))
CODES = ("400", "405", "LFT")  # 3-line bills, one line per charge code

env = env  # noqa: F821 (given by odoo shell)
company = env.company
company.freight_auto_post = True
carrier = env["res.partner"].create(
    {"name": "Bench carrier", "is_freight_carrier": True, "is_company": True})
journal = env["account.journal"].search(
    [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
expense = env["account.account"].search(
    [("account_type", "=", "expense"), ("company_id", "=", company.id)], limit=1)
company.freight_expense_account_id = expense


def invoices(run):
    values = [{
        "name": f"BENCH-{run}-{i}", "carrier_id": carrier.id, "currency_id": company.currency_id.id,
        "date": date.today(), "state": "approved", "external_id": f"bench:{run}:{i}",
        "line_ids": [Command.create({"charge_code": code, "amount": 100.0 + n})
                     for n, code in enumerate(CODES)],
    } for i in range(BILLS)]
    return env["freight.invoice"].create(values)


def plain_bills(run):
    return [{
        "move_type": "in_invoice", "partner_id": carrier.id, "ref": f"PLAIN-{run}-{i}",
        "invoice_date": date.today(), "journal_id": journal.id,
        "invoice_line_ids": [Command.create({
            "name": code, "account_id": expense.id, "quantity": 1, "price_unit": 100.0 + n,
            "tax_ids": [Command.clear()]}) for n, code in enumerate(CODES)],
    } for i in range(BILLS)]


def timed(label, work):
    env.flush_all()
    started = time.perf_counter()
    work()
    env.flush_all()
    seconds = time.perf_counter() - started
    print(f"{label}: {BILLS} bills in {seconds:.2f} s = {BILLS / seconds:.1f} bills/s")
    return BILLS / seconds


# warm both paths (caches, compiled queries) before measuring either
invoices("warm")[:5]._post_bills()
env["account.move"].create(plain_bills("warm")[:5]).action_post()
staged = invoices("a")
values = plain_bills("a")


def ours():
    for start in range(0, BILLS, BATCH):
        staged[start:start + BATCH]._post_bills()


def odoo_own():
    for start in range(0, BILLS, BATCH):
        env["account.move"].create(values[start:start + BATCH]).action_post()


odoo_rate = timed("Odoo account.move create + post (batched)", odoo_own)
our_rate = timed("freight_sync approved invoice -> posted bill", ours)
assert all(staged.mapped("move_id")) and set(staged.move_id.mapped("state")) == {"posted"}
print(f"ratio freight_sync / Odoo: {our_rate / odoo_rate:.2f} (goal >= 0.90)")
env.cr.rollback()
