from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services.outbox import url_problem
from ..services.signature import hash_api_key, new_api_key

ADMIN = "base.group_system"
# our own X12 id (ISA06/GS02) in what we send: tenders (204), statuses (214)
X12_SENDER_PARAM = "freight_sync.x12_sender_id"
DEFAULT_X12_SENDER = "FREIGHTSYNC"


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
        """Issue a new key; it is shown once, only its hash is kept."""
        self.ensure_one()
        key = new_api_key()
        self.sudo().write({"api_key_hash": hash_api_key(key), "api_key_hint": "…" + key[-4:]})
        wizard = self.env["freight.endpoint.key"].create({"endpoint_id": self.id, "api_key": key})
        return {
            "type": "ir.actions.act_window",
            "name": _("New API key"),
            "res_model": "freight.endpoint.key",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "freight_sync.action_freight_message")
        action["domain"] = [("endpoint_id", "in", self.ids)]
        return action

    @api.model
    def _authenticate(self, api_key):
        """The active endpoint owning ``api_key`` or an empty recordset (sudo: no user yet)."""
        if not api_key:
            return self.browse()
        # a customer endpoint only receives: it never posts milestones or invoices, even
        # with a key issued by mistake
        # one query: the record with what the accept path reads of it (the secret too)
        return self.sudo().with_context(active_test=False).search_fetch(
            [("api_key_hash", "=", hash_api_key(api_key)), ("kind", "!=", "customer")],
            ["active", "kind", "hmac_secret", "accept_json", "accept_x12", "company_id",
             "carrier_id", "user_id"], limit=1,
        )

