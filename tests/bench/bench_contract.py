"""The rate contract the ``odoo shell`` benches audit their invoices against: linehaul 0.5
per kg (minimum 150.00), fuel 20 %, liftgate 85.00, detention 75.00/h after 2 free hours at
delivery, hazardous materials 40.00. Imported by scripts fed to ``odoo shell`` on stdin,
which find this folder through ``FREIGHT_ROOT`` (scripts/lib.sh exports it)."""

from datetime import date

from odoo import Command


def bench_contract(env, carrier, name):
    hazmat = env["freight.charge.code"].search([("code", "=", "HAZ")]) or \
        env["freight.charge.code"].create({"code": "HAZ", "name": "Hazardous materials"})
    us = env.ref("base.us")
    return env["freight.rate.contract"].create({
        "name": name, "carrier_id": carrier.id, "currency_id": env.company.currency_id.id,
        "date_start": date(2024, 1, 1), "fuel_percent": 20.0,
        "line_ids": [Command.create({"origin_country_id": us.id, "destination_country_id": us.id,
                                     "basis": "per_kg", "rate": 0.5, "minimum": 150})],
        "accessorial_ids": [
            Command.create({"charge_code_id": env.ref("freight_sync.charge_lft").id,
                            "amount": 85.0}),
            Command.create({"charge_code_id": env.ref("freight_sync.charge_dtu").id,
                            "basis": "per_hour", "amount": 75.0, "free_hours": 2,
                            "detention_at": "delivery"}),
            Command.create({"charge_code_id": hazmat.id, "amount": 40.0}),
        ],
    })


# An LTL tariff the size of a regional carrier's: 20 origin × 15 destination ZIP3 lanes, all
# 18 classes, 7 weight breaks (37,800 rates); made-up rates.
LTL_ORIGINS = [f"{300 + n}" for n in range(20)]
LTL_DESTINATIONS = [f"{600 + n}" for n in range(15)]
LTL_CLASSES = ("50", "55", "60", "65", "70", "77.5", "85", "92.5", "100", "110", "125",
               "150", "175", "200", "250", "300", "400", "500")
LTL_BASE = (203.00, 166.50, 141.20, 119.40, 94.80, 76.30, 59.90)


def ltl_tariff_csv():
    rows = ["origin,destination,class,L5C,M5C,1M,2M,5M,10M,20M"]
    for o, origin in enumerate(LTL_ORIGINS):
        for d, destination in enumerate(LTL_DESTINATIONS):
            lane = 0.7 + (o + d) % 7 / 10
            rows += [",".join([origin, destination, cls] + [
                f"{base * float(cls) / 100 * lane:.2f}" for base in LTL_BASE])
                for cls in LTL_CLASSES]
    return "\n".join(rows) + "\n"


def ltl_bench_contract(env, carrier, name):
    """The bench contract with its lane rated by the LTL tariff above (72 % off, 95.00
    minimum, FAK 77.5-85 → 70, deficit weight); returns the contract and the seconds the
    tariff's import took."""
    import base64
    import time
    contract = bench_contract(env, carrier, name)
    started = time.perf_counter()
    wizard = env["freight.ltl.tariff.import"].create({
        "new_tariff_name": f"{name} tariff", "file": base64.b64encode(ltl_tariff_csv().encode()),
        "filename": "bench.csv", "valid_from": date(2024, 1, 1)})
    tariff = env["freight.ltl.tariff"].browse(wizard.action_import()["res_id"])
    imported = time.perf_counter() - started
    contract.line_ids.write({
        "basis": "ltl_tariff", "rate": 0.0, "minimum": 0.0, "mode": "ltl",
        "ltl_tariff_id": tariff.id, "ltl_discount": 72.0, "ltl_minimum": 95.0,
        "ltl_deficit_weight": True,
        "ltl_fak_ids": [Command.create({"class_from": "77.5", "class_to": "85",
                                        "rated_class": "70"})]})
    return contract, imported
