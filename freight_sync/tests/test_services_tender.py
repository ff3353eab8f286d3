import json

from odoo.tests import BaseCase, tagged

from ..services.canonical import PayloadError
from ..services.tender import JSON_SCHEMA, to_json_tender, validate_tender
from .test_services_x12_204 import party, tender


@tagged("freight_sync", "freight_pure")
class TestTenderDocument(BaseCase):
    def test_normalisation(self):
        doc = validate_tender(tender(
            scac="brfl", bill_to=party("  ACME \t Corp\n East ", "chicago", "il"),
            respond_by="2024-07-09T15:00:00.123456-05:00",
            instructions="Dock 4\nCall first"))
        self.assertEqual(doc["scac"], "BRFL")
        self.assertEqual(doc["bill_to"]["name"], "ACME Corp East")
        self.assertEqual(doc["bill_to"]["state"], "IL")
        self.assertEqual(doc["respond_by"], "2024-07-09T15:00:00-05:00")
        self.assertEqual(doc["instructions"], "Dock 4 Call first")
        self.assertEqual(doc["purpose"], "original")
        self.assertEqual(validate_tender(doc), doc)  # idempotent
        cut = validate_tender(tender(bill_to=party("N" * 61, "C" * 31, "IL")))["bill_to"]
        self.assertEqual((len(cut["name"]), len(cut["city"])), (60, 30))

    def test_json_tender(self):
        body = to_json_tender(tender())
        self.assertEqual(body["schema"], JSON_SCHEMA)
        self.assertEqual(body["tender"], validate_tender(tender()))
        self.assertEqual(json.loads(json.dumps(body)), body)  # plain JSON
        self.assertEqual(body["tender"]["requested_rate"], {"amount": 1850.25,
                                                             "currency": "USD"})

    def test_refusals(self):
        stops = tender()["stops"]
        cases = [
            ("not an object", [], "/", "object"),
            ("no weight", {**tender(), "weight": None}, "/weight", "required"),
            ("weight unit", tender(weight={"value": 1, "unit": "t"}), "/weight/unit", "'t'"),
            ("mode", tender(mode="rail"), "/mode", "'rail'"),
            ("payment", tender(payment="cash"), "/payment", "'cash'"),
            ("reference kind", tender(references={"pro_number": "1"}),
             "/references/pro_number", "unknown reference kind"),
            ("order", {**tender(), "stops": [{**stops[0], "sequence": 2}, stops[1]]},
             "/stops/0/sequence", "in order"),
            ("first unloads", {**tender(), "stops": [{**stops[0], "reason": "UL"}, stops[1]]},
             "/stops/0/reason", "first stop loads"),
            ("last loads", {**tender(), "stops": [stops[0], {**stops[1], "reason": "CL"}]},
             "/stops/1/reason", "last stop unloads"),
            ("window backwards", {**tender(), "stops": [
                {**stops[0], "window_end": "2024-07-09T08:00:00-04:00"}, stops[1]]},
             "/stops/0/window_end", "before"),
            ("stop volume without unit", {**tender(volume=None), "stops": [
                {**stops[0], "volume": 3}, stops[1]]}, "/stops/0/volume", "volume"),
            ("pallets", tender(pallets=1000), "/pallets", "at most 999"),
            ("instructions", tender(instructions="x" * 801), "/instructions", "800"),
            ("no city", {**tender(), "stops": [{**stops[0], "city": ""}, stops[1]]},
             "/stops/0/city", "required"),
            ("currency", tender(requested_rate={"amount": 5, "currency": "US"}),
             "/requested_rate/currency", "3 to 3"),
            ("boolean", tender(pieces=True), "/pieces", "number"),
        ]
        for label, doc, pointer, words in cases:
            with self.subTest(label):
                with self.assertRaises(PayloadError) as caught:
                    validate_tender(doc)
                self.assertEqual(caught.exception.pointer, pointer)
                self.assertIn(words, caught.exception.message)
