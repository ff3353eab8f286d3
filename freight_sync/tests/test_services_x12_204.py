import random
from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError
from ..services.tender import validate_tender
from ..services.x12 import Delimiters, parse, parse_all
from ..services.x12_204 import STANDARD, build_204, map_204
from .test_services_x12 import fixture

WHEN = datetime(2024, 7, 9, 12, 0)
PIPE = Delimiters("|", ":", "^", None, "\r\n")
CARET_501 = Delimiters("^", ":", "~", "!", "")


def party(name, city, state, **extra):
    return {"name": name, "address": [f"{len(name)} Dock Road"], "city": city, "state": state,
            "postal_code": "30301", "country": "US", **extra}


def tender(stops=2, **extra):
    reasons = ["LD"] + ["LD", "UL"] * ((stops - 2) // 2) + ["UL"] * (stops - 1 - (stops - 2)
                                                                     // 2 * 2)
    doc = {
        "shipment_id": "SHP/00042", "load_ref": "LOAD-42", "scac": "BRFL",
        "payment": "prepaid", "mode": "ftl", "equipment": "TF",
        "weight": {"value": 12000.5, "unit": "lb"}, "volume": {"value": 1800, "unit": "ft3"},
        "pieces": 24, "pallets": 12,
        "references": {"po_number": "PO-5540", "bol_number": "BOL-77812"},
        "handling": ["HM"], "instructions": "Call 30 minutes before arrival.",
        "respond_by": "2024-07-09T15:00:00-05:00",
        "requested_rate": {"amount": 1850.25, "currency": "USD"},
        "bill_to": party("Our Company Inc", "Chicago", "IL"),
        "stops": [{**party(f"Stop {n}", "Atlanta", "GA"), "sequence": n,
                   "reason": reasons[n - 1],
                   "window_start": f"2024-07-{9 + n:02d}T08:00:00-04:00",
                   "window_end": f"2024-07-{9 + n:02d}T16:30:00-04:00",
                   "references": {"po_number": f"PO-{n}"}, "weight": 3000.0, "pieces": 6}
                  for n in range(1, stops + 1)],
    }
    doc.update(extra)
    return doc


def round_trip(doc, delimiters=STANDARD, version="004010"):
    text = build_204(doc, sender="FREIGHTSYNC", receiver="BRFL", interchange_control=302,
                     group_control=302, when=WHEN, delimiters=delimiters, version=version)
    interchange = parse(text)  # raises on any envelope error
    for again in parse_all(text):
        assert again.refusal() is None
    (group,) = interchange.groups
    (tset,) = group.sets
    assert tset.ok, tset.errors
    assert group.functional_id == "SM"
    return map_204(tset), text


def cleaned(text, delimiters):
    """What the writer must make of free text: each delimiter a space, blanks collapsed
    (written here without the writer's code)."""
    for char in (delimiters.element, delimiters.component, delimiters.segment,
                 delimiters.repetition or ""):
        if char:
            text = text.replace(char, " ")
    return " ".join(text.split())


def expected_after(doc, delimiters):
    expected = validate_tender(doc)
    parties = [expected["bill_to"], *expected["stops"]] if expected["bill_to"] else \
        expected["stops"]
    for item in parties:
        item["name"] = cleaned(item["name"], delimiters)
        item["city"] = cleaned(item["city"], delimiters) if item["city"] else None
        item["address"] = [line for line in (cleaned(line, delimiters)
                                             for line in item["address"]) if line]
    for item in [expected, *expected["stops"]]:
        if item["instructions"]:
            item["instructions"] = cleaned(item["instructions"], delimiters)
    return expected


@tagged("freight_sync", "freight_pure")
class TestX12LoadTender204(BaseCase):
    def test_round_trips(self):
        long_name = "The Extraordinarily Long Named Distribution Company Of Northern Georgia"
        cases = {
            "two stops": tender(),
            "four stops": tender(4),
            "delimiters in names": tender(bill_to=party("ACME*EAST~DOCK>3", "St*Louis", "MO"),
                                          instructions="Gate ~4* then > dock"),
            "long names": tender(bill_to=party(long_name, "Llanfairpwllgwyngyll Junction City",
                                               "GA", address=["x" * 70])),
            "cancel": tender(purpose="cancel"),
            "change, minimal": {**tender(), "purpose": "change", "load_ref": None,
                                "equipment": None, "volume": None, "pieces": None,
                                "pallets": None, "references": {}, "handling": [],
                                "instructions": None, "respond_by": None,
                                "requested_rate": None, "bill_to": None},
            "latin and seconds": tender(bill_to=party("Société Générale", "Montréal", "QC"),
                                        respond_by="2024-07-09T15:00:59Z"),
        }
        for label, doc in cases.items():
            with self.subTest(label):
                back, _text = round_trip(doc)
                self.assertEqual(back, expected_after(doc, STANDARD))

    def test_hand_checked_values(self):
        doc = tender(bill_to=party("ACME*EAST~DOCK", "Chicago", "IL"), purpose="cancel")
        back, text = round_trip(doc)
        self.assertEqual(back["bill_to"]["name"], "ACME EAST DOCK")
        self.assertEqual(back["purpose"], "cancel")
        segments = text.split("~\n")
        self.assertIn("B2**BRFL**SHP/00042**PP", segments)
        self.assertIn("B2A*01", segments)
        self.assertIn("G62*64*20240709*1*1500*20", segments)  # -05:00 is code 20
        self.assertIn("L3*12000.5*G***185025****1800*E*24*L", segments)
        self.assertEqual(segments[-4], f"SE*{len(segments) - 5}*0001")
        long_doc = tender(bill_to=party("N" * 70, "Chicago", "IL"))
        self.assertEqual(round_trip(long_doc)[0]["bill_to"]["name"], "N" * 60)
        self.assertTrue(segments[0].startswith(
            "ISA*00*          *00*          *ZZ*FREIGHTSYNC    *ZZ*BRFL           *240709*"))
        self.assertEqual(len(segments[0]), 105)

    def test_other_delimiters(self):
        doc = tender(4, bill_to=party("A|B^C:D*E~F!G", "Chicago", "IL"))
        for label, delimiters, version in (("pipe caret", PIPE, "004010"),
                                           ("caret 00501", CARET_501, "005010")):
            with self.subTest(label):
                back, text = round_trip(doc, delimiters, version)
                self.assertEqual(back, expected_after(doc, delimiters))
                self.assertTrue(text.startswith("ISA" + delimiters.element))
        # the star and tilde are plain text with pipe delimiters: kept as they are
        self.assertEqual(round_trip(doc, PIPE)[0]["bill_to"]["name"], "A B C D*E~F!G")

    def test_offsets(self):
        doc = tender(respond_by="2024-07-09T15:00:00+05:30")
        back, _text = round_trip(doc)
        self.assertEqual(back["respond_by"], "2024-07-09T09:30:00+00:00")  # same instant
        newfoundland = tender(respond_by="2024-07-09T15:00:00-03:30")
        self.assertEqual(round_trip(newfoundland)[0]["respond_by"],
                         "2024-07-09T15:00:00-03:30")

    def test_refusals(self):
        cases = [
            ("id with delimiter", tender(shipment_id="SHP*1"), "/shipment_id", "delimiter"),
            ("reference with delimiter", tender(references={"po_number": "PO~1"}),
             "/references/po_number", "delimiter"),
            ("name only delimiters", tender(bill_to=party("*~*", "Chicago", "IL")),
             "/bill_to/name", "only of delimiters"),
            ("control character", tender(instructions="dock\x1b[31m 4"), "/instructions",
             "unprintable"),
            ("bidi", tender(bill_to=party("ACME\u202e", "Chicago", "IL")), "/bill_to/name",
             "unprintable"),
            ("id too long", tender(shipment_id="S" * 31), "/shipment_id", "longer than 30"),
            ("no offset", tender(respond_by="2024-07-09T15:00:00"), "/respond_by", "offset"),
            ("one stop", {**tender(), "stops": tender()["stops"][:1]}, "/stops", "2 to 999"),
            ("bad scac", tender(scac="B1"), "/scac", "not a SCAC"),
            ("three decimals", tender(requested_rate={"amount": 1.005, "currency": "USD"}),
             "/requested_rate/amount", "2 decimals"),
        ]
        for label, doc, pointer, words in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    build_204(doc, sender="FREIGHTSYNC", receiver="BRFL",
                              interchange_control=1, group_control=1, when=WHEN)
                self.assertEqual(caught.exception.pointer, pointer)
                self.assertIn(words, caught.exception.message)

    def test_caller_errors(self):
        for label, kwargs in (("id too long", {"sender": "S" * 16}),
                              ("control", {"interchange_control": 0}),
                              ("id with delimiter", {"receiver": "BR*FL"}),
                              ("00501 without repetition", {"version": "005010"}),
                              ("same delimiters", {"delimiters": Delimiters("*", "*", "~")})):
            with self.subTest(label):
                arguments = {"sender": "FREIGHTSYNC", "receiver": "BRFL",
                             "interchange_control": 1, "group_control": 1, "when": WHEN,
                             **kwargs}
                with self.assertRaises((ValueError, PayloadError)):
                    build_204(tender(), **arguments)

    def test_fixtures_read(self):
        for name, shipment, stops, purpose in (("204_out_two_stops.edi", "SHP/00042", 2,
                                                "original"),
                                               ("204_out_cancel_pipe.edi", "SHP/00043", 4,
                                                "cancel")):
            with self.subTest(name):
                interchange = parse(fixture(name))
                doc = map_204(interchange.groups[0].sets[0])
                self.assertEqual((doc["shipment_id"], len(doc["stops"]), doc["purpose"]),
                                 (shipment, stops, purpose))

    def test_property_round_trip(self):
        """~300 seeded random tenders: the reader never finds an envelope error and the
        tender comes back as validated (free text with delimiters as spaces)."""
        rng = random.Random(204)
        alphabet = "ABCDEFGH abcdéü0123456789-*~>|^:!.&'/#\t"
        ids = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/"
        delimiter_sets = (STANDARD, PIPE, Delimiters("+", ":", "'", None, ""))

        def text(least, most, chars=alphabet):
            value = "".join(rng.choice(chars) for _ in range(rng.randint(least, most)))
            return value if value.strip(" \t*~>|^:!+'") else "X" + value

        def when():
            offset = rng.choice(["-05:00", "-04:00", "+00:00", "+01:00", "-03:30", "+12:00",
                                 "+05:30"])
            return (f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                    f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                    f"{rng.choice([0, 0, rng.randint(1, 59)]):02d}{offset}")

        def maybe(value):
            return value if rng.random() < 0.6 else None

        for run in range(300):
            count = rng.randint(2, 6)
            stops = []
            for n in range(1, count + 1):
                reason = "LD" if n == 1 else "UL" if n == count else rng.choice(
                    ["LD", "CL", "UL", "CU"])
                stops.append({
                    "sequence": n, "reason": reason, "name": text(1, 80),
                    "address": [text(1, 70) for _ in range(rng.randint(0, 4))],
                    "city": "XY" + text(0, 38), "state": maybe("GA"), "postal_code": maybe("30301"),
                    "country": maybe(rng.choice(["US", "CA", "MEX"])),
                    "window_start": when(), "window_end": None,
                    "references": {"po_number": text(1, 30, ids)} if rng.random() < .5 else {},
                    "instructions": maybe(text(1, 200)),
                    "weight": maybe(round(rng.uniform(0.001, 40000), 3)),
                    "pieces": maybe(rng.randint(1, 999)), "pallets": maybe(rng.randint(1, 26)),
                    "volume": None,
                })
            volume = maybe({"value": round(rng.uniform(0.5, 3000), 2),
                            "unit": rng.choice(["m3", "ft3"])})
            if volume:
                for stop in stops:
                    stop["volume"] = maybe(round(rng.uniform(0.5, 300), 1))
            doc = {
                "purpose": rng.choice(["original", "change", "cancel"]),
                "shipment_id": text(1, 30, ids), "load_ref": maybe(text(1, 30, ids)),
                "scac": rng.choice(["BRFL", "ODFL", "UPS", "XY"]),
                "payment": rng.choice(["prepaid", "collect", "third_party"]),
                "mode": rng.choice(["ltl", "ftl", "parcel", "intermodal", "ocean", "air"]),
                "equipment": maybe(rng.choice(["TF", "RT", "FT"])),
                "weight": {"value": round(rng.uniform(0.5, 99999), 3),
                           "unit": rng.choice(["kg", "lb"])},
                "volume": volume, "pieces": maybe(rng.randint(1, 9999)),
                "pallets": maybe(rng.randint(0, 999)),
                "references": {key: text(1, 30, ids) for key in ("po_number", "bol_number",
                                                                 "customer_ref")
                               if rng.random() < 0.5},
                "handling": rng.sample(["HM", "TAR", "PRL"], rng.randint(0, 2)),
                "instructions": maybe(text(1, 800)), "respond_by": maybe(when()),
                "requested_rate": maybe({"amount": rng.randint(0, 10**9) / 100,
                                         "currency": rng.choice(["USD", "CAD"])}),
                "bill_to": maybe({"name": text(1, 70), "address": [], "city": None}),
                "stops": stops,
            }
            delimiters = rng.choice(delimiter_sets)
            with self.subTest(run=run):
                back, _text = round_trip(doc, delimiters)
                self.assertEqual(back, expected_after(doc, delimiters))
