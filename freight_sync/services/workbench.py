"""The reconciliation workbench's rules, kept free of the ORM: what a queue request may ask
for, which actions an invoice offers, and an audit line said in a clerk's words."""

from dataclasses import dataclass
from datetime import date, timedelta

from .invoice_audit import UNPRICED

MAX_PAGE = 200
MAX_BULK = 200
SORTS = {
    "date desc": "date desc, id desc",
    "date asc": "date asc, id asc",
    # invoices with lines nobody could price first: their variance is not known
    "variance desc": "unpriced_line_count desc, variance_total desc, id desc",
    "amount desc": "amount_total desc, id desc",
    "carrier asc": "carrier_id asc, date desc, id desc",
}
# line references the search box looks in (besides the invoice number)
SEARCHED_REFERENCES = ("pro_number", "bol_number", "load_ref", "shipment_ref", "reference")
QUEUE_STATES = ("received", "audited", "exception", "disputed", "approved", "posted", "paid",
                "superseded", "rejected", "cancelled")
DISPUTE_REASONS = {
    "rate": "Rate not as contracted",
    "accessorial": "Accessorial not authorised",
    "weight": "Weight or class not as shipped",
    "duplicate": "Billed twice",
    "service": "Service failure (late, damaged)",
    "damage": "Damage or loss claim",
    "other": "Other",
}
ACTIONS = ("approve", "override", "short_pay", "dispute", "reject", "reaudit")
NEEDS_REASON = {"override", "short_pay", "dispute", "reject"}
DECISION_WORDS = {
    "ok": "within policy",
    "under": "under-billed, accepted",
    "over": "over the tolerance",
    "review": "needs a person to look",
    "unmatched": "no shipment to check it against",
    "unpriced": "no contract, lane or tariff prices it: expected unknown",
}


class BadRequest(ValueError):
    """A request the workbench refuses, with a sentence saying what to fix."""


@dataclass(frozen=True)
class QueueQuery:
    states: tuple = ()
    carrier_id: int | None = None
    variance_above: float | None = None
    age_days: int | None = None
    mine: bool = False
    search: str = ""
    order: str = SORTS["date desc"]
    offset: int = 0
    limit: int = 40

    def filter_domain(self, today: date, uid: int) -> list:
        """The filters as a domain (the search is freight.workbench's _search_domain)."""
        domain = []
        if self.states:
            domain.append(("state", "in", list(self.states)))
        if self.carrier_id:
            domain.append(("carrier_id", "=", self.carrier_id))
        if self.variance_above is not None:
            domain.append(("variance_total", ">", self.variance_above))
        if self.age_days is not None:
            domain.append(("date", "<=", today - timedelta(days=self.age_days)))
        if self.mine:
            domain.append(("exception_ids.user_id", "=", uid))
        return domain


def _number(value, name, kind=float, minimum=None):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be a number")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a number") from None
    if kind is float and number != number:  # NaN
        raise BadRequest(f"{name} must be a number")
    if minimum is not None and number < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return number


def parse_queue(params: dict) -> QueueQuery:
    """Validate the queue route's params; unknown keys are refused so typos show."""
    params = params or {}
    unknown = set(params) - {"filters", "sort", "offset", "limit"}
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    filters = params.get("filters")
    filters = {} if filters is None else filters
    if not isinstance(filters, dict):
        raise BadRequest("filters must be an object")
    unknown = set(filters) - {"state", "carrier_id", "variance_above", "age_days", "mine",
                              "search"}
    if unknown:
        raise BadRequest(f"unknown filter(s): {', '.join(sorted(unknown))}")
    states = filters.get("state") or []
    if not isinstance(states, list) or any(s not in QUEUE_STATES for s in states):
        raise BadRequest(f"state must be a list of {', '.join(QUEUE_STATES)}")
    sort = params.get("sort") or "date desc"
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of: {', '.join(SORTS)}")
    search = filters.get("search") or ""
    if not isinstance(search, str) or len(search) > 100:
        raise BadRequest("search must be a text of at most 100 characters")
    limit = _number(params.get("limit"), "limit", int, 1) or 40
    if limit > MAX_PAGE:
        raise BadRequest(f"limit must be at most {MAX_PAGE}")
    return QueueQuery(
        states=tuple(states),
        carrier_id=_number(filters.get("carrier_id"), "carrier_id", int, 1),
        variance_above=_number(filters.get("variance_above"), "variance_above"),
        age_days=_number(filters.get("age_days"), "age_days", int, 0),
        mine=bool(filters.get("mine")),
        search=search.strip(),
        order=SORTS[sort],
        offset=_number(params.get("offset"), "offset", int, 0) or 0,
        limit=limit,
    )


