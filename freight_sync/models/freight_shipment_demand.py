"""Shipment demand: shipments built from transfers, and kept in step with them until tender.

The figures come from services/shipment_demand.py (pure); this file reads the transfers
(set-based) and writes the shipments. Weight and direction are not written: the shipment
computes them from its transfers (freight_shipment.py), the single source of truth.
"""
from odoo import Command, _, models
from odoo.tools import float_compare

from ..services.milestones import NO_MILESTONE_STATUS
from ..services.shipment_demand import WRITTEN_FIELDS, changed_figures, shipment_values

MOVE_FIELDS = frozenset({"product_uom_qty", "quantity", "product_id", "product_uom", "state",
                         "date", "date_deadline", "picking_id"})


class StockPickingDemand(models.Model):
    _inherit = "stock.picking"

    def _create_backorder(self):
        # a backorder is a separate physical movement: in automatic mode, its own shipment
        backorders = super()._create_backorder()
        backorders._freight_auto_shipments()
        return backorders

    def _freight_demand_facts(self):
        """The plain dicts services/shipment_demand.py reads, by picking id (no query per
        picking: the ORM prefetches moves, products and packages for the whole set)."""
        facts = {}
        for picking in self:
            moves = picking.move_ids.filtered(lambda m: m.state != "cancel")
            here = picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id
            facts[picking.id] = {
                "name": picking.name,
                "company_id": picking.company_id.id,
                "code": picking.picking_type_code,
                "state": picking.state,
                "shipment_id": picking.freight_shipment_id.id,
                "weight": picking.weight,
                "shipping_weight": picking.shipping_weight,
                "partner_id": picking.partner_id.id,
                "warehouse_partner_id": here.id,
                "scheduled_date": picking.scheduled_date,
                "date_deadline": picking.date_deadline,
                "moves": [{"volume": m.product_id.volume, "qty": m.product_qty} for m in moves],
                "packages": moves.move_line_ids.result_package_id.ids,
            }
        return facts

    def _freight_shipment_vals(self, facts, extra=None):
        values = shipment_values([facts[picking.id] for picking in self])
        vals = {key: values[key] for key in WRITTEN_FIELDS}
        vals.update(company_id=self.company_id.id, picking_ids=[Command.set(self.ids)],
                    **(extra or {}))
        return vals

    def _freight_demand_changed(self):
        shipments = self.sudo().freight_shipment_id
        if shipments:
            shipments._freight_demand_refresh(self.sudo())


class StockMoveDemand(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # confirmed sale orders, purchase receipts and transfers marked "to do"
        moves.picking_id._freight_auto_shipments()
        return moves

    def write(self, vals):
        before = self.picking_id if "picking_id" in vals else self.env["stock.picking"]
        result = super().write(vals)
        if MOVE_FIELDS & set(vals):
            (before | self.picking_id)._freight_demand_changed()
        return result


class StockMoveLineDemand(models.Model):
    _inherit = "stock.move.line"

    def write(self, vals):
        result = super().write(vals)
        if "result_package_id" in vals:
            self.picking_id._freight_demand_changed()
        return result


class FreightShipmentDemand(models.Model):
    _inherit = "freight.shipment"

    def _freight_demand_open(self):
        """Nothing tendered yet: the shipment still follows its transfers."""
        return self.filtered(lambda s: not s.tender_state and s.status == NO_MILESTONE_STATUS)

    def _compute_weight(self):
        # the tendered weight is what the carrier accepted: a later change of the transfers
        # is reported in the chatter (_freight_demand_refresh), not copied
        super(FreightShipmentDemand, self._freight_demand_open())._compute_weight()

    def _freight_demand_refresh(self, changed):
        """Follow the transfers' figures while nothing was tendered; afterwards the shipment
        is what the carrier accepted: leave it, and tell the dispatcher in the chatter."""
        shipments = self.sudo()
        facts = shipments.picking_ids._freight_demand_facts()
        still_open = shipments._freight_demand_open()
        for shipment in shipments:
            mine = [facts[p.id] for p in shipment.picking_ids
                    if p.state not in ("done", "cancel")]
            if not mine or len(mine) < len(shipment.picking_ids):
                continue  # goods already moved: the record of what happened stays as it was
            wanted = shipment_values(mine)
            current = {key: shipment[key].id if key.endswith("_id") else shipment[key]
                       for key in WRITTEN_FIELDS}
            diff = changed_figures(current, wanted)
            if shipment in still_open:
                if diff:
                    shipment.write(diff)
                continue
            if float_compare(shipment.weight, wanted["weight"], precision_digits=3):
                diff["weight"] = wanted["weight"]
            if not diff:
                continue
            labels = [shipment._fields[key].string for key in diff]
            shipment.message_post(body=_(
                "Transfer %(pickings)s changed after the tender (%(figures)s); the shipment "
                "was left as tendered: check with the carrier.",
                pickings=", ".join((changed & shipment.picking_ids).mapped("name")),
                figures=", ".join(labels)))
