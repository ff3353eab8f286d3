import dataclasses
from datetime import date, datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.accrual import expected_cost
from ..services.expected_cost import (
    AccessorialRate,
    Address,
    Contract,
    FuelRule,
    RateLine,
    Zone,
    detention,
    linehaul,
    pick_rate_line,
)
from ..services.invoice_audit import (
    AuditContext,
    Invoice,
    InvoiceLine,
    Policy,
    Prior,
    ShipmentFacts,
    ShipmentIndex,
    Tolerance,
    audit_batch,
    audit_invoice,
    lane_linehaul,
    tariff_amount,
)

T0 = datetime(2024, 7, 9, 8, 0)
KINDS = {"400": "linehaul", "405": "fuel", "LFT": "accessorial", "RES": "accessorial",
         "DTU": "detention", "TAX": "tax"}
TN, IL = Address("US", "TN", "37201"), Address("US", "IL", "60601")


def contract(**changes):
    values = dict(
        id=1, carrier_id=7, currency="USD", valid_from=date(2024, 1, 1), valid_to=None,
        lines=(RateLine(1, Zone("US"), Zone("US"), "ltl", "per_kg", 0.5, 150.0),
               RateLine(2, Zone("US", "TN"), Zone("US", "IL"), "ltl", "per_kg", 0.4, 150.0)),
        fuel=FuelRule(percent=20.0),
        accessorials={
            "LFT": AccessorialRate("LFT", "flat", 85.0),
            "RES": AccessorialRate("RES", "flat", 120.0, needs_approval=True),
            "DTU": AccessorialRate("DTU", "per_hour", 75.0, maximum=300.0, free_hours=2,
                                   detention_at="delivery"),
        })
    values.update(changes)
    return Contract(**values)


def shipment(id_=1, pro="PRO1", weight=1000.0, delivered=True, **changes):
    milestones = [("picked_up", T0)]
    if delivered:
        milestones += [("out_for_delivery", T0 + timedelta(hours=30)),
                       ("delivered", T0 + timedelta(hours=35))]
    values = dict(id=id_, carrier_id=7, mode="ltl", weight_kg=weight, distance_km=800.0,
                  pallets=2, origin=TN, destination=IL, milestones=tuple(milestones),
                  references={"pro_number": pro, "name": f"SHP{id_}"})
    values.update(changes)
    return ShipmentFacts(**values)


def context(shipments=None, policy=None, contracts=None):
    shipments = shipments or [shipment()]
    return AuditContext(
        policy=policy or Policy(Tolerance(2.0, 10.0, "lesser"), pod_required=True,
                                cumulative_cap=50.0),
        contracts=tuple(contracts if contracts is not None else [contract()]),
        shipments={s.id: s for s in shipments}, index=ShipmentIndex(shipments),
        charge_kinds=KINDS)


def line(id_, code, amount, pro="PRO1", quantity=1.0, weight=None):
    return InvoiceLine(id_, id_, {"pro_number": pro}, code, quantity, amount, weight)


def replace(invoice_, **changes):
    return dataclasses.replace(invoice_, **changes)


def invoice(*lines, id_=1, number="INV1", correction="original", currency="USD"):
    return Invoice(id_, 7, number, date(2024, 7, 12), currency,
                   sum(x.amount for x in lines), correction, None, tuple(lines))


def kinds_of(result):
    return sorted(f.type for f in result.findings)


