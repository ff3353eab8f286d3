"""The carrier invoice audit: plain data in, decisions with their reasons out. Pure.

Each line is matched to a shipment, its expected amount computed from the carrier's
contract (linehaul, fuel, accessorial tariff, detention measured from milestones) and the
difference judged against the most specific tolerance band. An invoice is approved only
without any finding; every finding says what is wrong and how much is at stake.

A line nobody can price (no shipment, no contract or lane, a charge not in the tariff) has
an UNKNOWN expected amount (None): it is left out of the expected total and never counted
as "billed as expected".

Money at stake is counted once per invoice. The over-billing of a shipment's priced lines
(their positive variance) is shared by the findings about price, in this order: each line
over its tolerance claims its own variance, the shipment's weight variance claims what the
lines left, and the cumulative cap claims only what neither claimed. Findings about the
whole invoice or line (duplicate, missing POD, currency, unknown shipment or price) put its
billed amount at stake: that money is not over-billing but money nobody can check yet.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
from .invoice_chain import ADDS, CANCELS, KNOWN_CODES, NEVER_BILLED, REMINDS
from .ltl import rate_ltl
from .ltl_adjustments import carrier_figures, find_adjustment
from .references import ReferenceIndex

POD_CODES = frozenset({"delivered", "pod_received"})
# line decisions whose expected amount is unknown: no shipment, or nothing to price it with
UNPRICED = ("unmatched", "unpriced")
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
    items: tuple = ()  # ltl.FreightItem: classes and weights, for LTL tariffs

    @property
    def label(self) -> str:
        return self.references.get("name") or f"#{self.id}"

    def first(self, code: str) -> datetime | None:
        times = [when for milestone, when in self.milestones if milestone == code]
        return min(times) if times else None

    @property
    def has_pod(self) -> bool:
        return any(code in POD_CODES for code, _when in self.milestones)


def lane_linehaul(contract: Contract, facts: ShipmentFacts, day: date | None = None
                  ) -> tuple[float | None, str] | None:
    """The linehaul of the contract's lane for this shipment and its trace line; None when
    no lane of the contract covers the trip. An LTL tariff lane that cannot rate the
    shipment (no class, no tariff lane...) gives ``(None, why)``. ``day``: the date the
    tariff revision is read on when the shipment was not picked up yet."""
    lane = pick_rate_line(contract, facts.origin, facts.destination, facts.mode,
                          facts.weight_kg)
    if lane is None:
        return None
    if lane.ltl is not None:
        rating = rate_ltl(lane.ltl, facts.items, facts.origin.zip, facts.destination.zip,
                          rating_day(facts, day))
        return rating.amount, f"Linehaul (lane {lane.id}): {rating.detail}"
    amount, detail = linehaul(lane, facts.weight_kg, facts.distance_km, facts.pallets)
    return amount, f"Linehaul (lane {lane.id}): {detail}"


def rating_day(facts: ShipmentFacts, day: date | None) -> date | None:
    """The day a tariff revision is read on: the pickup's, else ``day`` (the invoice's or
    the accrual's)."""
    picked_up = facts.first("picked_up")
    return picked_up.date() if picked_up else day


