"""JSON route of the rate-shop panel's "Tender" (freight_sync_web):

``POST /freight_sync/ui/v1/tender`` ``{"shipment_id": int, "carrier_id": int?}`` tenders the
shipment to ``carrier_id`` (chosen first, as ``/rate_shop/choose`` does) or to its current
carrier, and answers ``{"tender_id", "state", "carrier_id", "carrier_name", "channel",
"shipment_id", "tender_state"}``. Dispatchers and managers only (AccessError otherwise);
a shipment that cannot be tendered is a UserError saying why."""

from odoo import http

from ..services.rate_shop import parse_choice, parse_rate_shop
from .rate_shop import _shipment
from .ui import UI, checked


class FreightTenderRoutes(http.Controller):
    @http.route(f"{UI}/tender", type="json", auth="user", methods=["POST"])
    def tender(self, shipment_id=None, carrier_id=None, context=None):
        shipment_id = checked(parse_rate_shop, {"shipment_id": shipment_id})[0]
        http.request.env["freight.rate.shop"]._check_dispatcher()
        shipment = _shipment(shipment_id)
        if carrier_id is not None:
            carrier_id = checked(parse_choice, carrier_id, None)[0]
            if carrier_id != shipment.carrier_id.id:
                shipment.action_choose_carrier(carrier_id)
        tender = shipment.action_tender()
        return {"tender_id": tender.id, "state": tender.state,
                "carrier_id": tender.carrier_id.id, "carrier_name": tender.carrier_id.name,
                "channel": tender.channel, "shipment_id": shipment.id,
                "tender_state": shipment.tender_state}
