# One file per concern (workflow, intake, audit, workbench) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
"""What the reconciliation workbench reads and does, as the signed-in user: the ORM's access
rights and record rules apply, the routes only translate."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.sql import SQL, create_index

from ..services.expected_cost import pick_contract
from ..services.workbench import (
    DISPUTE_REASONS,
    SEARCHED_REFERENCES,
    available_actions,
    explain_line,
)

QUEUE_FIELDS = ["name", "carrier_id", "date", "currency_id", "amount_total", "expected_total",
                "variance_total", "state"]
MILESTONES_SHOWN = 30


def _ref(record):
    return [record.id, record.display_name] if record else None


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    dispute_reason = fields.Selection(
        list(DISPUTE_REASONS.items()), readonly=True, copy=False, tracking=True,
        help="Why payment is held while the carrier answers.")

    def init(self):
        result = super().init()
        # Measured with 100,000 invoices (tests/bench/run workbench): the queue sorted by
        # variance reads the top of this index instead of sorting the 47,000 invoices in
        # the default states (~40 ms)...
        create_index(self.env.cr, "freight_invoice__variance_total_id_index", self._table,
                     ["variance_total", "id"])
        # ... and a full page's count is an index-only scan over what the filters and the
        # company rule compare (~7 ms for the default states, <1 ms with a carrier and a
        # variance), not a heap scan of every match (~30-40 ms)
        create_index(self.env.cr, "freight_invoice__workbench_count_index", self._table,
                     ["company_id", "state", "carrier_id", "variance_total"])
        return result

    # ---- reading ------------------------------------------------------------------------

    def _workbench_queue(self, query):
        """One page of the queue: one search_fetch, a count unless the page is the last
        one (then the page says how many), one grouped count of cases."""
        domain = query.filter_domain(fields.Date.context_today(self), self.env.uid)
        domain += self._workbench_search_domain(query.search)
        invoices = self.search_fetch(domain, QUEUE_FIELDS, offset=query.offset,
                                     limit=query.limit, order=query.order)
        if len(invoices) < query.limit and (invoices or not query.offset):
            total = query.offset + len(invoices)
        else:
            total = self.search_count(domain)
        open_cases = dict(self.env["freight.exception"]._read_group(
            [("invoice_id", "in", invoices.ids), ("is_closed", "=", False)],
            ["invoice_id"], ["__count"]))
        today = fields.Date.context_today(self)
        return {
            "total": total,
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
                "state": invoice.state,
                "age_days": (today - invoice.date).days,
                "open_cases": open_cases.get(invoice, 0),
                "within_tolerance": invoice.state == "audited",
            } for invoice in invoices],
        }

    def _workbench_search_domain(self, text):
        """The invoice number or a line reference contains ``text``, as one
        ``id IN (lines' invoices UNION numbers)``,
        each side through ``_search`` (access rights and record rules as the ORM checks
        them). The ORM's form, ``name ilike OR id IN (lines)``, leaves PostgreSQL no index
        to start from: it walked all 100,000 invoices by date (~180 ms), where the union
        starts from the trigram indexes and joins the few matches (~25 ms)."""
        if not text:
            return []
        lines = self.env["freight.invoice.line"]._search(
            expression.OR([[(name, "ilike", text)] for name in SEARCHED_REFERENCES]))
        numbers = self._search([("name", "ilike", text)])
        invoice_id = SQL.identifier("freight_invoice_line", "invoice_id")
        return [("id", "in", SQL("(%s UNION %s)", lines.subselect(invoice_id),
                                 numbers.subselect()))]

    def _workbench_detail(self):
        self.ensure_one()
        company = self.company_id
        is_manager = self.env.user.has_group("freight_sync.group_freight_manager")
        threshold = company.freight_override_threshold
        return {
            "id": self.id,
            "name": self.name,
            "carrier": _ref(self.carrier_id),
            "date": fields.Date.to_string(self.date),
            "currency": self.currency_id.name,
            "state": self.state,
            "state_label": dict(self._fields["state"].selection)[self.state],
            "amount_total": self.amount_total,
            "expected_total": self.expected_total,
            "variance_total": self.variance_total,
            "audit_summary": self.audit_summary or False,
            "dispute_reason": DISPUTE_REASONS.get(self.dispute_reason) or False,
            "bill": _ref(self.move_id),
            "lines": [self._workbench_line(line) for line in self.line_ids],
            "cases": [{
                "id": case.id,
                "name": case.name,
                "exception_type": dict(case._fields["exception_type"].selection)[
                    case.exception_type],
                "amount_at_stake": case.amount_at_stake,
                "stage": case.stage_id.name,
                "closed": case.is_closed,
                "user": _ref(case.user_id),
            } for case in self.exception_ids],
            "shipments": self._workbench_shipments(),
            "contract": self._workbench_contract(),
            "can_override_any": is_manager,
            "override_threshold": threshold,
            "actions": available_actions(self.state, self.variance_total, threshold, is_manager),
            "dispute_reasons": list(DISPUTE_REASONS.items()),
        }

    def _workbench_line(self, line):
        audited = self.state != "received"
        expected = line.expected if audited and line.decision != "unmatched" else None
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
                                        self.currency_id.name) if audited else
            _("Not audited yet."),
        }

    def _workbench_shipments(self):
        shipments = self.line_ids.shipment_id
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

    def _workbench_contract(self):
        """The carrier's contract valid on the invoice date, as the audit priced it: lanes,
        fuel rule and accessorial tariff, so a clerk can check an expected amount."""
        # the audit's own choice among the carrier's contracts, not a second rule for it
        contracts = self.env["freight.rate.contract"].search(
            [("carrier_id", "=", self.carrier_id.id)])
        terms = pick_contract([c._as_terms() for c in contracts], self.carrier_id.id, self.date)
        if not terms:
            return None
        contract = contracts.browse(terms.id)
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
                       "rate": lane.rate, "minimum": lane.minimum}
                      for lane in contract.line_ids],
            "accessorials": [{"code": tariff.charge_code_id.code,
                              "name": tariff.charge_code_id.name,
                              "basis": tariff_bases[tariff.basis], "amount": tariff.amount,
                              "maximum": tariff.maximum,
                              "needs_approval": tariff.needs_approval}
                             for tariff in contract.accessorial_ids],
        }

    # ---- acting -------------------------------------------------------------------------

    def _workbench_act(self, action, reason, reason_code):
        """The clerk's decision; the same rules as the form's buttons and resolve wizard."""
        self.ensure_one()
        if action == "approve":
            if self.state != "audited":
                raise UserError(_(
                    "%s is not within tolerance: approve with override and say why, "
                    "short-pay or dispute it.", self.display_name))
            self.action_approve()
        elif action == "dispute":
            self._dispute(reason_code, reason)
        else:
            self.env["freight.invoice.resolve"].create({
                "invoice_id": self.id, "resolution": action, "reason": reason,
            }).action_confirm()

    def _dispute(self, reason_code, note):
        """Hold payment: the invoice waits on the carrier with its cases."""
        if self.state not in ("audited", "exception"):
            raise UserError(_("Only audited invoices or invoices in exception can be "
                              "disputed; %(name)s is %(state)s.", name=self.display_name,
                              state=self.state))
        text = _("Disputed: %(why)s — %(note)s (%(user)s)", why=DISPUTE_REASONS[reason_code],
                 note=note, user=self.env.user.name)
        if not self.exception_ids.filtered(lambda c: not c.is_closed):
            # a dispute without a case would be invisible on the exception board
            self.env["freight.exception"].sudo().create({
                "name": f"{self.display_name}: {DISPUTE_REASONS[reason_code]}"[:250],
                "company_id": self.company_id.id,
                "exception_type": "rate_variance",
                "invoice_id": self.id,
                "shipment_id": self.line_ids.shipment_id[:1].id,
                "amount_at_stake": max(self.variance_total, 0.0),
                "user_id": self.env.uid,
            })
        # the board's own dispute: each case waits on the carrier with the reason and note
        self.exception_ids.filtered(lambda c: not c.is_closed).action_dispute(reason_code, note)
        self.write({"state": "disputed", "dispute_reason": reason_code})
        self.message_post(body=text)

    def _workbench_bulk_approve(self):
        """Approve the within-tolerance invoices among these in one batch (one bill create
        for all); if the batch fails (say, one carrier's bill has no expense account), each
        goes again on its own savepoint so one bad invoice does not hold back the others."""
        ready = self.filtered(lambda invoice: invoice.state == "audited")
        results = [{"id": invoice.id, "ok": False, "message": _(
            "%(name)s skipped: %(state)s, not within tolerance",
            name=invoice.display_name, state=invoice.state)} for invoice in self - ready]
        try:
            with self.env.cr.savepoint():
                ready.action_approve()
            done = ready
        except UserError:
            done = self.browse()
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
