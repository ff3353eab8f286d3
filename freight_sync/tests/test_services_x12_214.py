from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError, parse_milestone
from ..services.timezones import to_iso, zone_for_region
from ..services.x12 import TransactionSet, parse
from ..services.x12_214 import map_214
from ..services.x12_intake import inbound_items
from .test_services_x12 import fixture

RECEIVED = datetime(2024, 11, 5, 9, 0)


def events_of(name):
    """The 214 statuses of a fixture as the EDI intake reads them, and the errors of the
    sets it leaves out."""
    items, errors, _rejected = inbound_items(parse(fixture(name)), RECEIVED)
    return [status for status, _event in items if status["external_id"].startswith("214:")], \
        errors


@tagged("freight_sync", "freight_pure")
class TestX12Status214(BaseCase):
    def test_events_of_a_multi_set_interchange(self):
        events, errors = events_of("214_004010_star_tilde.x12")
        self.assertEqual(errors, [])
        rows = [(e["raw_code"], e["reason_code"], e["event_time"], e["location"])
                for e in events]
        self.assertEqual(rows, [
            ("X3", "NS", "2024-07-09T08:15:00-04:00", "ATLANTA, GA, USA"),  # ET in July
            ("AF", "NS", "2024-07-09T09:42:00-04:00", "ATLANTA, GA, USA"),  # LT in Georgia
            ("X6", "NS", "2024-07-09T18:10:00-05:00", "NASHVILLE, TN, USA"),  # CT
            ("SD", "AO", "2024-07-09T22:30:00-05:00", "NASHVILLE, TN, USA"),
            ("X1", "NS", "2024-07-10T07:05:00-05:00", "MEMPHIS, TN, USA"),  # CD: fixed -5
            ("D1", "NS", "2024-07-10T07:50:30-05:00", "MEMPHIS, TN, USA"),  # HHMMSS, LT
        ])
        first, delay, delivered = events[0], events[3], events[5]
        self.assertEqual(first["references"], {
            "pro_number": "PRO4471209", "reference": "LOAD-1001", "bol_number": "BOL-77812",
            "po_number": "PO-5531"})
        self.assertEqual(first["scac"], "BRFL")
        self.assertEqual(first["equipment"], "BRFL TRL5310")
        self.assertFalse(first["appointment"])
        self.assertEqual(delay["note"], "SEVERE STORMS I-65")
        self.assertIsNone(first["note"])
        # a reference of the LX loop joins those of the header
        self.assertEqual(delivered["references"]["po_number"], "PO-5532")
        self.assertEqual(delivered["references"]["bol_number"], "BOL-77813")

    def test_other_delimiters_and_versions(self):
        events, errors = events_of("214_005010_pipe_newline.x12")
        self.assertEqual(errors, [])
        rows = [(e["raw_code"], e["reason_code"], e["appointment"], e["event_time"],
                 e["time_code"]) for e in events]
        self.assertEqual(rows, [
            # AT701 empty: the appointment code AT703/AT704 is the event
            ("AB", "NA", True, "2024-07-12T14:00:00-07:00", "PT"),
            ("X4", "NS", False, "2024-07-11T03:15:45+00:00", "UT"),
            ("P1", "NS", False, "2024-07-11T06:20:00-04:00", "LT"),  # Ontario
            ("AG", "NS", False, "2024-07-12T17:00:00-07:00", "PT"),  # mapped later
        ])
        self.assertEqual(events[1]["references"]["customer_ref"], "CUST-9")
        self.assertEqual(events[1]["location"], "TORONTO, ON, CAN")
        events, errors = events_of("214_004010_caret_apostrophe.x12")
        self.assertEqual([(e["raw_code"], e["event_time"]) for e in events], [
            ("AF", "2024-07-15T06:00:00-07:00"),  # MT in Arizona: no daylight time
            ("X1", "2024-07-16T11:30:00-06:00"),  # LT in El Paso: Mountain, not Central
            ("A7", "2024-07-16T12:15:00-06:00"),
        ])
        self.assertEqual(events[2]["reason_code"], "AG")
        self.assertEqual(events[2]["note"], "CONSIGNEE REFUSED; WRONG PRODUCT")

    def test_events_are_canonical_milestones(self):
        for name in ("214_004010_star_tilde.x12", "214_005010_pipe_newline.x12",
                     "214_004010_caret_apostrophe.x12", "214_990_005010_two_groups_crlf.x12"):
            for event in events_of(name)[0]:
                with self.subTest(name=name, id=event["external_id"]):
                    milestone = parse_milestone({**event, "code": "in_transit"}, "/0")
                    self.assertEqual(milestone["external_id"], event["external_id"])
                    self.assertEqual(milestone["raw_code"], event["raw_code"])
        x3 = parse_milestone({**events_of("214_004010_star_tilde.x12")[0][0],
                              "code": "pickup_arrived"}, "/0")
        self.assertEqual((x3["event_time"], x3["event_tz"]), (datetime(2024, 7, 9, 12, 15),
                                                              "-04:00"))

    def test_external_ids_are_stable(self):
        events = events_of("214_004010_star_tilde.x12")[0]
        ids = [e["external_id"] for e in events]
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(ids, [e["external_id"] for e in events_of("214_004010_star_tilde.x12")[0]])
        self.assertEqual(ids[0], "214:BRFL:PRO4471209:X3:20240709T121500Z")
        # the same status resent in another set, loop and time notation is the same event
        resent = TransactionSet("214", "9999", [
            ["B10", "PRO 4471-209", "LOAD-1001", "BRFL"], ["LX", "7"],
            ["AT7", "X3", "NS", "", "", "20240709", "121500", "UT"]])
        self.assertEqual(map_214(resent)[0][0]["external_id"], ids[0])
        later = TransactionSet("214", "9999", [
            ["B10", "PRO4471209", "LOAD-1001", "BRFL"], ["LX", "1"],
            ["AT7", "X3", "NS", "", "", "20240709", "0816", "ET"]])
        self.assertNotEqual(map_214(later)[0][0]["external_id"], ids[0])

    def test_status_errors_name_the_element(self):
        tset = parse(fixture("broken_214_statuses.x12")).groups[0].sets[0]
        events, errors = map_214(tset)
        self.assertEqual([(e["raw_code"], e["event_time"]) for e in events],
                         [("D1", "2024-03-02T08:15:00-06:00")])  # CS: fixed -6
        self.assertEqual([(e.pointer, e.message.split(";")[0][:40]) for e in errors], [
            ("/ST0001/LX1/AT705", "20240231 0800 is not a calendar date and"),
            ("/ST0001/LX2/AT707", "local time needs a US state or Canadian "),
            ("/ST0001/LX3/AT707", "unknown X12 time code 'ZZ'"),
            ("/ST0001/LX4/AT701", "AT701 status or AT703 appointment code i"),
            ("/ST0001/LX5/AT707", "local time needs a US state or Canadian "),
        ])
        self.assertIn("got 'NL' (MEX)", errors[4].message)
        # the intake applies a set whole or not at all: its first error rejects it
        events, set_errors = events_of("broken_214_statuses.x12")
        self.assertEqual((events, [str(e) for e in set_errors]), ([], [str(errors[0])]))

    def test_set_errors(self):
        cases = [
            ("not a 214", TransactionSet("990", "0001", [["B1", "X"]]), "/ST0001",
             "not a 214"),
            ("no B10", TransactionSet("214", "0001", [["LX", "1"]]), "/ST0001/B10",
             "needs a B10"),
            ("no reference", TransactionSet("214", "0001", [["B10", "", "", "BRFL"]]),
             "/ST0001/B10", "B1001 (PRO) or B1002"),
            ("bad SCAC", TransactionSet("214", "0001", [["B10", "P1", "", "BR1"]]),
             "/ST0001/B1003", "not a SCAC"),
            ("no status", TransactionSet("214", "0001", [["B10", "P1"], ["LX", "1"]]),
             "/ST0001", "no LX loop with an AT7"),
        ]
        for label, tset, pointer, message in cases:
            with self.subTest(label):
                events, errors = map_214(tset)
                self.assertEqual(events, [])
                self.assertEqual(len(errors), 1)
                self.assertEqual(errors[0].pointer, pointer)
                self.assertIn(message, errors[0].message)

    def test_two_statuses_in_one_loop_have_their_own_pointer(self):
        tset = TransactionSet("214", "0005", [
            ["B10", "P1"], ["LX", "3"], ["AT7", "X1", "NS", "", "", "20240709", "0800", "ET"],
            ["AT7", "D1", "NS", "", "", "20240709", "0860", "ET"]])
        events, errors = map_214(tset)
        self.assertEqual([e["raw_code"] for e in events], ["X1"])
        self.assertEqual(errors[0].pointer, "/ST0005/LX3/2/AT705")

    def test_rejected_sets_give_errors_not_events(self):
        events, errors = events_of("broken_missing_se.x12")
        self.assertEqual([e["references"]["pro_number"] for e in events], ["PRO5500002"])
        self.assertEqual(errors, [])  # the envelope's errors are the 997's, not the intake's
        sets = parse(fixture("broken_missing_se.x12")).groups[0].sets
        self.assertEqual([(f"/ST{tset.control}", e.message) for tset in sets for e in tset.errors],
                         [("/ST0001", "transaction set 0001 has no SE trailer")])