@tagged("freight_sync", "freight_pure")
class TestExpectedCost(BaseCase):
    def test_linehaul_bases_and_minimum(self):
        cases = [
            ("flat", 1000, 0, 0, 300.0, 300.0),
            ("per_kg", 1000, 0, 0, 0.4, 400.0),
            ("per_kg", 100, 0, 0, 0.4, 150.0),  # minimum
            ("per_km", 0, 800, 0, 2.0, 1600.0),
            ("per_pallet", 0, 0, 3, 60.0, 180.0),
            ("per_cwt", 1000, 0, 0, 10.0, 220.46),  # 1000 kg = 22.0462 cwt
        ]
        for basis, kg, km, pallets, rate, expected in cases:
            with self.subTest(basis=basis, kg=kg):
                lane = RateLine(1, Zone(), Zone(), None, basis, rate, 150.0 if basis == "per_kg"
                                else 0.0)
                self.assertEqual(linehaul(lane, kg, km, pallets)[0], expected)

    def test_most_specific_lane_wins(self):
        deal = contract(lines=contract().lines + (
            RateLine(3, Zone("US", "TN", "372"), Zone("US", "IL"), None, "per_kg", 0.3, 0),))
        self.assertEqual(pick_rate_line(deal, TN, IL, "ltl").id, 3)
        self.assertEqual(pick_rate_line(contract(), TN, IL, "ltl").id, 2)
        self.assertEqual(pick_rate_line(contract(), IL, TN, "ltl").id, 1)
        self.assertIsNone(pick_rate_line(contract(), TN, IL, "ftl"))
        self.assertIsNone(pick_rate_line(contract(), Address("CA", "ON"), IL, "ltl"))

    def test_fuel_table_by_index(self):
        rule = FuelRule(percent=10.0, table=((3.0, 3.99, 20.0), (4.0, 4.99, 25.0)), index=4.2)
        self.assertEqual(rule.percent_for()[0], 25.0)
        self.assertEqual(FuelRule(percent=10.0, table=rule.table, index=9.0).percent_for()[0],
                         10.0)

    def test_detention_free_time_and_cap(self):
        rate = AccessorialRate("DTU", "per_hour", 75.0, maximum=300.0, free_hours=2)
        cases = [(1, 0.0), (3, 75.0), (4.5, 187.5), (10, 300.0)]
        for hours, expected in cases:
            with self.subTest(hours=hours):
                amount, _billable, _why = detention(rate, T0, T0 + timedelta(hours=hours))
                self.assertEqual(amount, expected)
        self.assertEqual(detention(rate, None, T0)[0], 0.0)

    def test_lane_linehaul_names_the_lane_or_none(self):
        amount, trace = lane_linehaul(contract(), shipment())
        self.assertEqual(amount, 400.0)  # lane 2, TN to IL: 1,000 kg × 0.4
        self.assertTrue(trace.startswith("Linehaul (lane 2): 1,000.0 kg × 0.4"), trace)
        self.assertIsNone(lane_linehaul(contract(), shipment(mode="ftl")))

    def test_tariff_amount_measures_detention_from_the_milestones(self):
        tariffs = contract().accessorials
        # delivery: out for delivery at +30 h, delivered at +35 h, 2 h free: 3 h × 75
        self.assertEqual(tariff_amount(tariffs["DTU"], shipment(), 9.0)[0], 225.0)
        self.assertEqual(tariff_amount(tariffs["DTU"], shipment(delivered=False), 9.0)[0], 0.0)
        self.assertEqual(tariff_amount(tariffs["LFT"], shipment(), 2.0)[0], 85.0)  # flat
        per_unit = AccessorialRate("XTR", "per_unit", 10.0)
        self.assertEqual(tariff_amount(per_unit, shipment(), 3.0), (30.0, "tariff 10.00 × 3"))


