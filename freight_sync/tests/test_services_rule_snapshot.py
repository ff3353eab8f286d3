import json
from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.expected_cost import AccessorialRate, Contract, FuelRule, RateLine, Zone
from ..services.invoice_audit import Policy, Tolerance
from ..services.rule_snapshot import (
    LineOutcome,
    audit_config,
    compare,
    config_differences,
    contracts_from_config,
    describe,
    digest,
    policy_from_config,
    processing_config,
    revision,
    status_changes,
)


def contract(fuel=20.0):
    return Contract(7, 3, "USD", date(2024, 1, 1), None, (), FuelRule(percent=fuel), {})


POLICY = Policy(Tolerance(2.0, 25.0), {3: Tolerance(5.0, 100.0, "greater")},
                {"405": Tolerance(0.0, 0.0)}, 500.0, True, 10.0)


@tagged("freight_sync", "freight_pure")
class TestRuleSnapshot(BaseCase):
    def test_a_snapshot_puts_the_tolerances_back_as_they_were(self):
        config = audit_config("17.0.1.3", POLICY, [contract()])
        self.assertEqual(policy_from_config(config["tolerances"]), POLICY)
        # the policy is what the audit engine reads: the same band, the same allowance
        back = policy_from_config(config["tolerances"])
        self.assertEqual(back.tolerance_for(3, "400"), (Tolerance(5.0, 100.0, "greater"),
                                                         "carrier"))
        self.assertEqual(back.tolerance_for(9, "405")[1], "charge code 405")

    def test_a_snapshot_keeps_the_contracts_terms_as_they_read(self):
        full = Contract(
            8, 3, "EUR", date(2024, 1, 1), date(2024, 12, 31),
            (RateLine(11, Zone("US", "CA", "9"), Zone("US"), "ltl", "per_kg", 0.5, 150.0,
                      0.0, 5000.0, 3),
             RateLine(12, Zone(), Zone(zip_prefix="10"), None, "flat", 900.0)),
            FuelRule(percent=18.0, table=((2.0, 3.0, 20.0), (3.0, 9.0, 25.0)), index=3.4),
            {"DTU": AccessorialRate("DTU", "per_hour", 75.0, 600.0, False, 2.0, "delivery"),
             "LFT": AccessorialRate("LFT", "flat", 85.0, needs_approval=True)})
        no_fuel = Contract(9, 4, "USD", date(2024, 1, 1), None)
        config = json.loads(json.dumps(audit_config("v", POLICY, [full, no_fuel])))
        self.assertEqual(contracts_from_config(config), (full, no_fuel))
        self.assertEqual(contracts_from_config(audit_config("v", POLICY, [])), ())
        # a snapshot recorded before the terms were kept has none to put back
        del config["contract_terms"]
        self.assertIsNone(contracts_from_config(config))

    def test_status_codes_read_otherwise_by_todays_code_map(self):
        then, today = {"ZZ1": "picked_up", "AG": "delivered"}, {"ZZ1": "delivered"}
        # AG: mapped then, today the standard estimate; D1 standard both times; XX unknown
        # both times; ZZ1 remapped; each code once, in order
        self.assertEqual(status_changes(["ZZ1", "D1", "AG", "XX", "ZZ1", None], then, today),
                         [("AG", "delivered", "estimate"), ("ZZ1", "picked_up", "delivered")])
        self.assertEqual(status_changes(["ZZ1"], None, {}), [])
        self.assertEqual(status_changes(["ZZ1"], {}, today), [("ZZ1", "unknown", "delivered")])

    def test_revisions_follow_the_content_not_the_order(self):
        self.assertEqual(revision(contract()), revision(contract()))
        self.assertNotEqual(revision(contract()), revision(contract(fuel=21.0)))
        self.assertEqual(digest({"a": 1, "b": {2, 1}}), digest({"b": {1, 2}, "a": 1}))
        self.assertEqual(processing_config("v", 4, {"AF": "picked_up", "D1": "delivered"}),
                         processing_config("v", 4, {"D1": "delivered", "AF": "picked_up"}))
        self.assertNotEqual(processing_config("v", 4, {"AF": "picked_up"})["code_map"],
                            processing_config("v", 4, {"AF": "delivered"})["code_map"])
        self.assertIsNone(processing_config("v", None, {})["code_map"])

    def test_what_changed_between_two_configurations(self):
        before = audit_config("17.0.1.3", POLICY, [contract()])
        after = audit_config("17.0.1.4", Policy(Tolerance(1.0, 25.0), POLICY.carriers,
                                                POLICY.charge_codes, 500.0, True, 10.0),
                             [contract(fuel=21.0)])
        changes = config_differences(before, after)
        self.assertEqual(len(changes), 3, changes)
        self.assertIn("rules 17.0.1.3 → 17.0.1.4", changes)
        self.assertIn("tolerance default: [2.0, 25.0, 'lesser'] → [1.0, 25.0, 'lesser']",
                      changes)
        self.assertTrue(changes[2].startswith("contract 7: revision "))
        self.assertEqual(config_differences(before, before), [])

    def test_the_comparison_names_each_changed_line(self):
        recorded = [LineOutcome(1, 1, "400", "ok", 500.0, 10.0, "company"),
                    LineOutcome(2, 2, "405", "ok", 100.0, 2.0, "company")]
        same = compare(9, "original", "approve", recorded, recorded, "approve")
        self.assertFalse(same.changed)
        self.assertEqual(describe(same), ["Replayed as originally: same decision (approve), "
                                          "no line changes."])
        replayed = [LineOutcome(1, 1, "400", "over", 500.0, 5.0, "company"), recorded[1]]
        changed = compare(9, "today", "approve", recorded, replayed, "exception",
                          ["tolerance default: a → b"])
        self.assertTrue(changed.changed)
        self.assertEqual([line.changed for line in changed.lines], [True, False])
        text = describe(changed)
        self.assertEqual(text[0], "Replayed with today's rules: decision approve → exception.")
        self.assertIn("Line 1 (400): ok, expected 500.00 ±10.00 (company) → "
                      "over, expected 500.00 ±5.00 (company)", text)
        as_dict = changed.as_dict()
        self.assertEqual(as_dict["lines"][0]["before"]["allowance"], 10.0)
        self.assertEqual(as_dict["lines"][0]["after"]["decision"], "over")
        # a cent of rounding is no change; an unknown expected against a known one is
        rounding = [LineOutcome(1, 1, "400", "ok", 500.004, 10.0, "company")]
        self.assertFalse(compare(9, "today", "approve", recorded[:1], rounding,
                                 "approve").changed)
        unknown = [LineOutcome(1, 1, "400", "unpriced", None, None)]
        self.assertTrue(compare(9, "today", "approve", recorded[:1], unknown,
                                "exception").lines[0].changed)
