"""The chaos run's ledger: what the client sent and was answered, against the rows the
server holds once its queue is drained. Each invariant prints one ``PASS``/``FAIL`` line.

Terms (README, Benchmarks, *chaos*), for requests (messages) and for items:

- received: requests the client got a final answer to (after its retries); items: every
  item of those requests, each copy counted (a duplicate sent three times is three);
- applied: requests that stored a message ending ``done``; items: item rows
  (``freight.message.event``) ending ``applied``;
- duplicate: requests answered 2xx that stored nothing (the same request again, or every
  item known); items: copies of an item id beyond the one row it has;
- ignored: messages ending ``ignored``; items: rows of those messages;
- dead: messages ending ``dead`` (retries ran out, applied items stay applied); items: rows
  ending ``failed`` in a dead message;
- rejected: requests answered 4xx (refused whole, stored ``rejected`` or not) and messages
  refused at processing; items: copies answered ``rejected`` or ``conflict``, and every
  item of a request refused whole.

A message or item still ``received``, ``processing``, ``failed``, ``partial`` or
``pending`` is in none of the terms, so the sum falls short and the line fails.
"""

import importlib.util
from collections import Counter, defaultdict
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "freight_sync"


def _service(name):
    """A pure service module of the addon, loaded without Odoo."""
    spec = importlib.util.spec_from_file_location(name, ADDON / "services" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RANKS = _service("milestones").RANKS
identity = _service("invoice_chain").identity



def differences(found, expected, twice):
    """"; twice …; missing …; unexpected …" (three of each at most), or nothing."""
    return ((f"; twice {twice[:3]}" if twice else "")
            + (f"; missing {sorted(expected - found)[:3]}" if expected - found else "")
            + (f"; unexpected {sorted(found - expected)[:3]}" if found - expected else ""))

class Ledger:
    def __init__(self, cr, plan, outcomes, ids):
        self.cr, self.plan, self.outcomes, self.ids = cr, plan, outcomes, ids
        self.results = []

    def check(self, name, ok, detail):
        self.results.append(bool(ok))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    def rows(self, query, *params):
        self.cr.execute(query, params)
        return self.cr.fetchall()

    def run(self, regressions, samples):
        messages = {corr: (mid, state) for mid, corr, state in self.rows(
            "SELECT id, correlation_id, state FROM freight_message WHERE endpoint_id = %s "
            "AND direction = 'in'", self.ids["endpoint"])}
        items = self.rows(
            """SELECT e.external_id, e.state, m.state, m.correlation_id
                 FROM freight_message_event e JOIN freight_message m ON m.id = e.message_id
                WHERE e.endpoint_id = %s""", self.ids["endpoint"])
        self.messages(messages)
        self.imports()
        applied = self.items(items)
        self.milestones(applied)
        self.statuses(applied, regressions, samples)
        self.invoices()
        return self.results

    # ---- requests -------------------------------------------------------------------

    def messages(self, messages):
        sends = [s for s in self.plan.sends if s.route != "csv"]
        terms, problems = Counter(), []
        for send in sends:
            outcome = self.outcomes.get(send.correlation)
            if not outcome or outcome.status <= 0:
                problems.append(f"{send.correlation} unanswered")
                continue
            terms["received"] += 1
            stored = messages.get(send.correlation)
            if stored and outcome.status == 200 and not outcome.lost:
                problems.append(f"{send.correlation}: answered 200 yet stored message "
                                f"{stored[0]}")
            if 400 <= outcome.status < 500:
                terms["rejected"] += 1
                if stored and stored[1] != "rejected":
                    problems.append(f"{send.correlation}: refused {outcome.status} but "
                                    f"stored {stored[1]}")
            elif stored:
                final = {"done": "applied", "dead": "dead", "ignored": "ignored",
                         "rejected": "rejected"}.get(stored[1])
                terms[final or f"unfinished ({stored[1]})"] += 1
            elif outcome.status == 202:
                problems.append(f"{send.correlation}: answered 202, no message stored")
            else:
                terms["duplicate"] += 1
        unknown = set(messages) - {s.correlation for s in sends}
        if unknown:
            problems.append(f"{len(unknown)} messages no send stored, e.g. {sorted(unknown)[:3]}")
        self._equation("messages", terms)
        self.check("messages: one per stored request, none unknown, none lost",
                   not problems, "; ".join(problems[:5]) or
                   f"{len(messages)} messages for {len(sends)} requests")

    def _equation(self, what, terms):
        total = sum(terms[t] for t in ("applied", "duplicate", "ignored", "dead", "rejected"))
        others = {t: n for t, n in terms.items() if t.startswith("unfinished")}
        self.check(f"{what}: received = applied + duplicate + ignored + dead + rejected",
                   terms["received"] == total and not others,
                   f"{terms['received']} = {terms['applied']} + {terms['duplicate']} + "
                   f"{terms['ignored']} + {terms['dead']} + {terms['rejected']}"
                   + (f"; not finished: {others}" if others else ""))

    def imports(self):
        """A clerk's CSV import (XML-RPC) is no message: it must simply succeed."""
        sends = [s for s in self.plan.sends if s.route == "csv"]
        failed = [(s.key, self.outcomes[s.correlation].answer if s.correlation in
                   self.outcomes else "unanswered") for s in sends
                  if self.outcomes.get(s.correlation) is None
                  or self.outcomes[s.correlation].status != 200]
        self.check("clerk imports: every CSV import answered without an error", not failed,
                   f"{len(sends) - len(failed)} of {len(sends)} imports done"
                   + (f"; failed: {failed[:2]}" if failed else ""))

    # ---- items ----------------------------------------------------------------------

    def items(self, items):
        json_sends = [s for s in self.plan.sends if s.route in ("events", "invoices")]
        corrs = {s.correlation for s in json_sends}
        rows = {eid: (state, mstate) for eid, state, mstate, corr in items if corr in corrs}
        terms, valid, answered = Counter(), Counter(), Counter()
        for send in json_sends:
            outcome = self.outcomes.get(send.correlation)
            if not outcome or outcome.status <= 0:
                continue
            results = outcome.answer.get("items") if outcome.status < 400 else None
            if results is None:  # refused whole
                terms["received"] += len(send.items)
                terms["rejected"] += len(send.items)
                continue
            for result in results:
                terms["received"] += 1
                answered[result["status"]] += 1
                if result["status"] in ("accepted", "duplicate"):
                    valid[result["id"]] += 1
                else:
                    terms["rejected"] += 1
        for state, mstate in rows.values():
            if state == "applied":
                terms["applied"] += 1
            elif mstate == "ignored":
                terms["ignored"] += 1
            elif state == "failed" and mstate == "dead":
                terms["dead"] += 1
            else:
                terms[f"unfinished ({state}/{mstate})"] += 1
        terms["duplicate"] = sum(valid.values()) - len(rows)
        self._equation("items", terms)
        lost, extra = set(valid) - set(rows), set(rows) - set(valid)
        self.check("items: one row per item id answered accepted or duplicate",
                   not lost and not extra,
                   f"{len(rows)} rows, {len(valid)} ids; answers {dict(answered)}; "
                   f"{len(rows) - answered['accepted']} rows whose 202 was lost"
                   + (f"; lost {sorted(lost)[:3]}" if lost else "")
                   + (f"; extra {sorted(extra)[:3]}" if extra else ""))
        wrong = []
        for item_id, expected in self.plan.expect.items():
            state, mstate = rows.get(item_id, (None, None))
            got = ("applied" if state == "applied" else
                   "dead" if state == "failed" and mstate == "dead" else state or "rejected")
            if got != expected:
                wrong.append(f"{item_id}: {got}, expected {expected}")
        self.check("items: each ended as planned (applied, dead: unknown shipment, rejected)",
                   not wrong, f"{len(wrong)} differ: {wrong[:3]}" if wrong else
                   f"{len(self.plan.expect)} item ids: {dict(Counter(self.plan.expect.values()))}")
        return {item_id for item_id, (state, _m) in rows.items() if state == "applied"}

    # ---- milestones and statuses ----------------------------------------------------

    def milestones(self, applied):
        rows = self.rows(
            """SELECT ms.external_id FROM freight_milestone ms
                 JOIN freight_message m ON m.id = ms.message_id WHERE m.endpoint_id = %s""",
            self.ids["endpoint"])
        stored = Counter(row[0] for row in rows)
        events = applied & set(self.plan.events)
        twice = [k for k, n in stored.items() if n > 1]
        self.check("milestones: one per applied event, none twice",
                   set(stored) == events and not twice,
                   f"{len(rows)} milestones for {len(events)} applied events"
                   + differences(set(stored), events, twice))

    def statuses(self, applied, regressions, samples):
        furthest = {}
        for event_id, (s, code) in self.plan.events.items():
            if event_id in applied and RANKS[code] > RANKS.get(furthest.get(s), 0):
                furthest[s] = code
        status = dict(self.rows("SELECT pro_number, status FROM freight_shipment "
                                "WHERE carrier_id = %s", self.ids["carrier"]))
        wrong = [f"{pro}: {status.get(pro)}, furthest applied {furthest.get(s, 'draft')}"
                 for s, pro in enumerate(self.plan.shipments)
                 if status.get(pro) != furthest.get(s, "draft")]
        self.check("statuses: each shipment's is the furthest of its applied events",
                   not wrong, f"{len(wrong)} differ: {wrong[:3]}" if wrong else
                   f"{len(status)} shipments: {dict(Counter(status.values()))}")
        tracked = self.rows(
            """SELECT v.old_value_char, v.new_value_char FROM mail_tracking_value v
                 JOIN ir_model_fields f ON f.id = v.field_id
                 JOIN mail_message mm ON mm.id = v.mail_message_id
                 JOIN freight_shipment s ON s.id = mm.res_id
                WHERE f.model = 'freight.shipment' AND f.name = 'status'
                  AND mm.model = 'freight.shipment' AND s.carrier_id = %s""",
            self.ids["carrier"])
        labels = {label: code for code, label in _status_labels()}
        backward = [(old, new) for old, new in tracked
                    if RANKS.get(labels.get(new), 0) < RANKS.get(labels.get(old), 0)]
        self.check("statuses: no backward move (sampled during the run, and tracking)",
                   not regressions and not backward,
                   f"{samples} samples of every shipment's status, {len(regressions)} "
                   f"backward {regressions[:3]}; {len(tracked)} tracked changes, "
                   f"{len(backward)} backward")

    # ---- invoices and bills ---------------------------------------------------------

    def invoices(self):
        rows = self.rows(
            """SELECT id, identity_key, number_key, correction, state FROM freight_invoice
                WHERE carrier_id = %s""", self.ids["carrier"])
        expected = {identity(*key) for key in self.plan.identities}
        keys = Counter(row[1] for row in rows)
        twice = [k for k, n in keys.items() if n > 1]
        self.check("invoices: one per identity (carrier + number + chain position), "
                   "none lost, none extra",
                   set(keys) == expected and not twice,
                   f"{len(rows)} invoices for {len(expected)} identities: "
                   f"{dict(Counter(row[4] for row in rows))}"
                   + differences(set(keys), expected, twice))
        bills = self.rows(
            """SELECT mv.id, mv.freight_invoice_id, mv.state, mv.payment_state,
                      EXISTS (SELECT 1 FROM account_move r WHERE r.reversed_entry_id = mv.id
                                 AND r.state = 'posted')
                 FROM account_move mv JOIN freight_invoice i ON i.id = mv.freight_invoice_id
                WHERE i.carrier_id = %s AND mv.move_type = 'in_invoice'""",
            self.ids["carrier"])
        per_invoice = Counter(row[1] for row in bills)
        posted = {row[1] for row in bills if row[2] == "posted"}
        by_id = {row[0]: row for row in rows}
        unbilled = [i for i, row in by_id.items() if row[4] in ("posted", "paid")
                    and i not in posted]
        self.check("bills: exactly one vendor bill per billed invoice identity, none twice",
                   bills and max(per_invoice.values()) == 1 and not unbilled,
                   f"{len(bills)} vendor bills for {len(per_invoice)} invoices "
                   f"({len(posted)} posted); {len(unbilled)} billed invoices without one")
        standing = defaultdict(list)
        for _mv, invoice_id, state, payment, reversed_ in bills:
            if state == "posted" and payment != "reversed" and not reversed_:
                standing[by_id[invoice_id][2]].append(by_id[invoice_id])
        cancelled = {row[2] for row in rows if row[3] == "CA"}
        twice = {number: [(r[3], r[4]) for r in bill_rows]
                 for number, bill_rows in standing.items()
                 if len(bill_rows) > 1 or number in cancelled}
        self.check("bills: no invoice number billed twice (a replaced or cancelled "
                   "invoice's bill is reversed or cancelled)",
                   not twice, f"{len(standing)} numbers with a standing bill, "
                   f"{len(cancelled)} cancelled numbers" + (
                       f"; billed twice or cancelled yet billed: {list(twice.items())[:3]}"
                       if twice else ""))


def _status_labels():
    return [(code, label) for code, label, _rank in _service("milestones").MILESTONE_CODES]