@tagged("freight_sync", "freight_pure")
class TestInvoiceAudit(BaseCase):
    def test_within_tolerance_is_approved_with_a_trace(self):
        # lane 2: 1000 kg × 0.4 = 400; fuel 20 % = 80; tolerance lesser of 2 % and 10
        result = audit_invoice(invoice(line(1, "400", 405.0), line(2, "405", 80.0)),
                               context(), Prior())
        self.assertEqual(result.decision, "approve")
        self.assertEqual([(r.expected, r.variance, r.allowance, r.decision)
                          for r in result.lines],
                         [(400.0, 5.0, 8.0, "ok"), (80.0, 0.0, 1.6, "ok")])
        self.assertIn("Linehaul (lane 2): 1,000.0 kg × 0.4 = 400.00", result.lines[0].trace[0])
        self.assertEqual(result.approved_lines(invoice(line(1, "400", 405.0),
                                                       line(2, "405", 80.0))),
                         [(1, "400", 405.0, 400.0), (1, "405", 80.0, 80.0)])

    def test_tolerance_layers_and_combine_rules(self):
        cases = [
            ("company lesser", Policy(Tolerance(2.0, 10.0, "lesser")), 8.0, "company"),
            ("company greater", Policy(Tolerance(2.0, 10.0, "greater")), 10.0, "company"),
            ("carrier wins", Policy(Tolerance(2.0, 10.0), carriers={7: Tolerance(5, 50)}),
             20.0, "carrier"),
            ("charge code wins", Policy(Tolerance(2.0, 10.0), carriers={7: Tolerance(5, 50)},
                                        charge_codes={"400": Tolerance(0, 0)}), 0.0,
             "charge code 400"),
        ]
        for label, policy, allowance, layer in cases:
            with self.subTest(label):
                result = audit_invoice(invoice(line(1, "400", 400.0)), context(policy=policy),
                                       Prior())
                self.assertEqual((result.lines[0].allowance, result.lines[0].tolerance_layer),
                                 (allowance, layer))

    def test_over_billing_is_a_finding_under_billing_is_accepted(self):
        over = audit_invoice(invoice(line(1, "400", 450.0)), context(), Prior())
        self.assertEqual((over.decision, kinds_of(over)), ("exception", ["rate_variance"]))
        self.assertEqual(over.findings[0].amount_at_stake, 50.0)
        under = audit_invoice(invoice(line(1, "400", 380.0)), context(), Prior())
        self.assertEqual((under.decision, under.lines[0].decision), ("approve", "under"))
        self.assertIn("Under-billed by 20.00: accepted", under.lines[0].trace)

    def test_cumulative_cap_across_invoices_of_a_batch(self):
        # each line within a wide band; together over the shipment cap
        policy = Policy(Tolerance(10.0, 100.0, "greater"), cumulative_cap=50.0)
        first = invoice(line(1, "400", 430.0), id_=1, number="A")
        second = invoice(line(2, "LFT", 110.0), id_=2, number="B")
        results = audit_batch([first, second], context(policy=policy))
        self.assertEqual([r.decision for r in results], ["approve", "exception"])
        self.assertIn("plus the cap of 50.00", results[1].findings[0].message)

    def test_duplicates(self):
        cases = [
            # the invoice's own duplicate finding holds the money: not its lines again
            ("same number again", "original", frozenset(), ["duplicate_invoice"]),
            # a correction that does not say what it replaces bills the linehaul again
            ("corrected, nothing replaced", "CO", frozenset(), ["duplicate_invoice"]),
            ("rebill, nothing replaced", "RB", frozenset(), ["duplicate_invoice"]),
            # judged against the shipment's running total: 400 + 400 against 400
            ("balance due", "BD", frozenset(), ["rate_variance"]),
            # a replacement is judged without the invoice it replaces
            ("corrected", "CO", frozenset({1}), []),
            ("rebill", "RB", frozenset({1}), []),
        ]
        for label, correction, replaces, expected in cases:
            with self.subTest(label):
                results = audit_batch([
                    invoice(line(1, "400", 400.0), id_=1),
                    replace(invoice(line(2, "400", 400.0), id_=2, correction=correction),
                            replaces=replaces),
                ], context())
                self.assertEqual(kinds_of(results[1]), expected)
                self.assertLessEqual(sum(f.amount_at_stake for f in results[1].findings), 400.0)
        other_number = audit_batch([invoice(line(1, "400", 400.0), id_=1, number="A"),
                                    invoice(line(2, "400", 400.0), id_=2, number="B")],
                                   context())
        self.assertEqual(kinds_of(other_number[1]), ["duplicate_invoice"])
        self.assertIn("already billed on invoice A", other_number[1].findings[0].message)

    def test_balance_due_is_judged_against_the_running_total(self):
        original = invoice(line(1, "400", 400.0), id_=1, number="A")
        within = invoice(line(2, "400", 5.0), id_=2, number="A", correction="BD")
        beyond = invoice(line(3, "400", 40.0), id_=3, number="A", correction="BD")
        results = audit_batch([original, within, beyond], context())
        self.assertEqual([r.decision for r in results], ["approve", "approve", "exception"])
        balance = results[1].lines[0]
        # 5.00 on top of 400.00 against 400.00: over by 5, inside the 2 % band (8.00)
        self.assertEqual((balance.expected, balance.variance, balance.decision),
                         (0.0, 5.0, "ok"))
        self.assertIn("Already billed for 400 on this shipment: 400.00 (invoice A)",
                      balance.trace)
        finding = results[2].findings[0]
        self.assertEqual(finding.type, "rate_variance")
        self.assertIn("40.00 on top of 405.00 billed before makes 445.00, expected 400.00, "
                      "over by 45.00", finding.message)
        self.assertEqual(finding.amount_at_stake, 40.0)

    def test_cancel(self):
        result = audit_invoice(invoice(line(1, "400", 400.0), correction="CA"), context(),
                               Prior())
        self.assertEqual((result.decision, result.expected_total), ("cancel", 0.0))

    def test_pod_gate(self):
        in_transit = [shipment(delivered=False)]
        gated = audit_invoice(invoice(line(1, "400", 400.0)), context(in_transit), Prior())
        self.assertEqual(kinds_of(gated), ["missing_pod"])
        self.assertIn("Shipment SHP1 has no delivery", gated.findings[0].message)
        open_gate = context(in_transit, policy=Policy(Tolerance(2, 10), pod_required=False))
        self.assertEqual(audit_invoice(invoice(line(1, "400", 400.0)), open_gate,
                                       Prior()).decision, "approve")

    def test_unknown_or_ambiguous_shipment(self):
        result = audit_invoice(invoice(line(1, "400", 400.0, pro="NOPE")), context(), Prior())
        self.assertEqual(kinds_of(result), ["unknown_shipment"])
        twins = [shipment(1, pro="DUP"), shipment(2, pro="DUP")]
        result = audit_invoice(invoice(line(1, "400", 400.0, pro="dup")), context(twins),
                               Prior())
        self.assertIn("point to 2 shipments", result.findings[0].message)

    def test_currency_and_weight(self):
        result = audit_invoice(invoice(line(1, "400", 400.0), currency="CAD"), context(),
                               Prior())
        self.assertEqual(kinds_of(result), ["currency_mismatch"])
        heavy = audit_invoice(invoice(line(1, "400", 400.0, weight=1200.0)), context(), Prior())
        self.assertEqual(kinds_of(heavy), ["weight_variance"])
        within = audit_invoice(invoice(line(1, "400", 400.0, weight=1090.0)), context(),
                               Prior())
        self.assertEqual(within.decision, "approve")

    def test_accessorials(self):
        cases = [
            ("in tariff", [shipment()], line(1, "LFT", 85.0), []),
            ("not in tariff", [shipment()], line(1, "HAZ", 40.0), ["unapproved_accessorial"]),
            ("needs approval", [shipment()], line(1, "RES", 120.0), ["unapproved_accessorial"]),
            ("approved", [shipment(approved_accessorials=frozenset({"RES"}))],
             line(1, "RES", 120.0), []),
            # waited 5 h at delivery, 2 h free: 3 h × 75
            ("detention", [shipment()], line(1, "DTU", 225.0, quantity=3), []),
            ("detention overbilled", [shipment()], line(1, "DTU", 300.0), ["rate_variance"]),
            ("tax passes", [shipment()], line(1, "TAX", 12.0), []),
        ]
        for label, shipments, billed, expected in cases:
            with self.subTest(label):
                self.assertEqual(kinds_of(audit_invoice(invoice(billed), context(shipments),
                                                        Prior())), expected)

    def test_right_amount_with_a_finding_needs_review(self):
        result = audit_invoice(invoice(line(1, "RES", 120.0)), context(), Prior())
        self.assertEqual((result.lines[0].decision, result.lines[0].variance), ("review", 0.0))

    def test_no_valid_contract(self):
        expired = contract(valid_to=date(2024, 6, 30))
        result = audit_invoice(invoice(line(1, "400", 400.0)), context(contracts=[expired]),
                               Prior())
        self.assertEqual(kinds_of(result), ["rate_variance"])
        self.assertIn("no contract of this carrier is valid", result.findings[0].message)


