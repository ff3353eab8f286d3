"""Seeded mutations of valid inbound payloads, and the pure intake they are fed through.

No Odoo here: ``test_services_fuzz`` runs it in the pure tier, ``test_routes_fuzz`` posts
a few hundred of the same inputs over HTTP, ``tests/bench/fuzz_bench.py`` runs it big.
A mutation keeps most of a valid payload so that it reaches deep into the parsers: a
random byte string would be refused at the first check and test nothing else.
"""

import json
import random
import traceback
from datetime import datetime
from pathlib import Path

from ..services.canonical import JsonSyntaxError, PayloadError, load_json, parse_event_batch
from ..services.inbox import item_digest
from ..services.invoice_csv_rows import parse_rows, sniff, suggest_mapping
from ..services.invoice_files import x12_invoices
from ..services.invoice_payload import parse_invoice_batch
from ..services.x12 import X12Error
from ..services.x12_intake import body_items, inbound_items, read_body
from ..services.x12_invoice import map_210

FIXTURES = Path(__file__).parent / "fixtures"
# What the pure intake may raise: a refusal it documents. Anything else is a crash.
REFUSALS = (X12Error, PayloadError, JsonSyntaxError)
RECEIVED_AT = datetime(2024, 7, 12, 9, 0)

# characters that broke parsers elsewhere: NUL and C0 controls, lone surrogates, bidi
# overrides, a byte order mark, digits int() reads or refuses, delimiters of other senders
ODD_CHARS = ("\x00", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f", "\x1b", "\ud800", "\udfff",
             "\u202e", "\u2066", "\u200f", "\ufeff", "\u00b2", "\u0661", "\uff11", "\u00e9",
             "\U0001f69a", "\r", "\n", "\t", " ", "~", "*", "^", "|", ">", ":", "'", "+",
             "!", "\\", '"', "{", "[", "]", "}")
HUGE_NUMBERS = ("9" * 20, "9" * 400, "1" * 5000, "1e999", "-1e999", "1e-999", "NaN",
                "Infinity", "-0", "0x1F", "1_000", "\u0661\u0662", "18446744073709551616",
                "9007199254740993", "1e15", "-1e15", "999999999.99", "1000000000.01")
X12_DELIMITERS = "*~>^|:!'+\x1d\x1e\x1f\n\r "


def x12_seeds() -> list[bytes]:
    return [path.read_bytes() for path in sorted((FIXTURES / "x12").iterdir())
            if path.suffix in (".edi", ".x12")]


def event(index: int) -> dict:
    return {"id": f"fz-{index}", "shipment": {"pro_number": "PRO-100"}, "code": "picked_up",
            "event_time": "2024-07-09T08:00:00-05:00", "location": "Dallas, TX",
            "note": "dock 4"}


def invoice(index: int) -> dict:
    return {"number": f"FZ-{index}", "date": "2024-07-12", "currency": "USD", "total": 560.0,
            "scac": "TSTC", "shipment": {"pro_number": "PRO-100"},
            "lines": [{"charge_code": "400", "amount": 500, "billed_weight_kg": 800},
                      {"charge_code": "FSC", "amount": "60.00", "rate": 0.12,
                       "shipment": {"bol_number": "BOL-1"}}]}


def json_seed(kind: str, rng: random.Random) -> dict:
    make = event if kind == "events" else invoice
    return {kind: [make(rng.randrange(10**6)) for _item in range(rng.randint(1, 3))]}


# ---- mutations of text and bytes --------------------------------------------------------

def truncate(rng, text):
    return text[:rng.randrange(len(text) + 1)]


def flip_bytes(rng, text):
    raw = bytearray(text.encode("utf-8", "surrogatepass"))
    for _flip in range(rng.randint(1, 5)):
        if raw:
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    return bytes(raw)


def insert_odd(rng, text):
    at = rng.randrange(len(text) + 1)
    return text[:at] + "".join(rng.choice(ODD_CHARS) for _c in range(rng.randint(1, 4))) + \
        text[at:]


def huge_number(rng, text):
    """A run of digits replaced by a number no parser should take as it is."""
    starts = [i for i, char in enumerate(text) if char.isdigit()
              and (i == 0 or not text[i - 1].isdigit())]
    if not starts:
        return text + rng.choice(HUGE_NUMBERS)
    start = end = rng.choice(starts)
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[:start] + rng.choice(HUGE_NUMBERS) + text[end:]


def swap_delimiter(rng, text):
    present = [char for char in X12_DELIMITERS if char in text]
    if not present:
        return text
    old, new = rng.choice(present), rng.choice(X12_DELIMITERS)
    if rng.random() < 0.5:
        return text.replace(old, new)
    at = rng.choice([i for i, char in enumerate(text) if char == old])
    return text[:at] + new + text[at + 1:]


