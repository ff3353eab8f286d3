"""JSON route of the freight dashboard (freight_sync_web). It runs as the signed-in user:
no read right on carrier invoices is an AccessError; the inbox charts, which only Freight
Managers may read, come back as ``null`` for the others instead of failing the page."""

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..services.dashboard import parse_params
from .ui import UI, checked


class FreightDashboard(http.Controller):
    @http.route(f"{UI}/dashboard", type="json", auth="user", methods=["POST"])
    def dashboard(self, context=None, **params):
        # Odoo 17's JSON routes leave the client's context alone: take its companies from it
        companies = (context or {}).get("allowed_company_ids") if isinstance(context, dict) \
            else None
        if companies is not None and not (isinstance(companies, list) and all(
                isinstance(cid, int) and not isinstance(cid, bool) for cid in companies)):
            raise UserError("context.allowed_company_ids must be a list of company ids")
        env = request.env(context=dict(request.env.context, allowed_company_ids=companies)) \
            if companies else request.env
        date_from, date_to, carrier_id = checked(
            parse_params, params, fields.Date.context_today(env.user))
        return env["freight.dashboard"]._figures(date_from, date_to, carrier_id)
