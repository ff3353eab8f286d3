"""The carrier invoice audit: plain data in, decisions with their reasons out. Pure.

Each line is matched to a shipment, its expected amount computed from the carrier's
contract (linehaul, fuel, accessorial tariff, detention measured from milestones) and the
difference judged against the most specific tolerance band. An invoice is approved only
without any finding; every finding says what is wrong and how much is at stake.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from .expected_cost import (
    AccessorialRate,
    Address,
    Contract,
    accessorial,
    detention,
    fuel,
    linehaul,
    money,
    pick_contract,
    pick_rate_line,
)
from .references import normalize_reference

CORRECTIONS = frozenset({"CO", "BD", "RB", "AD"})  # may reuse an earlier invoice number
POD_CODES = frozenset({"delivered", "pod_received"})
STOPS = {"pickup": ("pickup_arrived", "picked_up"), "delivery": ("out_for_delivery", "delivered")}


@dataclass(frozen=True)
class Tolerance:
    percent: float
    amount: float
    combine: str = "lesser"  # lesser | greater

    def allowance(self, expected: float) -> float:
        by_percent = abs(expected) * self.percent / 100
        pick = min if self.combine == "lesser" else max
        return money(pick(by_percent, self.amount))

    def describe(self) -> str:
        return f"±{self.percent:g} % or ±{self.amount:,.2f}, the {self.combine}"


@dataclass(frozen=True)
class Policy:
    default: Tolerance
    carriers: Mapping = field(default_factory=dict)  # carrier id -> Tolerance
    charge_codes: Mapping = field(default_factory=dict)  # code -> Tolerance
    cumulative_cap: float | None = None
    pod_required: bool = False
    weight_tolerance_percent: float = 10.0

    def tolerance_for(self, carrier_id: int, charge_code: str) -> tuple[Tolerance, str]:
        """The most specific band: charge code, then carrier, then company."""
        if charge_code in self.charge_codes:
            return self.charge_codes[charge_code], f"charge code {charge_code}"
        if carrier_id in self.carriers:
            return self.carriers[carrier_id], "carrier"
        return self.default, "company"


@dataclass(frozen=True)
class ShipmentFacts:
    id: int
    carrier_id: int | None
    mode: str | None
    weight_kg: float
    distance_km: float
    pallets: int
    origin: Address
    destination: Address
    milestones: tuple = ()  # (code, datetime)
    approved_accessorials: frozenset = frozenset()
    references: Mapping = field(default_factory=dict)  # name, load_ref, pro_number, ...
    confirmed_rate: tuple | None = None  # (amount, currency) the carrier confirmed for it

    @property
    def label(self) -> str:
        return self.references.get("name") or f"#{self.id}"

    def first(self, code: str) -> datetime | None:
        times = [when for milestone, when in self.milestones if milestone == code]
        return min(times) if times else None

    @property
    def has_pod(self) -> bool:
        return any(code in POD_CODES for code, _when in self.milestones)


def lane_linehaul(contract: Contract, facts: ShipmentFacts) -> tuple[float, str] | None:
    """The linehaul of the contract's lane for this shipment and its trace line; None when
    no lane of the contract covers the trip."""
    lane = pick_rate_line(contract, facts.origin, facts.destination, facts.mode)
    if lane is None:
        return None
    amount, detail = linehaul(lane, facts.weight_kg, facts.distance_km, facts.pallets)
    return amount, f"Linehaul (lane {lane.id}): {detail}"


def shipment_linehaul(contract: Contract | None, facts: ShipmentFacts
                      ) -> tuple[float, str, str] | None:
    """What the linehaul of this shipment should cost: ``(amount, currency, trace line)``.

    The one pricing rule of the accrual and the audit: a rate the carrier confirmed for
    this load replaces the contract's lane; otherwise the contract's lane prices it. None
    when neither does."""
    if facts.confirmed_rate and facts.confirmed_rate[0]:
        amount, currency = money(facts.confirmed_rate[0]), facts.confirmed_rate[1]
        return amount, currency, (f"Linehaul: rate confirmed for this load {amount:,.2f} "
                                  f"{currency} (replaces the contract's lane)")
    lane = lane_linehaul(contract, facts) if contract is not None else None
    if lane is None:
        return None
    return lane[0], contract.currency, lane[1]


def tariff_amount(tariff: AccessorialRate, facts: ShipmentFacts, quantity: float
                  ) -> tuple[float, str]:
    """An accessorial's amount by its tariff: detention is measured between the stop's
    milestones (the billed quantity of hours is the carrier's claim, not a fact)."""
    if tariff.basis == "per_hour" and tariff.detention_at:
        arrival, departure = (facts.first(code) for code in STOPS[tariff.detention_at])
        amount, _hours, detail = detention(tariff, arrival, departure)
        return amount, detail
    return accessorial(tariff, quantity)


class ShipmentIndex:
    """Shipments by each of their references, as stored (normalized)."""

    def __init__(self, shipments):
        self._by_ref = defaultdict(set)
        for shipment in shipments:
            for key, value in shipment.references.items():
                if value:
                    self._by_ref[(key, value if key == "name" else normalize_reference(value))
                                 ].add(shipment.id)

    def resolve(self, references: Mapping) -> tuple[int | None, str]:
        found = set()
        for key, value in references.items():
            if value:
                ref = value if key == "name" else normalize_reference(value)
                found |= self._by_ref.get((key, ref), set())
        if len(found) == 1:
            return found.pop(), ""
        refs = ", ".join(f"{key} {value}" for key, value in references.items() if value)
        if not found:
            return None, f"no shipment with {refs or 'no reference'}"
        return None, f"{refs} point to {len(found)} shipments"


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    line_no: int
    references: Mapping
    charge_code: str
    quantity: float
    amount: float
    billed_weight_kg: float | None = None


@dataclass(frozen=True)
class Invoice:
    id: int
    carrier_id: int
    number: str
    date: date
    currency: str
    total: float
    correction: str = "original"
    corrects: str | None = None
    lines: tuple = ()


@dataclass
class Prior:
    """What earlier invoices already did: numbers used, charges billed, variance accepted."""

    invoices: dict = field(default_factory=lambda: defaultdict(list))  # (carrier, no) -> ids
    billed: dict = field(default_factory=lambda: defaultdict(list))  # (shipment, code) -> ids
    accepted_variance: dict = field(default_factory=lambda: defaultdict(float))


@dataclass(frozen=True)
class AuditContext:
    policy: Policy
    contracts: tuple  # Contract
    shipments: Mapping  # id -> ShipmentFacts
    index: ShipmentIndex
    charge_kinds: Mapping  # code -> linehaul | fuel | accessorial | detention | tax | discount


@dataclass(frozen=True)
class Finding:
    type: str  # the freight.exception types
    message: str
    amount_at_stake: float
    line_id: int | None = None


@dataclass
class LineResult:
    line_id: int
    shipment_id: int | None
    kind: str | None
    expected: float | None
    billed: float
    variance: float = 0.0
    allowance: float = 0.0
    tolerance_layer: str = ""
    decision: str = "unmatched"  # ok | under | over | review | unmatched
    findings: list = field(default_factory=list)
    trace: list = field(default_factory=list)  # sentences


@dataclass
class InvoiceResult:
    invoice_id: int
    decision: str  # approve | exception | cancel
    lines: list
    findings: list
    expected_total: float
    billed_total: float
    trace: list
    accepted_variance: dict  # shipment id -> over-billing accepted by this invoice


class _LineAudit:
    """Expected amount and judgment of one line; ``linehauls`` feeds the fuel rule."""

    def __init__(self, invoice: Invoice, context: AuditContext, contract: Contract | None,
                 prior: Prior, linehauls: dict):
        self.invoice, self.context, self.contract = invoice, context, contract
        self.prior, self.linehauls = prior, linehauls

    def run(self, line: InvoiceLine) -> LineResult:
        shipment_id, why = self.context.index.resolve(line.references)
        result = LineResult(line.id, shipment_id, self.context.charge_kinds.get(line.charge_code),
                            None, money(line.amount))
        if shipment_id is None:
            result.findings.append(Finding("unknown_shipment", f"Line {line.line_no}: {why}.",
                                           result.billed, line.id))
            result.trace.append(f"Shipment: {why}")
            return result
        facts = self.context.shipments[shipment_id]
        expected = self._expected(line, facts, result)
        if expected is not None:
            self._judge(line, result, expected)
        self._check_repeat_billing(line, result)
        self._check_weight(line, facts, result)
        if result.findings and result.decision in ("ok", "under"):
            result.decision = "review"  # the amount is right, something else is not
        return result

    def _expected(self, line, facts, result) -> float | None:
        kind, code = result.kind, line.charge_code
        if kind is None:
            return self._finding(result, "unapproved_accessorial",
                                 f"charge code {code} is unknown", line)
        if kind in ("tax", "discount"):
            result.trace.append(f"{kind.capitalize()}: passed through as billed")
            return result.billed
        if kind in ("linehaul", "fuel"):
            base, currency = self._linehaul(facts, result)
            if base is None:
                return self._finding(result, "rate_variance", self._no_price(), line)
            if currency != self.invoice.currency and (
                    self.contract is None or currency != self.contract.currency):
                # a confirmed rate in a third currency (the contract's own mismatch is the
                # invoice's finding): compared across currencies, any amount would look
                # right or wrong by chance
                return self._finding(result, "currency_mismatch", f"the linehaul was agreed "
                                     f"in {currency}, billed in {self.invoice.currency}", line)
            if kind == "linehaul":
                return base
        if self.contract is None:
            return self._finding(result, "rate_variance", self._no_price(), line)
        if kind == "fuel":
            amount, detail = fuel(self.contract.fuel, base)
            result.trace.append(f"Fuel: {detail} → expected {amount:,.2f}")
            return amount
        tariff = self.contract.accessorials.get(code)
        if tariff is None:
            return self._finding(result, "unapproved_accessorial",
                                 f"{code} is not in the contract's tariff", line)
        if tariff.needs_approval and code not in facts.approved_accessorials:
            self._finding(result, "unapproved_accessorial",
                          f"{code} needs a dispatcher's approval on the shipment", line)
        amount, detail = tariff_amount(tariff, facts, line.quantity)
        result.trace.append(f"{code}: {detail} → expected {amount:,.2f}")
        return amount

    def _linehaul(self, facts: ShipmentFacts, result) -> tuple[float | None, str | None]:
        if facts.id not in self.linehauls:
            self.linehauls[facts.id] = shipment_linehaul(self.contract, facts)
        cached = self.linehauls[facts.id]
        if cached is None:
            return None, None
        amount, currency, detail = cached
        result.trace.append(f"{detail} → expected {amount:,.2f}")
        return amount, currency

    def _no_price(self) -> str:
        if self.contract is None:
            return f"no contract of this carrier is valid on {self.invoice.date}"
        return "no lane of the contract covers this shipment"

    def _judge(self, line, result, expected):
        policy = self.context.policy
        tolerance, layer = policy.tolerance_for(self.invoice.carrier_id, line.charge_code)
        result.expected = money(expected)
        result.variance = money(result.billed - result.expected)
        result.allowance = tolerance.allowance(result.expected)
        result.tolerance_layer = layer
        result.trace.append(f"Tolerance ({layer}): {tolerance.describe()} → "
                            f"{result.allowance:,.2f}")
        if result.variance > result.allowance:
            result.decision = "over"
            result.findings.append(Finding(
                "rate_variance", f"Line {line.line_no} ({line.charge_code}): billed "
                f"{result.billed:,.2f}, expected {result.expected:,.2f}, over by "
                f"{result.variance:,.2f} (tolerance {result.allowance:,.2f})",
                result.variance, line.id))
        elif result.variance < 0:
            result.decision = "under"
            result.trace.append(f"Under-billed by {-result.variance:,.2f}: accepted")
        else:
            result.decision = "ok"
        result.trace.append(f"Billed {result.billed:,.2f}, expected {result.expected:,.2f}, "
                            f"variance {result.variance:+,.2f}: {result.decision}")

    def _check_repeat_billing(self, line, result):
        if self.invoice.correction in CORRECTIONS:
            return
        earlier = self.prior.billed.get((result.shipment_id, line.charge_code))
        if earlier:
            self._finding(result, "duplicate_invoice",
                          f"{line.charge_code} of this shipment was already billed on invoice "
                          f"{earlier[0]}", line)

    def _check_weight(self, line, facts, result):
        billed, actual = line.billed_weight_kg, facts.weight_kg
        limit = actual * (1 + self.context.policy.weight_tolerance_percent / 100)
        if billed and actual and billed > limit:
            self._finding(result, "weight_variance",
                          f"billed weight {billed:,.1f} kg is over the shipment's "
                          f"{actual:,.1f} kg", line, money(result.billed * (1 - actual / billed)))

    @staticmethod
    def _finding(result, kind, message, line, amount=None):
        amount = result.billed if amount is None else amount
        result.findings.append(Finding(kind, f"Line {line.line_no}: {message}.", amount, line.id))
        result.trace.append(f"Finding ({kind}): {message}")
        if result.decision == "unmatched" and kind in ("rate_variance",
                                                       "unapproved_accessorial"):
            result.decision = "over"
        return None


def audit_invoice(invoice: Invoice, context: AuditContext, prior: Prior) -> InvoiceResult:
    """Audit one invoice against ``prior`` (not updated: see ``audit_batch``)."""
    billed_total = money(sum(line.amount for line in invoice.lines))
    if invoice.correction == "CA":
        trace = [f"Cancels invoice {invoice.corrects or invoice.number}: nothing to pay"]
        return InvoiceResult(invoice.id, "cancel", [], [], 0.0, billed_total, trace, {})
    findings, trace = [], []
    earlier = prior.invoices.get((invoice.carrier_id, invoice.number))
    if earlier and invoice.correction not in CORRECTIONS:
        findings.append(Finding("duplicate_invoice", f"Invoice number {invoice.number} was "
                                "already received from this carrier.", billed_total))
    contract = pick_contract(context.contracts, invoice.carrier_id, invoice.date)
    trace.append(f"Contract: {contract.id if contract else 'none valid on the invoice date'}")
    if contract and contract.currency != invoice.currency:
        findings.append(Finding("currency_mismatch", f"Billed in {invoice.currency}, the "
                                f"contract is in {contract.currency}.", billed_total))
    auditor = _LineAudit(invoice, context, contract, prior, {})
    lines = [auditor.run(line) for line in invoice.lines]
    for line in lines:
        findings.extend(line.findings)
    accepted = defaultdict(float)
    for line in lines:
        if line.decision == "ok" and line.variance > 0:
            accepted[line.shipment_id] += line.variance
    cap = context.policy.cumulative_cap
    for shipment_id, over in accepted.items():
        total = prior.accepted_variance.get(shipment_id, 0.0) + over
        if cap is not None and total > cap:
            label = context.shipments[shipment_id].label
            findings.append(Finding("rate_variance", f"Over-billing accepted on shipment "
                                    f"{label} would reach {total:,.2f}, above the cap of "
                                    f"{cap:,.2f}.", money(total - cap)))
    if context.policy.pod_required:
        for shipment_id in sorted({line.shipment_id for line in lines if line.shipment_id}):
            facts = context.shipments[shipment_id]
            if not facts.has_pod:
                findings.append(Finding("missing_pod", f"Shipment {facts.label} has no delivery "
                                        "or proof of delivery yet.", billed_total))
    expected_total = money(sum(line.expected if line.expected is not None else line.billed
                               for line in lines))
    decision = "exception" if findings else "approve"
    return InvoiceResult(invoice.id, decision, lines, findings, expected_total, billed_total,
                         trace, dict(accepted))


def audit_batch(invoices, context: AuditContext, prior: Prior | None = None):
    """Audit invoices in order; each sees what the ones before it billed and accepted."""
    prior = prior or Prior()
    results = []
    for invoice in invoices:
        result = audit_invoice(invoice, context, prior)
        results.append(result)
        prior.invoices[(invoice.carrier_id, invoice.number)].append(invoice.id)
        if result.decision == "cancel":
            continue
        for line, original in zip(result.lines, invoice.lines):
            if line.shipment_id:
                prior.billed[(line.shipment_id, original.charge_code)].append(invoice.number)
        if result.decision == "approve":
            for shipment_id, over in result.accepted_variance.items():
                prior.accepted_variance[shipment_id] += over
    return results


@dataclass(frozen=True)
class WhatIf:
    invoices: int
    would_approve: int
    variance_accepted: float


def what_if(lines, policy: Policy, carriers: Mapping, blocked: set) -> WhatIf:
    """How many audited invoices a policy would have approved, and the over-billing it
    would have accepted. ``lines`` are (invoice id, charge code, expected, billed) with
    expected None when the line matched nothing; ``carriers`` maps invoice to carrier;
    ``blocked`` are invoices held for reasons no tolerance changes (POD, duplicates...)."""
    approvable = {}
    accepted = defaultdict(float)
    for invoice_id, charge_code, expected, billed in lines:
        approvable.setdefault(invoice_id, invoice_id not in blocked)
        if expected is None:
            approvable[invoice_id] = False
            continue
        tolerance, _layer = policy.tolerance_for(carriers[invoice_id], charge_code)
        variance = billed - expected
        if variance > tolerance.allowance(expected):
            approvable[invoice_id] = False
        elif variance > 0:
            accepted[invoice_id] += variance
    approved = [invoice_id for invoice_id, ok in approvable.items() if ok]
    return WhatIf(len(approvable), len(approved), money(sum(accepted[i] for i in approved)))
