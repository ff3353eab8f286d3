"""The bad-input catalogue: what a sender may post wrong, and what it is told. Pure data.

One ``Case`` per distinct bad input of the machine routes. JSON cases state the HTTP
answer (status, error code) and the JSON pointer and words that name the problem; they
are checked without a server by ``TestBadInputCatalogue`` (the route's own parsing) and
over HTTP by ``TestRoutesFuzz``. A case with ``headers`` concerns the request around the
body, so it is checked over HTTP only. X12 cases state the refusal code of
``services/x12.py`` (or ``payload`` for a set whose content ``inbound_items`` refuses)
and words of its message; over HTTP they are held to the contract of every input (no
5xx, a JSON or X12 answer), the /edi route's status codes being another session's work.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..services.canonical import JsonSyntaxError, PayloadError, load_json, parse_event_batch
from ..services.invoice_payload import parse_invoice_batch
from ..services.x12 import X12Error
from ..services.x12_intake import inbound_items, read_body

RECEIVED_AT = datetime(2024, 7, 12, 9, 0)


@dataclass(frozen=True)
class Case:
    label: str
    route: str  # events, invoices or edi
    body: bytes
    status: int | None = None  # JSON routes: the HTTP status
    code: str | None = None  # JSON: the error code ("accepted" for a 202); X12: refusal code
    pointer: str | None = None  # the JSON pointer naming the problem, when there is one
    words: str | None = None  # words the problem's message holds
    headers: dict | None = None  # request headers replaced after signing
    http_only: bool = False  # decided by the endpoint or the headers, not the body


def event(**changes) -> dict:
    data = {"id": "cat-1", "shipment": {"pro_number": "PRO-100"}, "code": "picked_up",
            "event_time": "2024-07-09T08:00:00-05:00"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not DROP}


def invoice(**changes) -> dict:
    data = {"number": "CAT-1", "date": "2024-07-12", "currency": "USD", "total": 560,
            "scac": "TSTC", "shipment": {"pro_number": "PRO-100"},
            "lines": [{"charge_code": "400", "amount": 500},
                      {"charge_code": "FSC", "amount": 60}]}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not DROP}


DROP = object()  # a member left out of the seed


def events(*items) -> bytes:
    return json.dumps({"events": list(items) or [event()]}).encode()


def invoices(*items) -> bytes:
    return json.dumps({"invoices": list(items) or [invoice()]}).encode()


def line(**changes):
    data = {"charge_code": "400", "amount": 560, **changes}
    return {key: value for key, value in data.items() if value is not DROP}


def bad_event(label, pointer, words, **changes) -> Case:
    return Case(label, "events", events(event(**changes)), 422, "invalid_payload",
                pointer, words)


def bad_invoice(label, pointer, words, **changes) -> Case:
    return Case(label, "invoices", invoices(invoice(**changes)), 422, "invalid_payload",
                pointer, words)


def bad_line(label, field, words, **changes) -> Case:
    return bad_invoice(label, f"/invoices/0/lines/0/{field}", words, total=560,
                       lines=[line(**changes)])


def malformed(label, body, words) -> Case:
    return Case(label, "events", body, 400, "malformed_json", None, words)


def batch_refused(label, route, body, pointer, words) -> Case:
    return Case(label, route, body, 422, "invalid_payload", pointer, words)


def tomorrow() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()


JSON_CASES = [
    malformed("not JSON", b'{"events": [', "not JSON"),
    malformed("empty body", b"", "not JSON"),
    malformed("NaN", b'{"events": [{"id": "e1", "seq": NaN}]}', "NaN is not a JSON value"),
    malformed("Infinity", b'{"events": [{"id": "e1", "seq": -Infinity}]}', "not a JSON value"),
    malformed("Latin-1 bytes", '{"events": [{"id": "Montr\u00e9al"}]}'.encode("latin-1"),
              "not UTF-8"),
    malformed("trailing garbage", events() + b"}", "Extra data"),
    malformed("single quotes", b"{'events': []}", "not JSON"),
    batch_refused("a list, not an object", "events", b"[]", "/events",
                  "with an 'events' list"),
    batch_refused("an empty object", "events", b"{}", "/events", "'events' list"),
    batch_refused("a bare string", "events", b'"events"', "/events", "'events' list"),
    batch_refused("events is an object", "events", b'{"events": {}}', "/events", "list"),
    batch_refused("events is null", "events", b'{"events": null}', "/events", "list"),
    batch_refused("no event", "events", b'{"events": []}', "/events", "the list is empty"),
    batch_refused("1001 events", "events", events(*[event(id=f"e{i}") for i in range(1001)]),
                  "/events", "at most 1000 events"),
    batch_refused("nested 33 deep", "events", b'{"events": [' + b"[" * 33 + b"]" * 33 + b"]}",
                  "", "deeper than 32"),
    batch_refused("nested 50,000 deep", "events",
                  b'{"events": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}", "",
                  "deeper than 32"),
    batch_refused("an event is a string", "events", b'{"events": ["e1"]}', "/events/0",
                  "must be a JSON object"),
    bad_event("no id", "/events/0/id", "event id is required", id=DROP),
    bad_event("id of 257 characters", "/events/0/id", "longer than 256", id="x" * 257),
    bad_event("id is a list", "/events/0/id", "must be a string", id=["e1"]),
    bad_event("no shipment", "/events/0/shipment", "shipment references", shipment=DROP),
    bad_event("shipment without a reference", "/events/0/shipment", "give at least one",
              shipment={"colour": "red"}),
    bad_event("shipment is a string", "/events/0/shipment", "shipment references",
              shipment="PRO-100"),
    bad_event("reference is an object", "/events/0/shipment/pro_number", "must be a string",
              shipment={"pro_number": {"a": 1}}),
    bad_event("unknown code", "/events/0/code", "unknown milestone code", code="teleported"),
    bad_event("no code nor raw code", "/events/0/code", "canonical milestone code",
              code=DROP),
    bad_event("no event time", "/events/0/event_time", "with UTC offset is required",
              event_time=DROP),
    bad_event("event time without offset", "/events/0/event_time", "has no UTC offset",
              event_time="2024-07-09T08:00:00"),
    bad_event("event time not ISO", "/events/0/event_time", "not an ISO 8601",
              event_time="09/07/2024 08:00"),
    bad_event("February 30", "/events/0/event_time", "not an ISO 8601",
              event_time="2024-02-30T08:00:00Z"),
    bad_event("year 1", "/events/0/event_time", "is before 1970-01-01",
              event_time="0001-01-01T00:00:00+05:00"),
    bad_event("year 9999", "/events/0/event_time", "is in the future",
              event_time="9999-12-31T23:00:00-05:00"),
    bad_event("before the epoch", "/events/0/event_time", "is before 1970-01-01",
              event_time="1969-12-31T23:59:59Z"),
    bad_event("tomorrow", "/events/0/event_time", "is in the future", event_time=tomorrow()),
    bad_event("event time is a number", "/events/0/event_time", "is required",
              event_time=1720530000),
    bad_event("NUL in location", "/events/0/location", "control character (U+0000)",
              location="Dock\x00 4"),
    bad_event("ESC in note", "/events/0/note", "control character (U+001B)",
              note="\x1b[31mred"),
    bad_event("DEL in note", "/events/0/note", "control character (U+007F)", note="a\x7f"),
    bad_event("lone high surrogate", "/events/0/note", "lone surrogate (U+D800)",
              note="bad \ud800"),
    bad_event("lone low surrogate", "/events/0/location", "lone surrogate (U+DFFF)",
              location="\udfff"),
    bad_event("control character in a member name", "/events/0", "a member name contains",
              **{"odd\x01name": 1}),
    bad_event("integer beyond 2**53", "/events/0/seq", "beyond the bound", seq=2**53 + 1),
    Case("1e400 read as infinity", "events",
         events(event(seq=1)).replace(b'"seq": 1', b'"seq": 1e400'), 422, "invalid_payload",
         "/events/0/seq", "must be a finite number"),
    bad_event("note of 257 characters", "/events/0/note", "longer than 256", note="n" * 257),
    bad_event("location is an object", "/events/0/location", "must be a string",
              location={"city": "Dallas"}),
    bad_event("NUL in a nested reference", "/events/0/shipment/pro_number",
              "control character", shipment={"pro_number": "PRO\x00100"}),
    Case("one bad event beside a good one", "events",
         events(event(), event(id="cat-2", note="a\x00")), 202, "accepted",
         "/events/1/note", "control character"),
    batch_refused("an invoice batch that is a list", "invoices", b"[]", "/invoices",
                  "'invoices' list"),
    batch_refused("201 invoices", "invoices",
                  invoices(*[invoice(number=f"C-{i}") for i in range(201)]), "/invoices",
                  "at most 200 invoices"),
    batch_refused("an invoice is a number", "invoices", b'{"invoices": [7]}', "/invoices/0",
                  "must be a JSON object"),
    bad_invoice("no number", "/invoices/0/number", "invoice number is required",
                number=DROP),
    bad_invoice("number of 257 characters", "/invoices/0/number", "longer than 256",
                number="9" * 257),
    bad_invoice("NUL in the number", "/invoices/0/number", "control character",
                number="INV\x001"),
    bad_invoice("date not ISO", "/invoices/0/date", "YYYY-MM-DD", date="12/07/2024"),
    bad_invoice("date before 2000", "/invoices/0/date", "outside 2000-01-01",
                date="1999-12-31"),
    bad_invoice("date years ahead", "/invoices/0/date", "outside 2000-01-01",
                date="2999-01-01"),
    bad_invoice("date year 1", "/invoices/0/date", "outside", date="0001-01-01"),
    bad_invoice("currency in words", "/invoices/0/currency", "ISO 4217", currency="dollars"),
    bad_invoice("no currency", "/invoices/0/currency", "ISO 4217", currency=DROP),
    bad_invoice("unknown correction", "/invoices/0/correction", "(X12 B308)", correction="XX"),
    bad_invoice("corrects without a code", "/invoices/0/corrects", "correction code",
                corrects="CAT-0"),
    bad_invoice("no lines", "/invoices/0/lines", "at least one line", lines=DROP),
    bad_invoice("empty lines", "/invoices/0/lines", "at least one line", lines=[]),
    bad_invoice("lines is an object", "/invoices/0/lines", "at least one line",
                lines={"0": line()}),
    bad_invoice("501 lines", "/invoices/0/lines", "at most 500 lines", total=0,
                lines=[line(amount=0)] * 501),
    bad_invoice("a line is a string", "/invoices/0/lines/0", "a line must be a JSON object",
                lines=["400"]),
    bad_invoice("no total", "/invoices/0/total", "a number is required", total=DROP),
    bad_invoice("total differs", "/invoices/0/total", "differs from the sum", total=999),
    bad_invoice("total beyond a billion", "/invoices/0/total", "beyond the bound",
                total=2e9),
    bad_invoice("total as a huge numeric string", "/invoices/0/total", "beyond the bound",
                total="1e15"),
    bad_line("no amount", "amount", "a number is required", amount=DROP),
    bad_line("amount in words", "amount", "'lots' is not a number", amount="lots"),
    bad_line("amount 1e15", "amount", "beyond the bound", amount=1e15),
    bad_line("amount -1e15", "amount", "beyond the bound", amount=-1e15),
    bad_line("amount true", "amount", "must be a number", amount=True),
    bad_line("amount a list", "amount", "must be a number", amount=[560]),
    bad_line("rate beyond a billion", "rate", "beyond the bound", rate=-1e10),
    bad_line("quantity of 400 digits", "quantity", "beyond the bound", quantity=10**400),
    bad_line("weight in words", "billed_weight_kg", "'heavy' is not a number",
             billed_weight_kg="heavy"),
    bad_line("lone surrogate in a description", "description", "lone surrogate",
             description="\ud83d"),
    bad_invoice("no reference anywhere", "/invoices/0/lines/0/shipment",
                "shipment references", shipment=DROP, total=560, lines=[line()]),
    Case("SCAC of another carrier", "invoices", invoices(invoice(scac="ELSE")), 422,
         "invalid_payload", "/invoices/0/scac", "is not this endpoint's carrier",
         http_only=True),
]


def _signed_only(label, headers, status, code, words=None) -> Case:
    return Case(label, "events", events(), status, code, None, words, headers, True)


HEADER_CASES = [
    _signed_only("Content-Type text/html", {"Content-Type": "text/html"}, 415,
                 "unsupported_media_type"),
    _signed_only("no Content-Type", {"Content-Type": ""}, 415, "unsupported_media_type"),
    _signed_only("no key", {"X-Freight-Key": ""}, 401, "unauthenticated"),
    _signed_only("unknown key", {"X-Freight-Key": "fsk_nope"}, 401, "unauthenticated"),
    _signed_only("wrong signature", {"X-Freight-Signature": "sha256=" + "0" * 64}, 401,
                 "signature_invalid"),
    _signed_only("timestamp of 400 digits", {"X-Freight-Timestamp": "9" * 400}, 401,
                 "timestamp_invalid"),
    _signed_only("timestamp in words", {"X-Freight-Timestamp": "now"}, 401,
                 "timestamp_invalid"),
    _signed_only("timestamp of 1970", {"X-Freight-Timestamp": "1"}, 401, "timestamp_stale"),
    _signed_only("no signature", {"X-Freight-Signature": ""}, 401, "signature_missing"),
]

ISA = ("ISA*00*          *00*          *02*TSTC           *ZZ*FREIGHTSYNC    *240712*0900*U*"
       "00401*000000301*0*P*>~")
GS = "GS*IM*TSTC*FREIGHTSYNC*20240712*0900*301*X*004010~"
B3 = "B3**CAT-9*PRO100*PP**20240712*50000**20240711*035*TSTC~"
L1 = "L1*1***50000****~"


def x12(*set_segments, isa=ISA, gs=GS, ge="GE*1*301~", iea="IEA*1*000000301~") -> bytes:
    """An interchange around one 210 set of ``set_segments`` (ST and SE added, counted)."""
    body = "".join(set_segments)
    count = body.count("~") + 2
    return f"{isa}{gs}ST*210*0001~{body}SE*{count}*0001~{ge}{iea}".encode()


def edi(label, body, code, words, pointer=None) -> Case:
    return Case(label, "edi", body, None, code, pointer, words)


def bad_210(label, pointer, words, *segments) -> Case:
    return edi(label, x12(*segments), "payload", words, f"/ST0001/{pointer}")


X12_CASES = [
    edi("empty X12 body", b"", "isa_missing", "must start with an ISA"),
    edi("not X12", b"hello, world", "isa_missing", "must start with an ISA"),
    edi("JSON posted to /edi", events(), "isa_missing", "must start with an ISA"),
    edi("ISA cut short", ISA[:60].encode(), "isa_truncated", "only 60 received"),
    edi("ISA field too short", x12(B3, L1, isa=ISA.replace("*00*    ", "*0*    ", 1)),
        "isa_invalid", "ISA01 must be exactly 2 characters"),
    edi("a letter as element separator", x12(B3, L1, isa=ISA.replace("*", "X")),
        "isa_invalid", "is not a delimiter"),
    edi("ISA13 not digits", x12(B3, L1, isa=ISA.replace("000000301", "00000030A")),
        "isa_control", "must be 9 digits"),
    edi("ISA09 not a date", x12(B3, L1, isa=ISA.replace("240712", "241312")),
        "isa_date", "is not a YYMMDD date"),
    edi("no IEA", x12(B3, L1, iea=""), "iea_missing", "without an IEA"),
    edi("IEA02 not ISA13", x12(B3, L1, iea="IEA*1*000000999~"), "iea_control",
        "does not match ISA13"),
    edi("IEA01 wrong count", x12(B3, L1, iea="IEA*2*000000301~"), "iea_count",
        "functional groups"),
    edi("GE01 wrong count", x12(B3, L1, ge="GE*3*301~"), "ge_count", "transaction sets"),
    # str.isdigit() is true for these, int() refuses the first two and reads the third
    edi("GE01 a superscript digit", x12(B3, L1, ge="GE*1\u00b2*301~"), "ge_count",
        "'1\u00b2' is not a count of transaction sets"),
    edi("IEA01 of 5,000 digits", x12(B3, L1, iea=f"IEA*{'1' * 5000}*000000301~"),
        "iea_count", "(5000 characters) is not a count of functional groups"),
    edi("SE01 an Arabic-Indic digit", x12(B3, L1).replace(b"SE*4*", "SE*\u0664*".encode()),
        "se_count", "is not a count of segments"),
    edi("GS06 a superscript digit", x12(B3, L1, gs=GS.replace("*301*", "*30\u00b9*"),
                                        ge="GE*1*30\u00b9~"),
        "gs_control", "must be 1 to 9 digits"),
    edi("GE02 not GS06", x12(B3, L1, ge="GE*1*999~"), "ge_control", "does not match GS06"),
    edi("no GE", x12(B3, L1, ge=""), "ge_missing", "has no GE trailer"),
    edi("GS without control number", x12(B3, L1, gs=GS.replace("*301*", "**")),
        "gs_invalid", "GS without GS06"),
    edi("segments after IEA", x12(B3, L1) + b"N9*BM*X~", "content_after_iea", "after IEA"),
    edi("SE01 wrong count", x12(B3, L1).replace(b"SE*4*", b"SE*9*"), "se_count",
        "(ST and SE included)"),
    edi("SE02 not ST02", x12(B3, L1).replace(b"SE*4*0001", b"SE*4*0002"), "se_control",
        "does not match ST02"),
    edi("no SE", x12(B3, L1).replace(b"SE*4*0001~", b""), "se_missing", "has no SE trailer"),
    edi("ST01 not a set id", x12(B3, L1).replace(b"ST*210*", b"ST*21A*"), "st_code",
        "is not a transaction set identifier"),
    edi("ST02 too short", x12(B3, L1).replace(b"*0001~", b"*01~"), "st_control",
        "must be 4 to 9 characters"),
    edi("a lowercase segment id", x12(B3, "l1*1***50000****~"), "segment_id",
        "is not a segment identifier"),
    bad_210("210 without B3", "B3", "needs a B3 segment", L1),
    bad_210("210 without invoice number", "B302", "invoice number is required",
            B3.replace("CAT-9", ""), L1),
    bad_210("210 without any reference", "B303", "shipment reference",
            B3.replace("PRO100", ""), L1),
    bad_210("210 dated 1999", "B306", "outside 2000-01-01",
            B3.replace("*20240712*", "*19990712*"), L1),
    bad_210("210 dated month 13", "B306", "must be CCYYMMDD",
            B3.replace("*20240712*", "*20241312*"), L1),
    bad_210("210 without charge line", "L1", "no charge line", B3),
    bad_210("210 amount in words", "L1[1]/L104", "is not an amount", B3,
            "L1*1***lots****~"),
    bad_210("210 amount beyond a billion", "L1[1]/L104", "beyond the bound",
            B3.replace("*50000*", "*999999999999*"), "L1*1***999999999999****~"),
    bad_210("210 rate infinite", "L1[1]/L102", "finite", B3, "L1*1*inf**50000****~"),
    bad_210("210 total differs", "L305", "differs from the sum", B3, L1,
            "L3*****60000~"),
]

CATALOGUE = JSON_CASES + HEADER_CASES + X12_CASES


def json_verdict(kind: str, body: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    """What the JSON route answers ``body`` with, as far as parsing decides it:
    ``(status, code, [(pointer, message)])``."""
    parse = parse_event_batch if kind == "events" else parse_invoice_batch
    try:
        valid, rejected = parse(load_json(body))
    except JsonSyntaxError as error:
        return 400, "malformed_json", [(None, f"body is not JSON: {error}")]
    except PayloadError as error:
        return 422, "invalid_payload", [(error.pointer, error.message)]
    problems = [(error.pointer, error.message) for error in rejected]
    return (202, "accepted", problems) if valid else (422, "invalid_payload", problems)


def x12_problems(body: bytes) -> list[tuple[str, str | None, str]]:
    """Every refusal of an X12 body: ``(code, pointer, message)``, ``payload`` for a set
    whose content ``inbound_items`` refuses."""
    try:
        interchanges, _notes = read_body(body)
    except X12Error as error:
        return [(error.code, None, error.message)]
    problems = []
    for interchange in interchanges:
        errors = interchange.envelope_errors() + [
            error for group in interchange.groups for tset in group.sets
            for error in tset.errors]
        problems += [(error.code, None, error.message) for error in errors]
        if interchange.refusal() is None:
            problems += [("payload", error.pointer, error.message)
                         for error in inbound_items(interchange, RECEIVED_AT)[1]]
    return problems
