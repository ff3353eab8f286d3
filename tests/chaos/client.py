"""The sender of the chaos run: signed requests retried like a real partner's (the same
body, ``Idempotency-Key`` and ``X-Correlation-Id`` after a dropped connection or a 5xx,
a fresh signature each time), and a tally of what each request was finally answered."""

import json
import threading
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field

from ingest_bench import signed_request

ROUTES = {"events": "/freight_sync/v1/events", "invoices": "/freight_sync/v1/invoices",
          "edi": "/freight_sync/v1/edi"}
CONTENT_TYPES = {"edi": "application/edi-x12"}
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class Outcome:
    """What one send ended with: the final HTTP status and answer, and the attempts
    that got no answer (dropped, refused, timed out) or a 5xx before it."""

    status: int = 0
    answer: dict = field(default_factory=dict)
    attempts: int = 0
    lost: list = field(default_factory=list)  # why each unanswered attempt failed
    seconds: float = 0.0


class Sender:
    def __init__(self, url, db, key, secret, carrier_id, login="admin", password="admin",
                 give_up_after=300):
        self.url, self.db, self.key, self.secret = url, db, key, secret
        self.carrier_id, self.login, self.password = carrier_id, login, password
        self.give_up_after = give_up_after
        self.lock = threading.Lock()
        self.outcomes = {}  # correlation id -> Outcome

    def send(self, send):
        outcome, started = Outcome(), time.monotonic()
        while True:
            outcome.attempts += 1
            try:
                outcome.status, outcome.answer = self._attempt(send)
                if outcome.status not in RETRY_STATUSES:
                    break
                outcome.lost.append(f"HTTP {outcome.status}")
            except (OSError, urllib.error.URLError, xmlrpc.client.ProtocolError,
                    ConnectionError) as error:  # the worker died, the server restarts
                outcome.lost.append(type(error).__name__)
            except xmlrpc.client.Fault as fault:
                outcome.status, outcome.answer = 0, {"fault": fault.faultString[-500:]}
                break
            if time.monotonic() - started > self.give_up_after:
                outcome.status = -1  # gave up: reported as a failure of the run
                break
            time.sleep(min(0.25 * 2 ** min(outcome.attempts, 5), 5.0))
        outcome.seconds = time.monotonic() - started
        with self.lock:
            self.outcomes[send.correlation] = outcome
        return outcome

    def _attempt(self, send):
        if send.route == "csv":
            return self._import_csv(send)
        headers = {"Idempotency-Key": send.key, "X-Correlation-Id": send.correlation}
        secret = self.secret + "x" if send.fault == "bad_signature" else self.secret
        request = signed_request(self.url + ROUTES[send.route], send.body, self.key, secret,
                                 CONTENT_TYPES.get(send.route, "application/json"), headers)
        if send.route == "edi":
            request.add_header("Accept", "application/edi-x12")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, _read(response)
        except urllib.error.HTTPError as error:
            return error.code, _read(error)

    def _import_csv(self, send):
        """A clerk's import of a CSV file through the import wizard, over XML-RPC."""
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common", allow_none=True)
        uid = common.authenticate(self.db, self.login, self.password, {})

        def call(model, method, *args):
            return proxy.execute_kw(self.db, uid, self.password, model, method, list(args))

        wizard = call("freight.invoice.import", "create", {
            "file": send.body.decode(), "filename": f"{send.key}.csv",
            "carrier_id": self.carrier_id, "date_format": "iso",
            "column_number": "Invoice", "column_date": "Date", "column_pro": "PRO",
            "column_charge": "Charge", "column_amount": "Amount"})
        action = call("freight.invoice.import", "action_import", [wizard])
        return 200, {"staged": (action or {}).get("domain", [[0, 0, []]])[0][2]}


def _read(response):
    raw = response.read()
    if response.headers.get_content_type() == "application/json":
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return {"text": raw[:2000].decode(errors="replace"),
            **{name.lower(): value for name, value in response.headers.items()
               if name.lower().startswith("x-freight-")}}


