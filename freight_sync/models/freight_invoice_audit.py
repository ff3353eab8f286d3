"""The audit's shell around the pure engine (services/invoice_audit.py): load a batch of
carrier invoices as plain data in a fixed number of queries, store the decisions in one
statement per table, open the cases, approve what is clean; and the settings' what-if. The
invoice calls it from ``_audit``; nothing here is a person's decision."""

import dataclasses
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services.inbox import RULES_VERSION
from ..services.invoice_audit import (
    UNPRICED,
    AuditContext,
    Invoice,
    InvoiceLine,
    Policy,
    Prior,
    ShipmentIndex,
    Tolerance,
    audit_batch,
    what_if,
)
from ..services.invoice_chain import GONE_STATES, REPLACES, number_key
from ..services.references import INVOICE_LINE_FIELDS, references_domain
from ..services.rule_snapshot import (
    LineOutcome,
    audit_config,
    compare,
    config_differences,
    contracts_from_config,
    policy_from_config,
)

CASE_RESPONSE = timedelta(days=3)
APPROVED = ("approved", "posted", "paid")
# invoices whose money counts in a shipment's running totals
STANDING = ("audited", "exception", "disputed", *APPROVED)


class FreightInvoiceAudit(models.AbstractModel):
    _name = "freight.invoice.audit"
    _description = "Carrier invoice audit"

    def _run(self, invoices, company):
        """One batch of received invoices of one company: load, audit, store."""
        lines = self._lines(invoices)
        shipments = self._candidate_shipments(invoices, lines)
        self._claim_shipments(shipments)
        context = self._audit_context(invoices, company, shipments)
        results = audit_batch(self._inputs(invoices, lines), context,
                              self._prior(invoices, shipments))
        # the rules of the whole batch, one row shared by every batch audited under them
        snapshot = self.env["freight.rule.snapshot"]._for(
            audit_config(RULES_VERSION, context.policy, context.contracts), company)
        self._store(invoices, results, company, snapshot)

    def _lines(self, invoices):
        """The batch's lines as plain data, by invoice, in the lines' order: one query
        instead of a dozen field reads per line through the ORM (a third of the audit's
        time at 100,000 lines)."""
        self.env["freight.invoice.line"].flush_model()
        references = list(INVOICE_LINE_FIELDS.items())
        self.env.cr.execute(SQL(
            "SELECT id, invoice_id, line_no, charge_code, quantity, amount, billed_weight_kg,"
            " billed_class, billed_dimensions, inspection_certificate, tariff_revision,"
            " %s FROM freight_invoice_line WHERE invoice_id = ANY(%s)"
            " ORDER BY invoice_id, line_no, id",
            SQL(", ").join(SQL.identifier(name) for _key, name in references), invoices.ids))
        lines = defaultdict(list)
        # as the ORM reads them: a NULL number is 0, a NULL reference is no reference
        for (line_id, invoice_id, line_no, code, quantity, amount, weight, billed_class,
             dimensions, certificate, revision, *refs) in self.env.cr.fetchall():
            lines[invoice_id].append(InvoiceLine(
                line_id, line_no or 0,
                {key: value for (key, _name), value in zip(references, refs) if value},
                code, quantity or 0.0, amount or 0.0, weight or None, billed_class or None,
                dimensions or None, certificate or None, revision or None))
        return lines

    def _claim_shipments(self, shipments):
        """Record that this audit prices these shipments' money, one row each in
        ``freight_audit_shipment``. Two audits reading one shipment's earlier invoices
        at once would each miss the other's (a snapshot sees only what was committed
        before it) and could approve the same charge twice; the second one to write the
        shipment's row waits for the first and, once it commits, fails with a
        serialization error: its batch is rolled back and audited again, seeing the
        first's results (``run_batches``, or Odoo's retry of a clerk's request). Rows in
        id order: two batches meet in one order, not in a deadlock."""
        if shipments:
            self.env.cr.execute(SQL("""
                INSERT INTO freight_audit_shipment AS a (shipment_id, audits)
                SELECT id, 1 FROM unnest(%s::int[]) AS id ORDER BY id
                ON CONFLICT (shipment_id) DO UPDATE SET audits = a.audits + 1""",
                sorted(shipments.ids)))

    def init(self):
        result = super().init()
        self.env.cr.execute("""
            CREATE TABLE IF NOT EXISTS freight_audit_shipment (
                shipment_id integer PRIMARY KEY
                            REFERENCES freight_shipment(id) ON DELETE CASCADE,
                audits integer NOT NULL)""")
        return result

    def _inputs(self, invoices, lines_by_invoice):
        """The invoices as plain data, in their order, read in two queries (field by
        field through the ORM, 20,000 invoices cost half a second)."""
        invoices.flush_model()
        self.env.cr.execute(SQL("""
            SELECT i.id, i.carrier_id, i.name, i.date, c.name, i.amount_total,
                   COALESCE(NULLIF(i.correction_code, ''), i.correction), i.corrects
              FROM freight_invoice i JOIN res_currency c ON c.id = i.currency_id
             WHERE i.id = ANY(%s)""", invoices.ids))
        rows = {row[0]: row for row in self.env.cr.fetchall()}
        self.env.cr.execute(SQL("""
            SELECT rel.invoice_id, a.name
              FROM freight_invoice_certificate_rel rel
              JOIN ir_attachment a ON a.id = rel.attachment_id
             WHERE rel.invoice_id = ANY(%s) ORDER BY a.id DESC""", invoices.ids))
        certificates = defaultdict(list)
        for invoice_id, name in self.env.cr.fetchall():
            certificates[invoice_id].append(name)
        restating = invoices.filtered(lambda inv: inv.correction in REPLACES)
        replaced = {inv.id: self._replaced(inv) for inv in restating}
        return [Invoice(invoice_id, carrier_id, name, day, currency, float(total or 0.0),
                        correction, corrects or None, tuple(lines_by_invoice[invoice_id]),
                        replaced.get(invoice_id, frozenset()),
                        tuple(certificates[invoice_id]))
                for invoice_id, carrier_id, name, day, currency, total, correction, corrects
                in (rows[invoice.id] for invoice in invoices)]

    @staticmethod
    def _replaced(invoice):
        """The invoices a CO/RB restates, down its chain: judged without their money."""
        replaced, target = set(), invoice.corrects_id
        while invoice.correction in REPLACES and target and target.id not in replaced:
            replaced.add(target.id)
            target = target.corrects_id if target.correction in REPLACES else target.browse()
        return frozenset(replaced)

    def _audit_context(self, invoices, company, shipments):
        facts = shipments._audit_facts()
        return AuditContext(
            policy=self._policy(invoices, company),
            contracts=self._contracts(invoices),
            shipments={fact.id: fact for fact in facts},
            index=ShipmentIndex(facts),
            charge_kinds=self.env["freight.charge.code"]._kinds(),
        )

    def _candidate_shipments(self, invoices, lines_by_invoice):
        """The shipments these invoices' lines may be for: the audit reads them as the
        system (a carrier's user may not read shipments), of the invoices' one company."""
        domain = references_domain(line.references for lines in lines_by_invoice.values()
                                   for line in lines)
        if not domain:
            return self.env["freight.shipment"]
        return self.env["freight.shipment"].sudo().search(
            [("company_id", "=", invoices.company_id.id), *domain])

    def _policy(self, invoices, company):
        def band(values):
            return Tolerance(*values) if values else None
        carriers = {c.id: band(c._freight_tolerance()) for c in invoices.carrier_id
                    if c.freight_tolerance_set}
        codes = self.env["freight.charge.code"].search([("freight_tolerance_set", "=", True)])
        return Policy(
            default=band(company._freight_tolerance()) or Tolerance(0.0, 0.0),
            carriers=carriers,
            charge_codes={code.code: band(code._freight_tolerance()) for code in codes},
            cumulative_cap=company.freight_cumulative_cap or None,
            pod_required=company.freight_pod_required,
            weight_tolerance_percent=company.freight_weight_tolerance_percent,
        )

    def _contracts(self, invoices):
        contracts = self.env["freight.rate.contract"].sudo().search(
            [("carrier_id", "in", invoices.carrier_id.ids),
             ("company_id", "=", invoices.company_id.id)])
        return contracts._as_terms_batch()

    def _prior(self, invoices, shipments, before_id=None):
        """What earlier invoices of the same company did: their numbers; per shipment and
        charge the money billed (approved to pay once approved, as billed while waiting);
        per shipment the money approved to pay (each line's ``approved_amount``, whatever
        its decision). Invoices cancelled, rejected or replaced count for nothing.
        ``before_id``: only invoices received before that one (a replay sees what its
        original audit could see, not the invoices that came later)."""
        prior = Prior()
        company = invoices.company_id
        earlier_lines = [("invoice_id", "<", before_id)] if before_id else []
        for invoice_id, carrier_id, name in self._same_numbers(invoices, before_id):
            prior.invoices[(carrier_id, name)].append(invoice_id)
        billed = self.env["freight.invoice.line"].sudo().search_fetch([
            *earlier_lines,
            ("company_id", "=", company.id),
            ("shipment_id", "in", shipments.ids), ("invoice_id", "not in", invoices.ids),
            ("invoice_id.state", "in", STANDING), ("invoice_id.correction", "!=", "CA"),
        ], ["shipment_id", "charge_code", "invoice_id", "decision", "expected", "amount",
            "approved_amount"])
        for line in billed:
            invoice = line.invoice_id
            shipment, code = line.shipment_id.id, line.charge_code
            is_approved = invoice.state in APPROVED
            prior.add_billed(shipment, code, invoice.id, invoice.name,
                             line.approved_amount if is_approved else line.amount)
            if is_approved:
                prior.add_approved(shipment, code, line.approved_amount,
                                   None if line.decision in UNPRICED else line.expected,
                                   invoice.id)
        return prior

    def _same_numbers(self, invoices, before_id=None):
        """``(id, carrier, number)`` of the company's other invoices still standing with
        the number of one of ``invoices``, newest first. Found by the number's key (a
        btree index; every invoice has one, made from its number), the numbers compared
        here: left to choose, the planner walked all the carrier's invoices through the
        identity index or probed the trigram index of the numbers, up to 3 s a batch."""
        names = set(invoices.mapped("name"))
        invoices.flush_model(["name", "number_key", "company_id", "carrier_id", "state"])
        self.env.cr.execute(SQL("""
            SELECT id, carrier_id, name FROM freight_invoice
             WHERE number_key = ANY(%s) AND company_id = %s AND carrier_id = ANY(%s)
               AND state <> ALL(%s) AND id <> ALL(%s) %s
             ORDER BY date DESC, id DESC""",
            sorted({number_key(name) for name in names}), invoices.company_id.id,
            invoices.carrier_id.ids, list(GONE_STATES), invoices.ids,
            SQL("AND id < %s", before_id) if before_id else SQL()))
        return [row for row in self.env.cr.fetchall() if row[2] in names]

    def _store(self, invoices, results, company, snapshot):
        now = fields.Datetime.now()
        # an unpriced line's expected, variance and tolerance are unknown: NULL, not 0.00
        lines = [(line.line_id, line.shipment_id, line.expected,
                  *((line.variance, line.allowance) if line.expected is not None
                    else (None, None)),
                  line.tolerance_layer, line.decision, "\n".join(line.trace),
                  line.tariff_revision or None)
                 for result in results for line in result.lines]
        # One statement per table for the whole batch, its rows passed as one array per
        # column: a few parameters compose in milliseconds where 10,000 VALUES tuples took
        # seconds. The lines are found through the batch's invoices (an index), not by a
        # scan of every line ever audited, which made each batch slower than the last.
        if lines:
            self.env["freight.invoice.line"].flush_model()
            self.env.cr.execute(SQL("""
                UPDATE freight_invoice_line AS l
                   SET shipment_id = v.shipment_id, expected = v.expected,
                       variance = v.variance, allowance = v.allowance,
                       tolerance_layer = v.layer, decision = v.decision, trace = v.trace,
                       tariff_revision = v.revision
                  FROM unnest(%s::int[], %s::int[], %s::numeric[], %s::numeric[],
                              %s::numeric[], %s::varchar[], %s::varchar[], %s::text[],
                              %s::varchar[])
                       AS v(id, shipment_id, expected, variance, allowance, layer, decision,
                            trace, revision)
                 WHERE l.id = v.id AND l.invoice_id = ANY(%s)""",
                *map(list, zip(*lines)), invoices.ids))
            self.env["freight.invoice.line"].invalidate_model()
        states = {"approve": "audited", "exception": "exception", "cancel": "cancelled"}
        words = self._summary_words()
        invoices.flush_model()
        self.env.cr.execute(SQL("""
            UPDATE freight_invoice AS i
               SET state = v.state, expected_total = v.expected,
                   variance_total = i.amount_total - v.expected, audited_at = %s,
                   audit_summary = v.summary, unpriced_line_count = v.unpriced,
                   audit_decision = v.decision, rule_snapshot_id = %s, audit_error = NULL
              FROM unnest(%s::int[], %s::varchar[], %s::numeric[], %s::text[], %s::int[],
                          %s::varchar[])
                   AS v(id, state, expected, summary, unpriced, decision)
             WHERE i.id = v.id""", now, snapshot.id, *map(list, zip(*(
            (r.invoice_id, states[r.decision], r.expected_total, self._summary(r, words),
             r.unpriced_lines, r.decision) for r in results)))))
        invoices.invalidate_model(["state", "expected_total", "variance_total", "audited_at",
                                   "audit_summary", "unpriced_line_count", "audit_decision",
                                   "rule_snapshot_id", "audit_error"])
        by_id = {invoice.id: invoice for invoice in invoices}
        cases = []
        for result in results:
            cases += self._case_values(by_id[result.invoice_id], result, company)
        self.env["freight.exception"].sudo().create(cases)
        self._note_revision_changes(by_id, results)
        self.env["freight.invoice.chain"]._after_audit(invoices)
        if company.freight_auto_approve:
            clean = invoices.filtered(lambda i: i.state == "audited")
            if clean:
                clean._set_outcome({"approved_by_rule": True})
                clean._approve(_("Approved automatically: every line within policy."))

    @staticmethod
    def _note_revision_changes(by_id, results):
        """A re-audit rated with another tariff revision than the audit before says so."""
        for result in results:
            changes = sorted({line.revision_change for line in result.lines
                              if line.revision_change})
            if changes:
                by_id[result.invoice_id].message_post(body=_(
                    "Rated with a new tariff revision: %s.", "; ".join(changes)))

    @staticmethod
    def _summary_words():
        """The summary's phrases in the user's language, looked up once per batch: each
        ``_()`` finds its language by walking the caller's frames, three times an invoice."""
        # plain arguments only: the translation extractor evaluates what _() is given
        return {"line": _("1 line"), "lines": _("%s lines"), "no finding": _("no finding"),
                "finding": _("1 finding"), "findings": _("%s findings"),
                "billed": _("Billed %(billed)s against %(expected)s expected on %(lines)s; "
                            "%(findings)s.")}

    @staticmethod
    def _summary(result, words):
        if result.decision == "cancel":
            return "\n".join(result.trace)
        count, found = len(result.lines), len(result.findings)
        line_words = words["line"] if count == 1 else words["lines"] % count
        finding_words = (words["no finding"] if not found
                         else words["finding"] if found == 1 else words["findings"] % found)
        lines = [words["billed"] % {"billed": f"{result.billed_total:,.2f}",
                                    "expected": f"{result.expected_total:,.2f}",
                                    "lines": line_words, "findings": finding_words}]
        lines += [f"• {finding.message}" for finding in result.findings]
        return "\n".join(lines)

    def _case_values(self, invoice, result, company):
        shipment_by_line = {line.line_id: line.shipment_id for line in result.lines}
        deadline = fields.Datetime.now() + CASE_RESPONSE
        return [{
            "name": f"{invoice.display_name}: {finding.message}"[:250],
            "company_id": company.id,
            "exception_type": finding.type,
            "invoice_id": invoice.id,
            "invoice_line_id": finding.line_id or False,
            "shipment_id": shipment_by_line.get(finding.line_id) or False,
            "amount_at_stake": finding.amount_at_stake,
            "priority": "1" if finding.amount_at_stake >= company.freight_override_threshold
            else "0",
            "deadline": deadline,
            "description": finding.message,
        } for finding in result.findings]

    @api.model
    def _what_if(self, company, tolerance, days):
        """The company band replaced by ``tolerance`` over the last ``days`` of audits."""
        since = fields.Datetime.now() - timedelta(days=days)
        invoices = self.env["freight.invoice"].sudo().search([
            ("company_id", "=", company.id), ("audited_at", ">=", since),
            ("state", "not in", ("received", "cancelled")), ("correction", "!=", "CA")])
        if not invoices:
            return None
        lines = self.env["freight.invoice.line"].sudo().search_fetch(
            [("invoice_id", "in", invoices.ids)],
            ["invoice_id", "charge_code", "expected", "amount", "decision"])
        blocked = set(self.env["freight.exception"].sudo().search([
            ("invoice_id", "in", invoices.ids), ("exception_type", "!=", "rate_variance"),
        ]).invoice_id.ids)
        policy = self._policy(invoices.with_env(self.env), company)
        policy = Policy(Tolerance(*tolerance), policy.carriers, policy.charge_codes,
                        policy.cumulative_cap, policy.pod_required,
                        policy.weight_tolerance_percent)
        rows = [(line.invoice_id.id, line.charge_code,
                 None if line.decision in UNPRICED else line.expected, line.amount)
                for line in lines]
        return what_if(rows, policy, {i.id: i.carrier_id.id for i in invoices}, blocked)

    # ---- replay: the audit again, nothing stored ----------------------------------------

    def _replay(self, invoice, mode):
        """Audit ``invoice`` again as a dry run and compare with what its last audit
        recorded: ``original`` with the tolerances its audit applied (its rule snapshot),
        ``today`` with today's. Nothing is written: no state, case, approval or bill; to
        apply today's rules, the invoice is audited again through ``action_reaudit``.

        "As originally" puts back the tolerances and the contracts' terms the audit
        priced with (a snapshot recorded before terms were kept: today's terms, the
        changed revision named); shipments and milestones are read as they are today."""
        invoice.ensure_one()
        snapshot = invoice.rule_snapshot_id
        original = snapshot._config() if snapshot else None
        if mode == "original" and not original:
            raise UserError(_("%s was audited before the rules applied were recorded: it can "
                              "only be replayed with today's rules.", invoice.display_name))
        company = invoice.company_id
        lines = self._lines(invoice)
        shipments = self._candidate_shipments(invoice, lines)
        context = self._audit_context(invoice, company, shipments)
        today = audit_config(RULES_VERSION, context.policy, context.contracts)
        if mode == "original":
            # the contracts as they read then; a snapshot older than the terms kept has
            # their revisions only, and today's terms price (the comparison names them)
            contracts = contracts_from_config(
                original, self.env["freight.ltl.tariff.revision"].sudo()._by_id)
            context = dataclasses.replace(
                context, policy=policy_from_config(original["tolerances"]),
                contracts=context.contracts if contracts is None else contracts)
        inputs = self._inputs(invoice, lines)
        result = audit_batch(inputs, context, self._prior(invoice, shipments, invoice.id))[0]
        after = [LineOutcome(line.line_id, source.line_no, source.charge_code, line.decision,
                             line.expected,
                             line.allowance if line.expected is not None else None,
                             line.tolerance_layer)
                 for line, source in zip(result.lines, inputs[0].lines)]
        return compare(invoice.id, mode, invoice.audit_decision or None, self._recorded(invoice),
                       after, result.decision,
                       config_differences(original, today) if original else ())

    def _recorded(self, invoice):
        """The lines as the last audit stored them (NULL stays unknown, not 0.00)."""
        self.env["freight.invoice.line"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT id, line_no, charge_code, decision, expected, allowance, tolerance_layer"
            " FROM freight_invoice_line WHERE invoice_id = %s ORDER BY line_no, id",
            invoice.id))
        return [LineOutcome(line_id, line_no or 0, code, decision or "",
                            None if expected is None else float(expected),
                            None if allowance is None else float(allowance), layer or "")
                for line_id, line_no, code, decision, expected, allowance, layer
                in self.env.cr.fetchall()]
