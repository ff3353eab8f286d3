"""JSON routes of rate shopping and carrier scorecards (freight_sync_web), over
``freight.rate.shop`` and ``freight.carrier.scorecard``. They run as the signed-in user:
only dispatchers and freight managers are answered (an AccessError for the others), a
shipment of a company the user may not read is an AccessError, bad parameters are a
UserError saying what to fix (Odoo's JSON-RPC error, as the workbench and dashboard)."""

from odoo import _, http
from odoo.exceptions import MissingError
from odoo.http import request

from ..services.rate_shop import parse_choice, parse_rate_shop, parse_scorecard
from .ui import UI, checked


def _shipment(shipment_id):
    shipment = request.env["freight.shipment"].browse(shipment_id).exists()
    if not shipment:
        raise MissingError(_("Shipment %s does not exist or was deleted.", shipment_id))
    shipment.check_access_rights("read")
    shipment.check_access_rule("read")
    return shipment


class FreightRateShopRoutes(http.Controller):
    # ``context``: what the web client's rpc may send along; the session's companies apply
    @http.route(f"{UI}/rate_shop", type="json", auth="user", methods=["POST"])
    def rate_shop(self, context=None, **params):
        shipment_id, sort = checked(parse_rate_shop, params)
        request.env["freight.rate.shop"]._check_dispatcher()
        return _shipment(shipment_id)._rate_shop(sort)

    @http.route(f"{UI}/rate_shop/choose", type="json", auth="user", methods=["POST"])
    def choose(self, shipment_id=None, carrier_id=None, quote=None, context=None):
        shipment_id = checked(parse_rate_shop, {"shipment_id": shipment_id})[0]
        carrier_id, _total = checked(
            parse_choice, carrier_id, quote.get("total") if isinstance(quote, dict) else None)
        request.env["freight.rate.shop"]._check_dispatcher()
        shipment = _shipment(shipment_id)
        shipment.action_choose_carrier(carrier_id, quote)
        return {"shipment_id": shipment.id, "carrier_id": shipment.carrier_id.id,
                "quoted_total": shipment.quoted_total,
                "quoted_currency": shipment.quoted_currency_id.name}

    @http.route(f"{UI}/scorecard", type="json", auth="user", methods=["POST"])
    def scorecard(self, context=None, **params):
        carrier_id, months = checked(parse_scorecard, params)
        return request.env["freight.carrier.scorecard"]._screen(carrier_id, months)