def shuffle_segments(rng, text):
    """A segment duplicated, dropped or moved: what a sender's broken loop produces."""
    separator = "~" if "~" in text else "\n"
    segments = text.split(separator)
    if len(segments) < 2:
        return text
    at = rng.randrange(len(segments))
    action = rng.randrange(3)
    if action == 0:
        segments.insert(at, segments[rng.randrange(len(segments))])
    elif action == 1:
        del segments[at]
    else:
        segments.insert(rng.randrange(len(segments)), segments.pop(at))
    return separator.join(segments)


def repeat_part(rng, text):
    start = rng.randrange(len(text) + 1)
    end = min(len(text), start + rng.randint(1, 200))
    return text[:end] + text[start:end] * rng.randint(2, 50) + text[end:]


TEXT_MUTATIONS = (truncate, flip_bytes, insert_odd, huge_number, swap_delimiter,
                  shuffle_segments, repeat_part)


def mutate_text(rng: random.Random, text: str) -> bytes:
    """One to three mutations of ``text``, as the bytes a sender would post."""
    for _round in range(rng.randint(1, 3)):
        mutated = rng.choice(TEXT_MUTATIONS)(rng, text)
        text = mutated.decode("utf-8", "surrogateescape") if isinstance(mutated, bytes) \
            else mutated
    return text.encode("utf-8", "surrogateescape" if rng.random() < 0.5 else "surrogatepass") \
        if _encodable(text) else text.encode("utf-8", "replace")


def _encodable(text):
    try:
        text.encode("utf-8", "surrogatepass")
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


# ---- mutations of JSON documents --------------------------------------------------------

def odd_value(rng: random.Random, depth: int = 0):
    choice = rng.randrange(12)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice((True, False))
    if choice == 2:
        return rng.choice((10**rng.randint(10, 400), -(2**53) - 1, 2**53 + 1, 0))
    if choice == 3:
        return rng.choice((1e300, -1e300, 1e15, 1e9 + 0.5, 5e-324, -0.0))
    if choice == 4:
        return "".join(rng.choice(ODD_CHARS) for _c in range(rng.randint(0, 6)))
    if choice == 5:
        return rng.choice(HUGE_NUMBERS)
    if choice == 6:
        return rng.choice(("0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00",
                           "2024-02-30T00:00:00Z", "2024-07-09T08:00:00", "1999-12-31",
                           "2999-01-01", "20240712", "2024-07-12T25:00:00Z", ""))
    if choice == 7:
        return "x" * rng.choice((257, 5000))
    if choice == 8 and depth < 3:
        return [odd_value(rng, depth + 1) for _i in range(rng.randint(0, 3))]
    if choice == 9 and depth < 3:
        return {rng.choice(("", "\x00", "\ud800", "a/b~c", "amount", "id")):
                odd_value(rng, depth + 1)}
    if choice == 10:
        return nest(rng.randint(1, 60), rng.choice(("[", "{")))
    return rng.choice(("picked_up", "delivered", "USD", "CO", "PRO-100", "TSTC"))


def nest(depth, bracket):
    value = 1
    for _level in range(depth):
        value = [value] if bracket == "[" else {"a": value}
    return value


def _containers(value, found):
    if isinstance(value, dict | list):
        found.append(value)
        for member in value.values() if isinstance(value, dict) else value:
            _containers(member, found)
    return found


def mutate_document(rng: random.Random, document):
    """A member of ``document`` replaced, removed or duplicated, in place."""
    container = rng.choice(_containers(document, []))
    if isinstance(container, dict):
        if not container:
            container["x"] = odd_value(rng)
            return document
        key = rng.choice(list(container))
        action = rng.randrange(3)
        if action == 0:
            container[key] = odd_value(rng)
        elif action == 1:
            del container[key]
        else:
            container[key + rng.choice(("", "_", "\u202e"))] = container[key]
    elif container:
        at = rng.randrange(len(container))
        action = rng.randrange(3)
        if action == 0:
            container[at] = odd_value(rng)
        elif action == 1:
            del container[at]
        else:
            # batch limits are the catalogue's: a batch here stays small and fast
            container.extend([container[at]] * rng.choice((1, 2, 9)))
    return document


