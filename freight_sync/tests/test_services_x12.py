import os
import re
from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.x12 import (
    GROUP,
    INTERCHANGE,
    SET,
    X12Error,
    accepted_sets,
    decode,
    parse,
    parse_all,
    read_delimiters,
    tokenize,
)
from ..services.x12_997 import build_997
from ..services.x12_intake import body_items, inbound_items, interchange_key, read_body

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "x12")
ISA = ("ISA*00*          *00*          *02*BRFL           *ZZ*FREIGHTSYNC    "
       "*240709*2215*U*00401*000000001*0*P*>")


def fixture(name: str) -> str:
    """A fixture as stored: newline="" keeps the CR LF some of them are made of."""
    with open(os.path.join(FIXTURES, name), encoding="utf-8", newline="") as handle:
        return handle.read()


def fixture_bytes(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as handle:
        return handle.read()


def interchange_text(*segments: str) -> str:
    """An interchange from ISA (control 000000001) and the given segments, ``*`` and ``~``."""
    return "~\n".join((ISA, *segments)) + "~\n"


GOOD_214 = ("GS*QM*BRFL*FREIGHTSYNC*20240709*2215*7*X*004010", "ST*214*0001",
            "B10*PRO1*LOAD1*BRFL", "LX*1", "AT7*AF*NS***20240709*0800*ET", "SE*5*0001",
            "GE*1*7", "IEA*1*000000001")


@tagged("freight_sync", "freight_pure")
class TestX12Tokenizer(BaseCase):
    def test_delimiters_come_from_the_isa(self):
        cases = [
            ("214_004010_star_tilde.x12", ("*", ">", "~", None, "\n", "00401")),
            ("214_005010_pipe_newline.x12", ("|", ":", "\n", "^", "", "00501")),
            ("214_004010_caret_apostrophe.x12", ("^", ">", "'", None, "", "00401")),
            ("214_990_005010_two_groups_crlf.x12", ("*", ":", "~", "^", "\r\n", "00501")),
            ("990_004010_accept_decline.x12", ("*", ">", "~", None, "\n", "00401")),
            ("990_005010_plus_bang.x12", ("+", ":", "!", "^", "\n", "00501")),
        ]
        for name, expected in cases:
            with self.subTest(name):
                interchange = parse(fixture(name))
                d = interchange.delimiters
                self.assertEqual((d.element, d.component, d.segment, d.repetition, d.suffix,
                                  interchange.version), expected)

    def test_layout_is_tolerated(self):
        reference = tokenize(fixture("214_004010_star_tilde.x12"))[1]
        one_line = fixture("214_004010_star_tilde.x12").replace("\n", "")
        variants = {
            "one line": one_line,
            "CR LF": one_line.replace("~", "~\r\n"),
            "CR only": one_line.replace("~", "~\r"),
            "BOM and leading blank lines": "\ufeff \r\n\n" + one_line,
            "trailing whitespace": one_line + "\r\n  \t\n",
            "blank lines between segments": one_line.replace("~", "~\n\n"),
            "no final terminator": one_line[:-1],
            "no final terminator, trailing blanks": one_line[:-1] + "\r\n  \t\n",
        }
        for label, text in variants.items():
            with self.subTest(label):
                self.assertEqual(tokenize(text)[1], reference)

    def test_newline_terminator_with_crlf_lines(self):
        text = fixture("214_005010_pipe_newline.x12")
        segments = tokenize(text.replace("\n", "\r\n"))[1]
        self.assertEqual(segments, tokenize(text)[1])
        self.assertEqual(segments[-1], ["IEA", "1", "000990120"])

    def test_isa_fields_keep_their_padding(self):
        segments = tokenize(fixture("214_004010_star_tilde.x12"))[1]
        self.assertEqual(len(segments[0]), 17)
        self.assertEqual(segments[0][6], "BRFL           ")
        self.assertEqual(segments[2], ["ST", "214", "0001"])

    def test_repetition_separator_only_from_00402(self):
        # in 00401 ISA11 is the standards identifier 'U', not a delimiter
        self.assertIsNone(read_delimiters(ISA + "~")[0].repetition)
        isa_00501 = ISA.replace("*U*00401*", "*^*00501*")
        self.assertEqual(read_delimiters(isa_00501 + "~")[0].repetition, "^")

    def test_isa_shape_errors(self):
        cases = [
            ("not x12", "hello world", "isa_missing", None),
            ("empty", "", "isa_missing", None),
            ("truncated", fixture("broken_isa_truncated.x12"), "isa_truncated", "023"),
            ("unpadded sender", fixture("broken_isa_shape.x12"), "isa_invalid", "022"),
            ("letter as separator", ISA.replace("*", "X") + "~", "isa_invalid", "026"),
            ("component equals element", ISA[:-1] + "*~", "isa_invalid", "027"),
            ("terminator is a letter", ISA + "A", "isa_invalid", "004"),
            ("repetition equals component", ISA.replace("*U*00401*", "*>*00501*") + "~",
             "isa_invalid", "022"),
        ]
        for label, text, code, ack_code in cases:
            with self.subTest(label):
                with self.assertRaises(X12Error) as caught:
                    parse(text)
                self.assertEqual(caught.exception.code, code)
                self.assertEqual(caught.exception.ack_code, ack_code)
                self.assertEqual(caught.exception.segment_index, 0)
                # the sender cannot be addressed: no 997, the caller answers HTTP 400
                self.assertIsNone(caught.exception.interchange)


@tagged("freight_sync", "freight_pure")
class TestX12Envelope(BaseCase):
    def test_structure(self):
        interchange = parse(fixture("214_990_005010_two_groups_crlf.x12"))
        self.assertEqual(
            (interchange.sender_qualifier, interchange.sender_id, interchange.receiver_qualifier,
             interchange.receiver_id, interchange.control_number, interchange.version,
             interchange.test, interchange.ack_requested),
            ("02", "GLTR", "ZZ", "FREIGHTSYNC", "000000031", "00501", False, "0"),
        )
        self.assertEqual(str(interchange.timestamp), "2024-11-04 17:00:00")
        groups = [(g.functional_id, g.sender, g.receiver, g.control, g.version,
                   [(s.code, s.control, s.segments[0][0], len(s.segments)) for s in g.sets])
                  for g in interchange.groups]
        self.assertEqual(groups, [
            ("QM", "GLTR", "FREIGHTSYNC", "310", "005010",
             [("214", "0001", "B10", 5), ("214", "0002", "B10", 4)]),
            ("GF", "GLTR", "FREIGHTSYNC", "311", "005010", [("990", "0003", "B1", 2)]),
        ])
        self.assertEqual(interchange.groups[0].sets[1].segments[2],
                         ["AT7", "CD", "NS", "", "", "20241104", "1605", "ES"])
        self.assertTrue(all(g.ok and all(s.ok for s in g.sets) for g in interchange.groups))

    def test_test_indicator(self):
        self.assertTrue(parse(fixture("214_005010_pipe_newline.x12")).test)
        self.assertFalse(parse(fixture("214_004010_star_tilde.x12")).test)

    def test_envelope_errors_reject_the_interchange(self):
        ge_missing = ("GS*QM*BRFL*FREIGHTSYNC*20240709*2215*7*X*004010", "ST*214*0001",
                      "B10*PRO1*LOAD1*BRFL", "SE*3*0001",
                      "GS*QM*BRFL*FREIGHTSYNC*20240709*2215*8*X*004010", "GE*0*8",
                      "IEA*2*000000001")
        cases = [
            # label, text, code, level, ack code (TA1 note / AK9), segment index
            ("bad GE count", fixture("broken_ge_count.x12"), "ge_count", GROUP, "5", 15),
            ("bad IEA control", fixture("broken_iea_control.x12"), "iea_control",
             INTERCHANGE, "001", 10),
            ("IEA missing", interchange_text(*GOOD_214[:-1]), "iea_missing", INTERCHANGE,
             "023", 7),
            ("IEA count", interchange_text(*GOOD_214[:-1], "IEA*2*000000001"), "iea_count",
             INTERCHANGE, "021", 8),
            ("GE control", interchange_text(*GOOD_214[:-2], "GE*1*8", "IEA*1*000000001"),
             "ge_control", GROUP, "4", 7),
            ("GE missing", interchange_text(*ge_missing), "ge_missing", GROUP, "3", 5),
            ("ST outside a group", interchange_text("ST*214*0001", "SE*2*0001",
                                                    "IEA*0*000000001"),
             "unexpected_segment", INTERCHANGE, "024", 1),
            ("segment between sets", interchange_text(*GOOD_214[:6], "LX*9", *GOOD_214[6:]),
             "unexpected_segment", INTERCHANGE, "022", 7),
            ("content after IEA", interchange_text(*GOOD_214, "GS*QM"), "content_after_iea",
             INTERCHANGE, "022", 9),
            ("second ISA", interchange_text(*GOOD_214[:-1], ISA, "IEA*1*000000001"),
             "unexpected_segment", INTERCHANGE, "022", 8),
            ("ISA13 not numeric",
             interchange_text(*GOOD_214[:-1], "IEA*1*00000000A").replace(
                 "*000000001*0*P", "*00000000A*0*P"),
             "isa_control", INTERCHANGE, "018", 0),
            ("GS06 not numeric", interchange_text(
                GOOD_214[0].replace("*7*X", "*G7*X"), *GOOD_214[1:6], "GE*1*G7",
                "IEA*1*000000001"), "gs_control", GROUP, "6", 1),
        ]
        for label, text, code, level, ack_code, index in cases:
            with self.subTest(label):
                with self.assertRaises(X12Error) as caught:
                    parse(text)
                error = caught.exception
                self.assertEqual((error.code, error.level, error.ack_code, error.segment_index),
                                 (code, level, ack_code, index))
                self.assertIn(f"segment {index}: ", str(error))
                # the ISA was readable: the partial parse allows a negative 997
                self.assertIsNotNone(error.interchange)

    def test_trailer_messages(self):
        """Each trailer's count and control number, checked the same way, said each its way."""
        cases = [
            (interchange_text(*GOOD_214[:5], "SE*4*0002", *GOOD_214[6:]), [
                "SE01 says 4 segments, the set 0001 has 5 (ST and SE included)",
                "SE02 '0002' does not match ST02 '0001'"]),
            (interchange_text(*GOOD_214[:6], "GE*x*8", "IEA*1*000000001"), [
                "GE01 'x' is not a count of transaction sets (1 to 6 digits 0-9), group 7 "
                "has 1",
                "GE02 '8' does not match GS06 '7'"]),
            (interchange_text(*GOOD_214[:7], "IEA"), [
                "IEA01 says nothing functional groups, the interchange has 1",
                "IEA02 '' does not match ISA13 '000000001'"]),
        ]
        for text, expected in cases:
            with self.subTest(expected[0][:4]):
                try:
                    interchange = parse(text)
                except X12Error as error:
                    interchange = error.interchange
                errors = [*interchange.envelope_errors(),
                          *(e for g in interchange.groups for s in g.sets for e in s.errors)]
                self.assertEqual([e.message for e in errors], expected)

    def test_partial_interchange_of_an_envelope_error(self):
        with self.assertRaises(X12Error) as caught:
            parse(fixture("broken_ge_count.x12"))
        partial = caught.exception.interchange
        group = partial.groups[0]
        self.assertEqual((group.control, group.declared_sets, len(group.sets)), ("9002", 3, 2))
        self.assertEqual([e.code for e in group.errors], ["ge_count"])
        self.assertEqual(caught.exception.group_control, "9002")

    def test_set_errors_stay_in_their_set(self):
        cases = [
            ("broken_se_count.x12", [[], [("se_count", "4")]]),
            ("broken_missing_se.x12", [[("se_missing", "2")], []]),
            ("SE control", [[("se_control", "3")]]),
            ("bad segment id", [[("segment_id", "5")]]),
            ("ST01 and ST02", [[("st_code", "6"), ("st_control", "7")]]),
        ]
        inline = {
            "SE control": interchange_text(*GOOD_214[:5], "SE*5*0002", *GOOD_214[6:]),
            "bad segment id": interchange_text(*GOOD_214[:4], "at7*AF", "SE*5*0001",
                                               *GOOD_214[6:]),
            "ST01 and ST02": interchange_text(GOOD_214[0], "ST*21*001", *GOOD_214[2:5],
                                              "SE*5*001", *GOOD_214[6:]),
        }
        for label, expected in cases:
            with self.subTest(label):
                interchange = parse(inline.get(label) or fixture(label))
                sets = interchange.groups[0].sets
                self.assertEqual([[(e.code, e.ack_code) for e in s.errors] for s in sets], expected)
                for tset in sets:
                    for error in tset.errors:
                        self.assertEqual(error.level, SET)
                        self.assertEqual(error.set_control, tset.control)
                        self.assertEqual(error.group_control, interchange.groups[0].control)

    def test_set_error_details(self):
        tset = parse(fixture("broken_se_count.x12")).groups[0].sets[1]
        error = tset.errors[0]
        self.assertEqual(error.segment_index, 14)
        self.assertIn("SE01 says 9 segments, the set 0002 has 6", error.message)

    def test_accepted_sets(self):
        interchange = parse(fixture("broken_se_count.x12"))
        self.assertEqual([(g.control, s.control) for g, s in accepted_sets(interchange)],
                         [("9001", "0001")])
        mixed = parse(fixture("214_990_005010_two_groups_crlf.x12"))
        self.assertEqual([s.control for _g, s in accepted_sets(mixed, "990")], ["0003"])
        self.assertEqual([s.control for _g, s in accepted_sets(mixed)], ["0001", "0002", "0003"])

    def test_every_valid_fixture_parses(self):
        names = sorted(n for n in os.listdir(FIXTURES) if n.endswith((".x12", ".edi"))
                       and not n.startswith("broken_isa")
                       and n not in ("broken_ge_count.x12", "broken_iea_control.x12",
                                     "broken_iea_group_count.x12"))
        self.assertGreaterEqual(len(names), 16)
        for name in names:
            with self.subTest(name):
                interchanges = parse_all(decode(fixture_bytes(name))[0])
                self.assertTrue(all(i.groups and not i.refusal() for i in interchanges))


def values(interchange, *tags):
    """The segments of the interchange's sets with one of ``tags``, as element lists."""
    return [segment for group in interchange.groups for tset in group.sets
            for segment in tset.segments if segment[0] in tags]


@tagged("freight_sync", "freight_pure")
class TestX12Layout(BaseCase):
    """Real carrier files: layout and delimiters the reader accepts, one fixture each."""

    def test_isa_wrapped_at_80_columns(self):
        text = fixture("214_wrapped_isa_80col.edi")
        self.assertIn("*221\n5*U*", text)  # the line break falls inside ISA10
        interchange = parse(text)
        d = interchange.delimiters
        self.assertEqual((d.element, d.component, d.segment, d.suffix), ("*", ">", "~", ""))
        self.assertEqual((interchange.time, interchange.control_number), ("2215", "000004481"))
        # data elements cut by the wrap are whole again
        self.assertEqual(tokenize(text)[1], tokenize(text.replace("\n", ""))[1])
        self.assertEqual(values(interchange, "MS1"), [["MS1", "ATLANTA", "GA", "USA"]])

    def test_wrap_between_isa16_and_its_terminator(self):
        text = interchange_text(*GOOD_214)
        wrapped = text.replace(">~\n", ">\r\n~", 1)
        self.assertEqual(read_delimiters(wrapped)[0].segment, "~")
        self.assertEqual(tokenize(wrapped)[1], tokenize(text)[1])

    def test_indented_segments(self):
        text = fixture("214_indented_segments_crlf.edi")
        self.assertIn("~\r\n  GS*", text)
        self.assertIn("~\r\n\t ST*", text)
        interchange = parse(text)
        self.assertEqual(interchange.delimiters.suffix, "\r\n")
        self.assertEqual(tokenize(text)[1], tokenize(re.sub(r"~\s+", "~", text))[1])
        self.assertEqual(interchange.groups[0].control, "4482")
        self.assertEqual(values(interchange, "B10"), [["B10", "PRO4482", "LOAD-4482", "BRFL"]])

    def test_newline_terminator_is_not_layout(self):
        text = fixture("214_newline_terminator_indented.edi")
        interchange = parse(text)
        d = interchange.delimiters
        self.assertEqual((d.element, d.component, d.segment, d.repetition), ("|", ":", "\n", "^"))
        segments = tokenize(text)[1]
        self.assertEqual(segments[1][:2], ["GS", "QM"])
        self.assertEqual(segments[-1], ["IEA", "1", "000004483"])
        self.assertEqual(len(segments), 10)
        # the same with CR LF lines: the CR is the terminator, the LF layout after it
        self.assertEqual(tokenize(text.replace("\n", "\r\n"))[1], segments)

    def test_control_characters_as_delimiters(self):
        interchange = parse(fixture("214_control_char_delimiters.edi"))
        d = interchange.delimiters
        self.assertEqual((d.element, d.component, d.segment, d.repetition),
                         ("\x1d", "\x1f", "\x1e", "\x1c"))
        self.assertEqual(values(interchange, "AT7"),
                         [["AT7", "AF", "NS", "", "", "20240709", "0942", "ET"]])

    def test_delimiters_must_be_distinct(self):
        isa_00501 = ISA.replace("*U*00401*", "*^*00501*")
        cases = [
            ("terminator equals component", ISA + ">", "004"),
            ("terminator equals element", ISA + "*", "004"),
            ("repetition equals terminator", isa_00501 + "^", "022"),
            ("repetition is a letter", ISA.replace("*U*00401*", "*X*00501*") + "~", "022"),
            ("terminator is a space", ISA + " GS*QM~", "004"),
        ]
        for label, text, ack_code in cases:
            with self.subTest(label):
                with self.assertRaises(X12Error) as caught:
                    read_delimiters(text)
                self.assertEqual((caught.exception.code, caught.exception.ack_code),
                                 ("isa_invalid", ack_code))
                self.assertIn("is not a delimiter", str(caught.exception))

    def test_isa11_u_from_00402_is_no_repetition_separator(self):
        interchange = parse(fixture("214_00501_isa11_u.edi"))
        self.assertEqual((interchange.version, interchange.delimiters.repetition),
                         ("00501", None))
        self.assertEqual(interchange.notes,
                         ["ISA11 'U' in version 00501: read as no repetition separator"])
        self.assertEqual(parse(fixture("214_004010_star_tilde.x12")).notes, [])
        # the 997 needs a repetition separator in 00501: one the sender does not use
        ack = build_997(interchange, interchange_control=5, group_control=5,
                        when=datetime(2024, 7, 9, 22, 30))
        back = parse(ack)
        self.assertEqual((back.version, back.delimiters.repetition), ("00501", "^"))
        self.assertEqual(values(back, "AK9"), [["AK9", "A", "1", "1", "1"]])

    def test_several_interchanges(self):
        interchanges = parse_all(fixture("214_two_interchanges.edi"))
        self.assertEqual([(i.control_number, i.delimiters.element, i.delimiters.segment)
                          for i in interchanges],
                         [("000004486", "*", "~"), ("000004487", "|", "\n")])
        self.assertEqual([values(i, "MS1")[0][1] for i in interchanges], ["ATLANTA", "MACON"])
        self.assertTrue(all(i.refusal() is None for i in interchanges))
        with self.assertRaises(X12Error) as caught:
            parse(fixture("214_two_interchanges.edi"))
        self.assertEqual(caught.exception.code, "several_interchanges")
        # a wrapped file may cut the next ISA itself
        text = interchange_text(*GOOD_214)
        second = parse_all(text + "IS\r\n" + text[2:])
        self.assertEqual([i.control_number for i in second], ["000000001", "000000001"])

    def test_each_interchange_is_judged_alone(self):
        good = interchange_text(*GOOD_214)
        broken = interchange_text(*GOOD_214[:-1], "IEA*1*000000002")
        first, second = parse_all(good + broken)
        self.assertIsNone(first.refusal())
        self.assertEqual(second.refusal().code, "iea_control")
        # an ISA that cannot be read hides where anything after it is: all is refused
        with self.assertRaises(X12Error) as caught:
            parse_all(good + "ISA*00*short~")
        self.assertEqual(caught.exception.code, "isa_truncated")
        self.assertIn("interchange 2: ", str(caught.exception))

    def test_latin1_is_a_noted_fallback(self):
        raw = fixture_bytes("214_latin1_city.edi")
        text, notes = decode(raw)
        offset = raw.index(b"\xc9")
        self.assertEqual(notes, [f"not UTF-8 (byte 0xC9 at offset {offset}): read as Latin-1"])
        self.assertEqual(values(parse(text), "MS1"), [["MS1", "MONTR\u00c9AL", "GA", "USA"]])
        utf8 = raw.decode("latin-1").encode("utf-8")
        self.assertEqual(decode(utf8), (raw.decode("latin-1"), []))

    def test_read_body_notes_and_items_of_sound_interchanges(self):
        raw = fixture_bytes("214_latin1_city.edi") + fixture_bytes("214_00501_isa11_u.edi")
        interchanges, notes = read_body(raw)
        self.assertEqual([i.control_number for i in interchanges], ["000004488", "000004485"])
        self.assertEqual(len(notes), 2)
        self.assertIn("read as Latin-1", notes[0])
        self.assertEqual(notes[1], "ISA13 000004485: ISA11 'U' in version 00501: read as no "
                                   "repetition separator")
        broken = fixture_bytes("214_two_interchanges.edi").replace(b"IEA|1|000004487",
                                                                   b"IEA|1|000004480")
        items = body_items(broken, datetime(2024, 7, 9, 23, 0))
        self.assertEqual([source["references"]["pro_number"] for source, _event in items],
                         ["PRO4486"])


@tagged("freight_sync", "freight_pure")
class TestX12Characters(BaseCase):
    """Liberal in the layout, strict in what is applied: an element holding a control
    character, a bidirectional override or isolate rejects its set with AK403 6."""

    def items_of(self, raw):
        [interchange], _notes = read_body(raw)
        return inbound_items(interchange, datetime(2024, 7, 10))

    def test_a_hidden_character_rejects_its_set_naming_the_element(self):
        with open(os.path.join(FIXTURES, "214_multi_stop_qn.edi"), "rb") as handle:
            good = handle.read()
        for hidden, words in (("\u202e", "a bidirectional control character (U+202E)"),
                              ("\u2066", "a bidirectional control character (U+2066)"),
                              ("\x1b", "a control character (U+001B)"),
                              ("\x00", "a control character (U+0000)")):
            with self.subTest(hidden=repr(hidden)):
                raw = good.replace(b"MS1*WACO", f"MS1*WA{hidden}CO".encode())
                items, [error], rejected = self.items_of(raw)
                self.assertEqual(items, [])
                self.assertEqual(error.pointer, "/ST0001/MS101[2]")
                self.assertIn(f"MS101 contains {words}", error.message)
                [note] = rejected[("301", "0001")].segments
                self.assertEqual((note.segment_id, note.element_position, note.element_code),
                                 ("MS1", 1, "6"))

    def test_the_bidi_and_escape_fixture_is_rejected_whole(self):
        with open(os.path.join(FIXTURES, "214_bidi_and_escape.edi"), "rb") as handle:
            items, [error], rejected = self.items_of(handle.read())
        self.assertEqual(items, [])
        self.assertEqual(error.pointer, "/ST0001/MS101[2]")
        self.assertIn("a bidirectional control character (U+202E)", error.message)
        [note] = rejected[("309", "0001")].segments
        self.assertEqual((note.element_position, note.element_code), (1, "6"))

    def test_control_characters_that_are_the_senders_delimiters_are_delimiters(self):
        with open(os.path.join(FIXTURES, "214_control_char_delimiters.edi"), "rb") as handle:
            items, errors, _rejected = self.items_of(handle.read())
        self.assertTrue(items)
        self.assertEqual(errors, [])

    def test_a_hidden_character_in_the_senders_id_refuses_the_interchange(self):
        with open(os.path.join(FIXTURES, "214_multi_stop_qn.edi"), "rb") as handle:
            good = handle.read()
        [interchange], _notes = read_body(good.replace(b"*02*BRFL           *",
                                                       b"*02*BR\x00L           *"))
        error = interchange.refusal()
        self.assertIn("ISA06 sender id holds a hidden character (U+0000)", str(error))
        self.assertEqual(error.ack_code, "006")

    def test_the_interchange_key_is_printable_whatever_the_sender_sends(self):
        with open(os.path.join(FIXTURES, "214_multi_stop_qn.edi"), "rb") as handle:
            good = handle.read()
        for sender, encoded in ((b"BRFL", "BRFL:"), (b"BR:L", "BR%3AL:"),
                                (b"BR+L", "BR%2BL:"), (b"BR\x00L", "BR%00L:")):
            with self.subTest(sender=sender):
                [interchange], _notes = read_body(good.replace(b"*BRFL           *",
                                                               b"*" + sender + b"           *"))
                key = interchange_key(interchange)
                self.assertTrue(key.startswith(encoded + "000000301:"), key)
                self.assertTrue(key.isprintable() and key.isascii(), key)
