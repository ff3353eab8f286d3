import logging
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.outbox import url_problem
from ..services.rate_limit import Limiter
from ..services.signature import hash_api_key, new_api_key

_logger = logging.getLogger(__name__)

ADMIN = "base.group_system"
# our own X12 id (ISA06/GS02) in what we send: tenders (204), statuses (214)
X12_SENDER_PARAM = "freight_sync.x12_sender_id"
DEFAULT_X12_SENDER = "FREIGHTSYNC"
# the context key that carries a freshly issued key from the issuing request to its dialog
ISSUED_KEY = "freight_issued_api_key"
# the request buckets of this worker process (see services/rate_limit.py for the bound)
LIMITER = Limiter(time.monotonic)
# a key's last use is written at most this often, so that a busy sender costs no write
# per request
LAST_USE_PRECISION = timedelta(minutes=1)
# when this worker last wrote a key's last use: {(database, endpoint id, key hash): monotonic}
_LAST_USE_NOTED = {}


class FreightEndpoint(models.Model):
    """An integration partner (TMS, carrier, audit platform) calling our routes."""

    _name = "freight.endpoint"
    _description = "Freight Integration Endpoint"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [("tms", "TMS"), ("carrier", "Carrier"), ("audit", "Freight audit platform"),
         ("customer", "Customer / status receiver")],
        required=True,
        default="carrier",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Run As",
        required=True,
        check_company=True,
        help="Technical user the endpoint's messages are processed as; its companies and "
        "rights bound what the partner can touch.",
    )
    carrier_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="[('is_freight_carrier', '=', True)]",
        help="For a carrier endpoint: only this carrier's shipments can be updated.",
    )
    responsible_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user,
        help="Gets an activity when a message of this endpoint becomes a dead letter.",
    )
    tender_format = fields.Selection(
        [("json", "JSON"), ("x12", "X12 204")], default="json",
        required=True, help="How tenders are sent to this carrier's system.")
    accept_json = fields.Boolean(string="JSON", default=True)
    accept_x12 = fields.Boolean(string="X12 EDI", default=True)
    x12_sender_id = fields.Char(
        string="X12 Sender ID", help="ISA06 the partner sends; checked on every interchange."
    )
    code_map_id = fields.Many2one(
        "freight.code.map",
        help="Overrides of the standard X12 status codes for this partner.",
    )
    api_key_hash = fields.Char(groups=ADMIN, copy=False, index=True, readonly=True)
    api_key_hint = fields.Char(string="API Key", copy=False, readonly=True,
                               help="Last characters of the current key, to tell keys apart.")
    hmac_secret = fields.Char(string="Signing Secret", groups=ADMIN, copy=False)
    api_key_used_at = fields.Datetime(
        string="Key Last Used", copy=False, readonly=True,
        help="Last authenticated request with the current key (to the minute).")
    previous_api_key_hash = fields.Char(groups=ADMIN, copy=False, index=True, readonly=True)
    previous_key_expires_at = fields.Datetime(
        string="Previous Key Valid Until", copy=False, readonly=True,
        help="The key replaced by the last rotation is accepted until then.")
    previous_key_used_at = fields.Datetime(
        string="Previous Key Last Used", copy=False, readonly=True,
        help="Last authenticated request with the previous key (to the minute): a partner "
        "still using it has not switched yet.")
    key_overlap_hours = fields.Integer(
        string="Key Overlap (hours)", default=0,
        help="After a rotation, the previous key stays valid this many hours so that the "
        "partner can switch without downtime. 0: it is refused at once (the choice when a "
        "key leaked).")
    rate_limit = fields.Float(
        string="Requests per Second", default=50.0, digits=(16, 2),
        help="Sustained requests a second this endpoint may send, per Odoo worker process; "
        "over it the request is refused with 429 and Retry-After. 0: no limit.")
    rate_burst = fields.Integer(
        string="Burst", default=200,
        help="Requests this endpoint may send at once before the per-second rate applies.")
    send_disputes = fields.Boolean(
        help="The partner's system takes dispute packets: a disputed invoice of this "
        "endpoint's carrier (of any carrier, for an audit platform) is sent to its outbound "
        "URL as signed JSON.")
    outbound_url = fields.Char(
        string="Outbound URL", groups=ADMIN, copy=False,
        help="Where outbound messages (tenders, notifications) are POSTed, signed with the "
        "signing secret: https:// (or http:// inside a trusted network), no credentials.")
    message_ids = fields.One2many("freight.message", "endpoint_id")
    message_count = fields.Integer(compute="_compute_message_count")

    _sql_constraints = [
        ("api_key_hash_unique", "unique(api_key_hash)", "API keys must be unique."),
        ("rate_limit_positive", "CHECK(rate_limit >= 0 AND rate_burst >= 0)",
         "Rate limits cannot be negative."),
        ("key_overlap_positive", "CHECK(key_overlap_hours >= 0)",
         "The key overlap cannot be negative."),
    ]

    @api.constrains("user_id", "company_id")
    def _check_run_as_user(self):
        integration = self.env.ref("freight_sync.group_freight_integration")
        for endpoint in self:
            user = endpoint.user_id
            if integration not in user.groups_id or user.has_group("base.group_system"):
                raise ValidationError(
                    _("%(user)s must be a technical user of group Freight / Integration "
                      "and not an administrator.", user=user.display_name)
                )
            if endpoint.company_id not in user.company_ids:
                raise ValidationError(
                    _("%(user)s cannot work in %(company)s, the company of this endpoint.",
                      user=user.display_name, company=endpoint.company_id.name))

    @api.constrains("outbound_url")
    def _check_outbound_url(self):
        for endpoint in self.sudo():
            problem = endpoint.outbound_url and url_problem(endpoint.outbound_url)
            if problem:
                raise ValidationError(_("Outbound URL of %(endpoint)s: %(problem)s",
                                        endpoint=endpoint.name, problem=problem))

    def _compute_message_count(self):
        counts = dict(self.env["freight.message"]._read_group(
            [("endpoint_id", "in", self.ids)], ["endpoint_id"], ["__count"]
        ))
        for endpoint in self:
            endpoint.message_count = counts.get(endpoint, 0)

    def action_rotate_api_key(self):
        """Issue a new key and show it once to the user who issued it: only its hash is
        kept. The plaintext travels in the answer's context and nowhere else: the dialog's
        key is computed from that context, never stored, so no one can read it back later,
        the issuer included."""
        self.ensure_one()
        key = new_api_key()
        endpoint = self.sudo()
        previous = {"previous_api_key_hash": False, "previous_key_expires_at": False,
                    "previous_key_used_at": False}
        if endpoint.key_overlap_hours and endpoint.api_key_hash:
            previous = {
                "previous_api_key_hash": endpoint.api_key_hash,
                "previous_key_expires_at": fields.Datetime.now()
                + timedelta(hours=endpoint.key_overlap_hours),
                "previous_key_used_at": endpoint.api_key_used_at,
            }
        endpoint.write({"api_key_hash": hash_api_key(key), "api_key_hint": "…" + key[-4:],
                        "api_key_used_at": False, **previous})
        return {
            "type": "ir.actions.act_window",
            "name": _("New API key"),
            "res_model": "freight.endpoint.key",
            "view_mode": "form",
            "target": "new",
            "context": {"default_endpoint_id": self.id, ISSUED_KEY: key},
        }

    def action_view_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_message")
        action["domain"] = [("endpoint_id", "in", self.ids)]
        return action

    @api.model
    def _authenticate(self, api_key):
        """The endpoint owning ``api_key``, its current key or its previous one within the
        overlap, or an empty recordset (sudo: no user yet)."""
        if not api_key:
            return self.browse()
        digest = hash_api_key(api_key)
        # a customer endpoint only receives: it never posts milestones or invoices, even
        # with a key issued by mistake
        # one query: the record with what the accept path reads of it (the secret too)
        return self.sudo().with_context(active_test=False).search_fetch(
            [("kind", "!=", "customer"),
             "|", ("api_key_hash", "=", digest),
             "&", ("previous_api_key_hash", "=", digest),
             ("previous_key_expires_at", ">", fields.Datetime.now())],
            ["active", "kind", "hmac_secret", "accept_json", "accept_x12", "company_id",
             "carrier_id", "user_id", "api_key_hash", "rate_limit", "rate_burst"], limit=1,
        )

    def _wait_before_request(self):
        """0 when this endpoint may send one more request now, else the seconds to wait."""
        self.ensure_one()
        return LIMITER.take((self.env.cr.dbname, self.id), self.rate_limit, self.rate_burst)

    def _note_key_use(self, api_key):
        """Record the use of ``api_key`` (current or previous) to the minute.

        A separate, short transaction: the request's own would hold the endpoint's row
        until it commits and make two requests of a sender wait on each other, or fail
        to serialize. The row is written at most once a minute per key and worker, and
        only when the stored time is older than that; a write that loses a race is
        skipped, the time being approximate anyway."""
        self.ensure_one()
        digest = hash_api_key(api_key)
        column = "api_key_used_at" if self.api_key_hash == digest else "previous_key_used_at"
        # by key, not column: a key issued a moment ago is recorded at its first use
        noted_key = (self.env.cr.dbname, self.id, digest)
        now = time.monotonic()
        if now - _LAST_USE_NOTED.get(noted_key, -1e9) < LAST_USE_PRECISION.total_seconds():
            return
        _LAST_USE_NOTED[noted_key] = now
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(SQL(
                    # an admin saving the endpoint holds its row: skip rather than wait
                    """SET LOCAL lock_timeout = '200ms';
                       UPDATE freight_endpoint SET %(column)s = %(now)s
                        WHERE id = %(id)s AND (%(column)s IS NULL OR %(column)s < %(since)s)""",
                    column=SQL.identifier(column), id=self.id, now=fields.Datetime.now(),
                    since=fields.Datetime.now() - LAST_USE_PRECISION,
                ), log_exceptions=False)
        except psycopg2.Error as error:
            _logger.info("last use of endpoint %s not recorded: %s", self.id,
                         type(error).__name__)
