import json
import threading
import time
from contextlib import contextmanager
from unittest.mock import patch

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tests.common import HOST, get_db_name
from odoo.tools import mute_logger

from ..controllers import common
from ..services.signature import hash_api_key, sign
from .inbound_common import InboundCase

URL = "/freight_sync/v1/events"


@tagged("freight_sync", "post_install", "-at_install")
class TestBadInput(InboundCase, HttpCase):
    """Whatever a sender posts, the answer is the JSON error contract and nothing is kept."""

    def post(self, body, url=URL, headers=None):
        headers = self.signed_headers(body) if headers is None else headers
        return self.url_open(url, data=body, headers=headers, timeout=60)

    @contextmanager
    def assert_nothing_stored(self):
        before = self.env["freight.message"].search_count([])
        yield
        self.assertEqual(self.env["freight.message"].search_count([]), before)

    def assert_refused(self, response, status, code):
        """The JSON error of ``response``, checked to be ``status`` and ``code``."""
        self.assertEqual(response.headers.get("Content-Type"), "application/json",
                         response.text[:200])
        self.assertEqual(response.status_code, status, response.text[:500])
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        return error

    def assert_item_refused(self, body, pointer, url=URL):
        """``body``, whose one item is bad at ``pointer``, is refused with a 422 naming it."""
        with self.assert_nothing_stored():
            error = self.assert_refused(self.post(body, url), 422, "invalid_payload")
        self.assertEqual([item["pointer"] for item in error["details"]["items"]], [pointer])
        return error["details"]["items"][0]["error"]

    def test_overlong_timestamp_header(self):
        body = self.body(self.event("e1"))
        with self.assert_nothing_stored():
            response = self.post(body, headers=self.signed_headers(body, timestamp="9" * 400))
            self.assert_refused(response, 401, "timestamp_invalid")

    def test_deep_nesting(self):
        depth = 50_000
        body = b'{"events": [' + b"[" * depth + b"]" * depth + b"]}"
        with self.assert_nothing_stored():
            error = self.assert_refused(self.post(body), 422, "invalid_payload")
        self.assertEqual(error["details"], {"pointer": ""})
        self.assertIn("deeper than 32", error["message"])

    def test_absurd_event_times(self):
        for when in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
                     "1969-12-31T23:59:59Z"):
            with self.subTest(when):
                self.assert_item_refused(self.body(self.event("e1", when=when)),
                                         "/events/0/event_time")

    def test_lone_surrogate(self):
        message = self.assert_item_refused(self.body(self.event("e1", note="bad \ud800")),
                                           "/events/0/note")
        self.assertIn("lone surrogate", message)

    def test_nul_character_names_its_item(self):
        body = self.body(self.event("e1", location="Dock\x00 4"))
        self.assertIn("control character", self.assert_item_refused(body, "/events/0/location"))
        # beside a good item, the bad one is refused by its pointer and the good one kept
        response = self.post(self.body(self.event("ok"), self.event("e2", note="a\x00")))
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual([(item["status"], item.get("pointer")) for item in response.json()[
            "items"]], [("accepted", None), ("rejected", "/events/1/note")])

    def test_huge_amount(self):
        invoice = {"number": "BIG-1", "date": "2024-07-12", "currency": "USD", "total": 500.0,
                   "shipment": {"pro_number": "PRO-100"},
                   "lines": [{"charge_code": "400", "amount": 1e15}]}
        message = self.assert_item_refused(
            json.dumps({"invoices": [invoice]}).encode(), "/invoices/0/lines/0/amount",
            url="/freight_sync/v1/invoices")
        self.assertIn("1000000000", message)

    def test_not_a_number(self):
        with self.assert_nothing_stored():
            body = b'{"events": [{"id": "e1", "seq": NaN}]}'
            self.assert_refused(self.post(body), 400, "malformed_json")

    def test_server_error_is_json_and_rolled_back(self):
        real_store = common.store_batch

        text = "disk on fire"

        def store_then_fail(*args):
            real_store(*args)
            raise RuntimeError(text)

        body = self.body(self.event("e1"))
        headers = {**self.signed_headers(body), "X-Correlation-Id": "corr-500"}
        with patch.object(common, "store_batch", store_then_fail), \
                self.assertLogs(common.__name__, "ERROR") as logs, \
                self.assert_nothing_stored():
            error = self.assert_refused(self.post(body, headers=headers), 500, "internal_error")
        self.assertEqual(error["details"], {"correlation_id": "corr-500"})
        self.assertEqual(len(logs.records), 1)
        self.assertIn("corr-500", logs.output[0])
        # the exception's class and where it was raised, not its text: an exception's
        # text may quote the payload
        self.assertIn("RuntimeError", logs.output[0])
        self.assertIn("store_then_fail", logs.output[0])
        self.assertNotIn(text, logs.output[0])
        self.assertIsNone(logs.records[0].exc_info)

    def test_edi_route_errors_are_json(self):
        def fail(*args):
            raise RuntimeError("no route to anywhere")

        with patch.object(common, "authenticate", fail), \
                mute_logger(common.__name__), self.assert_nothing_stored():
            response = self.post(b"ISA*00*", url="/freight_sync/v1/edi",
                                 headers={"Content-Type": "application/edi-x12"})
            error = self.assert_refused(response, 500, "internal_error")
        self.assertTrue(error["details"]["correlation_id"])

    def test_unknown_route_is_json(self):
        response = self.url_open("/freight_sync/v1/nowhere", timeout=30)
        self.assert_refused(response, 404, "not_found")