@tagged("freight_sync", "freight_pure")
class TestX12TimeCodes(BaseCase):
    def test_time_codes(self):
        summer, winter = "20240709", "20240115"
        cases = [
            # date, time, AT707, (region, country, city), expected
            (summer, "1430", "UT", (), "2024-07-09T14:30:00+00:00"),
            (summer, "1430", "GM", (), "2024-07-09T14:30:00+00:00"),
            (summer, "1430", "ES", (), "2024-07-09T14:30:00-05:00"),
            (summer, "1430", "ED", (), "2024-07-09T14:30:00-04:00"),
            (winter, "1430", "CD", (), "2024-01-15T14:30:00-05:00"),
            (summer, "1430", "CS", (), "2024-07-09T14:30:00-06:00"),
            (summer, "1430", "MS", (), "2024-07-09T14:30:00-07:00"),
            (summer, "1430", "MD", (), "2024-07-09T14:30:00-06:00"),
            (summer, "1430", "PS", (), "2024-07-09T14:30:00-08:00"),
            (summer, "1430", "PD", (), "2024-07-09T14:30:00-07:00"),
            (summer, "1430", "AS", (), "2024-07-09T14:30:00-09:00"),  # Alaska, per X12 623
            (summer, "1430", "AD", (), "2024-07-09T14:30:00-08:00"),
            (summer, "1430", "HS", (), "2024-07-09T14:30:00-10:00"),
            (summer, "1430", "HD", (), "2024-07-09T14:30:00-09:00"),
            (summer, "1430", "NS", (), "2024-07-09T14:30:00-03:30"),
            (summer, "1430", "ND", (), "2024-07-09T14:30:00-02:30"),
            (summer, "1430", "TS", (), "2024-07-09T14:30:00-04:00"),  # Atlantic
            (summer, "1430", "TD", (), "2024-07-09T14:30:00-03:00"),
            (summer, "1430", "ET", (), "2024-07-09T14:30:00-04:00"),
            (winter, "1430", "ET", (), "2024-01-15T14:30:00-05:00"),
            (summer, "1430", "CT", (), "2024-07-09T14:30:00-05:00"),
            (summer, "1430", "MT", (), "2024-07-09T14:30:00-06:00"),
            (summer, "1430", "MT", ("AZ",), "2024-07-09T14:30:00-07:00"),
            (summer, "1430", "CT", ("SK", "CAN"), "2024-07-09T14:30:00-06:00"),
            (summer, "1430", "PT", (), "2024-07-09T14:30:00-07:00"),
            (summer, "1430", "AT", (), "2024-07-09T14:30:00-08:00"),  # Alaska Time
            (summer, "1430", "HT", (), "2024-07-09T14:30:00-10:00"),
            (summer, "1430", "NT", (), "2024-07-09T14:30:00-02:30"),
            (summer, "1430", "TT", (), "2024-07-09T14:30:00-03:00"),
            (summer, "1430", "05", (), "2024-07-09T14:30:00+05:00"),
            (summer, "1430", "13", (), "2024-07-09T14:30:00-12:00"),
            (summer, "1430", "17", (), "2024-07-09T14:30:00-08:00"),
            (summer, "1430", "ut", (), "2024-07-09T14:30:00+00:00"),
            (summer, "143005", "UT", (), "2024-07-09T14:30:05+00:00"),
            (summer, "14300525", "UT", (), "2024-07-09T14:30:05.250000+00:00"),
            (summer, "1430", "LT", ("GA", "USA"), "2024-07-09T14:30:00-04:00"),
            (summer, "1430", "", ("GA",), "2024-07-09T14:30:00-04:00"),  # no AT707: local
            (summer, "1430", None, ("ON", "CA"), "2024-07-09T14:30:00-04:00"),
            (summer, "1430", "LT", ("NL", "CAN"), "2024-07-09T14:30:00-02:30"),
            (summer, "1430", "LT", ("NL", "CAN", "Goose Bay"), "2024-07-09T14:30:00-03:00"),
            (summer, "1430", "LT", ("SK",), "2024-07-09T14:30:00-06:00"),
            (summer, "1430", "LT", ("FL", "US", "Miami"), "2024-07-09T14:30:00-04:00"),
            (summer, "1430", "LT", ("FL", "US", "Pensacola"), "2024-07-09T14:30:00-05:00"),
            (summer, "1430", "LT", ("TN", "US", "Knoxville"), "2024-07-09T14:30:00-04:00"),
            (summer, "1430", "LT", ("IN", "US", "Gary"), "2024-07-09T14:30:00-05:00"),
            (summer, "1430", "LT", ("IN", "US", "Indianapolis"), "2024-07-09T14:30:00-04:00"),
            (summer, "1430", "LT", ("ID", "US", "Coeur d'Alene"), "2024-07-09T14:30:00-07:00"),
            (summer, "1430", "LT", ("HI",), "2024-07-09T14:30:00-10:00"),
            (summer, "1430", "LT", ("PR",), "2024-07-09T14:30:00-04:00"),
            # the hour that does not exist when daylight time starts reads as standard time
            ("20240310", "0230", "ET", (), "2024-03-10T02:30:00-05:00"),
            # the hour repeated when daylight time ends reads as its first (daylight) pass
            ("20241103", "0130", "ET", (), "2024-11-03T01:30:00-04:00"),
        ]
        for date, time, code, where, expected in cases:
            region, country, city = (*where, None, None, None)[:3]
            with self.subTest(code=code, date=date, where=where):
                self.assertEqual(to_iso(date, time, code, region=region, country=country,
                                        city=city), expected)

    def test_time_errors(self):
        cases = [
            ("2024079", "1430", "UT", {}, "/LX1/AT705", "must be CCYYMMDD"),
            ("20240709", "143", "UT", {}, "/LX1/AT706", "must be HHMM"),
            ("20240709", "", "UT", {}, "/LX1/AT706", "must be HHMM"),
            ("20240709", "2530", "UT", {}, "/LX1/AT705", "not a calendar date and time"),
            ("20240709", "143060", "UT", {}, "/LX1/AT706", "60 seconds"),
            ("20240709", "1430", "XX", {}, "/LX1/AT707", "unknown X12 time code 'XX'"),
            ("20240709", "1430", "LT", {}, "/LX1/AT707", "(got none)"),
            ("20240709", "1430", "LT", {"region": "ZZ"}, "/LX1/AT707", "(got 'ZZ')"),
            ("20240709", "1430", "LT", {"region": "GA", "country": "MEX"}, "/LX1/AT707",
             "(got 'GA' (MEX))"),
        ]
        for date, time, code, where, pointer, message in cases:
            with self.subTest(date=date, time=time, code=code, where=where):
                with self.assertRaises(PayloadError) as caught:
                    to_iso(date, time, code, pointer="/LX1", **where)
                self.assertEqual(caught.exception.pointer, pointer)
                self.assertIn(message, caught.exception.message)

    def test_zone_for_region(self):
        cases = [
            (("TX", None, None), "America/Chicago"),
            (("TX", "USA", "el paso"), "America/Denver"),
            (("BC", None, None), "America/Vancouver"),
            (("QC", "CA", None), "America/Toronto"),
            (("ON", "US", None), None),  # Ontario is not a US state
            (("", None, None), None),
            (("NY", "FRA", None), None),
        ]
        for (region, country, city), expected in cases:
            with self.subTest(region=region, country=country, city=city):
                zone = zone_for_region(region, country, city)
                self.assertEqual(zone and zone.key, expected)