def shipment_linehaul(contract: Contract | None, facts: ShipmentFacts,
                      day: date | None = None) -> tuple[float | None, str, str] | None:
    """What the linehaul of this shipment should cost: ``(amount, currency, trace line)``.

    The one pricing rule of the accrual and the audit: a rate the carrier confirmed for
    this load replaces the contract's lane; otherwise the contract's lane prices it. None
    when neither does; amount None when an LTL tariff lane covers the trip but cannot rate
    the shipment (the trace line says why)."""
    if facts.confirmed_rate and facts.confirmed_rate[0]:
        amount, currency = money(facts.confirmed_rate[0]), facts.confirmed_rate[1]
        return amount, currency, (f"Linehaul: rate confirmed for this load {amount:,.2f} "
                                  f"{currency} (replaces the contract's lane)")
    lane = lane_linehaul(contract, facts, day) if contract is not None else None
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
    """The audited shipments by their references: a line names the shipment of the
    invoice's carrier its references resolve to (``ReferenceIndex``'s one rule)."""

    def __init__(self, shipments):
        self.labels = {shipment.id: shipment.label for shipment in shipments}
        self._index = ReferenceIndex((shipment.id, shipment.carrier_id, shipment.references)
                                     for shipment in shipments)

    def resolve(self, references: Mapping, carrier_id: int | None = None
                ) -> tuple[int | None, str]:
        found = self._index.resolve(references, carrier_id)
        if len(found) == 1:
            return found.pop(), ""
        refs = ", ".join(f"{key} {value}" for key, value in references.items() if value)
        if found:
            return None, f"{refs} point to {len(found)} shipments"
        elsewhere = self._index.resolve(references) if carrier_id is not None else set()
        if elsewhere:
            names = ", ".join(sorted(self.labels[shipment] for shipment in elsewhere))
            return None, f"{refs} names {names}, not a shipment of this carrier"
        return None, f"no shipment with {refs or 'no reference'}"


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    line_no: int
    references: Mapping
    charge_code: str
    quantity: float
    amount: float
    billed_weight_kg: float | None = None
    billed_class: str | None = None  # NMFC class the carrier rated (a reclass when not ours)
    dimensions: str | None = None  # as the carrier measured them (a DIM rebill)
    certificate: str | None = None  # inspection certificate the carrier referenced
    last_revision: str | None = None  # the tariff revision the last audit rated it with


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
    replaces: frozenset = frozenset()  # ids of the invoices a CO/RB restates
    certificates: tuple = ()  # names of inspection certificates attached to the invoice


@dataclass
class Prior:
    """What earlier invoices already did: numbers used, the money billed per shipment and
    charge (the running total a balance-due is judged against: what was approved to pay on
    approved invoices, what was billed on those still waiting) and, for the cumulative cap,
    the money approved to pay per shipment (whatever the line's decision: under-billed,
    overridden or short-paid alike) and each charge's expected amount. Money is kept per
    invoice, so that a replacement (CO/RB) is judged without the invoice it replaces."""

    invoices: dict = field(default_factory=lambda: defaultdict(list))  # (carrier, no) -> ids
    # (shipment, code) -> {invoice id: (number, money)}
    billed: dict = field(default_factory=lambda: defaultdict(dict))
    approved: dict = field(default_factory=lambda: defaultdict(dict))  # shipment -> {id: money}
    # shipment -> {code: expected}: a running total reads one shipment's charges, not all
    charge_expected: dict = field(default_factory=lambda: defaultdict(dict))

    def add_billed(self, shipment_id: int, charge_code: str, invoice_id: int, number: str,
                   amount: float):
        number_, before = self.billed[(shipment_id, charge_code)].get(invoice_id, (number, 0.0))
        self.billed[(shipment_id, charge_code)][invoice_id] = (number_, money(before + amount))

    def add_approved(self, shipment_id: int, charge_code: str, paid: float,
                     expected: float | None, invoice_id: int = 0):
        """Money approved on a line. A charge nobody could price costs what a person
        approved for it: that becomes its expected amount."""
        approved = self.approved[shipment_id]
        approved[invoice_id] = money(approved.get(invoice_id, 0.0) + paid)
        charges = self.charge_expected[shipment_id]
        known = paid if expected is None else expected
        charges[charge_code] = max(charges.get(charge_code, known), known)

    def billed_before(self, shipment_id: int, charge_code: str, skip=frozenset()
                      ) -> tuple[float, list]:
        """(money, invoice numbers) billed earlier for this charge of this shipment."""
        earlier = [(number, amount) for invoice_id, (number, amount)
                   in self.billed.get((shipment_id, charge_code), {}).items()
                   if invoice_id not in skip]
        return money(sum(amount for _n, amount in earlier)), [n for n, _a in earlier]

    def approved_before(self, shipment_id: int, skip=frozenset()) -> float:
        return money(sum(amount for invoice_id, amount
                         in self.approved.get(shipment_id, {}).items()
                         if invoice_id not in skip))


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
    decision: str = "unmatched"  # ok | under | over | review | unmatched | unpriced
    cost: float | None = None  # what the charge should cost in all (expected: what is left)
    adjustment: str = ""  # the carrier's reweigh/reclass/DIM of the shipment, in words
    tariff_revision: str = ""  # the LTL tariff revision that rated it
    revision_change: str = ""  # "DEMO rev 2 (the last audit: DEMO rev 1)" on a re-audit
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
    unpriced_lines: int = 0  # lines whose expected amount is unknown

    def approved_lines(self, invoice):
        """(shipment, charge code, billed, cost) of each matched line: what approving this
        invoice as billed adds to the shipments' running totals."""
        return [(line.shipment_id, original.charge_code, line.billed, line.cost)
                for line, original in zip(self.lines, invoice.lines) if line.shipment_id]


