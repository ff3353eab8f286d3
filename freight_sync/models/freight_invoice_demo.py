# One file per concern (workflow, intake, audit, workbench, demo) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
"""Demo carrier invoices, so the workbench, the exception board and the dashboard have real
work in them on a fresh demo database. Loaded once, with the demo data."""

from datetime import timedelta

from odoo import api, fields, models

# (delivered days ago, weight kg, extra billed on the linehaul, auto-approved history?)
DEMO_INVOICES = (
    [(30 + i, 600 + 90 * i, 0.0, True) for i in range(6)]        # paid history
    + [(4 + i, 700 + 75 * i, 0.0, False) for i in range(6)]      # clean, waiting for a clerk
    + [(3, 1150, 5.0, False), (3, 980, 8.0, False)]              # within tolerance
    + [(6, 1200, 80.0, False), (8, 860, 95.0, False), (9, 1400, 120.0, False)]  # over tolerance
    + [(12, 1900, 650.0, False), (15, 2200, 900.0, False)]       # above the override threshold
)
LINEHAUL_PER_KG, LINEHAUL_MINIMUM, FUEL_PERCENT = 0.92, 210.0, 18.5  # demo Blue Ridge contract


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    @api.model
    def _freight_demo_invoices(self, carrier_id, origin_id, destination_id):
        Partner = self.env["res.partner"]
        carrier, origin, destination = (Partner.browse(carrier_id), Partner.browse(origin_id),
                                        Partner.browse(destination_id))
        company = self.env.company
        today = fields.Date.context_today(self)
        year_start = today.replace(month=1, day=1)
        now = fields.Datetime.now()
        shipments = self.env["freight.shipment"].create([{
            "carrier_id": carrier.id, "mode": "ltl", "weight": weight,
            "pro_number": f"BR-DEMO-{n:04d}", "origin_partner_id": origin.id,
            "destination_partner_id": destination.id,
        } for n, (_days, weight, _extra, _history) in enumerate(DEMO_INVOICES, 1)])
        self.env["freight.milestone"].create([
            {"shipment_id": shipment.id, "code": code, "source": "edi",
             "event_time": now - timedelta(days=days, hours=hours), "location": where}
            for shipment, (days, *_rest) in zip(shipments, DEMO_INVOICES)
            for code, hours, where in (("picked_up", 30, "Atlanta, GA"),
                                       ("delivered", 2, "Denver, CO"),
                                       ("pod_received", 0, "Denver, CO"))
        ])
        documents = []
        for n, (days, weight, extra, history) in enumerate(DEMO_INVOICES, 1):
            linehaul = round(max(weight * LINEHAUL_PER_KG, LINEHAUL_MINIMUM), 2)
            fuel = round(linehaul * FUEL_PERCENT / 100, 2)
            lines = [
                {"line_no": 1, "references": {"pro_number": f"BR-DEMO-{n:04d}"},
                 "charge_code": "400", "quantity": 1, "rate": linehaul + extra,
                 "amount": linehaul + extra},
                {"line_no": 2, "references": {"pro_number": f"BR-DEMO-{n:04d}"},
                 "charge_code": "405", "quantity": 1, "rate": fuel, "amount": fuel},
            ]
            documents.append((history, {
                "number": f"BR-{90100 + n}", "date": max(today - timedelta(days=days - 1),
                                                         year_start),
                "currency": "USD", "total": linehaul + extra + fuel, "correction": "original",
                "corrects": None, "scac": carrier.freight_scac, "lines": lines,
                "external_id": f"demo:BR-{90100 + n}",
            }))
        auto_approve = company.freight_auto_approve
        for history in (True, False):
            # history is approved as the audit would; the rest waits for a clerk
            company.freight_auto_approve = history
            staged, _errors = self._stage([doc for h, doc in documents if h == history],
                                          company, carrier)
            staged._audit()
        company.freight_auto_approve = auto_approve
