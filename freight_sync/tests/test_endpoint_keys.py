import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.freight_endpoint import ISSUED_KEY
from .inbound_common import InboundCase

URL = "/freight_sync/v1/events"
ACCESS_ERROR = 4  # Odoo's XML-RPC fault code of an AccessError
ROLES = {
    "dispatcher": "freight_sync.group_freight_user",
    "clerk": "freight_sync.group_freight_billing",
    "manager": "freight_sync.group_freight_manager",
    "integration": "freight_sync.group_freight_integration",
    "admin": "freight_sync.group_freight_manager,base.group_system",
}


@tagged("freight_sync", "post_install", "-at_install")
class TestIssuedKeyNotReadable(InboundCase, HttpCase):
    """A key is shown once, in the answer to the request that issued it; afterwards no
    role, its issuer included, reads it back over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role, groups in ROLES.items():
            new_test_user(cls.env, login=f"key_{role}", password=f"key_{role}-pass-123",
                          groups="base.group_user," + groups)

    def rpc(self, role, model, method, *args, **kwargs):
        login = f"key_{role}"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login + "-pass-123",
                                              {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, login + "-pass-123",
                                             model, method, list(args), kwargs)

    def readable(self, role, model, method, *args, **kwargs):
        """What ``role`` gets from the call, as text; an access refusal reads nothing."""
        try:
            return repr(self.rpc(role, model, method, *args, **kwargs))
        except xmlrpc.client.Fault as fault:
            self.assertEqual(fault.faultCode, ACCESS_ERROR, fault.faultString)
            return ""

    def test_no_role_reads_an_issued_key_back(self):
        for issuer in ("manager", "admin"):
            action = self.rpc(issuer, "freight.endpoint", "action_rotate_api_key",
                              [self.endpoint.id])
            key = action["context"][ISSUED_KEY]
            self.assertTrue(key.startswith("fsk_"))
            # the issuer's dialog shows it, from the answer's context
            shown = self.rpc(issuer, "freight.endpoint.key", "onchange", [], {}, [], {
                "api_key": {}, "endpoint_id": {}}, context=action["context"])
            self.assertEqual(shown["value"]["api_key"], key)
            for role in ROLES:
                with self.subTest(issuer=issuer, role=role):
                    seen = (self.readable(role, "freight.endpoint.key", "search_read", [])
                            + self.readable(role, "freight.endpoint", "search_read",
                                            [("id", "=", self.endpoint.id)])
                            + self.readable(role, "freight.endpoint", "read",
                                            [self.endpoint.id],
                                            ["api_key_hash", "hmac_secret"]))
                    self.assertNotIn(key, seen)
                    self.assertNotIn(key[-12:], seen)
                    if role != "admin":
                        self.assertNotIn(self.secret, seen)
        # nothing of the key was stored by the wizard model either
        self.env.cr.execute("""SELECT column_name FROM information_schema.columns
                                WHERE table_name = 'freight_endpoint_key'""")
        self.assertNotIn("api_key", {row[0] for row in self.env.cr.fetchall()})


@tagged("freight_sync", "post_install", "-at_install")
class TestKeyRotation(InboundCase, HttpCase):
    def post(self, event_id, key):
        body = self.body(self.event(event_id))
        return self.url_open(URL, data=body, headers=self.signed_headers(body, key=key),
                             timeout=30)

    def rotate(self):
        return self.endpoint.action_rotate_api_key()["context"][ISSUED_KEY]

    def test_old_key_works_within_the_overlap_only(self):
        self.endpoint.key_overlap_hours = 24
        old, new = self.api_key, self.rotate()
        self.assertGreater(self.endpoint.previous_key_expires_at,
                           fields.Datetime.now() + timedelta(hours=23))
        self.assertEqual(self.post("r1", old).status_code, 202)
        self.assertEqual(self.post("r2", new).status_code, 202)
        self.endpoint.previous_key_expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.endpoint.flush_recordset()
        response = self.post("r3", old)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["code"], "unauthenticated")
        self.assertEqual(self.post("r4", new).status_code, 202)

    def test_without_overlap_the_old_key_is_refused_at_once(self):
        old, new = self.api_key, self.rotate()
        self.assertFalse(self.endpoint.sudo().previous_api_key_hash)
        self.assertEqual(self.post("n1", old).status_code, 401)
        self.assertEqual(self.post("n2", new).status_code, 202)

    def test_a_request_records_the_key_last_use(self):
        self.endpoint.key_overlap_hours = 1
        old, new = self.api_key, self.rotate()
        self.assertFalse(self.endpoint.api_key_used_at)
        before = fields.Datetime.now().replace(microsecond=0)
        self.assertEqual(self.post("u1", new).status_code, 202)
        self.endpoint.invalidate_recordset()
        self.assertGreaterEqual(self.endpoint.api_key_used_at, before)
        self.assertFalse(self.endpoint.previous_key_used_at)
        self.assertEqual(self.post("u2", old).status_code, 202)
        self.endpoint.invalidate_recordset()
        self.assertGreaterEqual(self.endpoint.previous_key_used_at, before)
        # a refused request (bad signature) is no use of the key
        self.endpoint.sudo().write({"api_key_used_at": False})
        body = self.body(self.event("u3"))
        response = self.url_open(URL, data=body, timeout=30, headers={
            **self.signed_headers(body, key=new), "X-Freight-Signature": "sha256=00"})
        self.assertEqual(response.status_code, 401)
        self.endpoint.invalidate_recordset()
        self.assertFalse(self.endpoint.api_key_used_at)