class _LineAudit:
    """Expected amount and judgment of one line; ``linehauls`` feeds the fuel rule."""

    def __init__(self, invoice: Invoice, context: AuditContext, contract: Contract | None,
                 prior: Prior, resolved: list):
        self.invoice, self.context, self.contract = invoice, context, contract
        self.prior, self.linehauls = prior, {}
        self.by_shipment = defaultdict(list)  # the invoice's lines of each shipment
        for line, (shipment_id, _why) in zip(invoice.lines, resolved):
            self.by_shipment[shipment_id].append(line)
        # shipment -> (Adjustment, what the carrier's figures rate) when not backed by a
        # certificate: the shipment's figures price it, the difference is the clerk's
        self.adjustments = {}
        self.revisions = {}  # shipment -> label of the LTL tariff revision that rated it

    def run(self, line: InvoiceLine, resolved: tuple) -> LineResult:
        shipment_id, why = resolved
        result = LineResult(line.id, shipment_id, self.context.charge_kinds.get(line.charge_code),
                            None, money(line.amount))
        if shipment_id is None:
            result.findings.append(Finding("unknown_shipment", f"Line {line.line_no}: {why}.",
                                           result.billed, line.id))
            result.trace.append(f"Shipment: {why}")
            return result
        facts = self.context.shipments[shipment_id]
        expected = self._expected(line, facts, result)
        if expected is None:
            result.decision = "unpriced"
            result.trace.append("Expected: unknown, this line is not priced")
            self._billed_before(line, result)
        else:
            self._judge(line, result, expected)
        self._trace_revision(line, result)
        adjusted = self.adjustments.get(shipment_id)
        if adjusted:
            result.adjustment = adjusted[0].what
        else:
            self._trace_weight(line, facts, result)
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
                return self._finding(result, "rate_variance", self._no_price(facts), line)
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
            self.linehauls[facts.id] = self._price_linehaul(facts)
        cached = self.linehauls[facts.id]
        if facts.id in self.adjustments:
            result.trace.append(self.adjustments[facts.id][2])
        if cached is None:
            return None, None
        amount, currency, detail = cached
        if amount is None:
            result.trace.append(detail)
            return None, None
        result.trace.append(f"{detail} → expected {amount:,.2f}")
        return amount, currency

    def _price_linehaul(self, facts: ShipmentFacts):
        """``shipment_linehaul``, with the carrier's figures when it reweighed, reclassed
        or DIM-rated an LTL shipment and a certificate backs them."""
        priced = shipment_linehaul(self.contract, facts, self.invoice.date)
        lane = None
        if priced is not None and priced[0] is not None and not facts.confirmed_rate:
            lane = pick_rate_line(self.contract, facts.origin, facts.destination,
                                  facts.mode, facts.weight_kg)
        if lane is None or lane.ltl is None:
            return priced
        revision = lane.ltl.revision_on(rating_day(facts, self.invoice.date))
        self.revisions[facts.id] = revision.label if revision else ""
        figures = carrier_figures(self.by_shipment[facts.id], self.invoice.certificates)
        adjustment = find_adjustment(facts.items, facts.weight_kg, figures, lane.ltl)
        if adjustment is None:
            return priced
        restated = shipment_linehaul(self.contract, replace(
            facts, items=adjustment.items, weight_kg=adjustment.weight_kg), self.invoice.date)
        said = f"Adjustment: {adjustment.what}, {adjustment.evidence}"
        if restated is None or restated[0] is None:
            why = restated[2] if restated else "no lane of the contract covers it"
            self.adjustments[facts.id] = (adjustment, None, f"{said}; the carrier's figures "
                                          f"cannot be rated ({why})")
            return priced
        if adjustment.certificate:
            self.adjustments[facts.id] = (adjustment, restated[0],
                                          f"{said}: rated with the carrier's figures")
            return restated
        self.adjustments[facts.id] = (adjustment, restated[0], (
            f"{said}: the shipment's figures price it (the carrier's rate "
            f"{restated[0]:,.2f})"))
        return priced

    def _trace_revision(self, line, result):
        """Name the tariff revision a linehaul or fuel line was rated with, and the one the
        last audit used when a new revision rated it since."""
        revision = self.revisions.get(result.shipment_id)
        if not revision or result.kind not in ("linehaul", "fuel"):
            return
        result.tariff_revision = revision
        if line.last_revision and line.last_revision != revision:
            result.revision_change = f"{revision} (the last audit: {line.last_revision})"
            result.trace.append(f"Tariff: rated with {revision}; the last audit rated with "
                                f"{line.last_revision}")

    def _no_price(self, facts: ShipmentFacts | None = None) -> str:
        if self.contract is None:
            return f"no contract of this carrier is valid on {self.invoice.date}"
        cached = self.linehauls.get(facts.id) if facts else None
        if cached is not None and cached[0] is None:
            # an LTL tariff lane covers the trip but cannot rate it: say why
            return cached[2].split(": ", 1)[-1]
        return "no lane of the contract covers this shipment"

    def _billed_before(self, line, result) -> float:
        """What earlier invoices billed for this charge of this shipment (the invoices
        this one replaces left out), said in the trace."""
        if result.kind in ("tax", "discount"):
            return 0.0
        before, numbers = self.prior.billed_before(result.shipment_id, line.charge_code,
                                                   self.invoice.replaces)
        if before:
            result.trace.append(f"Already billed for {line.charge_code} on this shipment: "
                                f"{before:,.2f} (invoice {', '.join(numbers)})")
        return before

    def _judge(self, line, result, expected):
        """Judge the shipment's running total for the charge: what earlier invoices billed
        for it plus this line, against what the charge should cost; the line's expected
        amount is what was left to bill."""
        policy = self.context.policy
        tolerance, layer = policy.tolerance_for(self.invoice.carrier_id, line.charge_code)
        cost = result.cost = money(expected)
        before = self._billed_before(line, result)
        result.expected = money(max(cost - before, 0.0))
        result.variance = money(result.billed - result.expected)
        result.allowance = tolerance.allowance(cost)
        result.tolerance_layer = layer
        over = money(before + result.billed - cost)
        if before:
            result.trace.append(f"Left to bill of the expected {cost:,.2f}: "
                                f"{result.expected:,.2f}")
        result.trace.append(f"Tolerance ({layer}): {tolerance.describe()} → "
                            f"{result.allowance:,.2f}")
        if over > result.allowance and result.billed > 0:
            result.decision = "over"
            result.findings.append(self._over_finding(line, result, before, cost, over))
        elif over < 0 or result.billed < 0:
            result.decision = "under"
            result.trace.append(f"Under-billed by {-over:,.2f}: accepted" if over < 0
                                else f"A credit of {-result.billed:,.2f}: accepted")
        else:
            result.decision = "ok"
        result.trace.append(f"Billed {result.billed:,.2f}, expected {result.expected:,.2f}, "
                            f"variance {result.variance:+,.2f}: {result.decision}")

    def _over_finding(self, line, result, before, cost, over) -> Finding:
        """Over-billing of a charge. Billed on top of earlier invoices, it is a balance-due's
        (BD/AD) variance, or else the same charge billed again: a duplicate. The money at
        stake is what exceeds the expected cost, at most what this line bills."""
        at_stake = money(min(over, result.billed))
        adjusted = self.adjustments.get(result.shipment_id)
        if not before and adjusted and not adjusted[0].certificate and result.kind in (
                "linehaul", "fuel"):
            adjustment, carrier_rate, _said = adjusted
            rates = (f"; the carrier's figures rate the linehaul {carrier_rate:,.2f}"
                     if carrier_rate is not None else "")
            return Finding(adjustment.finding_type, f"Line {line.line_no} ({line.charge_code}): "
                           f"{adjustment.what} without an inspection certificate: billed "
                           f"{result.billed:,.2f}, the shipment's figures give {cost:,.2f}, over "
                           f"by {over:,.2f}{rates} (tolerance {result.allowance:,.2f})",
                           at_stake, line.id)
        if not before:
            return Finding("rate_variance", f"Line {line.line_no} ({line.charge_code}): billed "
                           f"{result.billed:,.2f}, expected {cost:,.2f}, over by {over:,.2f} "
                           f"(tolerance {result.allowance:,.2f})", at_stake, line.id)
        total = money(before + result.billed)
        if self.invoice.correction in ADDS:
            return Finding("rate_variance", f"Line {line.line_no} ({line.charge_code}): "
                           f"{result.billed:,.2f} on top of {before:,.2f} billed before makes "
                           f"{total:,.2f}, expected {cost:,.2f}, over by {over:,.2f} "
                           f"(tolerance {result.allowance:,.2f})", at_stake, line.id)
        _before, numbers = self.prior.billed_before(result.shipment_id, line.charge_code,
                                                    self.invoice.replaces)
        return Finding("duplicate_invoice", f"Line {line.line_no}: {line.charge_code} of this "
                       f"shipment was already billed on invoice {', '.join(numbers)} "
                       f"({before:,.2f}); with this line {total:,.2f} against expected "
                       f"{cost:,.2f}, over by {over:,.2f}.", at_stake, line.id)

    def _trace_weight(self, line, facts, result):
        """The weight comparison in the line's trace; the finding is the invoice's (one per
        invoice, see ``weight_finding``)."""
        over = weight_over(line.billed_weight_kg, facts.weight_kg,
                           self.context.policy.weight_tolerance_percent)
        if over is not None:
            result.trace.append(f"Weight: billed {line.billed_weight_kg:,.1f} kg, shipment "
                                f"{facts.weight_kg:,.1f} kg ({over:+.1f} %): over the "
                                "weight tolerance")
            if result.decision in ("ok", "under"):
                result.decision = "review"

    @staticmethod
    def _finding(result, kind, message, line, amount=None):
        amount = result.billed if amount is None else amount
        result.findings.append(Finding(kind, f"Line {line.line_no}: {message}.", amount, line.id))
        result.trace.append(f"Finding ({kind}): {message}")
        return None