@tagged("freight_sync", "post_install", "-at_install")
class TestRacingDuplicates(BaseCase):
    """The same signed request sent twice at once, through real HTTP and real transactions.

    Both requests look for the idempotency key before either stored it (a barrier holds
    them there), so both store it: the second waits on the unique index and then must
    answer as a duplicate. The rows committed here are removed at the end.
    """

    secret = "race-secret"
    api_key = "fsk_race_test_key"

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            robot = env["res.users"].create({
                "name": "Twin robot", "login": "twin_robot_test",
                "groups_id": [(6, 0, [env.ref("base.group_user").id,
                                      env.ref("freight_sync.group_freight_integration").id])],
            })
            endpoint = env["freight.endpoint"].create({
                "name": "Twins", "kind": "tms", "user_id": robot.id,
                "hmac_secret": self.secret, "api_key_hash": hash_api_key(self.api_key)})
            self.ids = (robot.id, endpoint.id)
        self.session = odoo.http.root.session_store.new()
        self.session.update(odoo.http.get_default_session(), db=get_db_name())
        odoo.http.root.session_store.save(self.session)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        odoo.http.root.session_store.delete(self.session)
        robot_id, endpoint_id = self.ids
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["freight.message"].search([("endpoint_id", "=", endpoint_id)]).unlink()
            env["freight.endpoint"].browse(endpoint_id).unlink()
            env["res.users"].browse(robot_id).unlink()

    def post(self, body):
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Freight-Key": self.api_key,
                   "X-Freight-Timestamp": timestamp,
                   "X-Freight-Signature": sign(self.secret, timestamp, body)}
        url = f"http://{HOST}:{odoo.tools.config['http_port']}{URL}"
        return requests.post(url, data=body, headers=headers, timeout=60,
                             cookies={"session_id": self.session.sid})

    def test_twin_requests_answer_stored_and_duplicate(self):
        body = json.dumps({"events": [{
            "id": "twin-1", "shipment": {"pro_number": "PRO-TWIN"}, "code": "picked_up",
            "event_time": "2024-07-09T08:00:00-05:00"}]}).encode()
        # both requests are in their transactions before either stores: the loser's
        # INSERT waits for the winner's commit, then meets its key
        both_ready = threading.Barrier(2, timeout=20)
        real_store, real_find = common.store_batch, common.find_earlier
        calls = []

        def wait_then_store(*args):
            both_ready.wait()
            return real_store(*args)

        def find_and_note(*args):
            earlier = real_find(*args)
            calls.append(earlier)
            return earlier

        responses = []

        def send():
            responses.append(self.post(body))

        threads = [threading.Thread(target=send) for _twin in range(2)]
        # the losing INSERT is not logged (log_exceptions=False); muted in case it were
        with patch.object(common, "store_batch", wait_then_store), \
                patch.object(common, "find_earlier", find_and_note), mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(len(responses), 2)
        for response in responses:
            self.assertEqual(response.headers.get("Content-Type"), "application/json",
                             response.text[:300])
        duplicate, stored = sorted(responses, key=lambda response: response.status_code)
        self.assertEqual((duplicate.status_code, stored.status_code), (200, 202))
        self.assertEqual(stored.json()["items"][0]["status"], "accepted")
        self.assertTrue(duplicate.json()["duplicate"])
        self.assertEqual(duplicate.json()["items"][0]["status"], "duplicate")
        self.assertEqual(duplicate.json()["message_id"], stored.json()["message_id"])
        # the loser looked in the snapshot it began with, where the winner's message is
        # not, then in a new transaction, where it is
        self.assertEqual([bool(earlier) for earlier in calls], [False, True])
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM freight_message WHERE endpoint_id = %s",
                       [self.ids[1]])
            self.assertEqual(cr.fetchone()[0], 1)
