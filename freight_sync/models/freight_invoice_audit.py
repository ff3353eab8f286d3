# One file per concern (workflow, intake, audit) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import _, fields, models
from odoo.tools import split_every

from ..services.invoice_audit import (
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
from ..services.references import normalize_reference

BATCH = 2000
REF_FIELDS = ("name", "load_ref", "pro_number", "bol_number", "carrier_ref")
LINE_REFS = {"pro_number": "pro_number", "bol_number": "bol_number", "load_ref": "load_ref",
             "shipment_ref": "name", "carrier_ref": "carrier_ref"}
CASE_RESPONSE = timedelta(days=3)


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    approved_by_rule = fields.Boolean(
        string="Approved Automatically", readonly=True, copy=False,
        help="The audit approved it (every line within policy), not a person.")

    def _audit(self):
        """Audit received invoices in batches: load, match, persist, then approve or
        open cases. A fixed number of queries per batch, whatever its size."""
        todo = self.filtered(lambda i: i.state == "received").sorted(lambda i: (i.date, i.id))
        # the audit summary and the cases tell the story: no chatter line per state change
        quiet = {"tracking_disable": True, "mail_create_nolog": True,
                 "mail_create_nosubscribe": True}
        for company, invoices in todo.grouped("company_id").items():
            for ids in split_every(BATCH, invoices.ids):
                batch = self.browse(ids).with_company(company).with_context(**quiet)
                shipments = batch._candidate_shipments()
                results = audit_batch(batch._audit_inputs(),
                                      batch._audit_context(company, shipments),
                                      batch._prior(shipments))
                batch._store_audit(results, company)
                # keep memory and lookups proportional to one batch, not to the whole run
                self.env.flush_all()
                self.env.invalidate_all()

    # ---- loading ------------------------------------------------------------------------

    def _audit_inputs(self):
        lines_by_invoice = defaultdict(list)
        for line in self.line_ids:
            references = {key: line[field_name] for field_name, key in LINE_REFS.items()
                          if line[field_name]}
            lines_by_invoice[line.invoice_id.id].append(InvoiceLine(
                line.id, line.line_no, references, line.charge_code, line.quantity,
                line.amount, line.billed_weight_kg or None))
        return [Invoice(inv.id, inv.carrier_id.id, inv.name, inv.date, inv.currency_id.name,
                        inv.amount_total, inv.correction, inv.corrects,
                        tuple(lines_by_invoice[inv.id])) for inv in self]

    def _audit_context(self, company, shipments):
        facts = shipments._audit_facts()
        return AuditContext(
            policy=self._audit_policy(company),
            contracts=self._audit_contracts(),
            shipments={fact.id: fact for fact in facts},
            index=ShipmentIndex(facts),
            charge_kinds=self.env["freight.charge.code"]._kinds(),
        )

    def _candidate_shipments(self):
        wanted = defaultdict(set)
        for line in self.line_ids:
            for field_name, key in LINE_REFS.items():
                value = line[field_name]
                if value:
                    wanted[key].add(value if key == "name" else normalize_reference(value))
        if not wanted:
            return self.env["freight.shipment"]
        domain = ["|"] * (len(wanted) - 1)
        for key, values in wanted.items():
            domain.append((key, "in", list(values)))
        return self.env["freight.shipment"].sudo().search(domain)

    def _audit_policy(self, company):
        def band(values):
            return Tolerance(*values) if values else None
        carriers = {c.id: band(c._freight_tolerance()) for c in self.carrier_id
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

    def _audit_contracts(self):
        contracts = self.env["freight.rate.contract"].sudo().search(
            [("carrier_id", "in", self.carrier_id.ids)])
        return tuple(contract._as_terms() for contract in contracts)

    def _prior(self, shipments):
        """Earlier invoices' numbers, billed charges and accepted variance."""
        prior = Prior()
        others = self.sudo().search([
            ("carrier_id", "in", self.carrier_id.ids), ("name", "in", self.mapped("name")),
            ("id", "not in", self.ids), ("state", "not in", ("rejected", "cancelled")),
        ])
        for invoice in others:
            prior.invoices[(invoice.carrier_id.id, invoice.name)].append(invoice.id)
        billed = self.env["freight.invoice.line"].sudo().search_fetch([
            ("shipment_id", "in", shipments.ids), ("invoice_id", "not in", self.ids),
            ("invoice_id.state", "in",
             ("audited", "approved", "posted", "paid", "exception", "disputed")),
            ("invoice_id.correction", "!=", "CA"),
        ], ["shipment_id", "charge_code", "invoice_id", "decision", "variance"])
        for line in billed:
            prior.billed[(line.shipment_id.id, line.charge_code)].append(line.invoice_id.name)
            if (line.decision == "ok" and line.variance > 0
                    and line.invoice_id.state in ("approved", "posted", "paid")):
                prior.accepted_variance[line.shipment_id.id] += line.variance
        return prior

    # ---- storing ------------------------------------------------------------------------

    def _store_audit(self, results, company):
        now = fields.Datetime.now()
        rows = [(line.line_id, line.shipment_id, line.expected or 0.0, line.variance,
                 line.allowance, line.tolerance_layer, line.decision, "\n".join(line.trace))
                for result in results for line in result.lines]
        if rows:
            self.env["freight.invoice.line"].flush_model()
            # one statement for the whole batch instead of one UPDATE per line
            execute_values(self.env.cr._obj, """
                UPDATE freight_invoice_line AS l
                   SET shipment_id = v.shipment_id, expected = v.expected,
                       variance = v.variance, allowance = v.allowance,
                       tolerance_layer = v.layer, decision = v.decision, trace = v.trace
                  FROM (VALUES %s) AS v(id, shipment_id, expected, variance, allowance, layer,
                                        decision, trace)
                 WHERE l.id = v.id""", rows,
                template="(%s, %s::int, %s::numeric, %s::numeric, %s::numeric, %s, %s, %s)")
            self.env["freight.invoice.line"].invalidate_model()
        by_id = {invoice.id: invoice for invoice in self}
        states = {"approve": "audited", "exception": "exception", "cancel": "cancelled"}
        self.flush_model()
        execute_values(self.env.cr._obj, """
            UPDATE freight_invoice AS i
               SET state = v.state, expected_total = v.expected,
                   variance_total = i.amount_total - v.expected, audited_at = v.audited_at,
                   audit_summary = v.summary
              FROM (VALUES %s) AS v(id, state, expected, audited_at, summary)
             WHERE i.id = v.id""",
            [(r.invoice_id, states[r.decision], r.expected_total, now, self._summary(r))
             for r in results],
            template="(%s, %s, %s::numeric, %s::timestamp, %s)")
        self.invalidate_model(["state", "expected_total", "variance_total", "audited_at",
                               "audit_summary"])
        cases = []
        for result in results:
            cases += by_id[result.invoice_id]._case_values(result, company)
        self.env["freight.exception"].sudo().create(cases)
        self._cancel_originals(results)
        if company.freight_auto_approve:
            clean = self.filtered(lambda i: i.state == "audited")
            if clean:
                clean.approved_by_rule = True
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

    def _case_values(self, result, company):
        shipment_by_line = {line.line_id: line.shipment_id for line in result.lines}
        deadline = fields.Datetime.now() + CASE_RESPONSE
        return [{
            "name": f"{self.display_name}: {finding.message}"[:250],
            "company_id": company.id,
            "exception_type": finding.type,
            "invoice_id": self.id,
            "invoice_line_id": finding.line_id or False,
            "shipment_id": shipment_by_line.get(finding.line_id) or False,
            "amount_at_stake": finding.amount_at_stake,
            "priority": "1" if finding.amount_at_stake >= company.freight_override_threshold
            else "0",
            "deadline": deadline,
            "description": finding.message,
        } for finding in result.findings]

    def _cancel_originals(self, results):
        cancels = [r for r in results if r.decision == "cancel"]
        for result in cancels:
            cancel = self.browse(result.invoice_id)
            originals = self.search([
                ("carrier_id", "=", cancel.carrier_id.id),
                ("name", "=", cancel.corrects or cancel.name), ("id", "!=", cancel.id),
                ("state", "in", ("received", "audited", "exception", "approved")),
                ("move_id", "=", False)])
            originals.write({"state": "cancelled"})
            for original in originals:
                original.message_post(body=_("Cancelled by the carrier's invoice %s (CA).",
                                             cancel.name))

    def _what_if(self, company, tolerance, days):
        """The company band replaced by ``tolerance`` over the last ``days`` of audits."""
        since = fields.Datetime.now() - timedelta(days=days)
        invoices = self.sudo().search([
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
        policy = self.browse(invoices.ids)._audit_policy(company)
        policy = Policy(Tolerance(*tolerance), policy.carriers, policy.charge_codes,
                        policy.cumulative_cap, policy.pod_required,
                        policy.weight_tolerance_percent)
        rows = [(line.invoice_id.id, line.charge_code,
                 None if line.decision == "unmatched" else line.expected, line.amount)
                for line in lines]
        return what_if(rows, policy, {i.id: i.carrier_id.id for i in invoices}, blocked)
