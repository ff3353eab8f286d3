"""A dispute history for the demo database, so the suggested resolutions and the dashboard's
disputes chart show something on a fresh database: six months of Blue Ridge invoices billed
over the contract's linehaul, audited, and settled by the demo clerk the way a billing team
with a policy would (small overcharges short-paid, big ones sent back for a rebill, which the
carrier sends; now and then an override), through the real audit, decisions and rebills.
Then one invoice, BR-70120, waits in exception for the end-to-end dispute test.

Run once, by the module's post_init_hook, after demo/invoices.py."""

from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from .invoices import LINEHAUL_MINIMUM, LINEHAUL_PER_KG, _delivered_shipments, _documents

HISTORY = 36
# a clerk is consistent, not perfectly so: every DEVIATE-th decision is another one
DEVIATE = 9


def _row(n):
    """``(days ago, weight, overcharge on the linehaul)`` of history invoice ``n`` (1-based):
    spread over six months, overcharges from 6 % to 40 % of the linehaul."""
    weight = 700 + (n * 137) % 900
    share = (6, 9, 12, 18, 25, 40)[n % 6] / 100
    linehaul = max(weight * LINEHAUL_PER_KG, LINEHAUL_MINIMUM)
    return 175 - n * 4, weight, round(linehaul * share, 2), share


def _policy(n, share):
    """The team's rule: short-pay overcharges under 15 %, ask for a rebill above; the
    deviations are overrides (a known carrier mistake forgiven)."""
    if n % DEVIATE == 0:
        return "override"
    return "short_pay" if share < 0.15 else "rebill"


def create_demo_disputes(env):
    carrier = env.ref("freight_sync.carrier_blue_ridge", raise_if_not_found=False)
    origin = env.ref("freight_sync.demo_partner_atlanta_dc", raise_if_not_found=False)
    destination = env.ref("freight_sync.demo_partner_denver_store", raise_if_not_found=False)
    clerk = env.ref("freight_sync.user_clerk", raise_if_not_found=False)
    manager = env.ref("freight_sync.user_freight_admin", raise_if_not_found=False)
    if not (carrier and origin and destination and clerk and manager):
        return
    company = env.company
    rows = [_row(n) for n in range(1, HISTORY + 1)]
    table = [(days, weight, extra, False) for days, weight, extra, _share in rows]
    table.append((5, 1000, 150.0, False))  # BR-70120, for the dispute e2e test

    def number(n):
        return f"BR-{80100 + n}" if n <= HISTORY else "BR-70120"

    def pro(n):
        return f"BR-DSP-{n:04d}"

    shipments = _delivered_shipments(env, carrier, origin, destination, table, pro)
    documents = [doc for _history, doc in _documents(env, carrier, shipments, table, number,
                                                     pro)]
    staged, _errors = env["freight.invoice"]._stage(documents, company, carrier)
    staged._audit()
    history = staged.filtered(lambda i: i.name != "BR-70120" and i.state == "exception")
    rebills = []
    for invoice in history:
        n = int(invoice.name[3:]) - 80100
        decision = _policy(n, rows[n - 1][3])
        user = manager if decision == "override" else clerk
        if n % 2:
            # half the disputes went to the carrier first, the decision came after
            env["freight.workbench"].with_user(clerk)._act(
                invoice.with_user(clerk), "dispute", "Linehaul above the contract rate",
                "rate")
        env["freight.invoice.resolve"].with_user(user).create({
            "invoice_id": invoice.id, "resolution": decision,
            "reason": "Demo history: the billing team's rule for this carrier",
        }).action_confirm()
        if decision == "rebill":
            rebills.append(_rebill(invoice, n))
        elif decision == "short_pay":
            invoice.exception_ids.filtered(lambda c: not c.is_closed).with_user(
                clerk).action_resolve("The carrier accepted the short-payment.")
    if rebills:
        env["freight.invoice"]._stage(rebills, company, carrier)[0]._audit()
    _backdate(env, history, {invoice.id: rows[int(invoice.name[3:]) - 80101][0]
                             for invoice in history})


def _rebill(invoice, n):
    """The carrier's RB at the expected amounts; one in four keeps a small part of the
    overcharge (a partial recovery)."""
    lines = []
    for line in invoice.line_ids:
        amount = line.expected if line.expected else line.amount
        if n % 4 == 0 and line.charge_code == "400":
            amount = round(amount + line.variance * 0.3, 2)
        lines.append({"line_no": line.line_no, "references": {"pro_number": line.pro_number},
                      "charge_code": line.charge_code, "quantity": 1, "rate": amount,
                      "amount": amount})
    return {"number": invoice.name, "date": invoice.date, "currency": invoice.currency_id.name,
            "total": round(sum(line["amount"] for line in lines), 2), "correction": "RB",
            "corrects": invoice.name, "scac": invoice.carrier_id.freight_scac, "lines": lines,
            "external_id": f"demo:{invoice.name}:RB"}


def _backdate(env, invoices, days_ago):
    """The history happened over months, not at install: its cases' dates move back."""
    now = fields.Datetime.now()
    env["freight.exception"].flush_model()
    values = SQL(", ").join(
        SQL("(%s, %s::timestamp)", invoice_id, now - timedelta(days=days))
        for invoice_id, days in days_ago.items())
    env.cr.execute(SQL("""
        UPDATE freight_exception e
           SET decided_at = v.at + interval '2 days',
               dispute_sent_at = CASE WHEN e.dispute_reason IS NOT NULL
                                      THEN v.at + interval '1 day' END,
               dispute_deadline = CASE WHEN e.dispute_reason IS NOT NULL
                                       THEN v.at + interval '15 days' END,
               closed_at = CASE WHEN e.closed_at IS NOT NULL THEN v.at + interval '9 days' END,
               create_date = v.at
          FROM (VALUES %s) AS v(invoice_id, at)
         WHERE e.invoice_id = v.invoice_id""", values))
    env["freight.exception"].invalidate_model()
