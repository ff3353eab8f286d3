"""New evidence for invoices the audit held: which invoices wait for it, and their second
audit, in the background and in batches."""


from odoo import _, _lt, api, models
from odoo.osv import expression
from odoo.tools import SQL

from ..services.evidence import (
    CERTIFICATE,
    CONTRACT,
    EVIDENCE_MILESTONES,
    MILESTONE,
    REFERENCE,
    SHIPMENT,
    WAITS_FOR,
    evidence_of_change,
)
from ..services.references import SHIPMENT_FIELDS, lines_naming_domain
from .cron_batches import run_batches

EVIDENCE_WORDS = {
    MILESTONE: _lt("new milestones of its shipments"),
    REFERENCE: _lt("a new or changed shipment reference"),
    SHIPMENT: _lt("a change to its shipments"),
    CONTRACT: _lt("a change to the carrier's contract"),
    CERTIFICATE: _lt("an inspection certificate attached to it"),
}


class FreightAuditEvidence(models.AbstractModel):
    """Evidence arrives where the audit cannot see it (a milestone, a shipment, a contract):
    the invoices in exception waiting for that kind of evidence are marked, and a cron of
    their own audits them again. Marking is one search and one write however many
    shipments changed, so the milestone that brings the POD is not slowed by the audit."""

    _name = "freight.audit.evidence"
    _description = "Freight audit: new evidence"

    # ---- what brings evidence ---------------------------------------------------------------

    def _on_milestones(self, shipments, milestones):
        delivered = milestones.filtered(lambda m: m.code in EVIDENCE_MILESTONES).shipment_id
        self._mark_by_shipment(delivered & shipments, MILESTONE)

    def _on_shipments_changed(self, shipments, changed_fields):
        for evidence in evidence_of_change(changed_fields):
            if evidence == REFERENCE:
                self._mark_unmatched(shipments)
            else:
                self._mark_by_shipment(shipments, evidence)

    def _on_contracts_changed(self, contracts):
        if not contracts:
            return
        invoices = self._waiting(CONTRACT, [
            ("invoice_id.carrier_id", "in", contracts.carrier_id.ids),
            ("company_id", "in", contracts.company_id.ids)])
        self._mark(invoices, CONTRACT)

    def _on_certificates(self, invoices):
        self._mark(self._waiting(CERTIFICATE, [("invoice_id", "in", invoices.ids)]),
                   CERTIFICATE)

    # ---- which invoices wait --------------------------------------------------------------

    def _waiting(self, evidence, case_domain):
        """Invoices in exception with an open case that ``evidence`` could settle."""
        types = [kind for kind, needs in WAITS_FOR.items() if evidence in needs]
        cases = self.env["freight.exception"].sudo().search(expression.AND([case_domain, [
            ("exception_type", "in", types), ("is_closed", "=", False),
            ("invoice_id.state", "=", "exception")]]))
        return cases.invoice_id

    def _mark_by_shipment(self, shipments, evidence):
        if shipments:
            invoices = self._waiting(evidence, [
                ("invoice_id.line_ids.shipment_id", "in", shipments.ids)])
            self._mark(invoices, evidence)

    def _mark_unmatched(self, shipments):
        """Invoices with a line that matched no shipment but names one of these."""
        named = lines_naming_domain({key: shipment[key] for key in SHIPMENT_FIELDS}
                                    for shipment in shipments)
        if not named:
            return
        lines = self.env["freight.invoice.line"].sudo().search(expression.AND([
            named, [("shipment_id", "=", False), ("company_id", "in", shipments.company_id.ids),
             ("invoice_id.state", "=", "exception")]]))
        if lines:
            invoices = self._waiting(REFERENCE, [("invoice_id", "in", lines.invoice_id.ids)])
            self._mark(invoices, REFERENCE)

    def _mark(self, invoices, evidence):
        invoices = invoices.filtered(lambda invoice: not invoice.reaudit_evidence)
        if invoices:
            invoices.sudo()._set_outcome({"reaudit_evidence": evidence})
            self.env.ref("freight_sync.ir_cron_reaudit").sudo()._trigger()

    # ---- the second audit -----------------------------------------------------------------

    def _claim(self, limit):
        """Lock up to ``limit`` marked invoices; another worker skips them."""
        self.env["freight.invoice"].flush_model(["reaudit_evidence"])
        self.env.cr.execute(SQL(
            "SELECT id FROM freight_invoice WHERE reaudit_evidence IS NOT NULL"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED", limit))
        return self.env["freight.invoice"].browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_reaudit(self, batch_size=200, time_budget=55):
        return run_batches(self.env, lambda: self._claim(batch_size), self._reaudit_marked,
                           time_budget)

    def _reaudit_marked(self, invoices):
        for evidence, group in invoices.grouped("reaudit_evidence").items():
            group._reaudit(_("Audited again on new evidence: %s.", EVIDENCE_WORDS[evidence]))
        invoices._set_outcome({"reaudit_evidence": False})
