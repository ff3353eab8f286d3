import base64
import json
from datetime import date
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models import freight_ltl_tariff
from ..models.freight_shipment_item import PATH_KEY, ItemPath
from ..services.invoice_audit import Policy, Tolerance
from ..services.ltl import FreightItem, rate_ltl
from ..services.rule_snapshot import audit_config, contracts_from_config
from .common import FreightCase, role_users

TARIFF = """origin,destination,class,L5C,M5C,1M,2M
100,200,50,20.00,18.00,15.00,12.50
100,200,85,30.00,27.00,24.00,20.00
,,85,40.00,36.00,32.00,30.00
"""
# the same lanes a year later, 10 % dearer and one lane more
TARIFF_2 = TARIFF.replace("24.00", "26.40") + "300,400,85,41,37,33,31\n"
BAD = TARIFF + "100,300,80,1,1,1,1\n100,300,70,x,1,1,1\n"
# 816.466 kg bill as 1,800 lb
ITEM_85 = FreightItem("85", 816.466)


@tagged("freight_sync", "post_install", "-at_install")
class TestLtlTariff(FreightCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = role_users(cls.env, "ltl")
        cls.clerk, cls.dispatcher, cls.manager = (users["clerk"], users["dispatcher"],
                                                  users["manager"])

    def wizard(self, text, user=None, **values):
        env = self.env(user=user or self.manager)
        return env["freight.ltl.tariff.import"].create({
            "file": base64.b64encode(text.encode()), "filename": "cz-demo.csv",
            "valid_from": "2026-01-01", **values})

    def import_tariff(self, text=TARIFF, **values):
        values.setdefault("new_tariff_name", "CZ-DEMO base tariff")
        action = self.wizard(text, **values).action_import()
        return self.env["freight.ltl.tariff"].browse(action["res_id"])

    def ltl_contract(self, tariff, **lane):
        return self.env["freight.rate.contract"].create({
            "name": "LTL 2026", "carrier_id": self.carrier.id, "date_start": "2026-01-01",
            "line_ids": [Command.create({
                "origin_zip_prefix": "100", "destination_zip_prefix": "200", "mode": "ltl",
                "basis": "ltl_tariff", "rate": 0.0, "ltl_tariff_id": tariff.id,
                "ltl_discount": 60.0, "ltl_minimum": 50.0, **lane})],
        })

    def test_each_import_is_the_next_revision_of_the_tariff(self):
        tariff = self.import_tariff()
        self.assertEqual(tariff.name, "CZ-DEMO base tariff")
        first = tariff.revision_ids
        self.assertEqual((first.revision, first.lane_count, first.rate_count, first.filename,
                          first.imported_by_id), (1, 2, 12, "cz-demo.csv", self.manager))
        self.assertIn("Revision 1 imported from cz-demo.csv: 2 lanes, 12 rates",
                      tariff.message_ids[0].body)
        self.import_tariff(TARIFF_2, tariff_id=tariff.id, new_tariff_name=False,
                           valid_from="2027-01-01")
        second = tariff.revision_ids.sorted("revision")[-1]
        self.assertEqual((second.revision, second.lane_count, second.rate_count), (2, 3, 16))
        self.assertEqual(self.env["freight.ltl.tariff"].search_count(
            [("name", "=", "CZ-DEMO base tariff")]), 1)
        revisions = tariff._as_revisions()[tariff.id]
        self.assertEqual([(r.revision, r.valid_from) for r in revisions],
                         [(2, date(2027, 1, 1)), (1, date(2026, 1, 1))])
        lane = revisions[0].lane_for("10001", "20002")
        self.assertEqual(lane.rates["85"], ((0, 30.0), (500, 27.0), (1000, 26.4), (2000, 20.0)))
        self.assertEqual(revisions[0].lane_for("99", "99").label, "*→*")

    def test_a_file_with_errors_is_refused_and_creates_nothing(self):
        # the demo data's tariff may be there: what this import would create is looked for
        tariffs = self.env["freight.ltl.tariff"].search_count([])
        revisions = self.env["freight.ltl.tariff.revision"].search_count([])
        with self.assertRaisesRegex(UserError, r"(?s)Row 5: class \"80\".*Row 6: rate \"x\""):
            self.import_tariff(BAD)
        self.assertEqual(self.env["freight.ltl.tariff"].search_count([]), tariffs)
        self.assertEqual(self.env["freight.ltl.tariff.revision"].search_count([]), revisions)

    def test_the_preview_shows_the_summary_rows_and_every_error(self):
        wizard = self.wizard(BAD, new_tariff_name="X")
        wizard.action_preview()
        self.assertEqual(wizard.error_count, 2)
        self.assertIn('Row 5: class "80" is not an NMFC class', wizard.preview)
        self.assertIn('Row 6: rate "x" at L5C is not a number', wizard.preview)
        self.assertIn("3 lanes", wizard.preview)
        self.assertIn("<td>M5C</td>", wizard.preview)
        self.assertFalse(self.env["freight.ltl.tariff"].search([("name", "=", "X")]))

    def test_only_managers_import(self):
        for user in (self.clerk, self.dispatcher):
            with self.assertRaises(AccessError):
                self.wizard(TARIFF, user=user, new_tariff_name="Sneaky")
            wizard = self.wizard(TARIFF, new_tariff_name="Sneaky")
            with self.assertRaises(AccessError):
                wizard.with_user(user).action_import()
            with self.assertRaises(AccessError):
                wizard.with_user(user).action_preview()
        self.assertFalse(self.env["freight.ltl.tariff"].search([("name", "=", "Sneaky")]))

    def test_imported_rates_and_revisions_are_kept_as_read(self):
        tariff = self.import_tariff()
        revision, rate = tariff.revision_ids, tariff.revision_ids.rate_ids[0]
        for user in (self.clerk, self.dispatcher):
            self.assertEqual(rate.with_user(user).rate, 20.0)  # they read them
            with self.assertRaises(AccessError):
                rate.with_user(user).write({"rate": 1.0})
            with self.assertRaises(AccessError):
                revision.with_user(user).write({"valid_to": "2026-06-30"})
            with self.assertRaises(AccessError):
                tariff.with_user(user).write({"name": "Renamed"})
        manager_rate = rate.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "never edited"):
            manager_rate.write({"rate": 1.0})
        with self.assertRaisesRegex(UserError, "kept with it"):
            manager_rate.unlink()
        with self.assertRaises(AccessError):
            rate.with_user(self.clerk).unlink()
        with self.assertRaises(AccessError):
            self.env["freight.ltl.tariff.rate"].with_user(self.manager).create({
                "revision_id": revision.id, "freight_class": "50", "rate": 1.0})
        with self.assertRaisesRegex(UserError, "only its end date"):
            revision.with_user(self.manager).write({"valid_from": "2025-01-01"})
        with self.assertRaisesRegex(UserError, "only its end date"):
            revision.with_user(self.manager).write({"revision": 7})
        with self.assertRaisesRegex(UserError, "importing its rates"):
            self.env["freight.ltl.tariff.revision"].with_user(self.manager).create(
                {"tariff_id": tariff.id, "valid_from": "2026-02-01"})
        revision.with_user(self.manager).write({"valid_to": "2026-12-31"})
        self.assertEqual(revision.valid_to, date(2026, 12, 31))
        self.assertEqual(rate.rate, 20.0)

    def test_a_lane_rates_with_the_tariff_discount_fak_and_deficit_weight(self):
        tariff = self.import_tariff()
        contract = self.ltl_contract(tariff)
        terms = contract._as_terms()
        ltl = terms.lines[0].ltl
        self.assertEqual((terms.lines[0].basis, ltl.discount_percent, ltl.absolute_minimum,
                          ltl.deficit_weight, ltl.pinned_revision, ltl.fak),
                         ("ltl_tariff", 60.0, 50.0, True, None, ()))
        # 1,800 lb of class 85: 18 cwt × 24.00 = 432.00 at 1M, or billed as 2,000 lb at the
        # 2M break 20 cwt × 20.00 = 400.00, cheaper; 60 % off: 160.00
        rating = rate_ltl(ltl, [ITEM_85], "10001", "20002", date(2026, 3, 1))
        self.assertEqual(rating.amount, 160.0)
        self.assertEqual(rating.revision, "CZ-DEMO base tariff rev 1")
        # FAK 55-92.5 as 50: 18 × 15.00 = 270.00 or 20 × 12.50 = 250.00; 60 % off: 100.00
        contract.line_ids.write({"ltl_fak_ids": [Command.create(
            {"class_from": "55", "class_to": "92.5", "rated_class": "50"})]})
        ltl = contract._as_terms().lines[0].ltl
        self.assertEqual(rate_ltl(ltl, [ITEM_85], "10001", "20002", date(2026, 3, 1)).amount,
                         100.0)
        # without deficit weight the 1M break rates it: 270.00 less 60 %: 108.00
        contract.line_ids.ltl_deficit_weight = False
        ltl = contract._as_terms().lines[0].ltl
        self.assertEqual(rate_ltl(ltl, [ITEM_85], "10001", "20002", date(2026, 3, 1)).amount,
                         108.0)

    def test_a_pinned_revision_rates_whatever_the_date(self):
        tariff = self.import_tariff()
        self.import_tariff(TARIFF_2, tariff_id=tariff.id, new_tariff_name=False,
                           valid_from="2027-01-01")
        first = tariff.revision_ids.filtered(lambda r: r.revision == 1)
        contract = self.ltl_contract(tariff)
        later = date(2027, 3, 1)
        self.assertEqual(contract._as_terms().lines[0].ltl.revision_on(later).revision, 2)
        contract.line_ids.ltl_revision_id = first
        ltl = contract._as_terms().lines[0].ltl
        self.assertEqual((ltl.pinned_revision, ltl.revision_on(later).revision), (first.id, 1))
        with self.assertRaisesRegex(UserError, "close it with Valid To"):
            first.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "base tariff of a lane"):
            tariff.with_user(self.manager).unlink()

    def test_rates_are_read_once_a_closed_revision_at_once(self):
        tariff = self.import_tariff()
        first = tariff._as_revisions()[tariff.id]
        with patch.object(freight_ltl_tariff, "lanes_from_cells",
                          side_effect=freight_ltl_tariff.lanes_from_cells) as read:
            again = tariff._as_revisions()[tariff.id]
            self.assertEqual(again, first)
            read.assert_not_called()  # the rates of a revision never change: kept
            tariff.revision_ids.with_user(self.manager).valid_to = "2026-06-30"
            self.assertEqual(tariff._as_revisions()[tariff.id][0].valid_to, date(2026, 6, 30))
            read.assert_not_called()

    def test_lane_terms_are_checked(self):
        tariff = self.import_tariff()
        other = self.import_tariff(new_tariff_name="Other tariff")
        with self.assertRaisesRegex(ValidationError, "choose the tariff"):
            self.ltl_contract(self.env["freight.ltl.tariff"])
        with self.assertRaisesRegex(ValidationError, "from 0 to 100"):
            self.ltl_contract(tariff, ltl_discount=120.0)
        with self.assertRaisesRegex(ValidationError, "pinned revision is not one of"):
            self.ltl_contract(tariff, ltl_revision_id=other.revision_ids.id)
        with self.assertRaisesRegex(ValidationError, "range must run"):
            self.ltl_contract(tariff, ltl_fak_ids=[Command.create(
                {"class_from": "100", "class_to": "85", "rated_class": "85"})])

    def test_contracts_read_their_tariffs_once_and_snapshots_keep_them(self):
        tariff = self.import_tariff()
        other = self.import_tariff(TARIFF_2, new_tariff_name="Other tariff")
        one = self.ltl_contract(tariff, ltl_fak_ids=[Command.create(
            {"class_from": "55", "class_to": "92.5", "rated_class": "50"})])
        two = self.ltl_contract(other, origin_zip_prefix="300", ltl_revision_id=(
            other.revision_ids.id))
        contracts = one | two
        Tariff = type(self.env["freight.ltl.tariff"])
        with patch.object(Tariff, "_as_revisions", autospec=True,
                          side_effect=Tariff._as_revisions) as load:
            terms = contracts._as_terms_batch()
        load.assert_called_once()
        self.assertEqual(load.call_args.args[0], tariff | other)
        self.assertEqual([t.id for t in terms], contracts.ids)
        self.assertEqual(terms[1].lines[0].ltl.revisions[0].tariff, "Other tariff")
        policy = Policy(Tolerance(0.0, 0.0))
        config = json.loads(json.dumps(audit_config("v", policy, terms)))
        # the revisions are kept by reference, their rates read back from the database
        self.assertNotIn('"rates"', json.dumps(config))
        load = self.env["freight.ltl.tariff.revision"]._by_id
        self.assertEqual(contracts_from_config(config, load), terms)
        back = contracts_from_config(config, load)[0].lines[0].ltl
        self.assertEqual(rate_ltl(back, [ITEM_85], "10001", "20002",
                                  fields.Date.to_date("2026-03-01")).amount, 100.0)

    def test_other_companies_tariffs_are_not_seen(self):
        tariff = self.import_tariff()
        self.assertEqual(tariff.action_import()["context"], {"default_tariff_id": tariff.id})
        other = self.env["res.company"].create({"name": "Other Freight Co"})
        tariff.company_id = other
        revision = tariff.revision_ids
        for model, mine in (("freight.ltl.tariff", tariff), ("freight.ltl.tariff.revision",
                            revision), ("freight.ltl.tariff.rate", revision.rate_ids)):
            domain = [("id", "in", mine.ids)]
            self.assertEqual(self.env[model].with_user(self.clerk).search_count(domain), 0,
                             model)
            self.assertEqual(self.env[model].search_count(domain), len(mine), model)

    def test_a_shipment_is_expected_to_cost_what_the_tariff_lane_gives(self):
        """From the tariff file to a shipment's expected linehaul, through the contract."""
        tariff = self.import_tariff(valid_from="2020-01-01")
        contract = self.ltl_contract(tariff)
        contract.date_start = "2020-01-01"
        Partner = self.env["res.partner"]
        shipment = self.make_shipment(
            origin_partner_id=Partner.create({"name": "Dock NY", "zip": "10001"}).id,
            destination_partner_id=Partner.create({"name": "Dock DC", "zip": "20002"}).id)
        # as a dispatcher's correction writes them: no transfers in this test
        self.env["freight.shipment.item"].with_context(
            **{PATH_KEY: ItemPath("correction", "LTL test")}).create({
            "shipment_id": shipment.id, "freight_class": "85", "weight_kg": 816.466,
            "source": "dispatcher"})
        cost = self.env["freight.accrual.booking"]._expected(shipment)[shipment.id]
        # as the lane's own test: 20 cwt × 20.00 at the 2M break, 60 % off
        self.assertEqual(list(cost.amounts.values())[0], 160.0, cost.trace)
        self.assertIn("CZ-DEMO base tariff rev 1 lane 100→200", cost.trace[0])
