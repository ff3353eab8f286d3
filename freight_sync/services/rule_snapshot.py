"""Which rules decided: the configuration an audit or a processing run applied, as plain
data that can be stored once (by its digest), put back into force for a replay "as
originally", and compared with what today's rules decide. Pure.

A snapshot is a small JSON document: the rules version (``services/inbox.RULES_VERSION``),
the tolerance bands actually applied (company, the batch's carriers, the charge codes with
their own band, the cumulative cap, the POD gate, the weight tolerance), the revision of
each contract the run could price with and of the code map a partner's statuses went
through. A revision is a digest of the content, not a counter: a contract edited and
edited back is the same revision, and no write path can forget to bump it.
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from .codemap import MILESTONE, UnknownCodeError, classify
from .expected_cost import AccessorialRate, Contract, FuelRule, RateLine, Zone
from .invoice_audit import Policy, Tolerance
from .ltl import FakRule, LtlTerms, TariffRevision

# one encoder for every digest: key order and whitespace never change a revision
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)
REVISION_LENGTH = 12


def _plain(value):
    """Dataclasses, mappings, sets and dates as JSON-able values, in a stable order. An LTL
    tariff revision is kept by reference: its rates are never edited (thousands of them,
    serialized and digested in every audit batch, took most of an LTL audit's time)."""
    if isinstance(value, TariffRevision):
        return {"id": value.id, "tariff": value.tariff, "revision": value.revision,
                "valid_from": _plain(value.valid_from), "valid_to": _plain(value.valid_to)}
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=_CANONICAL.encode)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def digest(value) -> str:
    """sha256 of the canonical JSON of ``value``."""
    return hashlib.sha256(_CANONICAL.encode(_plain(value)).encode()).hexdigest()


def revision(value) -> str:
    """A short content revision (of a contract's terms, a code map's codes)."""
    return digest(value)[:REVISION_LENGTH]


def _band(tolerance: Tolerance | None):
    return None if tolerance is None else [tolerance.percent, tolerance.amount,
                                           tolerance.combine]


def policy_config(policy: Policy) -> dict:
    """The tolerances a policy applies, as JSON."""
    return {
        "default": _band(policy.default),
        "carriers": {str(key): _band(band) for key, band in policy.carriers.items()},
        "charge_codes": {str(key): _band(band) for key, band in policy.charge_codes.items()},
        "cumulative_cap": policy.cumulative_cap,
        "pod_required": policy.pod_required,
        "weight_tolerance_percent": policy.weight_tolerance_percent,
    }


def policy_from_config(config: dict) -> Policy:
    """The policy a snapshot recorded, to audit again "as originally"."""
    def band(values):
        return Tolerance(*values) if values else None
    return Policy(
        default=band(config["default"]) or Tolerance(0.0, 0.0),
        carriers={int(key): band(values) for key, values in config["carriers"].items()},
        charge_codes={key: band(values) for key, values in config["charge_codes"].items()},
        cumulative_cap=config["cumulative_cap"],
        pod_required=config["pod_required"],
        weight_tolerance_percent=config["weight_tolerance_percent"],
    )


def audit_config(rules_version: str, policy: Policy, contracts) -> dict:
    """What an audit run applied: rules, tolerances, each contract's revision and its
    terms (lanes, fuel, accessorials), so that a replay "as originally" prices with the
    contract as it read then, not as it was edited since."""
    # a revision digests the same plain form the terms are kept in: each contract once
    terms = [_plain(contract) for contract in contracts]
    return {
        "kind": "invoice_audit",
        "rules_version": rules_version,
        "tolerances": policy_config(policy),
        "contracts": {str(plain["id"]): revision(plain) for plain in terms},
        "contract_terms": terms,
    }


