"""The Prometheus page of the integration (pure, no ``odoo`` import).

Input: plain rows read by ``freight.monitor._metrics_snapshot`` (models/freight_monitor.py);
output: the text exposition format, version 0.0.4
(https://prometheus.io/docs/instrumenting/exposition_formats/). Counts of messages in a
state are gauges (a message moves between states); counts of things that only ever happen
once per row (received, processed, retried) are counters, read from the rows themselves,
so they survive restarts and agree across workers.
"""

import math
from typing import NamedTuple

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# seconds from receipt to the end of a message's successful run: minutes matter here
# (retries back off 1 min, 5 min, 30 min, 2 h), milliseconds do not
LATENCY_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21600.0)


class Family(NamedTuple):
    name: str
    kind: str  # counter, gauge, histogram
    help: str
    samples: list  # [(suffix, {label: value}, number)]


def _escape_label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value):
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(value)


def _labels(labels):
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape_label(value)}"'
                          for name, value in labels.items()) + "}"


def render(families):
    """The page: for each family its HELP and TYPE lines, then its samples."""
    lines = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        lines.extend(f"{family.name}{suffix}{_labels(labels)} {_number(value)}"
                     for suffix, labels, value in family.samples)
    return "\n".join(lines) + "\n"


def histogram_samples(labels, per_bucket, total_sum, bounds=LATENCY_BUCKETS):
    """A histogram's samples from the count of observations per bucket index (0: at most
    ``bounds[0]``, ``len(bounds)``: over the last bound): cumulative ``_bucket`` lines up
    to ``+Inf``, then ``_sum`` and ``_count``."""
    samples, running = [], 0
    for index, bound in enumerate(bounds):
        running += per_bucket.get(index, 0)
        samples.append(("_bucket", {**labels, "le": _number(float(bound))}, running))
    count = running + per_bucket.get(len(bounds), 0)
    samples.append(("_bucket", {**labels, "le": "+Inf"}, count))
    samples.append(("_sum", labels, float(total_sum or 0.0)))
    samples.append(("_count", labels, count))
    return samples


def families(snapshot):
    """The metric families of a ``snapshot`` (see ``freight.monitor._metrics_snapshot``
    for its keys, each a list of plain tuples or dicts)."""
    latency = []
    for lane, buckets in sorted(snapshot["latency"].items()):
        per_bucket = {index: count for index, count, _sum in buckets}
        total = sum(seconds for _index, _count, seconds in buckets)
        latency += histogram_samples({"lane": lane}, per_bucket, total)
    received = {}
    for direction, kind, _state, count in snapshot["messages"]:
        received[(direction, kind)] = received.get((direction, kind), 0) + count
    return [
        Family("freight_sync_up", "gauge",
               "1 when the integration is healthy (see /freight_sync/v1/health), else 0.",
               [("", {}, 1 if snapshot["health"] == "ok" else 0)]),
        Family("freight_sync_messages", "gauge",
               "Messages stored now, by direction, kind and state.",
               [("", {"direction": d, "kind": k, "state": s}, n)
                for d, k, s, n in snapshot["messages"]]),
        Family("freight_sync_messages_received_total", "counter",
               "Messages ever stored (requests accepted or refused as a whole), by "
               "direction and kind.",
               [("", {"direction": d, "kind": k}, n) for (d, k), n in sorted(received.items())]),
        Family("freight_sync_messages_processed_total", "counter",
               "Inbound messages whose processing ran at least once, by lane.",
               [("", {"lane": lane}, n) for lane, n in snapshot["processed"]]),
        Family("freight_sync_items_total", "counter",
               "Items (events, invoices) stored as new, by outcome (pending, applied, failed).",
               [("", {"state": state}, n) for state, n in snapshot["items"]]),
        Family("freight_sync_items_not_stored_total", "counter",
               "Items sent in stored requests but not stored as new, by kind: duplicates of "
               "earlier items, plus conflicts and items refused at intake. A request made "
               "only of duplicates stores nothing: see freight_sync_resent_items_total.",
               [("", {"kind": kind}, n) for kind, n in snapshot["not_stored"]]),
        Family("freight_sync_resent_requests_total", "counter",
               "Requests that stored nothing, every item in them stored before (a resend "
               "under the same idempotency key or a new one), by kind.",
               [("", {"kind": kind}, n) for kind, n, _items in snapshot.get("resent", ())]),
        Family("freight_sync_resent_items_total", "counter",
               "Items of those requests: duplicates that left no message, by kind.",
               [("", {"kind": kind}, items) for kind, _n, items in snapshot.get("resent", ())]),
        Family("freight_sync_processing_latency_seconds", "histogram",
               "Seconds from receipt to the end of the successful run of inbound messages "
               "(done), by lane; cumulative over every message kept.",
               latency),
        Family("freight_sync_queue_depth", "gauge",
               "Inbound messages waiting to be processed (new or waiting to retry), by lane.",
               [("", {"lane": q["lane"]}, q["depth"]) for q in snapshot["queues"]]),
        Family("freight_sync_queue_oldest_age_seconds", "gauge",
               "Seconds the oldest due inbound message of the lane has waited (0 when none).",
               [("", {"lane": q["lane"]}, q["oldest_due_seconds"] or 0)
                for q in snapshot["queues"]]),
        Family("freight_sync_dead_letters", "gauge",
               "Messages whose retries ran out (state dead), by direction.",
               [("", {"direction": d}, n) for d, n in snapshot["dead_letters"]]),
        Family("freight_sync_invoices", "gauge",
               "Carrier invoices by state (audit outcome: approved, exception, disputed, ...).",
               [("", {"state": state}, n) for state, n in snapshot["invoices"]]),
        Family("freight_sync_invoice_lines_audited", "gauge",
               "Audited carrier invoice lines by decision.",
               [("", {"decision": decision}, n) for decision, n in snapshot["audit_lines"]]),
        Family("freight_sync_vendor_bills", "gauge",
               "Vendor bills made from carrier invoices, by state (posted, draft, cancel): "
               "draft ones after an automatic posting are posting failures to look at.",
               [("", {"state": state}, n) for state, n in snapshot["bills"]]),
        Family("freight_sync_outbox_attempts", "gauge",
               "Delivery attempts recorded on outbound messages, by kind: each retry counts; "
               "an admin's retry starts a message's count again, hence a gauge.",
               [("", {"kind": kind}, n) for kind, n in snapshot["outbox_attempts"]]),
    ]
