from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.outbox import (
    MAX_ATTEMPTS,
    OutboxError,
    build_headers,
    classify_error,
    classify_status,
    encode_payload,
    excerpt,
    next_attempt,
    parse_retry_after,
    url_problem,
)
from ..services.signature import verify

NOW = datetime(2026, 3, 1, 12, 0, 0)


@tagged("freight_sync", "freight_pure")
class TestOutboxRules(BaseCase):
    def test_backoff_schedule_then_dead(self):
        expected = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                    timedelta(hours=2), timedelta(hours=6)]
        for attempts, delay in enumerate(expected, start=1):
            self.assertEqual(next_attempt(attempts, NOW), NOW + delay)
        self.assertEqual(MAX_ATTEMPTS, 6)
        self.assertIsNone(next_attempt(MAX_ATTEMPTS, NOW))
        self.assertIsNone(next_attempt(0, NOW))

    def test_retry_after_only_delays_and_is_bounded(self):
        self.assertEqual(next_attempt(1, NOW, retry_after=10), NOW + timedelta(minutes=1))
        self.assertEqual(next_attempt(1, NOW, retry_after=600), NOW + timedelta(minutes=10))
        self.assertEqual(next_attempt(1, NOW, retry_after=10**9), NOW + timedelta(hours=6))
        self.assertIsNone(next_attempt(6, NOW, retry_after=60))
        self.assertEqual(parse_retry_after(" 120 "), 120.0)
        for value in (None, "", "Wed, 21 Oct 2026 07:28:00 GMT", "-5", "1.5"):
            self.assertIsNone(parse_retry_after(value))

    def test_classify_status(self):
        cases = {200: "sent", 201: "sent", 202: "sent", 204: "sent", 299: "sent",
                 408: "retry", 425: "retry", 429: "retry", 500: "retry", 502: "retry",
                 503: "retry", 599: "retry",
                 301: "dead", 302: "dead", 400: "dead", 401: "dead", 403: "dead",
                 404: "dead", 409: "dead", 413: "dead", 422: "dead", 100: "dead"}
        for status, verdict in cases.items():
            with self.subTest(status=status):
                got, reason = classify_status(status)
                self.assertEqual(got, verdict)
                self.assertEqual(reason is None, verdict == "sent")
                if reason:
                    self.assertIn(str(status), reason)

    def test_classify_error(self):
        self.assertEqual(classify_error("timeout")[0], "retry")
        self.assertEqual(classify_error("connection", "refused")[0], "retry")
        self.assertIn("refused", classify_error("connection", "refused")[1])
        self.assertEqual(classify_error("invalid", "no scheme")[0], "dead")

    def test_headers_are_signed_like_inbound_requests(self):
        body = b'{"tender":1}'
        headers = build_headers("s3cret", body, 1_700_000_000, "corr-1", "key-1",
                                "application/json")
        self.assertEqual(headers["X-Freight-Timestamp"], "1700000000")
        self.assertEqual(headers["X-Correlation-Id"], "corr-1")
        self.assertEqual(headers["Idempotency-Key"], "key-1")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertNotIn("X-Freight-Key", headers)
        # the very check the inbound routes make accepts it
        verify("s3cret", headers["X-Freight-Timestamp"], headers["X-Freight-Signature"], body,
               now=1_700_000_010)
        self.assertNotIn("s3cret", repr(headers))
        with self.assertRaises(ValueError):
            verify("other", headers["X-Freight-Timestamp"], headers["X-Freight-Signature"],
                   body, now=1_700_000_010)

    def test_headers_refuse_no_secret_and_bad_values(self):
        with self.assertRaises(OutboxError):
            build_headers("", b"x", 1, "c", "k", "application/json")
        with self.assertRaises(OutboxError):
            build_headers(None, b"x", 1, "c", "k", "application/json")
        for key in ("", "a\r\nX-Evil: 1", "a" * 256, "tab\there"):
            with self.subTest(key=key), self.assertRaises(OutboxError):
                build_headers("s", b"x", 1, "c", key, "application/json")

    def test_url_problem(self):
        for url in ("https://tms.example.com/freight/tenders", "http://127.0.0.1:8080/in",
                    "https://[::1]:8443/x?a=1"):
            with self.subTest(url=url):
                self.assertIsNone(url_problem(url))
        for url in (None, "", "ftp://host/x", "tms.example.com/x", "https://", "https:///x",
                    "https://user:pw@host/x", "https://host/x y", "https://host/\nx",
                    "https://host:99999999999/x", "https://host:abc/x", "https://host/x#frag",
                    "javascript:alert(1)", "file:///etc/passwd"):
            with self.subTest(url=url):
                self.assertTrue(url_problem(url))

    def test_encode_payload(self):
        self.assertEqual(encode_payload(b"ISA*00", "application/edi-x12"),
                         (b"ISA*00", "application/edi-x12"))
        self.assertEqual(encode_payload({"b": 1, "a": "é"}),
                         ('{"a":"é","b":1}'.encode(), "application/json"))
        self.assertEqual(encode_payload("hello")[0], b"hello")
        with self.assertRaises(OutboxError):
            encode_payload(42)

    def test_excerpt(self):
        self.assertEqual(excerpt(None), "")
        self.assertEqual(excerpt(b"ok\n\tfine"), "ok\n\tfine")
        self.assertEqual(excerpt(b"a\x1b[31mb\x00"), "a\ufffd[31mb\ufffd")
        self.assertEqual(excerpt(b"\xff"), "\ufffd")
        long = excerpt(b"x" * 5000)
        self.assertEqual(len(long), 2001)
        self.assertTrue(long.endswith("…"))
