import logging

from odoo.tests import HttpCase, tagged

from ..models.freight_endpoint import ISSUED_KEY
from .inbound_common import InboundCase

URL = "/freight_sync/v1/events"


@tagged("freight_sync", "post_install", "-at_install")
class TestRateLimitRoute(InboundCase, HttpCase):
    def post(self, event_id, key=None, secret=None):
        body = self.body(self.event(event_id))
        return self.url_open(URL, data=body, timeout=30,
                             headers=self.signed_headers(body, key=key, secret=secret))

    def test_partner_over_its_limit_waits_while_another_is_served(self):
        # one request per 10 s after a burst of two: the third is refused
        self.endpoint.write({"rate_limit": 0.1, "rate_burst": 2})
        other = self.endpoint.copy({"name": "Other carrier EDI", "hmac_secret": "other-secret"})
        other_key = other.action_rotate_api_key()["context"][ISSUED_KEY]
        self.assertEqual([self.post(f"l{n}").status_code for n in range(2)], [202, 202])
        stored = self.env["freight.message"].search_count([])
        refused = self.post("l2")
        self.assertEqual(refused.status_code, 429, refused.text)
        retry_after = refused.headers["Retry-After"]
        self.assertTrue(retry_after.isdigit(), retry_after)
        self.assertTrue(1 <= int(retry_after) <= 10, retry_after)
        error = refused.json()["error"]
        self.assertEqual((error["code"], error["details"]["retry_after"]),
                         ("rate_limited", int(retry_after)))
        self.assertEqual(self.env["freight.message"].search_count([]), stored)
        # the other partner's bucket is its own
        self.assertEqual(self.post("o1", key=other_key, secret="other-secret").status_code, 202)
        # a request not signed by the partner is refused as such, before its limit
        self.assertEqual(self.post("l3", secret="forged").status_code, 401)


@tagged("freight_sync", "post_install", "-at_install")
class TestIntakeLogs(InboundCase, HttpCase):
    def test_forced_database_error_logs_no_payload_data(self):
        marker = "PAYLOAD-MARKER-93f1c2"
        key_marker = "KEY-MARKER-5d7e0a"
        # a real database refusal of the intake's INSERT, whose message quotes the row
        self.env.cr.execute("""ALTER TABLE ir_attachment ADD CONSTRAINT fs_forced_failure
                               CHECK (res_model IS DISTINCT FROM 'freight.message') NOT VALID""")
        body = self.body(self.event(marker))
        headers = {**self.signed_headers(body), "X-Correlation-Id": "corr-forced-1",
                   "Idempotency-Key": key_marker}
        # every level a server logs at in operation: debug_sql (Odoo's query log, every
        # query with its parameters by design) is a developer's switch, never production's
        with self.assertLogs(level=logging.INFO) as logs:
            response = self.url_open(URL, data=body, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 500, response.text)
        self.assertEqual(response.json()["error"]["code"], "internal_error")
        self.assertNotIn(marker, response.text)
        logged = []
        for record in logs.records:
            logged.append(record.getMessage())
            if record.exc_info:
                logged.append(logging.Formatter().formatException(record.exc_info))
        text = "\n".join(logged)
        secrets = (marker, marker.encode().hex(), key_marker, self.api_key, self.secret,
                   headers["X-Freight-Signature"].split("=", 1)[1])
        for secret in secrets:
            self.assertNotIn(secret, text)
        safe = [line for line in logged if "corr-forced-1" in line]
        self.assertTrue(safe, text)
        self.assertIn("CheckViolation", safe[0])
        self.assertIn("fs_forced_failure", safe[0])
        self.assertIn(f"endpoint {self.endpoint.id}", safe[0])