def weight_over(billed_kg: float | None, actual_kg: float, tolerance_percent: float
                ) -> float | None:
    """How many % the billed weight is over the shipment's, when beyond the tolerance."""
    if not (billed_kg and actual_kg):
        return None
    percent = (billed_kg - actual_kg) / actual_kg * 100
    return round(percent, 1) if percent > tolerance_percent else None


def weight_finding(invoice: Invoice, lines: list, context: AuditContext, left: Mapping
                   ) -> tuple[Finding | None, dict]:
    """One finding for the invoice's weight variance: per shipment, the billed and the
    shipment weight and the %. Its money at stake is the estimated over-billing (billed ×
    (1 − shipment weight / billed weight) on the priced lines), capped by ``left``, the
    shipment's positive variance the rate findings did not already claim. Returns the
    finding (or None) and its money at stake per shipment."""
    parts, shares = [], {}
    by_shipment = defaultdict(list)
    for result, original in zip(lines, invoice.lines):
        if result.shipment_id:
            by_shipment[result.shipment_id].append((result, original))
    # a reweigh of an LTL shipment is judged with its evidence, not by this tolerance
    for result in lines:
        if result.adjustment:
            by_shipment.pop(result.shipment_id, None)
    tolerance = context.policy.weight_tolerance_percent
    for shipment_id, pairs in by_shipment.items():
        facts = context.shipments[shipment_id]
        billed_kg = max((original.billed_weight_kg or 0.0) for _r, original in pairs)
        over = weight_over(billed_kg, facts.weight_kg, tolerance)
        if over is None:
            continue
        estimate = sum(result.billed * (1 - facts.weight_kg / billed_kg)
                       for result, _o in pairs if result.expected is not None)
        shares[shipment_id] = min(max(estimate, 0.0), left.get(shipment_id, 0.0))
        parts.append(f"shipment {facts.label} billed at {billed_kg:,.1f} kg, it weighs "
                     f"{facts.weight_kg:,.1f} kg ({over:+.1f} %, tolerance {tolerance:g} %)")
    if not parts:
        return None, shares
    return Finding("weight_variance", "Billed weight over the shipment's: "
                   + "; ".join(parts) + ".", money(sum(shares.values()))), shares


