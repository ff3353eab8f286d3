"""The reconciliation workbench: what a billing clerk's screen reads and does with carrier
invoices. No table: every method works with this model's environment, so the signed-in
user's access rights and record rules apply to what is read and done, and the routes in
controllers/workbench.py only translate."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..services.dispute_window import days_left
from ..services.expected_cost import pick_contract
from ..services.references import normalize_reference
from ..services.workbench import (
    DISPUTE_REASONS,
    SEARCHED_REFERENCES,
    UNPRICED,
    available_actions,
    explain_line,
)

# how far past the page the queue's total is counted exactly
COUNT_AHEAD = 10_000
QUEUE_FIELDS = ["name", "carrier_id", "date", "currency_id", "amount_total", "expected_total",
                "variance_total", "unpriced_line_count", "state"]
MILESTONES_SHOWN = 30


def _ref(record):
    return [record.id, record.display_name] if record else None


class FreightWorkbench(models.AbstractModel):
    """Records given to these methods are read and changed as this model's user (the
    caller's environment), whatever environment they come with."""

    _name = "freight.workbench"
    _description = "Reconciliation Workbench"

    # ---- reading ------------------------------------------------------------------------

    @api.model
    def _queue(self, query):
        """One page of the queue (a ``services.workbench.QueueQuery``): one search, one
        fetch, a count unless the page is the last one (then the page says how many), one
        grouped count of cases.

        The count stops COUNT_AHEAD matches past the page, as Odoo's list view does at
        10,000: counting every match of a queue of hundreds of thousands costs more than
        the page itself, and nobody pages that far ("1–40 of 10,040+")."""
        Invoice = self.env["freight.invoice"]
        today = fields.Date.context_today(self)
        domain = query.filter_domain(today, self.env.uid)
        domain += self._search_domain(query.search)
        # ids first, then the fields: an id-only search can be answered from an index alone
        # (see freight.invoice's init), a search_fetch of every column cannot
        invoices = Invoice.search(domain, offset=query.offset, limit=query.limit,
                                  order=query.order)
        invoices.fetch(QUEUE_FIELDS)
        capped = False
        if len(invoices) < query.limit and (invoices or not query.offset):
            total = query.offset + len(invoices)
        else:
            cap = query.offset + query.limit + COUNT_AHEAD
            total = Invoice.search_count(domain, limit=cap + 1)
            capped = total > cap
            total = min(total, cap)
        open_cases = dict(self.env["freight.exception"]._read_group(
            [("invoice_id", "in", invoices.ids), ("is_closed", "=", False)],
            ["invoice_id"], ["__count"]))
        return {
            "total": total,
            "total_capped": capped,
            "offset": query.offset,
            "limit": query.limit,
            "rows": [{
                "id": invoice.id,
                "name": invoice.name,
                "carrier": _ref(invoice.carrier_id),
                "date": fields.Date.to_string(invoice.date),
                "currency": invoice.currency_id.name,
                "amount_total": invoice.amount_total,
                "expected_total": invoice.expected_total,
                "variance_total": invoice.variance_total,
                "unpriced_lines": invoice.unpriced_line_count,
                "state": invoice.state,
                "age_days": (today - invoice.date).days,
                "open_cases": open_cases.get(invoice, 0),
                "within_tolerance": invoice.state == "audited",
            } for invoice in invoices],
        }

    @api.model
    def _search_domain(self, text):
        """The invoice number or a line reference contains ``text``, as one
        ``id IN (lines' invoices UNION numbers)``,
        each side through ``_search`` (access rights and record rules as the ORM checks
        them). The ORM's form, ``name ilike OR id IN (lines)``, leaves PostgreSQL no index
        to start from: it walked all 100,000 invoices by date (~180 ms), where the union
        starts from the trigram indexes and joins the few matches (~25 ms)."""
        if not text:
            return []
        # references are stored normalized ("PRO-100 " is PRO100): so is what is typed
        reference = normalize_reference(text) or text
        lines = self.env["freight.invoice.line"]._search(
            expression.OR([[(name, "ilike", reference)] for name in SEARCHED_REFERENCES]))
        numbers = self.env["freight.invoice"]._search([("name", "ilike", text)])
        invoice_id = SQL.identifier("freight_invoice_line", "invoice_id")
        return [("id", "in", SQL("(%s UNION %s)", lines.subselect(invoice_id),
                                 numbers.subselect()))]

    @api.model
    def _detail(self, invoice):
        """Everything the clerk weighs before deciding on ``invoice``: its lines explained,
        its cases, the shipments' milestones and the contract that priced it."""
        invoice = invoice.with_env(self.env)
        invoice.ensure_one()
        company = invoice.company_id
        is_manager = self.env.user.has_group("freight_sync.group_freight_manager")
        threshold = company.freight_override_threshold
        return {
            "id": invoice.id,
            "name": invoice.name,
            "carrier": _ref(invoice.carrier_id),
            "date": fields.Date.to_string(invoice.date),
            "currency": invoice.currency_id.name,
            "state": invoice.state,
            "state_label": dict(invoice._fields["state"].selection)[invoice.state],
            "amount_total": invoice.amount_total,
            "expected_total": invoice.expected_total,
            "variance_total": invoice.variance_total,
            "unpriced_lines": invoice.unpriced_line_count,
            "audit_summary": invoice.audit_summary or False,
            "dispute_reason": DISPUTE_REASONS.get(invoice.dispute_reason) or False,
            "bill": _ref(invoice.move_id),
            "lines": [self._line(invoice, line) for line in invoice.line_ids],
            "cases": [{
                "id": case.id,
                "name": case.name,
                "exception_type": dict(case._fields["exception_type"].selection)[
                    case.exception_type],
                "amount_at_stake": case.amount_at_stake,
                "stage": case.stage_id.name,
                "closed": case.is_closed,
                "user": _ref(case.user_id),
            } for case in invoice.exception_ids],
            "shipments": self._shipments(invoice),
            "contract": self._contract(invoice),
            "can_override_any": is_manager,
            "override_threshold": threshold,
            "actions": available_actions(invoice.state, invoice.variance_total, threshold,
                                         is_manager),
            "dispute_reasons": list(DISPUTE_REASONS.items()),
            "dispute": self.env["freight.dispute"]._summary(invoice),
            "suggestion": self.env["freight.dispute"]._suggestion_summary(invoice),
            "dispute_window": self._dispute_window(invoice),
        }

    @api.model
    def _dispute_window(self, invoice):
        """The last day a dispute of ``invoice`` can reach the carrier, from the case the
        dispute is kept on; None when its contract states no window."""
        lead = self.env["freight.dispute"]._lead_case(invoice)
        if not lead or not lead.dispute_by:
            return None
        return {
            "case_id": lead.id,
            "dispute_by": fields.Date.to_string(lead.dispute_by),
            "urgency": lead.dispute_urgency,
            "days_left": days_left(lead.dispute_by, fields.Date.context_today(self)),
        }

    @api.model
    def _line(self, invoice, line):
        audited = invoice.state != "received"
        expected = line.expected if audited and line.decision not in UNPRICED else None
        return {
            "id": line.id,
            "line_no": line.line_no,
            "charge_code": line.charge_code,
            "description": line.description or False,
            "shipment": _ref(line.shipment_id),
            "billed": line.amount,
            "expected": expected,
            "variance": line.variance if expected is not None else None,
            "allowance": line.allowance if expected is not None else None,
            "tolerance_layer": line.tolerance_layer or False,
            "decision": line.decision or False,
            "trace": (line.trace or "").splitlines(),
            "explanation": explain_line(line.decision, line.amount, expected, line.variance,
                                        line.allowance, line.tolerance_layer,
                                        invoice.currency_id.name) if audited else
            _("Not audited yet."),
        }

    @api.model
    def _shipments(self, invoice):
        shipments = invoice.line_ids.shipment_id
        if not shipments:
            return []
        milestones = self.env["freight.milestone"].search_fetch(
            [("shipment_id", "in", shipments.ids)], ["shipment_id", "code", "event_time",
                                                     "location"], order="event_time desc, id desc")
        codes = dict(milestones._fields["code"].selection)
        by_shipment = {}
        for milestone in milestones:
            by_shipment.setdefault(milestone.shipment_id.id, []).append({
                "code": milestone.code,
                "label": codes.get(milestone.code, milestone.code),
                "event_time": fields.Datetime.to_string(milestone.event_time),
                "location": milestone.location or False,
            })
        return [{
            "id": shipment.id,
            "name": shipment.name,
            "status": dict(shipment._fields["status"].selection).get(shipment.status),
            "pod": any(m["code"] == "pod_received" for m in by_shipment.get(shipment.id, []))
            or shipment.status == "pod_received",
            "milestones": by_shipment.get(shipment.id, [])[:MILESTONES_SHOWN],
        } for shipment in shipments]

    @api.model
    def _contract(self, invoice):
        """The carrier's contract valid on the invoice date, as the audit priced it: lanes,
        fuel rule and accessorial tariff, so a clerk can check an expected amount."""
        # the audit's own choice among the carrier's contracts, not a second rule for it
        contracts = self.env["freight.rate.contract"].search(
            [("carrier_id", "=", invoice.carrier_id.id),
             ("company_id", "=", invoice.company_id.id)])
        terms = pick_contract(contracts._as_terms_batch(), invoice.carrier_id.id,
                              invoice.date)
        if not terms:
            return None
        contract = contracts.browse(terms.id)
        ltl = {line.id: line.ltl for line in terms.lines if line.ltl}
        bases = dict(self.env["freight.rate.line"]._fields["basis"].selection)
        tariff_bases = dict(self.env["freight.accessorial.rate"]._fields["basis"].selection)
        if contract.fuel_band_ids:
            fuel = _("by the fuel index table (index %s)", contract.fuel_index)
        else:
            fuel = _("%s %% of the linehaul", contract.fuel_percent)
        return {
            "id": contract.id,
            "name": contract.display_name,
            "currency": contract.currency_id.name,
            "fuel": fuel,
            "lanes": [{"lane": lane.display_name, "basis": bases[lane.basis],
                       "rate": lane.rate, "minimum": lane.minimum or lane.ltl_minimum,
                       "terms": ltl[lane.id].describe() if lane.id in ltl else ""}
                      for lane in contract.line_ids],
            "accessorials": [{"code": tariff.charge_code_id.code,
                              "name": tariff.charge_code_id.name,
                              "basis": tariff_bases[tariff.basis], "amount": tariff.amount,
                              "maximum": tariff.maximum,
                              "needs_approval": tariff.needs_approval}
                             for tariff in contract.accessorial_ids],
        }

    # ---- acting -------------------------------------------------------------------------

    @api.model
    def _act(self, invoice, action, reason, reason_code, amount=None):
        """The clerk's decision; the same rules as the form's buttons and resolve wizard.
        ``amount``: what a short-pay pays (by default the expected total)."""
        invoice = invoice.with_env(self.env)
        invoice.ensure_one()
        invoice.check_access_rights("write")
        invoice.check_access_rule("write")
        if action == "approve":
            if invoice.state != "audited":
                raise UserError(_(
                    "%s is not within tolerance: approve with override and say why, "
                    "short-pay or dispute it.", invoice.display_name))
            invoice.action_approve()
        elif action == "dispute":
            invoice._dispute(reason_code, reason)
        elif action == "reaudit":
            invoice.action_reaudit()
        else:
            values = {"invoice_id": invoice.id, "resolution": action, "reason": reason}
            if amount is not None:
                values["amount"] = amount
            self.env["freight.invoice.resolve"].create(values).action_confirm()

    @api.model
    def _bulk_approve(self, invoices):
        """Approve the within-tolerance invoices among these in one batch (one bill create
        for all); if the batch fails (say, one carrier's bill has no expense account), each
        goes again on its own savepoint so one bad invoice does not hold back the others."""
        invoices = invoices.with_env(self.env)
        # refused as a whole, before any invoice is read, for a caller who may not approve
        invoices._check_decision("approve")
        ready = invoices.filtered(lambda invoice: invoice.state == "audited")
        results = [{"id": invoice.id, "ok": False, "message": _(
            "%(name)s skipped: %(state)s, not within tolerance",
            name=invoice.display_name, state=invoice.state)} for invoice in invoices - ready]
        try:
            with self.env.cr.savepoint():
                ready.action_approve()
            done = ready
        except UserError:
            done = invoices.browse()
            for invoice in ready:
                try:
                    with self.env.cr.savepoint():
                        invoice.action_approve()
                    done |= invoice
                except UserError as error:
                    results.append({"id": invoice.id, "ok": False,
                                    "message": f"{invoice.display_name}: {error.args[0]}"})
        results += [{"id": invoice.id, "ok": True,
                     "message": _("%s approved", invoice.display_name)} for invoice in done]
        approved = len(done)
        return {"results": results, "approved": approved, "skipped": len(results) - approved}
