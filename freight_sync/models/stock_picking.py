from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.ltl import CLASS_SELECTION
from ..services.shipment_demand import WRITTEN_FIELDS, refusal, shipment_values
from .freight_order_mixin import FREIGHT_GROUPS
from .freight_shipment_item import item_path

DISPATCHER_GROUP = "freight_sync.group_freight_user"
# a change of these fields can change the figures of the shipment built from the transfer
DEMAND_FIELDS = frozenset({"partner_id", "scheduled_date", "date_deadline", "picking_type_id",
                           "shipping_weight", "company_id", "move_ids", "move_line_ids"})
# a change of these fields changes the freight items of the shipment (the moves' own
# changes are followed in stock_move.py)
ITEM_FIELDS = frozenset({"freight_shipment_id", "freight_class"})


class StockPicking(models.Model):
    _inherit = "stock.picking"

    freight_shipment_id = fields.Many2one(
        "freight.shipment",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        check_company=True,
        groups=FREIGHT_GROUPS,
    )
    freight_class = fields.Selection(
        CLASS_SELECTION, string="NMFC Class", copy=False, groups=FREIGHT_GROUPS,
        help="Rates every item of this transfer at this class instead of the products' "
             "(e.g. a mixed pallet classed as one).")

    @api.model_create_multi
    def create(self, vals_list):
        pickings = super().create(vals_list)
        if any(vals.get("freight_shipment_id") for vals in vals_list):
            pickings._freight_items_changed()
        return pickings

    def write(self, vals):
        before = self.env["freight.shipment"]
        if "freight_shipment_id" in vals:
            before = self.sudo().freight_shipment_id
        result = super().write(vals)
        if DEMAND_FIELDS & set(vals):
            self._freight_demand_changed()
        if ITEM_FIELDS & set(vals):
            self._freight_items_changed(before)
        return result

    def _freight_items_changed(self, shipments=None):
        """Rebuild the freight items of these transfers' shipments (and of ``shipments``,
        those they just left), all at once."""
        path = item_path(self.env)
        if path and path.kind == "deferred":
            return  # the shipments being created build theirs once, afterwards
        shipments = self.sudo().freight_shipment_id | (shipments or self.env["freight.shipment"])
        if shipments:
            self.env["freight.shipment.item"]._build_from_transfers(shipments)

    def action_view_freight_shipment(self):
        shipments = self.freight_shipment_id
        return shipments._action_open_records(shipments, _("Shipments"))

    # ---- shipment demand (see freight_shipment_demand.py) ----

    def action_freight_create_shipment(self):
        """Open the wizard grouping these transfers into one shipment (dispatchers)."""
        return self._freight_shipment_wizard()

    def _freight_open_for_shipment(self):
        """Transfers of an order a shipment can still carry."""
        return self.filtered(lambda p: p.picking_type_code in ("outgoing", "incoming")
                             and p.state not in ("done", "cancel")
                             and not p.sudo().freight_shipment_id)

    def _freight_shipment_wizard(self):
        self._freight_check_dispatcher()
        if not self:
            raise UserError(_("No open delivery or receipt without a shipment here."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Create Shipment"),
            "res_model": "freight.shipment.demand",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_ids": [fields.Command.set(self.ids)]},
        }

    def _freight_check_dispatcher(self):
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(_("Only dispatchers and freight managers may create shipments "
                                "from transfers."))

    def _freight_create_shipment(self, values=None):
        """ONE shipment carrying these transfers; refused with the reason when they cannot
        travel together. Runs with the caller's rights on shipments (dispatchers)."""
        self._freight_check_dispatcher()
        self.env["freight.shipment"].check_access_rights("create")
        self.check_access_rule("read")
        pickings = self.sudo()
        facts = pickings._freight_demand_facts()
        reason = refusal(list(facts.values()))
        if reason:
            raise UserError(self._freight_refusal_message(*reason))
        vals = pickings._freight_shipment_vals(facts, values)
        # the dispatcher creates the shipment; the link is stored on the transfers, which a
        # dispatcher without inventory rights may not write: the application links them
        vals.pop("picking_ids")
        shipment = self.env["freight.shipment"].create([vals])
        pickings.write({"freight_shipment_id": shipment.id})
        return shipment

    @staticmethod
    def _freight_refusal_message(reason, names):
        names = ", ".join(names)
        return {
            "empty": _("Select at least one transfer to create a shipment."),
            "companies": _("These transfers belong to different companies: %s. A shipment "
                           "carries the goods of one company.", names),
            "linked": _("Already on a shipment: %s. Open that shipment instead.", names),
            "closed": _("Done or cancelled transfers need no transport: %s.", names),
            "directions": _("Outgoing and incoming transfers cannot travel on one shipment: "
                            "%s. Create one shipment per direction.", names),
        }[reason]

    def _freight_auto_shipments(self):
        """Automatic mode: one shipment per outgoing/incoming transfer without one, never two
        for the same transfer. A backorder is a transfer of its own, so it gets its own
        shipment. System action (the salesperson confirming has no freight rights)."""
        pickings = self.sudo().filtered(
            lambda p: p.company_id.freight_shipment_creation == "auto"
            and p.picking_type_code in ("outgoing", "incoming")
            and p.state not in ("draft", "done", "cancel")
            and not p.freight_shipment_id)
        if not pickings:
            return self.env["freight.shipment"]
        facts = pickings._freight_demand_facts()
        return self.env["freight.shipment"].sudo().create(
            [picking._freight_shipment_vals(facts) for picking in pickings])

    # ---- shipment demand (services/shipment_demand.py) ----

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