@dataclass(frozen=True)
class RunningTotal:
    """A shipment's money for the cumulative cap: approved on earlier invoices, billed on
    this one (its priced lines), against the expected cost of every charge seen on it."""

    label: str
    approved_before: float
    this_invoice: float
    expected_cost: float

    @property
    def total(self) -> float:
        return money(self.approved_before + self.this_invoice)

    def over_cap(self, cap: float) -> tuple[float, str]:
        """(amount over expected cost + cap, or 0.0; the trace sentence with the totals)."""
        limit = money(self.expected_cost + cap)
        over = money(max(self.total - limit, 0.0))
        verdict = f"over the cap by {over:,.2f}" if over else "within the cap"
        return over, (f"Shipment {self.label}: approved before {self.approved_before:,.2f} + "
                      f"this invoice {self.this_invoice:,.2f} = {self.total:,.2f} against "
                      f"expected {self.expected_cost:,.2f} + cap {cap:,.2f} = {limit:,.2f}: "
                      f"{verdict}")


def running_totals(invoice: Invoice, lines: list, context: AuditContext, prior: Prior
                   ) -> dict:
    """Each matched shipment's ``RunningTotal``. A charge's expected cost is the largest
    expected amount priced for it (earlier invoices or this one): a balance-due billing
    the linehaul again does not make the linehaul cost twice."""
    this, expected = defaultdict(float), {}  # expected: shipment -> {code: expected}
    for result, original in zip(lines, invoice.lines):
        if result.shipment_id and result.cost is not None:
            this[result.shipment_id] += result.billed
            charges = expected.get(result.shipment_id)
            if charges is None:
                charges = expected[result.shipment_id] = dict(
                    prior.charge_expected.get(result.shipment_id, {}))
            code = original.charge_code
            charges[code] = max(charges.get(code, result.cost), result.cost)
    return {shipment_id: RunningTotal(
        context.shipments[shipment_id].label,
        prior.approved_before(shipment_id, invoice.replaces),
        money(billed), money(sum(expected[shipment_id].values())))
        for shipment_id, billed in this.items()}


