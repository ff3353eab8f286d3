import random
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .accrual_common import AccrualCase

SHIPMENTS = 200


@tagged("freight_sync", "post_install", "-at_install")
class TestAccrualScenario(AccrualCase):
    """200 shipments of two carriers in two currencies, with weight changes, approved
    accessorials, cancellations, carrier invoices (some resent) and replayed milestones:
    afterwards the books agree (accruals of closed shipments net to zero, the ledger's
    freight expense equals the bills plus the open accruals)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env["res.currency.rate"].create({
            "currency_id": eur.id, "name": cls.now.date() - timedelta(days=10), "rate": 0.9137,
            "company_id": cls.env.company.id})
        cls.euro_carrier = cls.env["res.partner"].create({
            "name": "Rhine Freight", "is_company": True, "is_freight_carrier": True,
            "freight_scac": "RHFR"})
        cls.env["freight.rate.contract"].create({
            "name": "Rhine LTL", "carrier_id": cls.euro_carrier.id, "currency_id": eur.id,
            "date_start": cls.now.date() - timedelta(days=400), "fuel_percent": 17.5,
            "line_ids": [Command.create({"origin_country_id": cls.us.id,
                                         "destination_country_id": cls.us.id, "mode": "ltl",
                                         "basis": "per_kg", "rate": 0.43, "minimum": 120.0})],
            "accessorial_ids": [Command.create({
                "charge_code_id": cls.env.ref("freight_sync.charge_lft").id, "amount": 77.7})],
        })
        cls.lift_gate = cls.env.ref("freight_sync.charge_lft")

    def test_two_hundred_shipments_keep_the_books_right(self):
        before = self.env["freight.integrity.check"].create({})  # demo data may have some
        rng = random.Random(20261124)
        carriers = [self.carrier, self.euro_carrier]
        shipments = self.env["freight.shipment"].create([{
            "carrier_id": rng.choice(carriers).id, "pro_number": f"RND-{n:04d}",
            "weight": round(rng.uniform(80, 3000), 1), "mode": "ltl",
            "origin_partner_id": self.origin.id,
            "destination_partner_id": self.destination.id} for n in range(SHIPMENTS)])
        Milestone = self.env["freight.milestone"]
        picked = Milestone.create([{
            "shipment_id": s.id, "code": "picked_up",
            "event_time": self.hours_ago(rng.randint(30, 300))} for s in shipments])
        self.assertEqual(set(shipments.mapped("accrual_state")), {"accrued"})

        # changes before billing: weights, approved lift gates, cancellations
        for shipment in shipments:
            roll = rng.random()
            if roll < 0.2:
                shipment.weight = round(shipment.weight * rng.uniform(0.5, 1.6), 1)
            elif roll < 0.3:
                shipment.approved_accessorial_ids = [Command.link(self.lift_gate.id)]
        cancelled = shipments.filtered(lambda s: rng.random() < 0.1)
        Milestone.create([{"shipment_id": s.id, "code": "cancelled",
                           "event_time": self.hours_ago(5)} for s in cancelled])
        # replayed pickups accrue nothing more
        shipments._freight_on_milestones(picked.filtered(lambda m: rng.random() < 0.3))

        active = shipments - cancelled
        delivered = active.filtered(lambda s: rng.random() < 0.85)
        Milestone.create([{"shipment_id": s.id, "code": "delivered",
                           "event_time": self.hours_ago(4)} for s in delivered])
        invoices = self._invoices_for(delivered, rng)
        staged = self.env["freight.invoice"]
        for carrier in carriers:
            batch = [inv for inv in invoices if inv["carrier"] == carrier]
            new, errors = self.env["freight.invoice"]._stage(batch, self.env.company, carrier)
            self.assertFalse(errors)
            staged |= new
        staged._audit()
        self.assertEqual(set(staged.mapped("state")), {"posted"}, staged.mapped("audit_summary"))
        # the carrier resends a quarter of its invoices: nothing is staged or billed twice
        resent = [inv for inv in invoices if rng.random() < 0.25]
        again, _errors = self.env["freight.invoice"]._stage(resent, self.env.company)
        self.assertFalse(again)
        # a weight corrected after billing changes no entry
        moves_before = self.env["account.move"].search_count([])
        delivered[:5].write({"weight": 999.0})
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

        self.assertEqual(set(cancelled.mapped("accrual_state")), {"reversed"})
        self.assertEqual(set(delivered.mapped("accrual_state")), {"reversed"})
        in_transit = active - delivered
        self.assertEqual(set(in_transit.mapped("accrual_state")), {"accrued"})
        self.assertEqual(len(self.env["account.move"].search(
            [("freight_shipment_id", "in", shipments.ids), ("freight_move_role", "=", "accrual"),
             ("state", "=", "posted")]).filtered(lambda m: not m.reversal_move_id)),
            len(in_transit), "exactly one open accrual per shipment still on the road")
        check = self.env["freight.integrity.check"].create({})
        self.assertTrue(check.is_ok, check.summary)
        self.assertAlmostEqual(check.open_accruals - before.open_accruals,
                               sum(in_transit.mapped("accrued_amount")), places=2)
        self.assertAlmostEqual(check.billed - before.billed,
                               sum(delivered.mapped("billed_amount")), places=2)

    def _invoices_for(self, shipments, rng):
        """The carriers bill what the contract says, give or take a cent or two."""
        expected = self.env["freight.accrual.booking"]._expected(shipments)
        invoices = []
        for shipment in shipments:
            cost = expected[shipment.id]
            lines = [{"line_no": n, "references": {"pro_number": shipment.pro_number},
                      "charge_code": code, "quantity": 1,
                      "rate": amount, "amount": round(amount + rng.choice((-0.02, 0, 0.01)), 2)}
                     for n, (code, amount) in enumerate(sorted(cost.amounts.items()), 1)]
            invoice = self.canonical(f"R-{shipment.pro_number}", lines)
            invoice.update(currency=cost.currency, date=fields.Date.today(), scac=None,
                           carrier=shipment.carrier_id)
            invoices.append(invoice)
        return invoices
