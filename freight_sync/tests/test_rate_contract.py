from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FreightCase


@tagged("freight_sync", "post_install", "-at_install")
class TestRateContract(FreightCase):
    def contract(self, name, start, end=None, lane=None, **values):
        lane = lane or {"origin_state_id": self.env.ref("base.state_us_47").id,
                        "destination_state_id": self.env.ref("base.state_us_14").id,
                        "mode": "ltl"}
        return self.env["freight.rate.contract"].create({
            "name": name, "carrier_id": self.carrier.id,
            "date_start": fields.Date.to_date(start),
            "date_end": end and fields.Date.to_date(end),
            "line_ids": [Command.create({"basis": "per_kg", "rate": 0.42, "minimum": 150,
                                         **lane})],
            **values,
        })

    def test_overlapping_validity_on_the_same_lane_is_refused(self):
        self.contract("2024 H1", "2024-01-01", "2024-06-30")
        self.contract("2024 H2", "2024-07-01")  # follows, no overlap
        with self.assertRaisesRegex(ValidationError, "priced by 2024 H2 and Spring deal|"
                                    "priced by Spring deal and 2024 H2"):
            self.contract("Spring deal", "2024-06-15", "2024-09-30")

    def test_other_lanes_modes_and_archived_contracts_may_overlap(self):
        self.contract("LTL", "2024-01-01")
        self.contract("FTL", "2024-01-01", lane={
            "origin_state_id": self.env.ref("base.state_us_47").id,
            "destination_state_id": self.env.ref("base.state_us_14").id, "mode": "ftl"})
        self.contract("Other lane", "2024-01-01", lane={
            "origin_country_id": self.env.ref("base.us").id, "origin_zip_prefix": "372"})
        old = self.contract("Old", "2023-01-01", active=False)
        self.assertFalse(old.active)

    def test_dates_must_be_in_order(self):
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self.contract("Backwards", "2024-05-01", "2024-04-01")

    def test_lane_name_reads_like_a_route(self):
        contract = self.contract("Named", "2024-01-01")
        self.assertEqual(contract.line_ids.display_name, "VA → IL (LTL)")


@tagged("freight_sync", "post_install", "-at_install")
class TestChargeCodesAndTolerances(FreightCase):
    def test_x12_charge_codes_are_there(self):
        codes = self.env["freight.charge.code"]._kinds()
        for code, kind in (("400", "linehaul"), ("405", "fuel"), ("LHS", "linehaul"),
                           ("FSC", "fuel"), ("DTL", "detention"), ("DTU", "detention"),
                           ("DTV", "detention"), ("LFT", "accessorial"), ("RES", "accessorial"),
                           ("REP", "accessorial")):
            self.assertEqual(codes.get(code), kind, code)
        custom = self.env["freight.charge.code"].create({"code": " hzm ", "name": "Hazmat"})
        self.assertEqual(custom.code, "HZM")
        custom.write({"code": "hzx "})
        self.assertEqual(custom.code, "HZX")

    def test_a_code_edited_in_the_map_stays_one_code(self):
        code_map = self.env["freight.code.map"].create({"name": "Partner codes", "line_ids": [
            (0, 0, {"external_code": " x6 ", "milestone_code": "in_transit"}),
            (0, 0, {"external_code": "AF", "milestone_code": "picked_up"})]})
        self.assertEqual(sorted(code_map.line_ids.mapped("external_code")), ["AF", "X6"])
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            # typed in small letters, it is the same code as AF: refused like a second AF
            code_map.line_ids.filtered(lambda line: line.external_code == "X6").write(
                {"external_code": "af"})
            self.env.flush_all()

    def test_tolerance_layers_are_only_used_when_set(self):
        self.assertEqual(self.env.company._freight_tolerance(), (2.0, 25.0, "lesser"))
        self.assertIsNone(self.carrier._freight_tolerance())
        self.carrier.write({"freight_tolerance_set": True, "freight_tolerance_percent": 5.0,
                            "freight_tolerance_amount": 50.0,
                            "freight_tolerance_combine": "greater"})
        self.assertEqual(self.carrier._freight_tolerance(), (5.0, 50.0, "greater"))

    def test_settings_write_the_company(self):
        settings = self.env["res.config.settings"].create({
            "freight_tolerance_percent": 3.0, "freight_auto_post": True,
            "freight_override_threshold": 250.0})
        settings.execute()
        company = self.env.company
        self.assertEqual((company.freight_tolerance_percent, company.freight_auto_post,
                          company.freight_override_threshold), (3.0, True, 250.0))