def contracts_from_config(config: dict, load_revisions=None) -> tuple | None:
    """The contracts' terms a snapshot recorded, as the audit engine reads them; None for
    a snapshot recorded before terms were kept (its revisions only). ``load_revisions``:
    tariff revision ids -> {id: TariffRevision} with their rates (a revision no longer
    there rates nothing, and says so)."""
    if "contract_terms" not in config:
        return None
    ids = {rev["id"] for terms in config["contract_terms"] for line in terms["lines"]
           if line.get("ltl") for rev in line["ltl"]["revisions"]}
    revisions = load_revisions(ids) if ids and load_revisions else {}
    return tuple(_contract(terms, revisions) for terms in config["contract_terms"])


def _day(text):
    return date.fromisoformat(text) if text else None


def _ltl(terms: dict | None, revisions: dict) -> LtlTerms | None:
    """An LTL lane's terms with the tariff revisions they rated with (None: not LTL): the
    revision's validity as recorded, its rates from ``revisions``."""
    if terms is None:
        return None
    return LtlTerms(
        revisions=tuple(TariffRevision(
            id=rev["id"], tariff=rev["tariff"], revision=rev["revision"],
            valid_from=_day(rev["valid_from"]), valid_to=_day(rev["valid_to"]),
            lanes=revisions[rev["id"]].lanes if rev["id"] in revisions else ())
            for rev in terms["revisions"]),
        discount_percent=terms["discount_percent"], absolute_minimum=terms["absolute_minimum"],
        fak=tuple(FakRule(**rule) for rule in terms["fak"]),
        deficit_weight=terms["deficit_weight"], pinned_revision=terms["pinned_revision"])


def _contract(terms: dict, revisions: dict) -> Contract:
    fuel = terms["fuel"]
    return Contract(
        id=terms["id"], carrier_id=terms["carrier_id"], currency=terms["currency"],
        valid_from=_day(terms["valid_from"]), valid_to=_day(terms["valid_to"]),
        lines=tuple(RateLine(**{**line, "origin": Zone(**line["origin"]),
                                "destination": Zone(**line["destination"]),
                                "ltl": _ltl(line.get("ltl"), revisions)})
                    for line in terms["lines"]),
        fuel=None if fuel is None else FuelRule(
            percent=fuel["percent"], table=tuple(tuple(band) for band in fuel["table"]),
            index=fuel["index"]),
        accessorials={code: AccessorialRate(**rate)
                      for code, rate in terms["accessorials"].items()},
    )


def processing_config(rules_version: str, code_map_id: int | None, codes) -> dict:
    """What a processing run of a message applied: rules, the code map's revision and its
    codes (a partner's status code -> milestone), to tell later what today's map reads
    otherwise."""
    return {
        "kind": "processing",
        "rules_version": rules_version,
        "code_map": {"id": code_map_id, "revision": revision(codes),
                     "codes": dict(sorted(codes.items()))} if code_map_id else None,
    }


def status_meaning(raw_code, overrides) -> str:
    """What a partner's status code means under a code map: the milestone it records, or
    ``estimate``, ``appointment`` (a planned date moves), ``unknown`` (refused)."""
    try:
        resolution = classify(raw_code, overrides)
    except UnknownCodeError:
        return "unknown"
    return resolution.code if resolution.kind == MILESTONE else resolution.kind


def status_changes(raw_codes, original: dict | None, today: dict | None) -> list:
    """``(code, meaning then, meaning today)`` of each distinct status code whose meaning
    differs between the code map a run applied and today's (``None``: no code map)."""
    changes = []
    for code in sorted({str(code) for code in raw_codes if code}):
        before, after = status_meaning(code, original), status_meaning(code, today)
        if before != after:
            changes.append((code, before, after))
    return changes


def config_differences(original: dict, today: dict) -> list[str]:
    """What changed between two audit configurations, in words."""
    changes = []
    if original.get("rules_version") != today.get("rules_version"):
        changes.append(f"rules {original.get('rules_version')} → {today.get('rules_version')}")
    before, after = original.get("tolerances", {}), today.get("tolerances", {})
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(f"tolerance {key}: {before.get(key)} → {after.get(key)}")
    before, after = original.get("contracts", {}), today.get("contracts", {})
    for key in sorted(set(before) | set(after), key=int):
        if before.get(key) != after.get(key):
            changes.append(f"contract {key}: revision {before.get(key) or 'none'} → "
                           f"{after.get(key) or 'none'}")
    return changes


