"""The freight items of a shipment: what LTL carriers rate, a weight at an NMFC class.

Built from the transfers' moves while no dispatcher corrected them; a correction (with its
reason, in the shipment's chatter) is the only other way they change. Readonly in a view is
no control, so ``create``, ``write`` and ``unlink`` refuse any caller that does not carry an
``ItemPath``: a Python object JSON-RPC and XML-RPC cannot carry, made only by the private
methods of the rebuild and of the correction (freight_guarded_mixin.py explains the idea).
"""

from dataclasses import dataclass

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..services.ltl import CLASS_SELECTION
from ..services.shipment_items import FIGURES, changed, pieces, shown_names, weight_text

PATH_KEY = "freight_item_path"
# the paths that change items ("deferred" only postpones the rebuild)
WRITING_PATHS = frozenset({"transfers", "correction"})
DISPATCHER_GROUP = "freight_sync.group_freight_user"
SOURCES = [("transfers", "Transfers"), ("dispatcher", "Dispatcher")]


@dataclass(frozen=True)
class ItemPath:
    """Why the items change: ``kind`` "transfers" (rebuilt from the moves), "correction"
    (by a dispatcher, with the ``reason``) or "deferred" (the transfers are being linked to
    new shipments: built once afterwards, not per shipment)."""

    kind: str
    reason: str = ""


def item_path(env) -> ItemPath | None:
    path = env.context.get(PATH_KEY)
    return path if isinstance(path, ItemPath) else None