def _over_billing(lines: list) -> tuple[dict, dict, dict]:
    """Per shipment: the positive variance of its priced lines, the part of it the lines
    over their tolerance claim, and all that the priced lines' own findings (over-billing,
    repeat billing, unapproved accessorial) put at stake, at most what they billed."""
    positive, claimed, held = defaultdict(float), defaultdict(float), defaultdict(float)
    for line in lines:
        if not line.shipment_id or line.expected is None:
            continue
        held[line.shipment_id] += min(sum(f.amount_at_stake for f in line.findings),
                                      max(line.billed, 0.0))
        if line.variance > 0:
            positive[line.shipment_id] += line.variance
            if line.decision == "over":
                claimed[line.shipment_id] += line.variance
    return positive, claimed, held


def _money_findings(invoice: Invoice, lines: list, context: AuditContext, prior: Prior
                    ) -> tuple[list, list]:
    """The weight finding and the cumulative caps, each claiming only money at stake not
    claimed before it (see the module's docstring); returns (findings, trace)."""
    positive, claimed, held = _over_billing(lines)
    findings = []
    weight, shares = weight_finding(invoice, lines, context,
                                    {ship: positive[ship] - claimed[ship] for ship in positive})
    if weight:
        findings.append(weight)
    for ship, amount in shares.items():
        held[ship] += amount
    cap, trace = context.policy.cumulative_cap, []
    if cap is None:
        return findings, trace
    for shipment_id, total in running_totals(invoice, lines, context, prior).items():
        over, sentence = total.over_cap(cap)
        trace.append(sentence)
        # on the shipment's first line too: line traces are what the clerk reads
        next(line for line in lines if line.shipment_id == shipment_id).trace.append(
            f"Cumulative cap: {sentence}")
        # money the line findings already hold is not at stake a second time
        at_stake = money(min(over, total.this_invoice) - held.get(shipment_id, 0.0))
        if at_stake > 0:
            findings.append(Finding(
                "rate_variance", f"Shipment {total.label}: approved and billed money would "
                f"reach {total.total:,.2f}, above its expected cost {total.expected_cost:,.2f} "
                f"plus the cap of {cap:,.2f}.", money(at_stake)))
    return findings, trace


