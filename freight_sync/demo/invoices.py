"""Demo carrier invoices, so the workbench, the exception board and the dashboard have real
work in them on a fresh demo database: nineteen Blue Ridge invoices BR-90101..BR-90119 on
delivered shipments, staged and audited as a carrier's would be. Run once, by the module's
post_init_hook, when it is installed with its demo data (the e2e tests rely on them)."""

from datetime import timedelta

from odoo import fields

# (delivered days ago, weight kg, extra billed on the linehaul, auto-approved history?)
DEMO_INVOICES = (
    [(30 + i, 600 + 90 * i, 0.0, True) for i in range(6)]        # paid history
    + [(4 + i, 700 + 75 * i, 0.0, False) for i in range(6)]      # clean, waiting for a clerk
    + [(3, 1150, 5.0, False), (3, 980, 8.0, False)]              # within tolerance
    + [(6, 1200, 80.0, False), (8, 860, 95.0, False), (9, 1400, 120.0, False)]  # over tolerance
    + [(12, 1900, 650.0, False), (15, 2200, 900.0, False)]       # above the override threshold
)
LINEHAUL_PER_KG, LINEHAUL_MINIMUM, FUEL_PERCENT = 0.92, 210.0, 18.5  # demo Blue Ridge contract
MILESTONES = (("picked_up", 30, "Atlanta, GA"), ("delivered", 2, "Denver, CO"),
              ("pod_received", 0, "Denver, CO"))


def create_demo_invoices(env):
    """The demo invoices, if the demo records they build on are there (the module was
    installed with demo data)."""
    carrier = env.ref("freight_sync.carrier_blue_ridge", raise_if_not_found=False)
    origin = env.ref("freight_sync.demo_partner_atlanta_dc", raise_if_not_found=False)
    destination = env.ref("freight_sync.demo_partner_denver_store", raise_if_not_found=False)
    if not (carrier and origin and destination):
        return
    company = env.company
    shipments = _delivered_shipments(env, carrier, origin, destination)
    documents = _documents(env, carrier, shipments)
    auto_approve = company.freight_auto_approve
    for history in (True, False):
        # history is approved as the audit would; the rest waits for a clerk
        company.freight_auto_approve = history
        staged, _errors = env["freight.invoice"]._stage(
            [doc for h, doc in documents if h == history], company, carrier)
        staged._audit()
    company.freight_auto_approve = auto_approve


def _delivered_shipments(env, carrier, origin, destination, table=DEMO_INVOICES,
                         pro=None):
    """One delivered shipment per row of ``table`` ``(days ago, weight, …)``."""
    pro = pro or _pro
    now = fields.Datetime.now()
    shipments = env["freight.shipment"].create([{
        "carrier_id": carrier.id, "mode": "ltl", "weight": weight,
        "pro_number": pro(n), "origin_partner_id": origin.id,
        "destination_partner_id": destination.id,
    } for n, (_days, weight, *_rest) in enumerate(table, 1)])
    env["freight.milestone"].create([
        {"shipment_id": shipment.id, "code": code, "source": "edi",
         "event_time": now - timedelta(days=days, hours=hours), "location": where}
        for shipment, (days, *_rest) in zip(shipments, table)
        for code, hours, where in MILESTONES
    ])
    return shipments


def _documents(env, carrier, shipments, table=DEMO_INVOICES, number=None, pro=None):
    """``(history?, canonical invoice)`` per shipment, as a carrier's intake gives them;
    ``table`` rows are ``(days ago, weight, extra billed on the linehaul, history?)``."""
    number, pro = number or (lambda n: f"BR-{90100 + n}"), pro or _pro
    today = fields.Date.context_today(env["freight.invoice"])
    year_start = today.replace(month=1, day=1)
    documents = []
    for n, (days, weight, extra, history) in enumerate(table, 1):
        linehaul = round(max(weight * LINEHAUL_PER_KG, LINEHAUL_MINIMUM), 2)
        fuel = round(linehaul * FUEL_PERCENT / 100, 2)
        lines = [
            {"line_no": 1, "references": {"pro_number": pro(n)}, "charge_code": "400",
             "quantity": 1, "rate": linehaul + extra, "amount": linehaul + extra},
            {"line_no": 2, "references": {"pro_number": pro(n)}, "charge_code": "405",
             "quantity": 1, "rate": fuel, "amount": fuel},
        ]
        documents.append((history, {
            "number": number(n),
            "date": max(today - timedelta(days=days - 1), year_start),
            "currency": "USD", "total": linehaul + extra + fuel, "correction": "original",
            "corrects": None, "scac": carrier.freight_scac, "lines": lines,
            "external_id": f"demo:{number(n)}",
        }))
    return documents


def _pro(n):
    return f"BR-DEMO-{n:04d}"
