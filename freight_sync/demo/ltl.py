"""Demo LTL carrier, so the LTL rules can be seen at work on a fresh demo database: Prairie
Line LTL (SCAC PRLT), its base tariff imported from ``ltl_tariff_demo.csv`` (MADE-UP rates,
three lanes, all eighteen classes, the seven standard weight breaks: no carrier publishes
these numbers), a contract lane with a 72 % discount, a 95.00 absolute minimum, FAK 77.5–85
→ 70 and deficit weight, and one delivered shipment and invoice per rule (PL-5001..5008).
The invoices bill what the carrier's own figures rate, so each one shows its rule in the
workbench's trace. Run once by the module's post_init_hook, with the demo data."""

import base64
from datetime import timedelta
from pathlib import Path

from odoo import Command, fields

from ..models.freight_shipment_item import PATH_KEY, ItemPath
from ..services.expected_cost import LB_PER_KG
from ..services.ltl import FreightItem, as_billed, rate_ltl

TARIFF_FILE = Path(__file__).parent / "ltl_tariff_demo.csv"
DISCOUNT, MINIMUM, FUEL_PERCENT, DISPUTE_WINDOW = 72.0, 95.0, 24.0, 120
# what the demo shipments carry, by class (made up, as the rates)
GOODS = {"70": "Auto parts on pallets", "85": "Machine parts, crated",
         "150": "Lamp shades, boxed"}
# (invoice, the shipment's items [(class, lb)], the carrier's figures, what it shows)
SCENARIOS = (
    ("PL-5001", [("85", 1800)], {}, "FAK 85 → 70, deficit weight to the 2M break"),
    ("PL-5002", [("70", 1240)], {}, "the 1M break, as billed"),
    ("PL-5003", [("70", 120)], {}, "the absolute minimum"),
    ("PL-5004", [("85", 600), ("150", 400)], {}, "two classes at the total's break"),
    ("PL-5005", [("85", 1240)], {"lb": 1500, "certificate": "WI-20417"},
     "a reweigh backed by its inspection certificate: approved"),
    ("PL-5006", [("85", 1240)], {"lb": 1500}, "a reweigh without a certificate: a case"),
    ("PL-5007", [("85", 1240)], {"class": "100"}, "a reclass without a certificate: a case"),
    ("PL-5008", [("85", 900)], {"lb": 1600, "dims": "96x48x60 N x2"},
     "a dimensional-weight rebill without a certificate: a case"),
)


def create_demo_ltl(env):
    origin = env.ref("freight_sync.demo_partner_atlanta_dc", raise_if_not_found=False)
    destination = env.ref("freight_sync.demo_partner_denver_store", raise_if_not_found=False)
    if not (origin and destination):
        return
    carrier = env["res.partner"].create({
        "name": "Prairie Line LTL (demo)", "is_company": True, "is_freight_carrier": True,
        "freight_scac": "PRLT", "city": "Omaha", "country_id": env.ref("base.us").id})
    year_start = fields.Date.context_today(env["freight.invoice"]).replace(month=1, day=1)
    tariff = _import_tariff(env, year_start)
    contract = env["freight.rate.contract"].create({
        "name": "Prairie Line LTL 2024 (demo)", "carrier_id": carrier.id,
        "date_start": year_start, "fuel_percent": FUEL_PERCENT,
        "dispute_window_days": DISPUTE_WINDOW,
        "line_ids": [Command.create({
            "origin_country_id": env.ref("base.us").id, "mode": "ltl",
            "destination_country_id": env.ref("base.us").id, "basis": "ltl_tariff",
            "rate": 0.0, "ltl_tariff_id": tariff.id, "ltl_discount": DISCOUNT,
            "ltl_minimum": MINIMUM, "ltl_deficit_weight": True,
            "ltl_fak_ids": [Command.create({"class_from": "77.5", "class_to": "85",
                                            "rated_class": "70"})]})],
    })
    shipments = _delivered_shipments(env, carrier, origin, destination)
    lane = contract._as_terms().lines[0]
    documents = [_document(carrier, shipment, scenario, lane.ltl, origin, destination,
                           year_start)
                 for shipment, scenario in zip(shipments, SCENARIOS)]
    staged, _errors = env["freight.invoice"]._stage(documents, env.company, carrier)
    staged._audit()


def _import_tariff(env, valid_from):
    wizard = env["freight.ltl.tariff.import"].create({
        "new_tariff_name": "PRLT-500 (demo: made-up rates)",
        "file": base64.b64encode(TARIFF_FILE.read_bytes()), "filename": TARIFF_FILE.name,
        "valid_from": valid_from})
    wizard.action_preview()
    wizard.action_import()
    return env["freight.ltl.tariff"].search(
        [("name", "=", "PRLT-500 (demo: made-up rates)")], limit=1)


def _delivered_shipments(env, carrier, origin, destination):
    now = fields.Datetime.now()
    shipments = env["freight.shipment"].create([{
        "carrier_id": carrier.id, "mode": "ltl", "pro_number": f"PRLT-{number[3:]}",
        "origin_partner_id": origin.id, "destination_partner_id": destination.id,
        "weight": sum(lb for _c, lb in items) / LB_PER_KG,
    } for number, items, _figures, _what in SCENARIOS])
    path = env["freight.shipment.item"].with_context(
        **{PATH_KEY: ItemPath("correction", "demo data")})
    path.create([{
        "shipment_id": shipment.id, "freight_class": freight_class, "weight_kg": lb / LB_PER_KG,
        "pieces": 2, "source": "dispatcher", "description": GOODS[freight_class],
    } for shipment, (_n, items, _f, _what) in zip(shipments, SCENARIOS)
        for freight_class, lb in items])
    env["freight.milestone"].create([
        {"shipment_id": shipment.id, "code": code, "source": "edi",
         "event_time": now - timedelta(days=days), "location": where}
        for shipment in shipments
        for code, days, where in (("picked_up", 6, "Atlanta, GA"), ("delivered", 3, "Denver, CO"),
                                  ("pod_received", 2, "Denver, CO"))])
    return shipments


def _document(carrier, shipment, scenario, terms, origin, destination, year_start):
    """The carrier's invoice: its linehaul is what its own figures rate, fuel on top."""
    number, items, figures, _what = scenario
    shipped = [FreightItem(c, lb / LB_PER_KG) for c, lb in items]
    billed_kg = figures["lb"] / LB_PER_KG if figures.get("lb") else None
    restated = as_billed(shipped, billed_kg, figures.get("class"))
    pickup = (shipment.milestone_ids.filtered(lambda m: m.code == "picked_up")
              .event_time.date())
    linehaul = rate_ltl(terms, restated, origin.zip, destination.zip, pickup).amount
    fuel = round(linehaul * FUEL_PERCENT / 100, 2)
    reference = {"pro_number": shipment.pro_number}
    line = {"line_no": 1, "references": reference, "charge_code": "400", "quantity": 1,
            "rate": linehaul, "amount": linehaul,
            "billed_weight_kg": round(billed_kg or sum(i.weight_kg for i in shipped), 2),
            "billed_class": figures.get("class"), "dimensions": figures.get("dims"),
            "inspection_certificate": figures.get("certificate")}
    day = max(fields.Date.today() - timedelta(days=2), year_start)
    return {"number": number, "date": day, "currency": "USD",
            "total": round(linehaul + fuel, 2), "correction": "original", "corrects": None,
            "scac": carrier.freight_scac, "external_id": f"demo:{number}",
            "lines": [line, {"line_no": 2, "references": reference, "charge_code": "405",
                             "quantity": 1, "rate": fuel, "amount": fuel}]}