def never_billed(invoice: Invoice) -> str:
    """What a cancel, a past-due reminder or a rebuttal does, for the audit summary."""
    named = invoice.corrects or invoice.number
    if invoice.correction in CANCELS:
        return f"Cancels invoice {named}: nothing to pay"
    if invoice.correction in REMINDS:
        return f"Past-due reminder of invoice {named}: nothing is paid a second time"
    return (f"Rebuttal ({invoice.correction}) of invoice {named}: its cases are open again "
            "with the carrier's answer; nothing is paid on this document")


def audit_invoice(invoice: Invoice, context: AuditContext, prior: Prior) -> InvoiceResult:
    """Audit one invoice against ``prior`` (not updated: see ``audit_batch``)."""
    billed_total = money(sum(line.amount for line in invoice.lines))
    if invoice.correction in NEVER_BILLED:
        return InvoiceResult(invoice.id, "cancel", [], [], 0.0, billed_total,
                             [never_billed(invoice)])
    findings, trace = [], []
    if invoice.correction not in KNOWN_CODES:
        findings.append(Finding("correction_code", f"Correction code {invoice.correction} "
                                "(X12 B308) is none this application knows: a clerk decides "
                                "what it does.", billed_total))
    earlier = (prior.invoices.get((invoice.carrier_id, invoice.number))
               and invoice.correction == "original")
    if earlier:
        findings.append(Finding("duplicate_invoice", f"Invoice number {invoice.number} was "
                                "already received from this carrier.", billed_total))
    contract = pick_contract(context.contracts, invoice.carrier_id, invoice.date)
    trace.append(f"Contract: {contract.id if contract else 'none valid on the invoice date'}")
    if contract and contract.currency != invoice.currency:
        findings.append(Finding("currency_mismatch", f"Billed in {invoice.currency}, the "
                                f"contract is in {contract.currency}.", billed_total))
    resolved = [context.index.resolve(line.references, invoice.carrier_id)
                for line in invoice.lines]
    auditor = _LineAudit(invoice, context, contract, prior, resolved)
    lines = [auditor.run(line, found) for line, found in zip(invoice.lines, resolved)]
    for line in lines:
        # the invoice's own duplicate finding already holds all its money
        findings.extend(f for f in line.findings
                        if not (earlier and f.type == "duplicate_invoice" and f.line_id))
    money_findings, running = _money_findings(invoice, lines, context, prior)
    findings += money_findings
    trace += running
    if context.policy.pod_required:
        for shipment_id in sorted({line.shipment_id for line in lines if line.shipment_id}):
            facts = context.shipments[shipment_id]
            if not facts.has_pod:
                findings.append(Finding("missing_pod", f"Shipment {facts.label} has no delivery "
                                        "or proof of delivery yet.", billed_total))
    # unknown is not zero and not "as billed": the header adds up what is known
    expected_total = money(sum(line.expected for line in lines if line.expected is not None))
    decision = "exception" if findings else "approve"
    return InvoiceResult(invoice.id, decision, lines, findings, expected_total, billed_total,
                         trace, sum(line.expected is None for line in lines))


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
        for shipment_id, code, billed, expected in result.approved_lines(invoice):
            prior.add_billed(shipment_id, code, invoice.id, invoice.number, billed)
            if result.decision == "approve":
                prior.add_approved(shipment_id, code, billed, expected, invoice.id)
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