@dataclass(frozen=True)
class LineOutcome:
    """A line as an audit judged it: what the replay compares."""
    line_id: int
    line_no: int
    charge_code: str
    decision: str
    expected: float | None
    allowance: float | None
    tolerance_layer: str = ""


@dataclass(frozen=True)
class LineChange:
    line_no: int
    charge_code: str
    before: LineOutcome | None
    after: LineOutcome | None

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return True
        return (self.before.decision, _amount(self.before.expected),
                _amount(self.before.allowance)) != (
            self.after.decision, _amount(self.after.expected), _amount(self.after.allowance))


@dataclass(frozen=True)
class Comparison:
    """One invoice: its recorded audit against a replay's."""
    invoice_id: int
    mode: str  # original | today
    decision_before: str | None
    decision_after: str
    lines: tuple  # LineChange, in line order
    config_changes: tuple = ()  # sentences: what differs between the two configurations

    @property
    def changed(self) -> bool:
        return self.decision_before != self.decision_after or any(
            line.changed for line in self.lines)

    def as_dict(self) -> dict:
        def outcome(line):
            return None if line is None else dataclasses.asdict(line)
        return {
            "invoice_id": self.invoice_id, "mode": self.mode, "changed": self.changed,
            "decision_before": self.decision_before, "decision_after": self.decision_after,
            "config_changes": list(self.config_changes),
            "lines": [{"line_no": line.line_no, "charge_code": line.charge_code,
                       "changed": line.changed, "before": outcome(line.before),
                       "after": outcome(line.after)} for line in self.lines],
        }


def _amount(value):
    return None if value is None else round(value, 2)


def compare(invoice_id: int, mode: str, decision_before: str | None, before, after,
            decision_after: str, config_changes=()) -> Comparison:
    """Line by line, the recorded outcome (``before``) against the replay's (``after``):
    both iterables of ``LineOutcome``, matched by line id."""
    after_by_id = {line.line_id: line for line in after}
    lines, seen = [], set()
    for line in before:
        seen.add(line.line_id)
        lines.append(LineChange(line.line_no, line.charge_code, line,
                                after_by_id.get(line.line_id)))
    lines += [LineChange(line.line_no, line.charge_code, None, line)
              for line in after if line.line_id not in seen]
    return Comparison(invoice_id, mode, decision_before, decision_after,
                      tuple(sorted(lines, key=lambda change: change.line_no)),
                      tuple(config_changes))


def _describe_outcome(outcome: LineOutcome | None) -> str:
    if outcome is None:
        return "—"
    expected = "unknown" if outcome.expected is None else f"{outcome.expected:,.2f}"
    allowance = "" if outcome.allowance is None else f" ±{outcome.allowance:,.2f}"
    layer = f" ({outcome.tolerance_layer})" if outcome.tolerance_layer else ""
    return f"{outcome.decision}, expected {expected}{allowance}{layer}"


def describe(comparison: Comparison) -> list[str]:
    """The comparison in sentences, for the chatter: what would change, line by line."""
    label = "as originally" if comparison.mode == "original" else "with today's rules"
    if not comparison.changed:
        head = f"Replayed {label}: same decision ({comparison.decision_after}), no line changes."
    else:
        head = (f"Replayed {label}: decision {comparison.decision_before or 'none'} → "
                f"{comparison.decision_after}.")
    sentences = [head]
    sentences += [f"Configuration: {change}" for change in comparison.config_changes]
    sentences += [f"Line {line.line_no} ({line.charge_code}): "
                  f"{_describe_outcome(line.before)} → {_describe_outcome(line.after)}"
                  for line in comparison.lines if line.changed]
    return sentences
