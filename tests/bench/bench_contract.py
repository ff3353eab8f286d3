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
