"""The audit's shell around the pure engine (services/invoice_audit.py): load a batch of
carrier invoices as plain data in a fixed number of queries, store the decisions in one
statement per table, open the cases, approve what is clean; and the settings' what-if. The
invoice calls it from ``_audit``; nothing here is a person's decision."""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

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
from ..services.invoice_chain import GONE_STATES, REPLACES
from ..services.references import references_domain

CASE_RESPONSE = timedelta(days=3)
APPROVED = ("approved", "posted", "paid")
# invoices whose money counts in a shipment's running totals
STANDING = ("audited", "exception", "disputed", *APPROVED)


class FreightInvoiceAudit(models.AbstractModel):
    _name = "freight.invoice.audit"
    _description = "Carrier invoice audit"

    def _run(self, invoices, company):
        """One batch of received invoices of one company: load, audit, store."""
        shipments = self._candidate_shipments(invoices)
        results = audit_batch(self._inputs(invoices),
                              self._audit_context(invoices, company, shipments),
                              self._prior(invoices, shipments))
        self._store(invoices, results, company)

    def _inputs(self, invoices):
        lines_by_invoice = defaultdict(list)
        for line in invoices.line_ids:
            lines_by_invoice[line.invoice_id.id].append(InvoiceLine(
                line.id, line.line_no, line._references(), line.charge_code, line.quantity,
                line.amount, line.billed_weight_kg or None))
        return [Invoice(inv.id, inv.carrier_id.id, inv.name, inv.date, inv.currency_id.name,
                        inv.amount_total, inv.correction_code or inv.correction, inv.corrects,
                        tuple(lines_by_invoice[inv.id]), self._replaced(inv))
                for inv in invoices]

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

    def _candidate_shipments(self, invoices):
        """The shipments these invoices' lines may be for: the audit reads them as the
        system (a carrier's user may not read shipments), of the invoices' one company."""
        domain = references_domain(line._references() for line in invoices.line_ids)
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
        return tuple(contract._as_terms() for contract in contracts)

    def _prior(self, invoices, shipments):
        """What earlier invoices of the same company did: their numbers; per shipment and
        charge the money billed (approved to pay once approved, as billed while waiting);
        per shipment the money approved to pay (each line's ``approved_amount``, whatever
        its decision). Invoices cancelled, rejected or replaced count for nothing."""
        prior = Prior()
        company = invoices.company_id
        others = invoices.sudo().search([
            ("company_id", "=", company.id),
            ("carrier_id", "in", invoices.carrier_id.ids), ("name", "in", invoices.mapped("name")),
            ("id", "not in", invoices.ids), ("state", "not in", GONE_STATES),
        ])
        for invoice in others:
            prior.invoices[(invoice.carrier_id.id, invoice.name)].append(invoice.id)
        billed = self.env["freight.invoice.line"].sudo().search_fetch([
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

    def _store(self, invoices, results, company):
        now = fields.Datetime.now()
        # an unpriced line's expected, variance and tolerance are unknown: NULL, not 0.00
        lines = [SQL("(%s, %s::int, %s::numeric, %s::numeric, %s::numeric, %s, %s, %s)",
                     line.line_id, line.shipment_id, line.expected,
                     *((line.variance, line.allowance) if line.expected is not None
                       else (None, None)),
                     line.tolerance_layer, line.decision, "\n".join(line.trace))
                 for result in results for line in result.lines]
        if lines:
            self.env["freight.invoice.line"].flush_model()
            # one statement for the whole batch instead of one UPDATE per line
            self.env.cr.execute(SQL("""
                UPDATE freight_invoice_line AS l
                   SET shipment_id = v.shipment_id, expected = v.expected,
                       variance = v.variance, allowance = v.allowance,
                       tolerance_layer = v.layer, decision = v.decision, trace = v.trace
                  FROM (VALUES %s) AS v(id, shipment_id, expected, variance, allowance, layer,
                                        decision, trace)
                 WHERE l.id = v.id""", SQL(", ").join(lines)))
            self.env["freight.invoice.line"].invalidate_model()
        states = {"approve": "audited", "exception": "exception", "cancel": "cancelled"}
        invoices.flush_model()
        self.env.cr.execute(SQL("""
            UPDATE freight_invoice AS i
               SET state = v.state, expected_total = v.expected,
                   variance_total = i.amount_total - v.expected, audited_at = v.audited_at,
                   audit_summary = v.summary, unpriced_line_count = v.unpriced
              FROM (VALUES %s) AS v(id, state, expected, audited_at, summary, unpriced)
             WHERE i.id = v.id""", SQL(", ").join(
            SQL("(%s, %s, %s::numeric, %s::timestamp, %s, %s::int)", r.invoice_id,
                states[r.decision], r.expected_total, now, self._summary(r), r.unpriced_lines)
            for r in results)))
        invoices.invalidate_model(["state", "expected_total", "variance_total", "audited_at",
                               "audit_summary", "unpriced_line_count"])
        by_id = {invoice.id: invoice for invoice in invoices}
        cases = []
        for result in results:
            cases += self._case_values(by_id[result.invoice_id], result, company)
        self.env["freight.exception"].sudo().create(cases)
        self.env["freight.invoice.chain"]._after_audit(invoices)
        if company.freight_auto_approve:
            clean = invoices.filtered(lambda i: i.state == "audited")
            if clean:
                clean._set_outcome({"approved_by_rule": True})
                clean._approve(_("Approved automatically: every line within policy."))

    @staticmethod
    def _summary(result):
        if result.decision == "cancel":
            return "\n".join(result.trace)
        count, found = len(result.lines), len(result.findings)
        # plain arguments only: the translation extractor evaluates what _() is given
        line_words = _("1 line") if count == 1 else _("%s lines", count)
        finding_words = (_("no finding") if not found
                         else _("1 finding") if found == 1 else _("%s findings", found))
        billed, expected = f"{result.billed_total:,.2f}", f"{result.expected_total:,.2f}"
        lines = [_("Billed %(billed)s against %(expected)s expected on %(lines)s; %(findings)s.",
                   billed=billed, expected=expected, lines=line_words, findings=finding_words)]
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
