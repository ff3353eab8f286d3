import json
import logging
import random
import time
from collections import Counter

from odoo.tests import HttpCase, tagged

from . import fuzz_inputs
from .bad_input_catalogue import CATALOGUE
from .inbound_common import InboundCase

_logger = logging.getLogger(__name__)

API = "/freight_sync/v1"
CONTENT_TYPES = {"events": "application/json", "invoices": "application/json",
                 "edi": "application/edi-x12"}
SEED = 12
REQUESTS = 1500
# what the inbox leaves a message in once it has been processed
PROCESSED = ("done", "partial", "failed", "dead", "ignored", "rejected")


def route_of(label):
    return "edi" if label == "upload" else label


def fresh_control(body, number):
    """``body`` with its ISA13 (and every copy of it, as in IEA02) made ``number``, when
    the ISA is where a fixed-length header puts it: the /edi route keys an interchange by
    sender and control number, and mutations of one fixture would otherwise all be 409s
    after the first, their content never stored nor processed."""
    start = body.find(b"ISA")
    control = body[start + 90:start + 99] if start >= 0 else b""
    if len(control) == 9 and control.isascii() and control.isdigit():
        return body.replace(control, b"%09d" % number)
    return body


@tagged("freight_sync", "post_install", "-at_install")
class TestRoutesFuzz(InboundCase, HttpCase):
    """Mutated payloads and the bad-input catalogue over real HTTP, signed so that they get
    past authentication: every answer is under 500 and in the route's contract (the JSON
    error contract, or the X12 997 of /edi), logs no error, and stores exactly what it
    says (one message and its accepted item ids with a 202; an /edi refusal one message
    stored rejected with no item; nothing otherwise); the inbox then processes what was
    stored without an error logged or a message left half-done."""

    def post(self, route, body, headers=None):
        signed = {**self.signed_headers(body), "Content-Type": CONTENT_TYPES[route]}
        # a POST even for an empty body (url_open makes that a GET)
        return self.opener.post(f"{self.base_url()}{API}/{route}", data=body,
                                headers={**signed, **(headers or {})}, timeout=60)

    def counts(self):
        return {model: self.env[model].sudo().search_count([]) for model in (
            "freight.message", "freight.message.event", "freight.milestone", "freight.invoice")}

    def assert_contract(self, route, response, before):
        """No 5xx, the route's content type and shape, and what was stored agrees with
        the status: with a 202 one message and one item id per accepted item; with an
        /edi refusal (4xx) one message stored ``rejected`` with its raw bytes, for an admin
        to see and replay, and no item; otherwise nothing. Nothing is applied by the route
        itself."""
        status, content_type = response.status_code, response.headers.get("Content-Type", "")
        self.assertLess(status, 500, response.text[:300])
        if content_type == "application/json":
            payload = response.json()
            if status >= 400:
                error = payload["error"]
                self.assertTrue(isinstance(error["code"], str) and error["message"], payload)
                accepted = 0
            else:
                self.assertIsInstance(payload["items"], list)
                accepted = payload["accepted"]
        else:
            self.assertEqual((route, content_type), ("edi", "application/edi-x12"),
                             response.text[:300])
            self.assertTrue(response.text == "" or response.text.startswith("ISA"),
                            response.text[:300])
            payload = None
            accepted = int(response.headers.get("X-Freight-Accepted") or 0)
        self.assertNotIn("<html", response.text[:500].lower())
        after = self.counts()
        stored = after["freight.message"] - before["freight.message"]
        refused_edi = route == "edi" and 400 <= status < 500 and status not in (401, 403, 409,
                                                                                 413, 415)
        if refused_edi and stored:
            message = self.env["freight.message"].sudo().search([], order="id desc", limit=1)
            self.assertEqual((message.state, bool(message.payload_attachment_id)),
                             ("rejected", True), response.text[:300])
        # a refusal answered again (the same body resent) stores nothing new
        expected = {1} if status == 202 else {0, 1} if refused_edi else {0}
        self.assertIn(stored, expected, f"{status}: {response.text[:300]}")
        self.assertEqual(after["freight.message.event"] - before["freight.message.event"],
                         accepted if status == 202 else 0, f"{status}: {response.text[:300]}")
        self.assertEqual((after["freight.milestone"], after["freight.invoice"]),
                         (before["freight.milestone"], before["freight.invoice"]),
                         "the route applies nothing: the inbox does")
        return payload

    def test_fuzzed_requests_answer_the_contract(self):
        started, sent, statuses = time.monotonic(), 0, {}
        rng = random.Random(SEED)
        first = self.counts()
        with self.assertNoLogs(level="ERROR"):
            for label, _check, body in fuzz_inputs.generate(SEED, REQUESTS * 2):
                if label == "csv" or sent >= REQUESTS:
                    continue
                route, before = route_of(label), self.counts()
                if route == "edi":
                    body = fresh_control(body, rng.randrange(10**9))
                with self.subTest(route=route, body=body[:200]):
                    response = self.post(route, body)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    self.assert_contract(route, response, before)
                sent += 1
            posted = time.monotonic()
            stored = self.env["freight.message"].search([("direction", "=", "in")])
            self.env["freight.message"]._cron_process_inbox(time_budget=120)
            stored.invalidate_recordset()
        _logger.info("route fuzz: %s requests in %.1f s (answers %s), %s stored messages "
                     "processed in %.1f s (states %s)", sent, posted - started,
                     dict(sorted(statuses.items())), len(stored), time.monotonic() - posted,
                     dict(Counter(stored.mapped("state"))))
        self.assertEqual(sent, REQUESTS)
        self.assertGreater(statuses.get(202, 0), 20, f"fuzz that reaches storage: {statuses}")
        self.assert_processed(stored, first)

    def assert_processed(self, messages, before):
        """Every stored message left the queue in a state that says how it went, a failed
        one with its errors; no more milestones or invoices than item ids were stored."""
        states = {message: message.state for message in messages}
        self.assertFalse([m.id for m, state in states.items() if state not in PROCESSED],
                         states)
        failed = messages.filtered(lambda message: message.state in ("failed", "dead"))
        self.assertFalse(failed.filtered(lambda message: not message.last_error))
        after = self.counts()
        items = after["freight.message.event"] - before["freight.message.event"]
        self.assertLessEqual(after["freight.milestone"] - before["freight.milestone"], items)
        self.assertLessEqual(after["freight.invoice"] - before["freight.invoice"], items)

    def test_catalogue_over_http(self):
        with self.assertNoLogs(level="ERROR"):
            for case in CATALOGUE:
                with self.subTest(case.label):
                    before = self.counts()
                    response = self.post(case.route, case.body, case.headers)
                    payload = self.assert_contract(case.route, response, before)
                    if case.route != "edi":
                        self.assert_answer(case, response, payload)

    def assert_answer(self, case, response, payload):
        self.assertEqual(response.status_code, case.status, response.text[:300])
        if response.status_code >= 400:
            error = payload["error"]
            self.assertEqual(error["code"], case.code)
            details = error.get("details") or {}
            found = [(details.get("pointer"), error["message"])] + [
                (item["pointer"], item["error"]) for item in details.get("items", [])]
        else:
            found = [(item.get("pointer"), item.get("error") or "")
                     for item in payload["items"]]
        self.assertTrue(any((case.pointer is None or pointer == case.pointer)
                            and (case.words or "") in message for pointer, message in found),
                        json.dumps(payload)[:500])
