"""Freight shipments: references, lane, milestones and the status derived from them.

The shipment keeps its cost and billing facts (accrual, billed amount, billing state); the
entries are booked by explicit collaborators called from one place, the `reactions` section
at the end: `freight.accrual.booking`, `freight.customer.billing` and `stock.landed.cost`.
"""
import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_compare

from ..services import tender_flow
from ..services.canonical import TENDER_CODES, PayloadError, parse_milestones
from ..services.codemap import NotAMilestoneError, UnknownCodeError, resolve
from ..services.expected_cost import Address
from ..services.invoice_audit import ShipmentFacts
from ..services.ltl import FreightItem
from ..services.milestones import (
    NO_MILESTONE_STATUS,
    STATUS_SELECTION,
    derive_status,
    first_event_time,
    has_open_exception,
)
from ..services.references import (
    SHIPMENT_FIELDS,
    ReferenceIndex,
    match_keys,
    normalize_reference,
    references_domain,
)
from ..services.shipment_demand import WRITTEN_FIELDS, changed_figures, shipment_values
from ..services.stops import FINAL_CODES, code_at_stop, last_stop
from ..services.tender import to_json_tender
from ..services.tender_build import Party, ShipmentTender, build_tender
from ..services.x12_204 import build_204
from .cron_batches import is_collision
from .freight_endpoint import DEFAULT_X12_SENDER, X12_SENDER_PARAM
from .freight_milestone import SOURCE_BY_KIND
from .freight_shipment_item import PATH_KEY, ItemPath
from .freight_tender import TENDER_STATES, TODO

_logger = logging.getLogger(__name__)

# the references stored normalized (the shipment's own number is a sequence, kept as written)
NORMALIZED_REFERENCES = tuple(key for key in SHIPMENT_FIELDS if key != "name")
MODE_SELECTION = [
    ("ltl", "LTL"),
    ("ftl", "FTL"),
    ("parcel", "Parcel"),
    ("intermodal", "Intermodal"),
    ("ocean", "Ocean"),
    ("air", "Air"),
]
ACCRUAL_STATES = [("none", "Not accrued"), ("accrued", "Accrued"), ("reversed", "Reversed")]
BILLING_STATES = [("none", "Not invoiced"), ("invoiced", "Invoiced"), ("manual", "Manual")]
# a change of these fields can change what the carrier is expected to charge
COST_FIELDS = {"carrier_id", "mode", "weight", "distance_km", "pallet_count",
               "origin_partner_id", "destination_partner_id", "approved_accessorial_ids",
               "confirmed_rate", "confirmed_rate_currency_id"}
# derived from the milestones only (freight_guarded_mixin.py): record a milestone instead
DERIVED_FROM_MILESTONES = frozenset(
    {"status", "has_exception", "actual_pickup_date", "actual_delivery_date"})


