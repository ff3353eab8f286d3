from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError
from ..services.x12 import Delimiters, TransactionSet, X12Error, parse
from ..services.x12_990 import map_990
from ..services.x12_997 import SegmentNote, SetRejection, acknowledge_group, build_997
from ..services.x12_intake import inbound_items, interchange_key, refusal_words, segment_note
from .test_services_x12 import fixture

WHEN = datetime(2024, 7, 10, 6, 5)


def responses_of(name):
    """The 990 decisions of a fixture as the EDI intake reads them, and the errors of the
    sets it leaves out."""
    items, errors, _rejected = inbound_items(parse(fixture(name)), WHEN)
    return [response for response, _event in items
            if response["external_id"].startswith("990:")], errors


def ack(interchange, **kwargs):
    return build_997(interchange, **{"interchange_control": 17, "group_control": 170,
                                     "when": WHEN, **kwargs})


def partial(name):
    """The interchange of a fixture, or the partial one of its envelope error."""
    try:
        return parse(fixture(name))
    except X12Error as error:
        return error.interchange


def ak_segments(text):
    """The AK segments of a 997, parsed back with our own tokenizer."""
    received = parse(text)
    return [segment for group in received.groups for tset in group.sets
            for segment in tset.segments]


@tagged("freight_sync", "freight_pure")
class TestX12TenderResponse990(BaseCase):
    def test_decisions(self):
        cases = [
            ("990_004010_accept_decline.x12", [
                ("LOAD-1001", "accepted", "A", "2024-07-08", None,
                 {"reference": "LOAD-1001", "bol_number": "BOL-77812", "pro_number": "PRO4471209"}),
                ("LOAD-1005", "rejected", "D", "2024-07-08", "NO CAPACITY; LANE ATL-DFW",
                 {"reference": "LOAD-1005", "po_number": "PO-5540"}),
            ], []),
            ("990_005010_plus_bang.x12", [
                ("LD-80", "rejected", "E", "2024-07-20", "EQUIPMENT UNAVAILABLE",
                 {"reference": "LD-80"}),
                ("LD-81", "counter_offer", "B", "2024-07-20", "ACCEPT IF PICKUP AFTER 1400",
                 {"reference": "LD-81"}),
            ], [("/ST2003/B104", "'X'")]),
            ("214_990_005010_two_groups_crlf.x12", [
                ("LOAD-2003", "accepted", "A", "2024-11-02", None,
                 {"reference": "LOAD-2003", "pro_number": "PRO5500003"}),
            ], []),
        ]
        for name, expected, expected_errors in cases:
            with self.subTest(name):
                responses, errors = responses_of(name)
                self.assertEqual([(r["shipment_id"], r["decision"], r["action_code"], r["date"],
                                   r["reason"], r["references"]) for r in responses], expected)
                self.assertEqual(len(errors), len(expected_errors))
                for error, (pointer, message) in zip(errors, expected_errors):
                    self.assertEqual(error.pointer, pointer)
                    self.assertIn(message, error.message)
                for response in responses:
                    decided = response["decision"] != "counter_offer"
                    self.assertEqual(response["code"], response["decision"] if decided else None)
                    self.assertIsNone(response["event_time"])

    def test_external_id_is_stable(self):
        first = responses_of("990_004010_accept_decline.x12")[0]
        again = responses_of("990_004010_accept_decline.x12")[0]
        self.assertEqual([r["external_id"] for r in first], [r["external_id"] for r in again])
        self.assertEqual(first[0]["external_id"], "990:BRFL:LOAD-1001:A:2024-07-08")

    def test_refusals(self):
        def b1(*elements):
            return TransactionSet("990", "0009", [["B1", *elements]])
        cases = [
            ("not a 990", TransactionSet("214", "0009", []), "/ST0009", "not a 990"),
            ("no B1", TransactionSet("990", "0009", [["N9", "BM", "1"]]), "/ST0009/B1",
             "needs a B1"),
            ("bad SCAC", b1("BR1", "L1", "20240708", "A"), "/ST0009/B101", "not a SCAC"),
            ("no shipment", b1("BRFL", "", "20240708", "A"), "/ST0009/B102", "required"),
            ("bad date", b1("BRFL", "L1", "20240732", "A"), "/ST0009/B103", "CCYYMMDD"),
            ("no decision", b1("BRFL", "L1", "20240708", ""), "/ST0009/B104",
             "unknown reservation action code ''"),
            ("delete", b1("BRFL", "L1", "20240708", "R"), "/ST0009/B104", "Delete"),
            ("split", b1("BRFL", "L1", "20240708", "S"), "/ST0009/B104", "needs a dispatcher"),
        ]
        for label, tset, pointer, message in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    map_990(tset)
                self.assertEqual(caught.exception.pointer, pointer)
                self.assertIn(message, caught.exception.message)

    def test_counter_offers_are_offers_for_a_dispatcher(self):
        for action, offer in (("B", "Conditional Acceptance"), ("C", "Counter Proposal Made"),
                              ("U", "Change")):
            with self.subTest(action):
                response = map_990(TransactionSet("990", "0009", [
                    ["B1", "BRFL", "L1", "20240708", action], ["K1", "RATE 1850"]]))
                self.assertEqual((response["decision"], response["code"], response["offer"],
                                  response["reason"]), ("counter_offer", None, offer, "RATE 1850"))
        items, errors, _rejected = inbound_items(parse(fixture("990_counter_offer.edi")), WHEN)
        self.assertEqual(errors, [])
        (_source, event), = items
        self.assertEqual((event["counter_offer"], event["code"], event["raw_code"], event["note"]),
                         ("Counter Proposal Made", None, "B104-C",
                          "RATE 1850 USD NOT 1500; PICKUP AFTER 1400"))

    def test_optional_date(self):
        response = map_990(TransactionSet("990", "0009", [["B1", "", "L1", "", "a"]]))
        self.assertEqual((response["scac"], response["date"], response["decision"]),
                         (None, None, "accepted"))
        self.assertEqual(response["external_id"], "990:-:L1:A:-")


    def test_acceptance_confirms_reference_and_appointments(self):
        (response,), errors = responses_of("990_accept_carrier_ref_appointment.edi")
        self.assertEqual(errors, [])
        self.assertEqual((response["decision"], response["shipment_id"],
                          response["carrier_ref"]), ("accepted", "SHP/00042", "BRFL-778120"))
        self.assertEqual(response["appointments"], [
            {"qualifier": "69", "date": "2024-07-10", "time": "08:00", "time_code": "ET",
             "at": "2024-07-10T08:00:00-04:00"},
            {"qualifier": "70", "date": "2024-07-11", "time": "14:30", "time_code": None,
             "at": None},  # local time of an unknown place: kept as sent
        ])
        # no 990 element carries an amount, and K1 words are never read as money
        self.assertIsNone(response["rate"])
        self.assertEqual(response["reason"], "DRIVER ASSIGNED; RATE 1850.25 USD AS TENDERED")
        self.assertEqual(response["references"]["pro_number"], "BRFL-778120")  # as before

    def test_appointment_refusals_and_absence(self):
        response = map_990(TransactionSet("990", "0009", [["B1", "BRFL", "L1", "", "A"]]))
        self.assertEqual((response["carrier_ref"], response["appointments"], response["rate"]),
                         (None, [], None))
        for label, g62, pointer in (("bad date", ["G62", "69", "20241340", "U", "0800", "ET"],
                                     "/ST0009/G62/G6202"),
                                    ("bad zone", ["G62", "69", "20241010", "U", "0800", "QQ"],
                                     "/ST0009/G62/G6205")):
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    map_990(TransactionSet("990", "0009", [["B1", "BRFL", "L1", "", "A"], g62]))
                self.assertEqual(caught.exception.pointer, pointer)


