from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase


class FreightCase(TransactionCase):
    """A carrier and helpers to make shipments and milestones relative to now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.carrier = cls.env["res.partner"].create(
            {"name": "Test Carrier", "is_company": True, "is_freight_carrier": True,
             "freight_scac": "TSTC"}
        )
        cls.now = fields.Datetime.now().replace(microsecond=0)

    @classmethod
    def hours_ago(cls, hours):
        return cls.now - timedelta(hours=hours)

    @classmethod
    def make_shipment(cls, **values):
        return cls.env["freight.shipment"].create({"carrier_id": cls.carrier.id, **values})

    @classmethod
    def add(cls, shipment, code, hours_ago, **values):
        return shipment.env["freight.milestone"].create(
            {"shipment_id": shipment.id, "code": code,
             "event_time": cls.hours_ago(hours_ago), **values}
        )
