from datetime import date

from odoo import Command

from .inbound_common import InboundCase


class InvoiceCase(InboundCase):
    """A carrier endpoint, a shipment and canonical invoices to stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.env["freight.charge.code"].search([("code", "=", "400")]).expense_account_id = (
            cls.env["account.account"].search([
                ("account_type", "=", "expense"), ("company_id", "=", cls.env.company.id)],
                limit=1))

    @staticmethod
    def canonical(number="INV-1", lines=None, correction="original", total=None):
        lines = lines or [
            {"line_no": 1, "references": {"pro_number": "PRO-100"}, "charge_code": "400",
             "quantity": 1, "rate": 500.0, "amount": 500.0},
            {"line_no": 2, "references": {"pro_number": "PRO-100"}, "charge_code": "405",
             "quantity": 1, "rate": 60.0, "amount": 60.0},
        ]
        return {
            "number": number, "date": date(2024, 7, 12), "currency": "USD",
            "total": total if total is not None else sum(line["amount"] for line in lines),
            "correction": correction, "corrects": None, "scac": "TSTC", "lines": lines,
            "external_id": f"json:{number}:{correction}",
        }

    def stage(self, *invoices):
        staged, errors = self.env["freight.invoice"]._stage(
            list(invoices), self.env.company, self.carrier)
        self.assertFalse(errors)
        return staged


class ContractCase(InvoiceCase):
    """A delivered 1,000 kg LTL shipment and the carrier's contract: linehaul 0.5/kg
    (expected 500.00), fuel 20 % (100.00), lift gate 85.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        us = cls.env.ref("base.us")
        cls.shipment.write({
            "weight": 1000.0, "mode": "ltl",
            "origin_partner_id": cls.env["res.partner"].create(
                {"name": "Nashville DC", "country_id": us.id, "zip": "37201"}).id,
            "destination_partner_id": cls.env["res.partner"].create(
                {"name": "Chicago store", "country_id": us.id, "zip": "60601"}).id,
        })
        cls.add(cls.shipment, "picked_up", 40)
        cls.add(cls.shipment, "delivered", 10)
        cls.env["freight.rate.contract"].create({
            "name": "Test LTL", "carrier_id": cls.carrier.id, "currency_id": cls.usd.id,
            "date_start": date(2024, 1, 1), "fuel_percent": 20.0,
            "line_ids": [Command.create({"origin_country_id": us.id,
                                         "destination_country_id": us.id, "mode": "ltl",
                                         "basis": "per_kg", "rate": 0.5, "minimum": 150.0})],
            "accessorial_ids": [Command.create({
                "charge_code_id": cls.env.ref("freight_sync.charge_lft").id, "amount": 85.0})],
        })
        # expected: linehaul 1000 kg × 0.5 = 500, fuel 20 % = 100

    @classmethod
    def like_the_shipment(cls, pro_number, **values):
        """Another delivered 1,000 kg LTL shipment on the contract's lane: an invoice of its
        own is audited without the money billed on the other shipments."""
        shipment = cls.make_shipment(
            pro_number=pro_number, weight=1000.0, mode="ltl",
            origin_partner_id=cls.shipment.origin_partner_id.id,
            destination_partner_id=cls.shipment.destination_partner_id.id, **values)
        cls.add(shipment, "picked_up", 40)
        cls.add(shipment, "delivered", 10)
        return shipment