def json_body(rng: random.Random, kind: str) -> bytes:
    """A mutated batch for ``kind`` (events or invoices), mostly as JSON text."""
    document = json_seed(kind, rng)
    for _round in range(rng.randint(1, 3)):
        mutate_document(rng, document)
    text = json.dumps(document, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.3:
        return mutate_text(rng, text)
    if rng.random() < 0.05:
        depth = rng.choice((33, 1000, 50_000))
        text = text.replace("[", "[" * depth + "[", 1).replace("]", "]" + "]" * depth, 1)
    return text.encode("utf-8", "surrogatepass")


def x12_body(rng: random.Random, seeds: list[bytes]) -> bytes:
    seed = rng.choice(seeds)
    text = seed.decode("latin-1") if rng.random() < 0.2 else seed.decode("utf-8", "replace")
    return mutate_text(rng, text)


def csv_body(rng: random.Random, seeds: list[str]) -> str:
    return mutate_text(rng, rng.choice(seeds)).decode("utf-8", "replace")


# ---- the pure intake, as the routes and the upload wizard use it ------------------------

def check_json(kind: str, body: bytes) -> None:
    """What ``JsonBatchIntake.read_batch`` does with a body, without the database."""
    parse = parse_event_batch if kind == "events" else parse_invoice_batch
    try:
        document = load_json(body)
        valid, _rejected = parse(document)
    except REFUSALS:
        return
    for index, _item in valid:
        item_digest(document[kind][index])


def check_x12(body: bytes) -> None:
    """What the /edi route and the inbox do with a body."""
    try:
        interchanges, _notes = read_body(body)
    except REFUSALS:
        return
    for interchange in interchanges:
        for group in interchange.groups:
            for tset in group.sets:
                map_210(tset)
        if interchange.refusal() is None:
            for source, _event in inbound_items(interchange, RECEIVED_AT)[0]:
                item_digest(source)


def check_upload(body: bytes) -> None:
    """What the upload wizard does with an X12 file; the intake it shares with the route
    has been through ``check_x12``, so only a few inputs take this path too."""
    x12_invoices(body)
    try:
        body_items(body, RECEIVED_AT)
    except REFUSALS:
        return  # an unreadable ISA: the route refused such a body, nothing was stored


def check_csv(text: str) -> None:
    mapping = suggest_mapping(sniff(text)[1])
    parse_rows(text, mapping, "iso", {"currency": "USD"})


def generate(seed: int, count: int):
    """``count`` inputs as ``(label, check, argument)``, the same for the same seed: 40 %
    X12 bodies, 55 % event and invoice batches, a few X12 uploads and CSV files (whose
    dialect sniffing is slow)."""
    rng = random.Random(seed)
    seeds = x12_seeds()
    csv_seeds = [path.read_text() for path in sorted((FIXTURES / "csv").iterdir())]
    for index in range(count):
        kind = index % 40
        if kind < 16:
            yield "edi", check_x12, x12_body(rng, seeds)
        elif kind < 26:
            yield "events", check_json, json_body(rng, "events")
        elif kind < 38:
            yield "invoices", check_json, json_body(rng, "invoices")
        elif kind == 38:
            yield "upload", check_upload, x12_body(rng, seeds)
        else:
            yield "csv", check_csv, csv_body(rng, csv_seeds)


def unmutated(seed: int, count: int):
    """The payloads ``generate`` starts from, in its proportions and unchanged: what a
    benchmark compares the cost of mutated inputs with."""
    rng = random.Random(seed)
    seeds = x12_seeds()
    csv_seeds = [path.read_text() for path in sorted((FIXTURES / "csv").iterdir())]
    for index in range(count):
        kind = index % 40
        if kind < 16:
            yield "edi", check_x12, rng.choice(seeds)
        elif kind < 38:
            label = "events" if kind < 26 else "invoices"
            yield label, check_json, json.dumps(json_seed(label, rng)).encode()
        elif kind == 38:
            yield "upload", check_upload, rng.choice(seeds)
        else:
            yield "csv", check_csv, rng.choice(csv_seeds)


def check_one(label: str, check, argument) -> None:
    """Feed one generated input to its check."""
    if label in ("events", "invoices"):
        check(label, argument)
    else:
        check(argument)


def run(seed: int, count: int, inputs=generate) -> tuple[int, list[dict]]:
    """Feed ``count`` inputs of ``inputs`` (``generate``, or ``unmutated``) through the
    pure intake: ``(checked, crashes)``, a crash being any exception that is not a
    documented refusal."""
    crashes, checked = [], 0
    for label, check, argument in inputs(seed, count):
        checked += 1
        try:
            check_one(label, check, argument)
        except Exception as error:  # noqa: BLE001  the point: any exception is reported
            crashes.append({"label": label, "input": argument, "error": error,
                            "where": traceback.extract_tb(error.__traceback__)[-1]})
    return checked, crashes