class FreightShipment(models.Model):
    _name = "freight.shipment"
    _description = "Freight Shipment"
    _inherit = ["mail.thread", "mail.activity.mixin", "freight.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # the compute stores them without write(); no method of the application writes them
    _freight_guarded_fields = DERIVED_FROM_MILESTONES | {"items_corrected"}

    # ---- fields ----
    name = fields.Char(
        string="Shipment", required=True, copy=False, readonly=True, index="trigram", default="/"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Dispatcher", tracking=True, default=lambda self: self.env.user
    )
    carrier_id = fields.Many2one(
        "res.partner",
        tracking=True,
        index=True,
        check_company=True,
        domain="[('is_freight_carrier', '=', True)]",
    )
    carrier_scac = fields.Char(related="carrier_id.freight_scac", string="SCAC")
    any_reference = fields.Char(
        string="Reference",
        compute="_compute_any_reference",
        search="_search_any_reference",
        help="Shipment number, load number, PRO, bill of lading or carrier reference.",
    )
    load_ref = fields.Char(string="Load Number", index="btree_not_null", tracking=True, copy=False)
    pro_number = fields.Char(string="PRO Number", index="btree_not_null", tracking=True, copy=False)
    bol_number = fields.Char(string="Bill of Lading", index="btree_not_null", copy=False)
    carrier_ref = fields.Char(string="Carrier Reference", index="btree_not_null", copy=False)
    mode = fields.Selection(MODE_SELECTION, default="ltl", required=True, tracking=True)
    service_level = fields.Char(help="Carrier service, e.g. Standard, Guaranteed by noon.")
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound"), ("internal", "Internal")],
        compute="_compute_direction",
        store=True,
        readonly=False,
        help="Outbound shipments leave for customers, inbound ones bring purchases in.",
    )
    picking_ids = fields.One2many(
        "stock.picking", "freight_shipment_id", string="Transfers", check_company=True
    )
    picking_count = fields.Integer(compute="_compute_order_links")
    sale_order_ids = fields.Many2many(
        "sale.order", string="Sales Orders", compute="_compute_order_links"
    )
    purchase_order_ids = fields.Many2many(
        "purchase.order", string="Purchase Orders", compute="_compute_order_links"
    )
    origin_partner_id = fields.Many2one("res.partner", string="Ship From")
    destination_partner_id = fields.Many2one("res.partner", string="Ship To")
    weight = fields.Float(
        digits="Stock Weight",
        compute="_compute_weight",
        store=True,
        readonly=False,
        help="Total weight in kg; taken from the transfers until set by hand.",
    )
    item_ids = fields.One2many(
        "freight.shipment.item", "shipment_id", string="Freight Items", readonly=True,
        copy=False, help="What LTL carriers rate: weights by NMFC class, from the transfers "
                         "unless a dispatcher corrected them.")
    items_corrected = fields.Boolean(
        readonly=True, copy=False,
        help="A dispatcher corrected the freight items: they keep the dispatcher's figures "
             "and the shipment's weight is theirs, whatever the transfers do, until "
             "reloaded from the transfers.")
    volume = fields.Float(digits="Volume", help="Total volume in m³.")
    pallet_count = fields.Integer(string="Pallets")
    distance_km = fields.Float(string="Distance (km)")
    planned_pickup_date = fields.Datetime(tracking=True)
    planned_delivery_date = fields.Datetime(tracking=True)
    stop_count = fields.Integer(
        string="Stops", tracking=True,
        help="Stops of the trip, the final delivery included, when it has several: a "
             "delivery reported at an earlier stop is a stop on the way, not the shipment's "
             "delivery. Empty: the stops reported by the carrier tell.")
    carrier_eta = fields.Datetime(
        string="Carrier ETA", readonly=True,
        help="Latest delivery estimate the carrier reported (X12 AG, X2...).")
    actual_pickup_date = fields.Datetime(compute="_compute_status", store=True)
    actual_delivery_date = fields.Datetime(compute="_compute_status", store=True)
    status = fields.Selection(
        STATUS_SELECTION,
        compute="_compute_status",
        store=True,
        index=True,
        tracking=True,
        help="Derived from the milestones: the most advanced one wins, so a scan that "
        "arrives late never moves the shipment backwards.",
    )
    has_exception = fields.Boolean(
        string="In Exception",
        compute="_compute_status",
        store=True,
        help="The latest event reported a problem and no progress was reported since.",
    )
    is_late = fields.Boolean(compute="_compute_is_late", search="_search_is_late")
    milestone_ids = fields.One2many("freight.milestone", "shipment_id", string="Milestones")
    approved_accessorial_ids = fields.Many2many(
        "freight.charge.code", string="Approved Accessorials", tracking=True,
        help="Accessorials a dispatcher approved for this shipment (e.g. residential "
        "delivery): the audit accepts them when the tariff needs an approval.")
    milestone_count = fields.Integer(compute="_compute_milestone_count")
    note = fields.Html()
    # what the carrier is expected to charge, what was accrued and what it billed
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    confirmed_rate = fields.Monetary(
        string="Confirmed Linehaul", currency_field="confirmed_rate_currency_id", tracking=True,
        copy=False, help="The linehaul the carrier or TMS confirmed for this load; it "
        "replaces the contract lane in the expected cost.")
    confirmed_rate_currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id)
    quoted_total = fields.Monetary(
        string="Quoted (Rate Shop)", currency_field="quoted_currency_id", readonly=True,
        copy=False, tracking=True,
        help="The expected total of the quote the carrier was chosen by (rate shopping).")
    quoted_currency_id = fields.Many2one("res.currency", readonly=True, copy=False)
    quoted_rate_line_id = fields.Many2one(
        "freight.rate.line", string="Quoted Lane", readonly=True, copy=False,
        ondelete="set null")
    accrual_state = fields.Selection(ACCRUAL_STATES, default="none", required=True,
                                     readonly=True, copy=False, tracking=True)
    # journal entries are shown to those who may read them (Invoicing / Billing and up)
    accrual_move_id = fields.Many2one("account.move", string="Open Accrual", readonly=True,
                                      copy=False, groups="account.group_account_invoice")
    expected_cost = fields.Monetary(currency_field="company_currency_id", readonly=True,
                                    copy=False, help="Contract linehaul, fuel and approved "
                                    "accessorials, in company currency, as last accrued.")
    accrued_amount = fields.Monetary(string="Accrued", currency_field="company_currency_id",
                                     readonly=True, copy=False,
                                     help="Amount of the latest accrual, open or reversed.")
    billed_amount = fields.Monetary(string="Billed", currency_field="company_currency_id",
                                    readonly=True, copy=False,
                                    help="Posted carrier bills for this shipment.")
    cost_variance = fields.Monetary(string="Billed − Accrued",
                                    currency_field="company_currency_id",
                                    compute="_compute_cost_variance", store=True)
    accrual_note = fields.Char(readonly=True, copy=False,
                               help="Why the last accrual attempt posted nothing.")
    freight_move_ids = fields.One2many("account.move", "freight_shipment_id",
                                       string="Journal Entries",
                                       groups="account.group_account_invoice")
    # the customer's side: invoices of the sale orders, landed costs of the purchases
    billing_state = fields.Selection(BILLING_STATES, default="none", required=True,
                                     readonly=True, copy=False, tracking=True)
    billing_note = fields.Char(readonly=True, copy=False)
    landed_cost_ids = fields.One2many("stock.landed.cost", "freight_shipment_id",
                                      string="Landed Costs", groups="stock.group_stock_manager")
    # buying the transport and telling about it: tenders, what went out, who was told
    tender_ids = fields.One2many("freight.tender", "shipment_id", string="Tenders")
    tender_state = fields.Selection(
        TENDER_STATES, compute="_compute_tender_state", store=True,
        help="The state of the latest tender.")
    outbound_message_ids = fields.One2many(
        "freight.message", "outbound_shipment_id", string="Outbound Messages",
        readonly=True,
        help="What was sent about this shipment through the outbox (tenders, status "
             "notifications), with its delivery state.")
    # finance clerks read shipments but not who was told what
    notification_ids = fields.One2many("freight.subscription.delivery", "shipment_id",
                                       string="Notifications",
                                       groups="freight_sync.group_freight_user")
    pod_attachment_ids = fields.Many2many(
        "ir.attachment", "freight_shipment_pod_rel", "shipment_id", "attachment_id",
        string="Proof of Delivery",
        help="The signed delivery receipt or photo: the dispute packet sends these to the "
             "carrier as evidence (PNG and JPEG show as pictures in it).")

    # ---- constraints ----
    _sql_constraints = [
        (
            "pro_number_carrier_unique",
            "unique(carrier_id, pro_number)",
            "This carrier already has a shipment with this PRO number.",
        ),
        (
            "load_ref_company_unique",
            "unique(company_id, load_ref)",
            "Another shipment of this company has the same load number.",
        ),
    ]

    @api.constrains("carrier_id")
    def _check_carrier_is_carrier(self):
        for shipment in self.filtered("carrier_id"):
            if not shipment.carrier_id.is_freight_carrier:
                raise ValidationError(
                    _("%(partner)s is not flagged as a freight carrier.",
                      partner=shipment.carrier_id.display_name)
                )

    # ---- compute ----
    @api.depends("picking_ids.picking_type_code")
    def _compute_direction(self):
        for shipment in self:
            codes = set(shipment.picking_ids.mapped("picking_type_code"))
            if codes == {"outgoing"}:
                shipment.direction = "outbound"
            elif codes == {"incoming"}:
                shipment.direction = "inbound"
            elif codes:
                shipment.direction = "internal"
            else:
                shipment.direction = shipment.direction or "outbound"

    @api.depends("picking_ids.sale_id", "picking_ids.purchase_id")
    def _compute_order_links(self):
        for shipment in self:
            shipment.picking_count = len(shipment.picking_ids)
            shipment.sale_order_ids = shipment.picking_ids.sale_id
            shipment.purchase_order_ids = shipment.picking_ids.purchase_id

    @api.depends("picking_ids.shipping_weight", "picking_ids.weight")
    def _compute_weight(self):
        # shipping_weight counts packed goods once reserved; weight covers unreserved moves.
        # The tendered weight is what the carrier accepted: a later change of the transfers
        # is reported in the chatter (_freight_demand_refresh), not copied.
        # Corrected freight items: the dispatcher's weight stands (their sum).
        following = self.filtered(lambda s: s.picking_ids and not s.items_corrected)
        for shipment in following._freight_demand_open():
            shipment.weight = shipment._transfers_weight()

    def _transfers_weight(self):
        return sum(p.shipping_weight or p.weight for p in self.picking_ids)

    @api.depends("milestone_ids.code", "milestone_ids.event_time")
    def _compute_status(self):
        for shipment in self:
            # in the order recorded: a tender and its answer may share a second
            events = [(m.code, m.event_time) for m in shipment.milestone_ids.sorted("id")]
            shipment.status = derive_status(events)
            shipment.has_exception = has_open_exception(events)
            shipment.actual_pickup_date = first_event_time(events, "picked_up")
            shipment.actual_delivery_date = first_event_time(events, "delivered")

    @api.depends("planned_delivery_date", "actual_delivery_date", "status")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for shipment in self:
            planned = shipment.planned_delivery_date
            delivered = shipment.actual_delivery_date
            shipment.is_late = bool(
                planned
                and shipment.status != "cancelled"
                and ((delivered and delivered > planned) or (not delivered and now > planned))
            )

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'Late'."))
        now = fields.Datetime.now()
        self.env["freight.shipment"].flush_model(
            ["planned_delivery_date", "actual_delivery_date", "status"]
        )
        self.env.cr.execute(
            """
            SELECT id FROM freight_shipment
             WHERE planned_delivery_date IS NOT NULL
               AND status != 'cancelled'
               AND COALESCE(actual_delivery_date, %s) > planned_delivery_date
            """,
            [now],
        )
        late_ids = [row[0] for row in self.env.cr.fetchall()]
        wants_late = (operator == "=") == value
        return [("id", "in" if wants_late else "not in", late_ids)]

    def _compute_any_reference(self):
        for shipment in self:
            shipment.any_reference = shipment.name

    def _search_any_reference(self, operator, value):
        if operator not in ("=", "ilike", "like", "=ilike") or not isinstance(value, str):
            raise UserError(_("Search shipments by reference with 'contains' or '='."))
        # references are stored normalized: normalize what the user typed the same way
        normalized = normalize_reference(value) or value
        domain = [("name", operator, value)]
        for field_name in NORMALIZED_REFERENCES:
            domain = ["|", *domain, (field_name, operator, normalized)]
        return domain

    def _compute_milestone_count(self):
        counts = dict(
            self.env["freight.milestone"]._read_group(
                [("shipment_id", "in", self.ids)], ["shipment_id"], ["__count"]
            )
        )
        for shipment in self:
            shipment.milestone_count = counts.get(shipment, 0)

    @api.depends("billed_amount", "accrued_amount")
    def _compute_cost_variance(self):
        for shipment in self:
            # before the carrier bills there is nothing to compare the accrual with
            shipment.cost_variance = (shipment.billed_amount - shipment.accrued_amount
                                      if shipment.billed_amount else 0.0)

    # ---- CRUD ----
    def _freight_guarded_message(self, labels):
        if self._fields["items_corrected"].string in labels:
            return _("Items Corrected: set by \"Correct Weights and Classes\" and \"Reload "
                     "from Transfers\" only, each with its reason.")
        return _("%s: derived from the shipment's milestones; record a milestone instead.",
                 ", ".join(labels))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id"))
                sequence = self.env["ir.sequence"].with_company(company or self.env.company)
                vals["name"] = sequence.next_by_code("freight.shipment") or "/"
            self._normalize_references(vals)
        # the transfers linked here: their items are built once for all the new shipments
        deferred = self.with_context(**{PATH_KEY: ItemPath("deferred")})
        shipments = super(FreightShipment, deferred).create(vals_list).with_env(self.env)
        if any(vals.get("picking_ids") for vals in vals_list):
            self.env["freight.shipment.item"]._build_from_transfers(shipments)
        # an invoice that named this shipment before it existed can be matched now
        self.env["freight.audit.evidence"]._on_shipments_changed(shipments, SHIPMENT_FIELDS)
        return shipments

    def write(self, vals):
        self._normalize_references(vals)
        eta_before = {s.id: s.carrier_eta for s in self} if "carrier_eta" in vals else None
        result = super().write(vals)
        if COST_FIELDS & set(vals) and not self.env.context.get("freight_accruing"):
            accrued = self.filtered(lambda s: s.accrual_state == "accrued").sudo()
            if accrued:
                # a dispatcher corrects the weight; the books follow with the app's rights
                accrued.env["freight.accrual.booking"]._accrue(accrued, fields.Datetime.now())
        self.env["freight.audit.evidence"]._on_shipments_changed(self, vals)
        if "stop_count" in vals:
            self._reclassify_stops()
        if eta_before is not None:
            moved = self.filtered(lambda s: s.carrier_eta and s.carrier_eta != eta_before[s.id])
            if moved:
                self.env["freight.subscription"].sudo()._notify_eta(moved.sudo())
        return result

    @staticmethod
    def _normalize_references(vals):
        for field_name in NORMALIZED_REFERENCES:
            if field_name in vals:
                vals[field_name] = normalize_reference(vals[field_name])

    @api.model
    def _name_search(self, name, domain=None, operator="ilike", limit=None, order=None):
        if name and operator in ("=", "ilike", "like", "=ilike"):
            domain = [*(domain or []), ("any_reference", operator, name)]
            return self._search(domain, limit=limit, order=order)
        return super()._name_search(name, domain, operator, limit, order)

    # ---- actions ----
    def action_add_milestone(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Record Milestone"),
            "res_model": "freight.milestone",
            "view_mode": "form",
            "views": [(self.env.ref("freight_sync.freight_milestone_view_form_quick").id, "form")],
            "target": "new",
            "context": {"default_shipment_id": self.id, "default_source": "manual"},
        }

    def action_cancel(self):
        now = fields.Datetime.now()
        shipments = self.filtered(
            lambda s: s.status not in ("delivered", "pod_received", "cancelled"))
        if shipments != self:
            raise UserError(_("Delivered or already cancelled shipments cannot be cancelled."))
        self.env["freight.milestone"].create(
            [
                {"shipment_id": s.id, "code": "cancelled", "event_time": now, "source": "manual"}
                for s in shipments
            ]
        )

    def _action_open_records(self, records, title):
        action = {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": records._name,
            "domain": [("id", "in", records.ids)],
            "view_mode": "tree,form",
        }
        if len(records) == 1:
            action.update(view_mode="form", res_id=records.id)
        return action

    def _rate_shop(self, sort="best_value"):
        """Every carrier's quote for this shipment, ranked (services/rate_shop.py)."""
        return self.env["freight.rate.shop"]._shop(self, sort)

    def action_choose_carrier(self, carrier_id, quote=None):
        """Choose the carrier of one of this shipment's quotes: the carrier is set and the
        quote's expected total kept. ``quote``: the quote as the screen showed it; refused
        when its total is no longer the price. Tendering is not done here."""
        self.ensure_one()
        self.env["freight.rate.shop"]._choose(self, carrier_id, quote)
        return True

    def action_correct_items(self):
        """Correct the freight items' weights and classes, with a reason (dispatchers)."""
        return self._items_wizard("correct", _("Correct Weights and Classes"))

    def action_reload_items(self):
        """Drop the dispatcher's corrections: the items follow the transfers again."""
        return self._items_wizard("reload", _("Reload from Transfers"))

    def _items_wizard(self, mode, title):
        self.ensure_one()
        self.env["freight.shipment.item"]._check_corrector(self)
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "freight.shipment.item.correct",
            "view_mode": "form",
            "target": "new",
            "context": {"default_shipment_id": self.id, "default_mode": mode},
        }

    def action_view_pickings(self):
        return self._action_open_records(self.picking_ids, _("Transfers"))

    def action_view_sale_orders(self):
        return self._action_open_records(self.sale_order_ids, _("Sales Orders"))

    def action_view_purchase_orders(self):
        return self._action_open_records(self.purchase_order_ids, _("Purchase Orders"))

    def timeline_version(self):
        """What the timeline compares to decide to reload: count and last milestone id.

        Cheap enough to be polled every few seconds by every open shipment form.
        """
        self.ensure_one()
        # raw SQL below bypasses record rules: check them first
        self.check_access_rights("read")
        self.check_access_rule("read")
        self.env.cr.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM freight_milestone WHERE shipment_id = %s",
            [self.id],
        )
        count, last_id = self.env.cr.fetchone()
        return {"count": count, "last_id": last_id}

    # ---- inbound events and audit facts ----
    def record_milestones(self, events, source="api"):
        """Validate and store milestone events for this shipment, all or nothing.

        ``events`` are canonical dicts (see services.canonical.parse_milestone). An
        event whose ``external_id`` this shipment already has is skipped, so a resent
        batch stores nothing twice. Returns the created milestones.
        """
        self.ensure_one()
        parsed, errors = parse_milestones(events)
        if errors:
            raise ValidationError(
                _("Milestones refused, nothing was stored:\n%s", "\n".join(map(str, errors)))
            )
        known = set(self.milestone_ids.mapped("external_id")) - {False}
        fresh = []
        for event in parsed:
            if event["external_id"] and event["external_id"] in known:
                continue
            known.add(event["external_id"])
            fresh.append({**event, "shipment_id": self.id, "source": source})
        # a savepoint keeps "all or nothing" for callers that catch the error
        with self.env.cr.savepoint():
            return self.env["freight.milestone"].create(fresh)

    @api.model
    def _resolve_references(self, reference_sets, carrier=None):
        """One shipment (or an error text) per dict of references, in one query, by the
        one rule of ``ReferenceIndex`` (within ``carrier`` when given)."""
        normalized_sets = [match_keys(references) for references in reference_sets]
        domain = references_domain(normalized_sets)
        if not domain:
            return [_("no shipment reference")] * len(reference_sets)
        if carrier:
            domain = expression.AND([domain, [("carrier_id", "=", carrier.id)]])
        found = self.search_fetch(domain, [*SHIPMENT_FIELDS, "carrier_id"])
        index = ReferenceIndex((shipment.id, shipment.carrier_id.id,
                                {key: shipment[key] for key in SHIPMENT_FIELDS})
                               for shipment in found)
        carrier_id = carrier.id if carrier else None
        results = []
        for normalized in normalized_sets:
            matches = self.browse(sorted(index.resolve(normalized, carrier_id)))
            if len(matches) == 1:
                results.append(matches)
            elif not normalized:
                results.append(_("no shipment reference"))
            elif not matches:
                refs = ", ".join(f"{k}={v}" for k, v in normalized.items())
                results.append(_("no shipment matches %s", refs))
            else:
                names = ", ".join(sorted(matches.mapped("name")))
                results.append(_("references point to several shipments: %s", names))
        return results

    @api.model
    def _apply_inbound_events(self, events, endpoint, message):
        """Store canonical events as milestones; returns ``{external id: reason}`` of the
        events that could not be applied, every other one being applied.

        Events carry ``code`` or ``raw_code`` (mapped with the endpoint's code map),
        ``references`` and ``external_id``. Work is set-based: one query resolves every
        shipment, one query finds what is already stored, one ``create`` stores the rest;
        only when that create fails is each event stored alone, to find the culprits.
        """
        if not events:
            return {}
        overrides = endpoint.code_map_id._overrides() if endpoint.code_map_id else {}
        carrier = endpoint.carrier_id if endpoint.kind == "carrier" else None
        targets = self._resolve_references([e["references"] for e in events], carrier)
        failures, ready, estimates, counter_offers, responses = {}, [], {}, [], []
        for event, target in zip(events, targets):
            if isinstance(target, str):
                failures[event["external_id"]] = target
                continue
            if event.get("counter_offer") or event.get("code") in TENDER_CODES:
                responses.append((target, event))
                continue
            code = event.get("code")
            if not code:
                try:
                    code = resolve(event["raw_code"], overrides)
                except NotAMilestoneError as error:
                    # estimates move the ETA; appointments are known and need no action
                    if error.kind == "estimate":
                        estimates[target] = event["event_time"]  # the latest report wins
                    continue
                except UnknownCodeError as error:
                    failures[event["external_id"]] = str(error)
                    continue
            ready.append((target, code, event))
        for target, eta in estimates.items():
            target.carrier_eta = eta
        # a carrier's answer applies to its tender, or is refused (freight_tender.py)
        refused, declined = self.env["freight.tender"]._apply_responses(
            responses, endpoint, message)
        failures.update(refused)
        for target, event in responses:
            if event["external_id"] in refused:
                continue
            if event.get("counter_offer"):
                counter_offers.append((target, event))
            else:
                ready.append((target, event["code"], event))
        failures.update(self._open_counter_offer_cases(counter_offers, message))
        failures.update(self._store_inbound_milestones(ready, endpoint, message))
        # after the rejection is stored: a new tender's milestone comes after it
        declined._waterfall()
        return {event_id: _("event %(id)s: %(error)s", id=event_id, error=reason)
                for event_id, reason in failures.items()}

    def _open_counter_offer_cases(self, counter_offers, message):
        """A carrier that answers a tender with conditions or another rate made an offer,
        not a decision: a dispatcher's case with the carrier's words. One per shipment and
        message, so a replay opens none twice. Returns ``{external id: reason}`` of the
        offers whose case could not be opened, each failing alone."""
        failures = {}
        for target, event in counter_offers:
            try:
                with self.env.cr.savepoint():
                    self._open_counter_offer_case(target, event, message)
                    self.env.flush_all()
            except Exception as error:  # recorded on the item, retried alone
                if is_collision(error):
                    raise  # with another worker: the whole batch is claimed again
                _logger.warning("counter-offer %s: no case opened: %s",
                                event["external_id"], error)
                failures[event["external_id"]] = str(error)
        return failures

    def _open_counter_offer_case(self, target, event, message):
        Exception_ = self.env["freight.exception"].sudo()
        if Exception_.search_count([("exception_type", "=", "tender_counter_offer"),
                                    ("shipment_id", "=", target.id),
                                    ("message_id", "=", message.id)], limit=1):
            return
        words = event.get("note") or _("no remarks")
        Exception_.create({
            "name": _("%(shipment)s: %(offer)s from the carrier",
                      shipment=target.name, offer=event["counter_offer"]),
            "company_id": target.company_id.id,
            "exception_type": "tender_counter_offer",
            "shipment_id": target.id,
            "message_id": message.id,
            "user_id": target.user_id.id,
            "priority": "1",
            "description": _("Tender answered with %(code)s (%(offer)s): %(words)s",
                             code=event["raw_code"], offer=event["counter_offer"],
                             words=words),
        })

    def _store_inbound_milestones(self, ready, endpoint, message):
        """Create the milestones not stored yet; returns ``{external id: reason}`` of
        those that could not be created."""
        if not ready:
            return {}
        shipment_ids = list({target.id for target, _code, _event in ready})
        self.env.cr.execute(
            """SELECT shipment_id, external_id FROM freight_milestone
                WHERE shipment_id = ANY(%s) AND external_id IS NOT NULL""",
            [shipment_ids],
        )
        stored = set(self.env.cr.fetchall())
        # only an event at a stop can be a stop on the way: no query for the others
        at_stops = [(target.id, event["stop"]) for target, _code, event in ready
                    if event.get("stop")]
        lasts = self.browse({shipment_id for shipment_id, _stop in at_stops})._last_stops(
            at_stops)
        values = []
        for target, code, event in ready:
            key = (target.id, event["external_id"])
            if key in stored:
                continue  # applied by an earlier run: replays change nothing
            stored.add(key)
            values.append({
                **self._inbound_milestone_values(target, code, event, endpoint, message),
                "code": code_at_stop(code, event.get("stop"), lasts.get(target.id)),
                "reported_code": code,
                "stop": event.get("stop"),
            })
        try:
            with self.env.cr.savepoint():
                self.env["freight.milestone"].create(values)
                self.env.flush_all()
            failed = {}
        except Exception as error:  # told apart below, one event at a time
            if is_collision(error):
                raise  # with another worker: the whole batch is claimed again
            _logger.info("message %s: milestones stored one by one", message.id)
            failed = dict(filter(None, (self._store_one_milestone(vals) for vals in values)))
        # a later stop known now makes an earlier stop's delivery a stop on the way
        self.browse({vals["shipment_id"] for vals in values if vals["stop"]})._reclassify_stops()
        return failed

    def _store_one_milestone(self, vals):
        """``None`` once stored, else ``(external id, reason)``: whatever one event breaks
        (a constraint, a NUL byte, a reaction to it) is that event's failure alone."""
        try:
            with self.env.cr.savepoint():
                self.env["freight.milestone"].create(vals)
                self.env.flush_all()
        except Exception as error:  # recorded on the item, retried alone
            if is_collision(error):
                raise
            _logger.warning("event %s not applied: %s", vals["external_id"], error)
            return vals["external_id"], str(error)
        return None

    @api.model
    def _inbound_milestone_values(self, target, code, event, endpoint, message):
        return {
            "shipment_id": target.id,
            "code": code,
            "event_time": event["event_time"],
            "event_tz": event.get("event_tz"),
            "location": event.get("location"),
            "raw_code": event.get("raw_code"),
            "reason_code": event.get("reason_code"),
            "note": event.get("note"),
            "external_id": event["external_id"],
            "source": "edi" if message.kind == "edi" else SOURCE_BY_KIND[endpoint.kind],
            "received_at": message.received_at,
            "message_id": message.id,
        }

    def _last_stops(self, reported=()):
        """The last stop of each shipment: its planned stop count, or the highest stop of
        its milestones and of ``reported`` ``(shipment id, stop)`` pairs; None if none."""
        stops = defaultdict(list)
        for shipment, highest in self.env["freight.milestone"].sudo()._read_group(
                [("shipment_id", "in", self.ids), ("stop", "!=", False)],
                ["shipment_id"], ["stop:max"]):
            stops[shipment.id].append(highest)
        for shipment_id, stop in reported:
            stops[shipment_id].append(stop)
        return {shipment.id: last_stop(stops[shipment.id], shipment.stop_count)
                for shipment in self}

    def _reclassify_stops(self):
        """Deliveries and PODs at a stop before the last are stop deliveries, the last
        stop's are the trip's: set again when a later stop or the planned count becomes
        known, whatever order the reports came in. A stop delivery moves nothing."""
        if not self:
            return
        lasts = self._last_stops()
        changes = defaultdict(list)
        for milestone in self.env["freight.milestone"].sudo().search_fetch(
                [("shipment_id", "in", self.ids), ("stop", "!=", False),
                 ("reported_code", "in", list(FINAL_CODES))],
                ["shipment_id", "stop", "reported_code", "code"]):
            code = code_at_stop(milestone.reported_code, milestone.stop,
                                lasts[milestone.shipment_id.id])
            if code != milestone.code:
                changes[code].append(milestone.id)
        for code, ids in changes.items():
            self.env["freight.milestone"].sudo().browse(ids).write({"code": code})

    def _audit_facts(self):
        """Shipments as plain data for the audit engine, in a fixed number of queries: read
        as rows, not through 20,000 records' fields (the ORM's reads were a tenth of the
        audit's time at 100,000 lines). Read as the system: the audit's caller decides
        which shipments it may see."""
        if not self:
            return []
        self.flush_model()
        milestones = defaultdict(list)
        for row in self.env["freight.milestone"].sudo().search_fetch(
                [("shipment_id", "in", self.ids)], ["shipment_id", "code", "event_time"]):
            milestones[row.shipment_id.id].append((row.code, row.event_time))
        accessorials = defaultdict(set)
        self.env["freight.charge.code"].flush_model(["code", "active"])
        self.env.cr.execute(SQL("""
            SELECT rel.freight_shipment_id, code.code
              FROM freight_charge_code_freight_shipment_rel AS rel
              JOIN freight_charge_code AS code ON code.id = rel.freight_charge_code_id
             WHERE rel.freight_shipment_id = ANY(%s) AND code.active""", self.ids))
        for shipment_id, code in self.env.cr.fetchall():
            accessorials[shipment_id].add(code)
        items = self._audit_items()
        self.env["stock.picking"].flush_model(
            ["freight_shipment_id", "partner_id", "priority", "scheduled_date"])
        # the destination falls back as the form shows it: ship-to, else the first transfer's
        # partner (in the transfers' own order), else the company
        self.env.cr.execute(SQL("""
            SELECT s.id, s.carrier_id, s.mode, s.weight, s.distance_km, s.pallet_count,
                   s.confirmed_rate, currency.name,
                   COALESCE(s.origin_partner_id, company.partner_id),
                   COALESCE(s.destination_partner_id,
                            (SELECT p.partner_id
                               FROM stock_picking AS p WHERE p.freight_shipment_id = s.id
                              ORDER BY p.priority DESC, p.scheduled_date ASC, p.id DESC
                              LIMIT 1),
                            company.partner_id),
                   %s
              FROM freight_shipment AS s
              JOIN res_company AS company ON company.id = s.company_id
              LEFT JOIN res_currency AS currency ON currency.id = s.confirmed_rate_currency_id
             WHERE s.id = ANY(%s)""",
            SQL(", ").join(SQL("s.%s", SQL.identifier(name)) for name in SHIPMENT_FIELDS),
            self.ids))
        position = {shipment_id: index for index, shipment_id in enumerate(self.ids)}
        rows = sorted(self.env.cr.fetchall(), key=lambda row: position[row[0]])
        addresses = {partner.id: Address(partner.country_id.code or None,
                                         partner.state_id.code or None, partner.zip or None)
                     for partner in self.env["res.partner"].sudo().browse(
                         {row[8] for row in rows} | {row[9] for row in rows})}
        # as the ORM reads them: a NULL number is 0, a NULL or empty reference none
        return [ShipmentFacts(
            id=shipment_id, carrier_id=carrier_id or None, mode=mode or False,
            weight_kg=weight or 0.0, distance_km=distance or 0.0, pallets=pallets or 0,
            origin=addresses[origin], destination=addresses[destination],
            milestones=tuple(milestones[shipment_id]),
            approved_accessorials=frozenset(accessorials[shipment_id]),
            references={key: value for key, value in zip(SHIPMENT_FIELDS, references)
                        if value},
            confirmed_rate=(rate, currency) if rate else None,
            items=tuple(items[shipment_id]),
        ) for (shipment_id, carrier_id, mode, weight, distance, pallets, rate, currency,
               origin, destination, *references) in rows]

    def _audit_items(self):
        """``{shipment id: [FreightItem]}`` in the items' order (by id), in one query."""
        self.env["freight.shipment.item"].flush_model(
            ["shipment_id", "freight_class", "weight_kg", "nmfc_item", "pieces", "description"])
        self.env.cr.execute(SQL("""
            SELECT shipment_id, freight_class, weight_kg, nmfc_item, pieces, description
              FROM freight_shipment_item
             WHERE shipment_id = ANY(%s)
             ORDER BY id""", self.ids))
        items = defaultdict(list)
        for shipment_id, freight_class, weight, nmfc_item, pieces, description in (
                self.env.cr.fetchall()):
            items[shipment_id].append(FreightItem(
                freight_class or None, weight or 0.0, nmfc_item or None, pieces or 0,
                description or None))
        return items

    # ---- reactions ----
    # The one place where a shipment reacts to its milestones and to its carrier's bills; the
    # collaborators it calls take the shipments as arguments and work with their rights.

    def _freight_on_milestones(self, milestones):
        """New milestones of these shipments: accrue (or reverse on cancellation), then
        invoice the customers whose billing trigger was reached."""
        # Accrual first: the carrier's expected cost is in the books before a customer invoice
        # rebills part of it (pass-through lines read the same expected cost, not the entry).
        self.env["freight.accrual.booking"]._on_milestones(self, milestones)
        self.env["freight.customer.billing"]._on_milestones(self, milestones)
        # only marking: the invoices waiting for a POD are audited by their own cron
        self.env["freight.audit.evidence"]._on_milestones(self, milestones)
        # last: a customer hears of a delivery once the books know of it
        self.env["freight.subscription"].sudo()._notify_milestones(milestones)

    def _freight_on_bills_posted(self, bills):
        """Carrier bills of these shipments were posted: record the billed amounts and
        reverse the accruals, then capitalize the inbound shipments' freight."""
        # Accrual first: a landed cost moves the billed expense into stock, which is right
        # only once the accrual that stood in for that expense is reversed.
        self.env["freight.accrual.booking"]._on_bills_posted(self, bills)
        self.env["stock.landed.cost"]._freight_from_bills(self, bills)

    # ---- tendering ----

    @api.depends("tender_ids.state")
    def _compute_tender_state(self):
        for shipment in self:
            shipment.tender_state = shipment.tender_ids.sorted("id")[-1:].state or False

    # ---- the action ----

    def action_tender(self):
        """Tender each shipment to its carrier (dispatchers and managers)."""
        self.env["freight.rate.shop"]._check_dispatcher()
        self.check_access_rights("write")
        self.check_access_rule("write")
        tenders = self.env["freight.tender"]
        for shipment in self:
            if not shipment.carrier_id:
                raise UserError(_("%s has no carrier: choose one first (rate shop).",
                                  shipment.name))
            if shipment.tender_state in ("queued", "sent", "accepted"):
                raise UserError(_("%(name)s already has a tender %(state)s.",
                                  name=shipment.name, state=shipment.tender_state))
            tenders |= shipment.sudo()._send_tender(shipment.carrier_id)
        return tenders.with_env(self.env)

    def _tender_next_carrier(self):
        """The waterfall: the best ranked carrier of the rate shop not tendered yet."""
        self.ensure_one()
        user = self.user_id if self.user_id.has_group("freight_sync.group_freight_user") \
            else self.env.ref("base.user_admin")
        shop = self.env["freight.rate.shop"].with_user(user)
        shipment = self.with_user(user)
        ranked = shop._shop(shipment)["quotes"]
        reachable = self.env["freight.endpoint"].sudo().search([
            ("kind", "=", "carrier"), ("company_id", "=", self.company_id.id),
            ("outbound_url", "!=", False)]).carrier_id.ids
        carrier_id = tender_flow.next_carrier([q["carrier_id"] for q in ranked],
                                              self.tender_ids.carrier_id.ids, reachable)
        if carrier_id is None:
            raise UserError(_("No other carrier with a quote and an outbound endpoint is "
                              "left to tender %s to.", self.name))
        shop._choose(shipment, carrier_id)
        rank = [q["carrier_id"] for q in ranked].index(carrier_id) + 1
        return self._send_tender(self.env["res.partner"].browse(carrier_id), rank=rank)

    def _send_tender(self, carrier, rank=0):
        """Queue a tender of this shipment to ``carrier`` (as the system: the callers
        checked who may). Returns the tender."""
        self.ensure_one()
        endpoint = self.env["freight.endpoint"].sudo().search([
            ("kind", "=", "carrier"), ("carrier_id", "=", carrier.id),
            ("company_id", "=", self.company_id.id), ("outbound_url", "!=", False)], limit=1)
        if not endpoint:
            raise UserError(_("%(carrier)s has no endpoint with an outbound URL to send "
                              "tenders to.", carrier=carrier.name))
        now = fields.Datetime.now().replace(microsecond=0)
        expires = tender_flow.expires_at(now, self.company_id.freight_tender_expiry_minutes)
        try:
            doc = build_tender(self._tender_facts(carrier), now, expires)
        except PayloadError as error:
            raise UserError(_("%(name)s cannot be tendered: %(error)s", name=self.name,
                              error=error)) from None
        Tender = self.env["freight.tender"].sudo()
        attempt = Tender.search_count([("shipment_id", "=", self.id),
                                       ("carrier_id", "=", carrier.id)]) + 1
        tender = Tender.create({
            "shipment_id": self.id, "carrier_id": carrier.id, "endpoint_id": endpoint.id,
            "attempt": attempt, "rank": rank, "channel": endpoint.tender_format,
            "quoted_total": self.quoted_total, "currency_id": self.quoted_currency_id.id,
            "expires_at": expires,
        })
        tender.outbound_message_id = self._queue_tender(
            endpoint, carrier, doc, f"tender:{self.id}:{carrier.id}:{attempt}", now)
        self.env["freight.milestone"].sudo().create({
            "shipment_id": self.id, "code": "tendered", "event_time": now,
            "source": "manual", "external_id": f"tender:{tender.id}",
            "note": _("Tendered to %s", carrier.name)})
        self.message_post(body=_("Tendered to %(carrier)s (%(channel)s, attempt %(n)s).",
                                 carrier=carrier.name, channel=tender.channel, n=attempt))
        return tender

    def _queue_tender(self, endpoint, carrier, doc, key, now):
        """Queue the tender ``doc`` for ``endpoint`` in its format; returns the message."""
        controls = {}
        if endpoint.tender_format == "x12":
            control = int(self.env["ir.sequence"].sudo().next_by_code("freight.x12.control"))
            sender = self.env["ir.config_parameter"].sudo().get_param(
                X12_SENDER_PARAM, DEFAULT_X12_SENDER)
            receiver = endpoint.x12_sender_id or carrier.freight_scac
            payload = build_204(doc, sender=sender, receiver=receiver,
                                interchange_control=control, group_control=control,
                                when=now)
            content_type = "application/edi-x12"
            controls = {"x12_group_control": str(control), "x12_set_control": "0001"}
        else:
            payload, content_type = to_json_tender(doc), "application/json"
        message = self.env["freight.message"].sudo()._queue_outbound(
            endpoint, "tender", payload, key, content_type)
        message.write({**controls, "outbound_shipment_id": self.id})
        return message

    def action_cancel_tender(self):
        """Withdraw the open tender of each shipment (dispatchers and managers): one not
        sent yet is never sent; one the carrier has is cancelled with a 204 / JSON
        ``cancel``. An accepted tender is not withdrawn here: the carrier holds the load
        (ask it, then cancel the shipment)."""
        self.env["freight.rate.shop"]._check_dispatcher()
        self.check_access_rights("write")
        self.check_access_rule("write")
        for shipment in self:
            tender = shipment.sudo().tender_ids.sorted("id")[-1:]
            if tender.state not in tender_flow.WITHDRAWABLE:
                raise UserError(_("%s has no tender waiting for the carrier's answer.",
                                  shipment.name))
            shipment.sudo()._withdraw_tender(tender)
        return True

    def _withdraw_tender(self, tender):
        message = tender.outbound_message_id
        now = fields.Datetime.now().replace(microsecond=0)
        if message.state in ("queued", "retry"):
            message._ignore(_("Tender withdrawn before it was sent"))
        else:
            try:
                doc = build_tender(self._tender_facts(tender.carrier_id), now, None,
                                   purpose="cancel")
            except PayloadError as error:
                raise UserError(_("%(name)s: the cancellation cannot be written: %(error)s",
                                  name=self.name, error=error)) from None
            self._queue_tender(tender.endpoint_id, tender.carrier_id, doc,
                               f"tender-cancel:{tender.id}", now)
        tender.write({"state": "cancelled", "answered_at": now})
        self.message_post(body=_("Tender to %s withdrawn.", tender.carrier_id.name))

    def _tender_facts(self, carrier):
        def party(partner):
            return Party(partner.name or partner.display_name, partner.street or None,
                         partner.street2 or None, partner.city or None,
                         partner.state_id.code or None, partner.zip or None,
                         partner.country_id.code or None)
        origin = self.origin_partner_id or self.company_id.partner_id
        destination = (self.destination_partner_id or self.picking_ids[:1].partner_id
                       or self.company_id.partner_id)
        return ShipmentTender(
            shipment_id=self.name, scac=carrier.freight_scac or "", mode=self.mode,
            weight_kg=self.weight, origin=party(origin), destination=party(destination),
            load_ref=self.load_ref or None, volume_m3=self.volume or None,
            pallets=self.pallet_count or None, pickup_at=self.planned_pickup_date or None,
            delivery_at=self.planned_delivery_date or None,
            references={"bol_number": self.bol_number or None},
            requested_rate=(self.quoted_total, self.quoted_currency_id.name)
            if self.quoted_total and self.quoted_currency_id else None)

    def _tender_activity(self, summary, note=None):
        for shipment in self:
            user = shipment.user_id or self.env.ref("base.user_admin")
            shipment.sudo().activity_schedule(TODO, user_id=user.id, summary=summary,
                                              note=note or False)

    # ---- shipment demand: following the transfers until tender ----

    def _freight_demand_open(self):
        """Nothing tendered yet: the shipment still follows its transfers."""
        return self.filtered(lambda s: not s.tender_state and s.status == NO_MILESTONE_STATUS)

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
