"""What the chaos run sends, decided up front from a seed: requests of events and
invoices with their planned faults, and what the server should end with. Pure.

Every item the client sends has an expectation: ``applied`` (a valid event or invoice),
``dead`` (valid at intake, but no shipment has its reference: retried, then a dead
letter) or ``rejected`` (refused at intake with a pointer). A request is a ``Send``; a
request sent twice at once or again later is another ``Send`` with the same
``Idempotency-Key`` and its own ``X-Correlation-Id``, so the message the server stored
names the one send that stored it.
"""

import base64
import json
import random
from dataclasses import dataclass, field

CODES = ("picked_up", "in_transit", "at_terminal", "out_for_delivery", "delivered")
# how far shipment s gets: STEPS[s % 5] statuses, so final statuses differ
STEPS = (2, 3, 4, 5, 5)


def scac_of(run):
    """The run's carrier SCAC (unique per carrier): X and three letters from the run id."""
    return "X" + "".join(chr(ord("A") + int(c, 16)) for c in run[:3].lower())
INVOICE_DATE = "2024-07-12"
CORRECTION_DATE = "2024-07-15"


@dataclass
class Send:
    """One request: ``route`` is events, invoices, edi or csv (the clerk's import over
    XML-RPC); ``items`` [(event id or None, expectation)] in body order."""

    route: str
    key: str
    correlation: str
    body: bytes
    items: list = field(default_factory=list)
    fault: str = ""  # bad_json, bad_signature, all_invalid, twin, again, channel
    group: int = -1  # sends of one group go out at the same instant


@dataclass
class Plan:
    shipments: list  # PRO numbers, in order
    weights: list
    sends: list  # in sending order
    events: dict  # event id -> (shipment index, code) of every valid event
    expect: dict  # event/invoice item id -> applied | dead
    identities: list  # (number, correction, date, total) of every invoice expected
    stats: dict