@tagged("freight_sync", "freight_pure")
class TestWhatIf(BaseCase):
    def test_tolerance_changes_what_would_have_passed(self):
        from ..services.invoice_audit import what_if
        lines = [(1, "400", 500.0, 505.0), (1, "405", 100.0, 100.0),  # +5
                 (2, "400", 500.0, 530.0),  # +30
                 (3, "400", 500.0, 490.0),  # under
                 (4, "400", None, 80.0),  # unmatched
                 (5, "400", 500.0, 500.0)]  # blocked (e.g. no POD)
        carriers = dict.fromkeys(range(1, 6), 7)
        cases = [
            (Tolerance(2.0, 10.0, "lesser"), 2, 5.0),
            (Tolerance(10.0, 100.0, "lesser"), 3, 35.0),
            (Tolerance(0.0, 0.0, "lesser"), 1, 0.0),
        ]
        for tolerance, would_approve, accepted in cases:
            with self.subTest(tolerance=tolerance):
                result = what_if(lines, Policy(tolerance), carriers, blocked={5})
                self.assertEqual((result.invoices, result.would_approve,
                                  result.variance_accepted), (5, would_approve, accepted))


@tagged("freight_sync", "freight_pure")
class TestOnePricingRule(BaseCase):
    """The audit and the accrual price a shipment's linehaul with one function."""

    def test_a_confirmed_rate_is_what_the_audit_expects(self):
        spot = shipment(confirmed_rate=(640.0, "USD"))
        result = audit_invoice(invoice(line(1, "400", 640.0), line(2, "405", 128.0)),
                               context([spot]), Prior())
        linehaul_line, fuel_line = result.lines
        self.assertEqual((linehaul_line.expected, linehaul_line.decision), (640.0, "ok"))
        self.assertIn("rate confirmed for this load 640.00 USD (replaces the contract's lane)",
                      " ".join(linehaul_line.trace))
        # fuel follows the contract's rule on the confirmed linehaul
        self.assertEqual(fuel_line.expected, 128.0)
        self.assertEqual(result.decision, "approve")

    def test_the_accrual_expects_what_the_audit_expects(self):
        for facts in (shipment(), shipment(confirmed_rate=(555.0, "USD")),
                      shipment(weight=120.0)):
            accrued = expected_cost(facts, [contract()], date(2024, 7, 12),
                                    {"linehaul": "400", "fuel": "405"})
            audited = audit_invoice(invoice(line(1, "400", 1.0), line(2, "405", 1.0)),
                                    context([facts]), Prior())
            self.assertEqual([ln.expected for ln in audited.lines],
                             [accrued.amounts["400"], accrued.amounts["405"]], facts)

    def test_a_rate_confirmed_in_another_currency_is_not_compared(self):
        result = audit_invoice(invoice(line(1, "400", 700.0)),
                               context([shipment(confirmed_rate=(700.0, "EUR"))]), Prior())
        self.assertEqual([f.type for f in result.findings], ["currency_mismatch"])
        self.assertIsNone(result.lines[0].expected)
        self.assertEqual(result.decision, "exception")
