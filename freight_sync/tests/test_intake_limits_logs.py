import logging

from psycopg2.errors import NotNullViolation

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


@tagged("freight_sync", "post_install", "-at_install")
class TestFailedStatementLogs(InboundCase):
    """Odoo logs every failed statement with its values ("bad query: ..."), from any path:
    the cron's processing, a clerk's click. Once this addon is loaded, the line keeps the
    statement's verb and table and the error's code and constraint, not the values."""

    def test_a_failed_statement_is_logged_without_its_values(self):
        marker = "INV-MARKER-7c41e9"
        invoice = self.env["freight.invoice"]._with_guarded_rights().create({
            "name": marker, "carrier_id": self.carrier.id, "date": "2024-07-12",
            "currency_id": self.env.company.currency_id.id, "external_id": marker})
        invoice.flush_recordset()
        with self.assertLogs("odoo.sql_db", logging.ERROR) as logs, \
                self.assertRaises(NotNullViolation), self.env.cr.savepoint():
            # a real refusal whose message quotes the row: NOT NULL, the row's values
            self.env.cr.execute(
                "INSERT INTO freight_invoice (name, external_id, company_id, carrier_id,"
                " currency_id, date, state) SELECT name || '-copy', %s, company_id,"
                " carrier_id, currency_id, NULL, state FROM freight_invoice WHERE id = %s",
                [marker, invoice.id])
        text = "\n".join(logs.output)
        self.assertNotIn(marker, text)
        self.assertIn("INSERT INTO freight_invoice (values withheld)", text)
        self.assertIn("NotNullViolation (SQLSTATE 23502, table freight_invoice, column ", text)
        # any other record of the logger is left as it is
        with self.assertLogs("odoo.sql_db", logging.INFO) as logs:
            logging.getLogger("odoo.sql_db").info("pool %s", "kept")
        self.assertEqual(logs.output, ["INFO:odoo.sql_db:pool kept"])