def plan(run, events, invoices, seed=1, batch=None):
    rng = random.Random(seed)
    n_dup, n_bad = events // 10, max(events // 100, 4)
    n_unique = events - n_dup - n_bad
    n_ship = max(-(-n_unique * 5 // sum(STEPS)), invoices)
    pros = [f"CH{run}{i:06d}" for i in range(n_ship)]
    weights = [800.0 + i % 400 for i in range(n_ship)]
    batch = batch or min(500, max(50, events // 30))
    stream, expect, known = _event_stream(rng, run, pros, n_unique)
    stats = {"events_unique": len(known)}
    stream, stats["malformed_inside"] = _with_malformed(rng, run, stream, n_bad)
    whole = _whole_duplicates(len(stream), batch, n_dup)
    singles = n_dup - sum(min(batch, len(stream) - b * batch) for b in whole)
    stream = _with_duplicates(rng, stream, max(singles, 0))
    stats["out_of_order"] = _count_sent_early(stream, known)
    sends = []
    for n, start in enumerate(range(0, len(stream), batch)):
        chunk = stream[start:start + batch]
        key = f"chaos-{run}-ev-{n}"
        body = json.dumps({"events": [item for item, _id, _expect in chunk]}).encode()
        items = [(event_id, expectation) for _item, event_id, expectation in chunk]
        sends.append(Send("events", key, key, body, items))
        if n in whole:  # the same request again: at the same instant, or much later
            fault = "twin" if len(whole) < 2 or n == whole[0] else "again"
            sends.append(Send("events", key, f"{key}#{fault}", body, items, fault))
    expect.update({event_id: e for _i, event_id, e in stream if event_id and e != "applied"})
    inv_sends, identities, inv_expect = _invoices(rng, run, pros, weights, invoices)
    expect.update(inv_expect)
    bad = _bad_requests(run, pros)
    expect.update({event_id: e for send in bad for event_id, e in send.items})
    sends = _interleave(rng, sends, inv_sends) + bad
    # a resent request goes out once everything else was sent
    sends.sort(key=lambda s: s.fault == "again")
    stats.update(
        events_sent=sum(len(s.items) for s in sends if s.route == "events"),
        duplicates_planned=n_dup, whole_request_duplicates=len(whole), batch=batch,
        invoices=invoices, requests=len(sends))
    return Plan(pros, weights, sends, known, expect, identities, stats)


def _event_stream(rng, run, pros, n_unique):
    """Each shipment's statuses in order (2 to 5 of them), shipments interleaved step by
    step; then about one event in ten changes place with the status before it."""
    events, known = [], {}
    for step, code in enumerate(CODES):
        for s, pro in enumerate(pros):
            if len(events) >= n_unique:
                break
            if step >= STEPS[s % len(STEPS)]:
                continue
            event_id = f"{run}-{s}-{step}"
            known[event_id] = (s, code)
            events.append(({"id": event_id, "shipment": {"pro_number": pro}, "code": code,
                            "event_time": f"2024-07-{9 + step:02d}T{8 + s % 10:02d}:00:00Z"},
                           event_id, "applied"))
    position = {item[1]: i for i, item in enumerate(events)}
    swaps = 0
    for s in rng.sample(range(len(pros)), len(pros)):
        if swaps >= n_unique // 9:  # about one event in ten once duplicates are in
            break
        step = rng.randint(1, len(CODES) - 1)
        later, earlier = f"{run}-{s}-{step}", f"{run}-{s}-{step - 1}"
        if later in position and earlier in position:
            i, j = position[earlier], position[later]
            events[i], events[j] = events[j], events[i]
            position[earlier], position[later] = j, i
            swaps += 1
    return events, {k: "applied" for k in known}, known


def _count_sent_early(stream, known):
    """How many events went out while an earlier status of their shipment had not."""
    remaining = {}
    for _item, event_id, _e in stream:
        if event_id not in known:
            continue
        s, code = known[event_id]
        remaining.setdefault(s, []).append(CODES.index(code))
    early, sent = 0, {}
    for _item, event_id, _e in stream:
        if event_id not in known:
            continue
        s, code = known[event_id]
        rank = CODES.index(code)
        sent.setdefault(s, set()).add(rank)
        if any(r < rank and r not in sent[s] for r in remaining[s]):
            early += 1
    return early


MALFORMED = ("bad_time", "unknown_shipment", "garbage", "bad_code", "no_id")


def _with_malformed(rng, run, stream, n_bad):
    stream = list(stream)
    for n in range(n_bad):
        kind = MALFORMED[n % len(MALFORMED)]
        event_id = f"{run}-bad-{n}"
        item = {"id": event_id, "shipment": {"pro_number": f"CH{run}X{n}"}, "code": "in_transit",
                "event_time": "2024-07-10T08:00:00Z"}
        expectation = "dead" if kind == "unknown_shipment" else "rejected"
        if kind == "bad_time":
            item["shipment"]["pro_number"], item["event_time"] = f"CH{run}000000", "yesterday"
        elif kind == "garbage":
            item, event_id = rng.choice(["\u0000garbage", 42, ["x"], None]), None
        elif kind == "bad_code":
            item["code"] = "teleported"
        elif kind == "no_id":
            del item["id"]
            event_id = None
        stream.insert(rng.randrange(len(stream) + 1), (item, event_id, expectation))
    return stream, n_bad


def _whole_duplicates(length, batch, n_dup):
    """Batches sent twice whole: at most two, never more items than a third of the
    duplicates."""
    batches = -(-length // batch)
    count = 2 if batch * 2 <= n_dup // 3 else (1 if batch <= n_dup // 3 else 0)
    return [batches // 3, (2 * batches) // 3][:count] if batches > 2 else []


def _with_duplicates(rng, stream, count):
    """Exact copies of earlier valid events, each a little or much later in the stream
    (one in ten right beside itself, so in the same request)."""
    valid = [i for i, (_item, event_id, _e) in enumerate(stream) if event_id]
    keyed = [(float(i), i) for i in range(len(stream))]
    for n in range(count):
        i = rng.choice(valid[: max(len(valid) * 9 // 10, 1)])
        keyed.append((i + 0.5 if n % 10 == 0 else rng.uniform(i + 1, len(stream)), i))
    return [stream[i] for _key, i in sorted(keyed)]


def _amounts(weight):
    linehaul = max(weight * 0.5, 150.0)
    return [("400", round(linehaul, 2)), ("405", round(linehaul * 0.2, 2))]


def invoice_document(number, pro, weight, scac, correction=None, day=INVOICE_DATE):
    lines = [{"charge_code": code, "amount": amount} for code, amount in _amounts(weight)]
    document = {"number": number, "date": day, "currency": "USD", "scac": scac,
                "total": round(sum(line["amount"] for line in lines), 2),
                "shipment": {"pro_number": pro}, "lines": lines}
    if correction:
        document["correction"] = correction
    return document


def _invoices(rng, run, pros, weights, count):
    """Originals in requests of 50 (one in ten also resent in a later request; one in
    twenty sent at the same instant as JSON, CSV and X12 210 instead), then corrections
    of one in ten (RB, CO, CA) and a few malformed ones."""
    sends, identities, expect, scac = [], [], {}, scac_of(run)
    batch, channel, items = 50, set(rng.sample(range(count), max(count // 20, 1))), []
    for i in range(count):
        number = f"CI{run}-{i:05d}"
        document = invoice_document(number, pros[i], weights[i], scac)
        identities.append((number, None, INVOICE_DATE, document["total"]))
        item_id = f"json:{scac}:{number}:original"
        expect[item_id] = "applied"
        if i in channel:
            sends += _three_channels(run, i, document, item_id)
            continue
        items.append((document, item_id, "applied"))
        if rng.random() < 0.1:
            items.append((document, item_id, "applied"))  # resent: a duplicate item later
    rng.shuffle(items)
    for n in range(count // 100 + 1):  # bad date, total that is not the lines' sum
        bad = invoice_document(f"CI{run}-BAD{n}", pros[0], weights[0], scac)
        bad["date" if n % 2 else "total"] = "31/07/2024" if n % 2 else 1.0
        items.insert(rng.randrange(len(items) + 1), (bad, None, "rejected"))
    corrections = []
    for i in rng.sample(sorted(set(range(count)) - channel), count // 10):
        code = ("RB", "CO", "CA")[i % 3]
        number = f"CI{run}-{i:05d}"
        document = invoice_document(number, pros[i], weights[i], scac, code, CORRECTION_DATE)
        identities.append((number, code, CORRECTION_DATE, document["total"]))
        item_id = f"json:{scac}:{number}:{code}"
        expect[item_id] = "applied"
        corrections.append((document, item_id, "applied"))
    for n, chunk in enumerate(_chunks(items, batch) + _chunks(corrections, batch)):
        key = f"chaos-{run}-inv-{n}"
        body = json.dumps({"invoices": [document for document, _i, _e in chunk]}).encode()
        sends.append(Send("invoices", key, key, body,
                          [(item_id, e) for _d, item_id, e in chunk], "correction"
                          if chunk[0] in corrections else ""))
    return sends, identities, expect


def _chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def _three_channels(run, i, document, item_id):
    key = f"chaos-{run}-inv3-{i}"
    json_body = json.dumps({"invoices": [document]}).encode()
    return [
        Send("invoices", key, key, json_body, [(item_id, "applied")], "channel", i),
        Send("csv", f"{key}-csv", f"{key}-csv", csv_file(document), [], "channel", i),
        Send("edi", f"{key}-210", f"{key}-210", x12_210(document, 100000 + i), [],
             "channel", i),
    ]


def csv_file(document):
    rows = ["Invoice,Date,PRO,Charge,Amount"] + [
        f"{document['number']},{document['date']},{document['shipment']['pro_number']},"
        f"{line['charge_code']},{line['amount']:.2f}" for line in document["lines"]]
    return base64.b64encode(("\n".join(rows) + "\n").encode())


def x12_210(document, control):
    """One 210 interchange of ``document``: amounts in cents, L108 the charge code."""
    day, scac = document["date"].replace("-", ""), document["scac"]
    cents = lambda amount: str(round(amount * 100))  # noqa: E731
    body = [f"B3**{document['number']}*{document['shipment']['pro_number']}*PP**{day}"
            f"*{cents(document['total'])}**{day}*035*{scac}", "C3*USD"]
    for n, line in enumerate(document["lines"], 1):
        body += [f"LX*{n}", f"L1*{n}***{cents(line['amount'])}****{line['charge_code']}"]
    body.append(f"L3*****{cents(document['total'])}")
    segments = [
        f"ISA*00*          *00*          *02*{scac:<15}*ZZ*{'FREIGHTSYNC':<15}*{day[2:]}*0900"
        f"*U*00401*{control:09d}*0*P*>",
        f"GS*IM*{scac}*FREIGHTSYNC*{day}*0900*{control}*X*004010", "ST*210*0001", *body,
        f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(segment + "~\n" for segment in segments).encode()


def _interleave(rng, events, invoices):
    """Invoices among the events: originals over the first two thirds of the run,
    corrections over the last third (a correction names an invoice sent before it)."""
    originals = [s for s in invoices if s.fault != "correction"]
    corrections = [s for s in invoices if s.fault == "correction"]
    cut = len(events) * 2 // 3
    head = _spread(rng, events[:cut], originals)
    return head + _spread(rng, events[cut:], corrections)


def _spread(rng, sends, extra):
    out = list(sends)
    slots = sorted(rng.randrange(len(out) + 1) for _ in extra)
    for offset, (slot, send) in enumerate(zip(slots, extra)):
        out.insert(slot + offset, send)
    return out


def _bad_requests(run, pros):
    """Requests refused whole: not JSON, a wrong signature, no valid item."""
    valid = [{"id": f"{run}-badsig-{n}", "shipment": {"pro_number": pros[0]},
              "code": "exception", "event_time": "2024-07-10T09:00:00Z"} for n in range(3)]
    invalid = [{"id": f"{run}-invalid-{n}", "shipment": {}, "code": "delivered",
                "event_time": "2024-07-10T09:00:00Z"} for n in range(3)]
    return [
        Send("events", f"chaos-{run}-badjson", f"chaos-{run}-badjson",
             b'{"events": [{"id": "x", ', [], "bad_json"),
        Send("events", f"chaos-{run}-badsig", f"chaos-{run}-badsig",
             json.dumps({"events": valid}).encode(),
             [(e["id"], "rejected") for e in valid], "bad_signature"),
        Send("events", f"chaos-{run}-invalid", f"chaos-{run}-invalid",
             json.dumps({"events": invalid}).encode(),
             [(e["id"], "rejected") for e in invalid], "all_invalid"),
    ]
