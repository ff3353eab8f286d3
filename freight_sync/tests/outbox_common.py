"""A fake partner system for the outbox: a real HTTP server on loopback that checks our
signature with its copy of the endpoint's secret and answers from a script."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import new_test_user

from ..services.signature import SignatureError, verify
from .common import FreightCase


class FakeReceiver:
    """Answers each POST to a path from ``script(path, [(status, delay seconds), ...])``:
    one answer per request, the last repeated; 200 for an unscripted path. A request whose
    signature does not verify with ``secret`` is refused with 401, as our routes do."""

    def __init__(self, secret):
        self.secret = secret
        self.requests = []
        self._scripts = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    verify(receiver.secret, self.headers.get("X-Freight-Timestamp"),
                           self.headers.get("X-Freight-Signature"), body, time.time())
                    refusal = None
                except SignatureError as error:
                    refusal = error.code
                status, delay = receiver._answer(self.path)
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body, "refusal": refusal})
                if refusal:
                    status, delay = 401, 0
                if delay:
                    time.sleep(delay)
                answer = json.dumps({"status": status, "refusal": refusal}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the sender gave up waiting: what a timeout looks like here
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, path):
        with self._lock:
            script = self._scripts.get(path)
            if not script:
                return 200, 0
            return script.pop(0) if len(script) > 1 else script[0]

    def script(self, path, answers):
        with self._lock:
            self._scripts[path] = list(answers)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def received(self, path=None):
        with self._lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class OutboxCase(FreightCase):
    """A carrier endpoint with a signing secret whose outbound URL is a fake receiver."""

    secret = "outbound-s3cr3t-shared-with-the-carrier"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = FakeReceiver(cls.secret)
        cls.addClassCleanup(cls.receiver.stop)
        cls.robot = new_test_user(
            cls.env, login="outbox_robot",
            groups="base.group_user,freight_sync.group_freight_integration")
        cls.responsible = new_test_user(
            cls.env, login="outbox_responsible",
            groups="base.group_user,freight_sync.group_freight_manager")
        cls.endpoint = cls.env["freight.endpoint"].create({
            "name": "Outbox carrier", "kind": "carrier", "carrier_id": cls.carrier.id,
            "user_id": cls.robot.id, "responsible_id": cls.responsible.id,
            "hmac_secret": cls.secret, "outbound_url": cls.receiver.url("/default"),
        })

    def point_to(self, path):
        self.endpoint.outbound_url = self.receiver.url(path)
        return path

    def queue(self, key, payload=None, kind="tender"):
        return self.env["freight.message"]._queue_outbound(
            self.endpoint, kind, payload if payload is not None else {"tender": key}, key)

    def deliver(self):
        return self.env["freight.message"]._cron_deliver_outbox(time_budget=30)

    @staticmethod
    def make_due(message):
        message.next_attempt_at = message.next_attempt_at and "2000-01-01 00:00:00"
