import json
import time

from odoo.tests import HttpCase, tagged

from .inbound_common import InboundCase

URL = "/freight_sync/v1/events"


@tagged("freight_sync", "post_install", "-at_install")
class TestEventRoute(InboundCase, HttpCase):
    def post(self, body, headers=None, **sign_args):
        headers = self.signed_headers(body, **sign_args) if headers is None else headers
        response = self.url_open(URL, data=body, headers=headers, timeout=30)
        payload = response.json() if response.headers.get("Content-Type", "").startswith(
            "application/json") else None
        return response.status_code, payload

    def messages(self):
        return self.env["freight.message"].search([("endpoint_id", "=", self.endpoint.id)])

    def test_valid_request_stores_exact_bytes_once(self):
        body = self.body(self.event("e1"), self.event("e2", code="in_transit"))
        status, payload = self.post(body, headers={
            **self.signed_headers(body), "X-Correlation-Id": "corr-42"})
        self.assertEqual(status, 202, payload)
        self.assertEqual((payload["accepted"], payload["correlation_id"]), (2, "corr-42"))
        message = self.messages()
        self.assertEqual(len(message), 1)
        self.assertEqual(message.payload_attachment_id.raw, body)
        self.assertEqual((message.state, message.correlation_id), ("received", "corr-42"))

    def test_duplicate_request_is_a_success_without_new_row(self):
        body = self.body(self.event("e1"))
        self.assertEqual(self.post(body)[0], 202)
        status, payload = self.post(body)
        self.assertEqual(status, 200)
        self.assertTrue(payload["duplicate"])
        self.assertEqual(len(self.messages()), 1)

    def test_same_events_in_a_new_request_are_duplicates(self):
        self.post(self.body(self.event("e1")))
        status, payload = self.post(self.body(self.event("e1"), self.event("e3", code="delivered")))
        self.assertEqual(status, 202)
        self.assertEqual([i["status"] for i in payload["items"]], ["duplicate", "accepted"])
        status, payload = self.post(self.body(self.event("e1")),
                                    headers={**self.signed_headers(self.body(self.event("e1"))),
                                             "Idempotency-Key": "another-key"})
        self.assertEqual((status, payload["duplicates"], payload["message_id"]), (200, 1, None))
        self.assertEqual(len(self.messages()), 2)

    def test_same_id_other_body_is_409(self):
        first = self.body(self.event("e1"))
        self.post(first, headers={**self.signed_headers(first), "Idempotency-Key": "k1"})
        other = self.body(self.event("e1", code="delivered"))
        status, payload = self.post(other, headers={**self.signed_headers(other),
                                                    "Idempotency-Key": "k1"})
        self.assertEqual((status, payload["error"]["code"]), (409, "idempotency_conflict"))
        status, payload = self.post(other)
        self.assertEqual(status, 409)
        self.assertEqual(payload["items"][0]["status"], "conflict")
        self.assertEqual(len(self.messages()), 1)

    def test_authentication_refusals_store_nothing(self):
        body = self.body(self.event("e1"))
        now = int(time.time())
        cases = [
            ("missing key", {**self.signed_headers(body), "X-Freight-Key": ""}, 401,
             "unauthenticated"),
            ("unknown key", self.signed_headers(body, key="fsk_nope"), 401, "unauthenticated"),
            ("bad signature", self.signed_headers(body, secret="wrong"), 401, "signature_invalid"),
            ("stale", self.signed_headers(body, timestamp=now - 360), 401, "timestamp_stale"),
            ("future", self.signed_headers(body, timestamp=now + 360), 401, "timestamp_stale"),
            ("no signature", {k: v for k, v in self.signed_headers(body).items()
                              if k != "X-Freight-Signature"}, 401, "signature_missing"),
        ]
        for label, headers, status, code in cases:
            with self.subTest(label):
                got, payload = self.post(body, headers=headers)
                self.assertEqual((got, payload["error"]["code"]), (status, code))
        self.endpoint.hmac_secret = False
        self.assertEqual(self.post(body)[1]["error"]["code"], "no_secret")
        self.endpoint.write({"hmac_secret": self.secret, "active": False})
        self.assertEqual(self.post(body)[0], 403)
        self.assertFalse(self.messages())

    def test_malformed_requests(self):
        good = self.body(self.event("e1"))
        cases = [
            ("not json", b"{nope", {}, 400, "malformed_json"),
            ("wrong type", good, {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
            ("no list", b'{"event": []}', {}, 422, "invalid_payload"),
            ("too large", b'{"events": [' + b" " * (5 * 1024 * 1024) + b"]}", {}, 413,
             "payload_too_large"),
            ("too many", self.body(*[self.event(f"x{i}") for i in range(1001)]), {}, 422,
             "invalid_payload"),
        ]
        for label, body, extra, status, code in cases:
            with self.subTest(label):
                got, payload = self.post(body, headers={**self.signed_headers(body), **extra})
                self.assertEqual((got, payload["error"]["code"]), (status, code))
        response = self.url_open(URL, timeout=30)  # GET
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["error"]["code"], "method_not_allowed")
        self.assertFalse(self.messages())

    def test_schema_errors_name_the_field(self):
        body = self.body(self.event("e1", code="teleported"))
        status, payload = self.post(body)
        self.assertEqual(status, 422)
        item = payload["error"]["details"]["items"][0]
        self.assertEqual(item["pointer"], "/events/0/code")
        self.assertIn("unknown milestone code", item["error"])
        naive = self.body(self.event("e2", when="2024-07-09T08:00:00"))
        self.assertEqual(self.post(naive)[1]["error"]["details"]["items"][0]["pointer"],
                         "/events/0/event_time")
        self.assertFalse(self.messages())

    def test_batch_accepts_valid_items_and_reports_invalid(self):
        body = self.body(self.event("ok"), {"id": "bad", "shipment": {}}, self.event("ok2"))
        status, payload = self.post(body)
        self.assertEqual(status, 202)
        self.assertEqual([i["status"] for i in payload["items"]],
                         ["accepted", "rejected", "accepted"])
        self.assertEqual(payload["items"][1]["pointer"], "/events/1/shipment")
        self.assertEqual(self.messages().item_count, 3)

    def test_health(self):
        response = self.url_open("/freight_sync/v1/health", timeout=30)
        self.assertEqual(response.status_code, 200)
        answer = json.loads(response.content)
        self.assertEqual((answer["status"], answer["reasons"], answer["api"]), ("ok", [], "v1"))