def short_pay_problem(amount: float | None, billed_total: float) -> str | None:
    """Why a short-pay of ``amount`` cannot be made, or None: a short-pay pays something
    (never a 0.00 bill) and never more than was billed."""
    if amount is None or money(amount) <= 0:
        return "the amount to pay must be more than 0.00"
    if money(amount) > money(billed_total):
        return f"the amount to pay cannot be more than the {billed_total:,.2f} billed"
    return None


def _pro_rata(total: float, weights: list) -> list:
    """``total`` split in proportion to ``weights``, in cents that add up exactly."""
    cents, whole = round(total * 100), sum(weights)
    if not weights or whole <= 0:
        return [0.0] * len(weights)
    shares = [cents * weight / whole for weight in weights]
    floors = [int(share // 1) for share in shares]
    # the cents lost to rounding down go to the largest remainders
    by_remainder = sorted(range(len(shares)), key=lambda i: floors[i] - shares[i])
    for i in by_remainder[:cents - sum(floors)]:
        floors[i] += 1
    return [floor / 100 for floor in floors]


def spread_payment(lines: list, amount: float) -> list:
    """What each line of a short-paid invoice is paid, ``lines`` being (billed, expected
    or None). Priced lines first, up to their expected amounts but not above what they
    billed (pro rata when the amount is less); what is left goes to the unpriced lines in
    proportion to what they billed, up to it; anything beyond that to the priced lines in
    proportion to their over-billing. Never more than billed per line."""
    priced = [i for i, (_billed, expected) in enumerate(lines) if expected is not None]
    unpriced = [i for i in range(len(lines)) if i not in priced]
    paid = [0.0] * len(lines)
    # an under-billed line is paid at most what it billed
    due = {i: max(min(lines[i][1], lines[i][0]), 0.0) for i in priced}
    steps = [
        (priced, [due[i] for i in priced]),
        (unpriced, [max(lines[i][0], 0.0) for i in unpriced]),
        (priced, [max(lines[i][0] - due[i], 0.0) for i in priced]),
    ]
    left = money(amount)
    for indexes, weights in steps:
        room = money(sum(weights))
        share = _pro_rata(min(left, room), weights)
        for i, part in zip(indexes, share):
            paid[i] = money(paid[i] + part)
        left = money(left - sum(share))
        if left <= 0:
            break
    return paid