@tagged("freight_sync", "freight_pure")
class TestX12Acknowledgment997(BaseCase):
    def test_exact_997(self):
        text = ack(parse(fixture("214_004010_star_tilde.x12")))
        self.assertEqual(text, "".join(line + "~\n" for line in [
            "ISA*00*          *00*          *ZZ*FREIGHTSYNC    *02*BRFL           *240710*0605"
            "*U*00401*000000017*0*P*>",
            "GS*FA*FREIGHTSYNC*BRFL*20240710*0605*170*X*004010",
            "ST*997*0001",
            "AK1*QM*4471",
            "AK2*214*0001",
            "AK5*A",
            "AK2*214*0002",
            "AK5*A",
            "AK9*A*2*2*2",
            "SE*8*0001",
            "GE*1*170",
            "IEA*1*000000017",
        ]))
        self.assertEqual(text, ack(parse(fixture("214_004010_star_tilde.x12"))))  # pure

    def test_round_trip(self):
        for name in ("214_004010_star_tilde.x12", "214_005010_pipe_newline.x12",
                     "214_004010_caret_apostrophe.x12", "214_990_005010_two_groups_crlf.x12",
                     "990_004010_accept_decline.x12", "990_005010_plus_bang.x12",
                     "broken_se_count.x12", "broken_missing_se.x12"):
            with self.subTest(name):
                received = parse(fixture(name))
                back = parse(ack(received))  # raises if a count or control is wrong
                self.assertEqual(back.delimiters, received.delimiters)
                self.assertEqual((back.sender_id, back.receiver_id, back.test, back.version),
                                 (received.receiver_id, received.sender_id, received.test,
                                  received.version))
                self.assertEqual((back.sender_qualifier, back.receiver_qualifier),
                                 (received.receiver_qualifier, received.sender_qualifier))
                self.assertEqual(back.control_number, "000000017")
                (group,) = back.groups
                self.assertEqual((group.functional_id, group.control), ("FA", "170"))
                self.assertEqual([s.code for s in group.sets], ["997"] * len(received.groups))
                self.assertEqual([s.segments[0][1:3] for s in group.sets],
                                 [[g.functional_id, g.control] for g in received.groups])

    def test_acknowledgment_codes(self):
        cases = [
            ("broken_se_count.x12", [
                ["AK1", "QM", "9001"], ["AK2", "214", "0001"], ["AK5", "A"],
                ["AK2", "214", "0002"], ["AK5", "R", "4"], ["AK9", "P", "2", "2", "1"]]),
            ("broken_missing_se.x12", [
                ["AK1", "QM", "9004"], ["AK2", "214", "0001"], ["AK5", "R", "2"],
                ["AK2", "214", "0002"], ["AK5", "A"], ["AK9", "P", "2", "2", "1"]]),
            # negative 997 from the partial parse: the group is rejected for its GE count
            ("broken_ge_count.x12", [
                ["AK1", "QM", "9002"], ["AK2", "214", "0001"], ["AK5", "R"],
                ["AK2", "214", "0002"], ["AK5", "R"], ["AK9", "R", "3", "2", "0", "5"]]),
            # the interchange trailer is wrong: nothing of it is applied, all is rejected
            ("broken_iea_control.x12", [
                ["AK1", "QM", "9003"], ["AK2", "214", "0001"], ["AK5", "R"],
                ["AK9", "R", "1", "1", "0"]]),
            ("214_005010_pipe_newline.x12", [
                ["AK1", "QM", "77", "005010"], ["AK2", "214", "10001"], ["AK5", "A"],
                ["AK9", "A", "1", "1", "1"]]),
        ]
        for name, expected in cases:
            with self.subTest(name):
                self.assertEqual(ak_segments(ack(partial(name))), expected)

    def test_caller_rejections(self):
        text = ack(parse(fixture("990_005010_plus_bang.x12")),
                   extra_errors={("52", "2002"): ["5"], ("52", "2003"): ["5", "5"]})
        self.assertEqual(ak_segments(text)[1:], [
            ["AK2", "990", "2001"], ["AK5", "A"], ["AK2", "990", "2002"], ["AK5", "R", "5"],
            ["AK2", "990", "2003"], ["AK5", "R", "5"], ["AK9", "P", "3", "3", "1"]])

    def test_segment_and_element_notes(self):
        received = parse(fixture("214_bad_date_second_set.edi"))
        _items, errors, rejected = inbound_items(received, WHEN)
        self.assertEqual([error.pointer for error in errors], ["/ST0002/LX1/AT705"])
        self.assertEqual(rejected[("304", "0002")], SetRejection(
            ("5",), (SegmentNote("AT7", 4, "8", element_position=5, element_code="8",
                                 bad_value="20241345"),)))
        self.assertEqual(ak_segments(ack(received, extra_errors=rejected))[3:], [
            ["AK2", "214", "0002"], ["AK3", "AT7", "4", "", "8"],
            ["AK4", "5", "", "8", "20241345"], ["AK5", "R", "5"], ["AK9", "P", "2", "2", "1"]])

    def test_pointers_name_their_segment(self):
        tset = TransactionSet("210", "0001", [
            ["B3", "", "INV1", "", "PP"], ["L1", "1", "", "", "10"], ["L1", "2", "", "", "x*y"],
            ["L3", "", "", "", "", "9"]])
        cases = [
            ("/ST0001/B302", SegmentNote("B3", 2, "8", element_position=2, element_code="7",
                                         bad_value="INV1")),
            ("/ST0001/L1[2]/L104", SegmentNote("L1", 4, "8", element_position=4,
                                               element_code="6", bad_value="x*y")),
            ("/ST0001/B303", SegmentNote("B3", 2, "8", element_position=3, element_code="1")),
            ("/ST0001/L3", SegmentNote("L3", 5, "8")),
            ("/ST0001/N9", SegmentNote("N9", 6, "3")),
            ("/ST0001", None),
        ]
        for pointer, expected in cases:
            with self.subTest(pointer):
                message = "'x*y' is not an amount" if "L104" in pointer else "wrong"
                self.assertEqual(segment_note(tset, PayloadError(pointer, message)), expected)
        # a quoted bad value never carries the 997's own delimiters
        group = parse(fixture("214_bad_date_second_set.edi")).groups[0]
        note = SegmentNote("L1", 4, "8", element_position=4, element_code="6",
                           bad_value="x*y~z\x00")
        segments = acknowledge_group(group, extra_errors={("304", "0001"): SetRejection(
            ("5",), (note,))}, delimiters=Delimiters("*", ">", "~"))
        self.assertIn(["AK4", "4", "", "6", "xyz"], segments)

    def test_unsupported_sets_are_rejected_with_ak502_1(self):
        for name, code, words in (("856_not_supported.edi", "856", "not supported"),
                                  ("204_received.edi", "204", "a 204 is a load tender")):
            with self.subTest(name):
                received = parse(fixture(name))
                items, errors, rejected = inbound_items(received, WHEN)
                self.assertEqual(items, [])
                self.assertIn(words, errors[0].message)
                self.assertEqual(ak_segments(ack(received, extra_errors=rejected))[1:], [
                    ["AK2", code, "0001"], ["AK5", "R", "1"], ["AK9", "R", "1", "1", "0"]])
                self.assertIn(words, refusal_words(received, errors)[0])

    def test_broken_interchange_envelope_gets_a_ta1(self):
        received = partial("broken_iea_control.x12")
        text = ack(received)
        self.assertIn("~\nTA1*000009003*240709*2215*R*001~\nGS*FA*", text)
        self.assertEqual(parse(text).control_number, "000000017")
        self.assertNotIn("TA1", ack(parse(fixture("214_004010_star_tilde.x12"))))

    def test_interchange_key(self):
        first = parse(fixture("214_control_reused_first.edi"))
        other = parse(fixture("214_control_reused_other_content.edi"))
        key = interchange_key(first)
        self.assertRegex(key, r"^TSTC:000000305:2407091200:[0-9a-f]{16}$")
        self.assertNotEqual(interchange_key(other), key)
        self.assertEqual(interchange_key(other).split(":")[:2], key.split(":")[:2])
        relaid = fixture("214_control_reused_first.edi").replace("~\n", "~\r\n")
        self.assertEqual(interchange_key(parse(relaid)), key)

    def test_several_groups_get_one_997_each(self):
        text = ack(parse(fixture("214_990_005010_two_groups_crlf.x12")), first_set_control=41)
        back = parse(text)
        self.assertEqual([s.control for s in back.groups[0].sets], ["0041", "0042"])
        self.assertEqual(back.groups[0].declared_sets, 2)
        self.assertIn("~\r\nGE*2*170~\r\nIEA*1*000000017~\r\n", text)

    def test_own_delimiters(self):
        text = ack(parse(fixture("214_004010_caret_apostrophe.x12")),
                   delimiters=Delimiters("*", ">", "~", None, "\n"))
        self.assertTrue(text.startswith("ISA*00*"))
        self.assertEqual(ak_segments(text)[-1], ["AK9", "A", "1", "1", "1"])
        with self.assertRaises(ValueError):  # 00501 has a repetition separator in ISA11
            ack(parse(fixture("214_005010_pipe_newline.x12")),
                delimiters=Delimiters("*", ">", "~", None, "\n"))

    def test_nothing_to_acknowledge(self):
        first_ack = ack(parse(fixture("214_004010_star_tilde.x12")))
        # acknowledgments are never acknowledged
        self.assertIsNone(ack(parse(first_ack)))
        # an unreadable ISA leaves no interchange: the caller answers HTTP 400 instead
        with self.assertRaises(X12Error) as caught:
            parse(fixture("broken_isa_truncated.x12"))
        self.assertIsNone(caught.exception.interchange)

    def test_control_numbers_are_checked(self):
        interchange = parse(fixture("214_004010_star_tilde.x12"))
        for kwargs in ({"interchange_control": 0}, {"group_control": 10 ** 9},
                       {"first_set_control": "1"}, {"interchange_control": None}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValueError):
                    ack(interchange, **kwargs)