def parse_action(params: dict) -> tuple:
    """(action, reason, reason_code, amount) of an act request; ``amount`` is what a
    short-pay pays (None: the expected total; the model checks it against the invoice)."""
    action = (params or {}).get("action")
    if action not in ACTIONS:
        raise BadRequest(f"action must be one of: {', '.join(ACTIONS)}")
    reason = (params.get("reason") or "").strip() if isinstance(params.get("reason"), str) else ""
    if action in NEEDS_REASON and not reason:
        raise BadRequest("say why: the reason is kept with the invoice")
    code = params.get("reason_code")
    if action == "dispute" and code not in DISPUTE_REASONS:
        raise BadRequest(f"reason_code must be one of: {', '.join(DISPUTE_REASONS)}")
    amount = _number(params.get("amount"), "amount") if action == "short_pay" else None
    if amount is not None and amount <= 0:
        raise BadRequest("amount: a short-pay pays more than 0.00")
    return action, reason[:2000], code, amount


def parse_ids(value, limit=MAX_BULK) -> list:
    if (not isinstance(value, list) or not value
            or any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in value)):
        raise BadRequest("ids must be a non-empty list of invoice ids")
    if len(value) > limit:
        raise BadRequest(f"ids: at most {limit} invoices at a time")
    return list(dict.fromkeys(value))


DISPUTE_CHANNELS = ("email", "endpoint")


def parse_channels(value) -> list:
    """The ways a dispute packet goes to the carrier: a non-empty list of email/endpoint."""
    if (not isinstance(value, list) or not value
            or any(not isinstance(c, str) or c not in DISPUTE_CHANNELS for c in value)):
        raise BadRequest(f"channels must be a non-empty list of {', '.join(DISPUTE_CHANNELS)}")
    return list(dict.fromkeys(value))


def available_actions(state: str, variance: float, threshold: float, is_manager: bool) -> list:
    """What the clerk may do with an invoice in this state (the server checks again)."""
    if state == "audited":
        return ["approve", "dispute", "reject", "reaudit"]
    if state in ("exception", "disputed"):
        actions = ["short_pay", "reject"]
        if is_manager or abs(variance) <= threshold:
            actions.insert(0, "override")
        if state == "exception":
            actions += ["dispute", "reaudit"]
        return actions
    return []


def explain_line(decision, billed, expected, variance, allowance, layer, currency="") -> str:
    """One sentence per line: billed against expected, the tolerance, the outcome."""
    unit = f" {currency}" if currency else ""
    if expected is None or decision in UNPRICED:
        why = DECISION_WORDS["unpriced" if decision == "unpriced" else "unmatched"]
        return f"Billed {billed:,.2f}{unit}; nothing to compare it with ({why})."
    text = f"Billed {billed:,.2f}{unit} against {expected:,.2f} expected"
    variance = variance or 0.0
    if abs(variance) < 0.005:
        text += ": exactly as expected"
    elif variance > 0:
        text += f": {variance:,.2f} over"
        if allowance is not None and layer:
            text += f", tolerance ({layer}) allows {allowance:,.2f}"
    else:
        text += f": {-variance:,.2f} under"
    return f"{text} → {DECISION_WORDS.get(decision, decision or 'not audited yet')}."
