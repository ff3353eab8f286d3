import json
from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.canonical import (
    JsonSyntaxError,
    PayloadError,
    check_values,
    load_json,
    nested_deeper,
    parse_batch,
    parse_event_batch,
    parse_event_time,
    parse_milestone,
    parse_milestones,
)
from ..services.references import INVOICE_LINE_FIELDS, references_domain


@tagged("freight_sync", "freight_pure")
class TestCanonicalMilestone(BaseCase):
    def test_event_time_with_offsets(self):
        cases = [
            ("2024-07-09T14:30:00-05:00", datetime(2024, 7, 9, 19, 30), "-05:00"),
            ("2024-07-09T14:30:00Z", datetime(2024, 7, 9, 14, 30), "Z"),
            ("2024-07-09T14:30:00+00:00", datetime(2024, 7, 9, 14, 30), "Z"),
            ("2024-07-10T01:15:00+05:30", datetime(2024, 7, 9, 19, 45), "+05:30"),
        ]
        for text, utc, offset in cases:
            with self.subTest(text):
                self.assertEqual(parse_event_time(text, "/t"), (utc, offset))

    def test_event_time_refusals(self):
        cases = [
            ("2024-07-09T14:30:00", "no UTC offset"),
            ("2024-07-09", "no UTC offset"),
            ("yesterday", "not an ISO 8601"),
            ("", "required"),
            (None, "required"),
            (1720535400, "required"),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                with self.assertRaises(PayloadError) as caught:
                    parse_event_time(value, "/0/event_time")
                self.assertEqual(caught.exception.pointer, "/0/event_time")
                self.assertIn(message, caught.exception.message)

    def test_parse_milestone(self):
        parsed = parse_milestone(
            {"code": "picked_up", "event_time": "2024-07-09T08:00:00-04:00",
             "location": " Atlanta, GA ", "raw_code": "AF", "external_id": 991},
            "/3",
        )
        self.assertEqual(parsed["code"], "picked_up")
        self.assertEqual(parsed["event_time"], datetime(2024, 7, 9, 12, 0))
        self.assertEqual(parsed["event_tz"], "-04:00")
        self.assertEqual(parsed["location"], "Atlanta, GA")
        self.assertEqual(parsed["external_id"], "991")
        self.assertIsNone(parsed["reason_code"])

    def test_parse_milestone_refusals(self):
        good_time = "2024-07-09T08:00:00Z"
        cases = [
            ("not an object", ["picked_up"], "/5", "JSON object"),
            ("missing code", {"event_time": good_time}, "/5/code", "required"),
            ("unknown code", {"code": "AF", "event_time": good_time}, "/5/code",
             "unknown milestone code 'AF'"),
            ("naive time", {"code": "delivered", "event_time": "2024-07-09T08:00:00"},
             "/5/event_time", "no UTC offset"),
            ("bad type", {"code": "delivered", "event_time": good_time, "location": {"x": 1}},
             "/5/location", "string"),
            ("too long", {"code": "delivered", "event_time": good_time, "note": "x" * 300},
             "/5/note", "longer than"),
        ]
        for label, data, pointer, message in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    parse_milestone(data, "/5")
                self.assertEqual(caught.exception.pointer, pointer)
                self.assertIn(message, caught.exception.message)

    def test_parse_milestones_reports_every_error(self):
        items = [
            {"code": "tendered", "event_time": "2024-07-09T08:00:00Z"},
            {"code": "nope", "event_time": "2024-07-09T08:00:00Z"},
            {"code": "delivered", "event_time": "2024-07-09T08:00:00"},
        ]
        parsed, errors = parse_milestones(items)
        self.assertEqual([p["code"] for p in parsed], ["tendered"])
        self.assertEqual([e.pointer for e in errors], ["/1/code", "/2/event_time"])
        self.assertEqual(parse_milestones({"code": "x"})[1][0].pointer, "/")


def _word(item, pointer):
    if not isinstance(item, str):
        raise PayloadError(pointer, "a word is required")
    return item.upper()


@tagged("freight_sync", "freight_pure")
class TestBatch(BaseCase):
    def test_valid_items_keep_their_index_and_every_error_is_reported(self):
        valid, errors = parse_batch({"words": ["a", 1, "b", None]}, "words", _word, 4)
        self.assertEqual(valid, [(0, "A"), (2, "B")])
        self.assertEqual([(e.pointer, e.message) for e in errors],
                         [("/words/1", "a word is required"), ("/words/3", "a word is required")])

    def test_unsound_batches_are_refused_whole(self):
        cases = [
            ("not an object", ["a"], "a JSON object with an 'words' list is required"),
            ("no list", {"words": "a"}, "a JSON object with an 'words' list is required"),
            ("other key", {"word": ["a"]}, "a JSON object with an 'words' list is required"),
            ("empty", {"words": []}, "the list is empty"),
            ("too many", {"words": ["a"] * 4}, "at most 3 words per request"),
        ]
        for label, document, message in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    parse_batch(document, "words", _word, 3)
                self.assertEqual((caught.exception.pointer, caught.exception.message),
                                 ("/words", message))
        self.assertEqual(len(parse_batch({"words": ["a"] * 3}, "words", _word, 3)[0]), 3)

    def test_event_batch(self):
        event = {"id": "e1", "shipment": {"pro_number": "PRO-1"}, "raw_code": "AF",
                 "event_time": "2024-07-09T08:00:00-05:00"}
        valid, errors = parse_event_batch({"events": [event, {**event, "shipment": {}}]})
        self.assertEqual([(index, e["external_id"], e["code"], e["raw_code"], e["references"])
                          for index, e in valid],
                         [(0, "e1", None, "AF", {"pro_number": "PRO-1"})])
        self.assertEqual([e.pointer for e in errors], ["/events/1/shipment"])
        with self.assertRaises(PayloadError) as caught:
            parse_event_batch({"events": [event] * 1001})
        self.assertEqual(caught.exception.message, "at most 1000 events per request")


@tagged("freight_sync", "freight_pure")
class TestSignature(BaseCase):
    def test_replay_window_edges(self):
        from ..services.signature import SignatureError, sign, verify
        body, now = b"{}", 1_720_000_000
        for offset, ok in ((0, True), (300, True), (-300, True), (301, False), (-301, False)):
            timestamp = str(now + offset)
            with self.subTest(offset=offset):
                if ok:
                    verify("s", timestamp, sign("s", timestamp, body), body, now)
                else:
                    with self.assertRaises(SignatureError):
                        verify("s", timestamp, sign("s", timestamp, body), body, now)


@tagged("freight_sync", "freight_pure")
class TestReferencesDomain(BaseCase):
    def test_one_domain_for_every_reference_named(self):
        sets = [{"pro_number": "123-45", "name": "SHP/1"}, {"pro_number": "12345"},
                {"bol_number": " b-9 ", "other": "kept out"}]
        self.assertEqual(references_domain(sets), [
            "|", "|", ("name", "in", ["SHP/1"]), ("pro_number", "in", ["12345"]),
            ("bol_number", "in", ["B9"])])
        # an invoice line keeps the shipment's number as shipment_ref
        self.assertEqual(references_domain([{"name": "SHP/1"}], INVOICE_LINE_FIELDS),
                         [("shipment_ref", "in", ["SHP/1"])])
        self.assertEqual(references_domain([{"pro_number": " - "}, {}]), [])


@tagged("freight_sync", "freight_pure")
class TestDocumentChecks(BaseCase):
    def test_depth_counts_brackets_outside_strings_only(self):
        self.assertFalse(nested_deeper('{"a": [1, {"b": "[[[[[[\\"]]"}]}', 3))
        self.assertTrue(nested_deeper('{"a": [1, {"b": [[]]}]}', 3))
        with self.assertRaises(PayloadError) as caught:
            load_json(b"[" * 100_000 + b"]" * 100_000)
        self.assertEqual(caught.exception.pointer, "")

    def test_depth_of_a_parsed_document_and_of_a_malformed_one(self):
        # an object holding 31 nested arrays is 32 levels deep, one more array is 33
        deepest = b'{"a": ' + b"[" * 31 + b"]" * 31 + b"}"
        self.assertEqual(load_json(deepest), json.loads(deepest))
        for body in (b'{"a": ' + b"[" * 32 + b"]" * 32 + b"}",  # parsed, then measured
                     b"[" * 40,  # not JSON, but refused for its depth first, as it was
                     b'[{"a": [' * 12 + b"1"):
            with self.subTest(body=body[:12]), self.assertRaises(PayloadError) as caught:
                load_json(body)
            self.assertEqual(caught.exception.pointer, "")
        # brackets in strings are text
        self.assertEqual(load_json(b'{"a": "' + b"[" * 40 + b'"}'), {"a": "[" * 40})
        with self.assertRaises(JsonSyntaxError):
            load_json(b'{"a": [[1}')

    def test_what_json_is_not(self):
        for body in (b"[NaN]", b"[-Infinity]", b"\xff[]", b"[1,"):
            with self.subTest(body), self.assertRaises(JsonSyntaxError):
                load_json(body)
        self.assertEqual(load_json(b'\xef\xbb\xbf{"a": "\xc3\xa9"}'), {"a": "\u00e9"})

    def test_values_no_field_may_hold(self):
        cases = [
            ({"note": "a\x00b"}, "/x/note", "control character (U+0000)"),
            ({"note": "\ud800"}, "/x/note", "lone surrogate (U+D800)"),
            ({"a\x1fb": 1}, "/x", "a member name contains a control character"),
            ({"tags": ["ok", "\x7f"]}, "/x/tags/1", "control character (U+007F)"),
            ({"note": "PRO \u202e001"}, "/x/note", "bidirectional control character (U+202E)"),
            ({"location": "\u2067Dallas"}, "/x/location", "bidirectional control character"),
            ({"note": "\x1b[31mred"}, "/x/note", "a control character (U+001B)"),
            ({"lines": [{"amount": 1e9 + 1}]}, "/x/lines/0/amount",
             "beyond the bound of 1000000000"),
            ({"total": "-2e9"}, "/x/total", "beyond the bound of 1000000000"),
            ({"seq": 2**53 + 1}, "/x/seq", "beyond the bound of 9007199254740992"),
            ({"seq": 10**4000}, "/x/seq", "beyond the bound of 9007199254740992"),
            ({"rate": float("inf")}, "/x/rate", "must be a finite number"),
            ({"a/b": {"c~d": "\x01"}}, "/x/a~1b/c~0d", "control character"),
        ]
        for value, pointer, message in cases:
            with self.subTest(value=value), self.assertRaises(PayloadError) as caught:
                check_values(value, "/x")
            self.assertEqual(caught.exception.pointer, pointer)
            self.assertIn(message, caught.exception.message)
        check_values({"note": "two\nlines\tand tabs", "amount": "12.50", "id": 1720533600123456,
                      "ok": True, "none": None}, "/x")

    def test_event_times_in_range(self):
        for text in ("1969-12-31T23:59:59Z", "0001-01-01T00:00:00+05:00",
                     "9999-12-31T23:00:00-05:00", "2999-01-01T00:00:00Z"):
            with self.subTest(text), self.assertRaises(PayloadError):
                parse_event_time(text, "/t")
        self.assertEqual(parse_event_time("1970-01-01T00:00:00Z", "/t")[0], datetime(1970, 1, 1))