class FreightShipmentItem(models.Model):
    _name = "freight.shipment.item"
    _description = "Shipment Freight Item"
    _order = "shipment_id, id"
    _check_company_auto = True

    shipment_id = fields.Many2one(
        "freight.shipment", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(
        related="shipment_id.company_id", store=True, index=True, precompute=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Transfer", index="btree_not_null", ondelete="set null",
        readonly=True)
    product_id = fields.Many2one(
        "product.product", ondelete="set null", readonly=True,
        help="The product, when the item holds one product only.")
    description = fields.Char(readonly=True)
    nmfc_item = fields.Char(string="NMFC Item", readonly=True)
    freight_class = fields.Selection(
        CLASS_SELECTION, string="NMFC Class", readonly=True,
        help="Empty: neither the product nor the transfer has a class, and LTL rating says "
             "so.")
    pieces = fields.Integer(readonly=True, help="Units of the moves, a started unit counted "
                                                "whole; a dispatcher corrects them to the "
                                                "handling units the carrier counts.")
    weight_kg = fields.Float(string="Weight (kg)", digits="Stock Weight", readonly=True)
    source = fields.Selection(SOURCES, required=True, default="transfers", readonly=True)
    corrected = fields.Boolean(
        readonly=True, help="A dispatcher changed the figures of the transfers (see the "
                            "shipment's chatter for the reason).")

    # ---- controls ----

    def _check_path(self, operation):
        # who may not touch items at all is told so first (finance clerks read them)
        self.check_access_rights(operation)
        path = item_path(self.env)
        if not path or path.kind not in WRITING_PATHS:
            raise UserError(_(
                "The freight items of a shipment follow its transfers; to change a class, "
                "weight or pieces use \"Correct Weights and Classes\" on the shipment, "
                "which asks for the reason."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_path("create")
        return super().create(vals_list)

    def write(self, vals):
        self._check_path("write")
        return super().write(vals)

    def unlink(self):
        self._check_path("unlink")
        return super().unlink()

    def _as_figures(self):
        return [{"id": item.id, "description": item.description, "nmfc_item": item.nmfc_item,
                 "freight_class": item.freight_class, "pieces": item.pieces,
                 "weight_kg": item.weight_kg} for item in self]

    # ---- built from the transfers ----

    @api.model
    def _build_from_transfers(self, shipments):
        """Replace the items of those ``shipments`` a dispatcher did not correct by the
        moves of their transfers, grouped by transfer, class and NMFC item: a fixed number
        of queries whatever the number of shipments and transfers.

        The weight is the moves' (product weight × quantity, cancelled moves left out), the
        rule of the transfers' weight the shipment adds up; the class is the transfer's
        when it has one (a mixed pallet), else the product's."""
        shipments = shipments.sudo().exists().filtered(lambda s: not s.items_corrected)
        if not shipments:
            return
        self.env["stock.move"].flush_model(["picking_id", "product_id", "state", "weight",
                                            "product_qty"])
        self.env["stock.picking"].flush_model(["freight_shipment_id", "freight_class"])
        self.env["product.product"].flush_model(["product_tmpl_id"])
        self.env["product.template"].flush_model(["freight_class", "nmfc_item"])
        self.env.cr.execute(SQL("""
            SELECT p.freight_shipment_id, p.id, COALESCE(p.freight_class, t.freight_class),
                   NULLIF(TRIM(t.nmfc_item), ''), COALESCE(SUM(m.weight), 0),
                   SUM(m.product_qty), ARRAY_AGG(DISTINCT m.product_id)
              FROM stock_move AS m
              JOIN stock_picking AS p ON p.id = m.picking_id
              JOIN product_product AS pp ON pp.id = m.product_id
              JOIN product_template AS t ON t.id = pp.product_tmpl_id
             WHERE p.freight_shipment_id = ANY(%s) AND m.state != 'cancel'
             GROUP BY 1, 2, 3, 4
             ORDER BY 1, 2, (COALESCE(p.freight_class, t.freight_class))::numeric NULLS LAST,
                      4 NULLS FIRST""", shipments.ids))
        rows = self.env.cr.fetchall()
        products = self.env["product.product"].sudo().browse(
            {product_id for row in rows for product_id in row[6]})
        names = {product.id: product.display_name for product in products}
        values = [{
            "shipment_id": shipment_id, "picking_id": picking_id,
            "product_id": product_ids[0] if len(product_ids) == 1 else False,
            "description": self._describe([names[pid] for pid in product_ids]),
            "freight_class": freight_class or False, "nmfc_item": nmfc_item or False,
            "weight_kg": weight, "pieces": pieces(quantity), "source": "transfers",
        } for shipment_id, picking_id, freight_class, nmfc_item, weight, quantity, product_ids
            in rows]
        builder = self.sudo().with_context(**{PATH_KEY: ItemPath("transfers")})
        builder.search([("shipment_id", "in", shipments.ids)]).unlink()
        builder.create(values)

    @api.model
    def _describe(self, names):
        shown, more = shown_names(names)
        if more:
            return _("%(products)s + %(count)s more", products=", ".join(shown), count=more)
        return ", ".join(shown)

    # ---- corrected by a dispatcher ----

    @api.model
    def _check_corrector(self, shipment, reason=None):
        """Dispatchers and managers correct the items of shipments they may change, and
        say why (``reason``; None: not asked yet)."""
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(_("Only dispatchers and freight managers may correct the "
                                "weights and classes of a shipment."))
        shipment.check_access_rights("write")
        shipment.check_access_rule("write")
        if reason is not None and not reason.strip():
            raise UserError(_("Say why the weights or classes change (e.g. the carrier's "
                              "inspection certificate): the reason is kept in the "
                              "shipment's chatter."))

    @api.model
    def _correct(self, shipment, lines, reason):
        """Set the items of ``shipment`` to ``lines`` (dicts of the figures, with the
        ``item_id`` they correct; none: an item the transfers lack; an item of no line is
        removed); the shipment's weight becomes their sum and its chatter tells each change
        and ``reason``. From now on the transfers no longer change the items."""
        shipment.ensure_one()
        self._check_corrector(shipment, reason or "")
        reason = reason.strip()
        current = {item.id: item for item in shipment.item_ids}
        kept = {line["item_id"] for line in lines if line.get("item_id")}
        if kept - set(current):
            raise UserError(_("The items of %s changed meanwhile: open the correction "
                              "again.", shipment.name))
        writer = self.with_context(**{PATH_KEY: ItemPath("correction", reason)})
        told = []
        for line in lines:
            item = current.get(line.get("item_id"))
            figures = {key: line.get(key) for key in FIGURES}
            if not item:
                created = writer.create({**self._stored(figures), "shipment_id": shipment.id,
                                         "description": line.get("description"),
                                         "source": "dispatcher", "corrected": True})
                told.append(_("Added %s", created._text()))
                continue
            diff = changed(item._as_figures()[0], figures)
            if diff:
                told.append(item._change_text(diff))
                writer.browse(item.id).write({**self._stored(figures), "corrected": True})
        removed = writer.browse(sorted(set(current) - kept))
        told += [_("Removed %s", item._text()) for item in removed]
        if not told:
            raise UserError(_("Nothing was changed: correct a weight, class, NMFC item or "
                              "pieces, or close the window."))
        removed.unlink()
        shipment._with_guarded_rights().write({"items_corrected": True})
        shipment.write({"weight": sum(shipment.item_ids.mapped("weight_kg"))})
        shipment.message_post(body=self._chatter(
            _("Freight items corrected by %s:", self.env.user.name), told, reason))

    @api.model
    def _reload(self, shipment, reason):
        """Drop the dispatcher's figures of ``shipment``: its items and weight follow the
        transfers again. The chatter keeps the figures dropped and ``reason``."""
        shipment.ensure_one()
        self._check_corrector(shipment, reason or "")
        dropped = [item._text() for item in shipment.item_ids]
        shipment._with_guarded_rights().write({"items_corrected": False})
        self._build_from_transfers(shipment)
        # the transfers are read as the system: a dispatcher may have no inventory rights;
        # without transfers the weight was set by hand, as it still is
        if shipment.sudo().picking_ids:
            shipment.write({"weight": shipment.sudo()._transfers_weight()})
        shipment.invalidate_recordset(["item_ids"])
        told = [_("Was %s", text) for text in dropped]
        told += [_("Now %s", item._text()) for item in shipment.item_ids]
        shipment.message_post(body=self._chatter(
            _("Freight items reloaded from the transfers by %s:", self.env.user.name),
            told, reason.strip()))

    @api.model
    def _stored(self, figures):
        return {"nmfc_item": (figures["nmfc_item"] or "").strip() or False,
                "freight_class": figures["freight_class"] or False,
                "pieces": figures["pieces"] or 0, "weight_kg": figures["weight_kg"] or 0.0}

    @api.model
    def _chatter(self, title, told, reason):
        items = Markup("").join(Markup("<li>%s</li>") % text for text in told)
        return Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            title, items, _("Reason: %s", reason))

    def _label(self, key):
        return self._fields[key]._description_string(self.env)

    def _shown(self, key, value):
        if key == "weight_kg":
            return weight_text(value)
        return "—" if value in (None, False, "") else str(value)

    def _text(self):
        """"Crate of valves: NMFC Class 85, NMFC Item 156600, Pieces 3, Weight (kg) 120"."""
        self.ensure_one()
        figures = ", ".join(f"{self._label(key)} {self._shown(key, self[key])}"
                            for key in ("freight_class", "nmfc_item", "pieces", "weight_kg"))
        return f"{self.description or _('item')}: {figures}"

    def _change_text(self, diff):
        """"Crate of valves: NMFC Class 85 → 100, Weight (kg) 120 → 150"."""
        self.ensure_one()
        changes = ", ".join(
            f"{self._label(key)} {self._shown(key, old)} → {self._shown(key, new)}"
            for key, (old, new) in diff.items())
        return f"{self.description or _('item')}: {changes}"
