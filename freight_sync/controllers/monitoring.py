"""Health and metrics routes, for load balancers and Prometheus (README "Monitoring").

Health: anyone may ask (a load balancer sends no credentials); the answer is then the
status, the reason codes and each check's status, no count that would tell business
volume. With the metrics token as a bearer token, or signed in as a Freight Manager, it
also carries the readings, the limits and each lane's queue.

Metrics: the metrics token (issued in the settings, only its hash stored) as
``Authorization: Bearer``, which Prometheus sends natively (``authorization`` in a scrape
config), or a Freight Manager's session; else 401. An endpoint's key and HMAC signature
are not used here: Prometheus cannot sign a request.
"""

from odoo import http
from odoo.http import request

from ..models.freight_monitor import read_health
from ..services.health import detailed_view, public_view
from ..services.metrics import CONTENT_TYPE
from .common import (
    API,
    MAX_HEADER_CHARS,
    FreightApiError,
    correlation_id,
    error_response,
    json_response,
)

MANAGER = "freight_sync.group_freight_manager"


def _bearer_token():
    header = (request.httprequest.headers.get("Authorization") or "").strip()
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or len(token) > MAX_HEADER_CHARS:
        return None
    return token.strip() or None


def _may_read_details():
    """The metrics token, or a signed-in Freight Manager (the public user is neither)."""
    return request.env["freight.monitor"]._check_metrics_token(_bearer_token()) \
        or request.env.user.has_group(MANAGER)


class MonitoringRoutes(http.Controller):
    @http.route(f"{API}/health", type="http", auth="public", methods=["GET"], csrf=False,
                save_session=False)
    def health(self):
        # its own cursor: a failing query answers 503 instead of breaking the request's
        health, queues = read_health(request.env.registry.cursor)
        # with the database gone, nobody's credentials can be checked: status only
        detailed = "database" not in health.reasons and _may_read_details()
        body = detailed_view(health, queues) if detailed else public_view(health)
        return json_response({**body, "api": "v1"}, 200 if health.status == "ok" else 503)

    @http.route(f"{API}/metrics", type="http", auth="public", methods=["GET"], csrf=False,
                save_session=False)
    def metrics(self):
        if not _may_read_details():
            response = error_response(FreightApiError(
                401, "unauthenticated",
                "send the metrics token as Authorization: Bearer <token>"), correlation_id())
            response.headers["WWW-Authenticate"] = 'Bearer realm="freight_sync metrics"'
            return response
        page = request.env["freight.monitor"].sudo()._metrics_page()
        return request.make_response(page, headers=[("Content-Type", CONTENT_TYPE),
                                                    ("Cache-Control", "no-store")])
