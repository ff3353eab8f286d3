"""A carrier invoice from the day it is staged to its vendor bill: intake (canonical dicts
to records), audit (the pure engine in services/invoice_audit.py, loaded and stored in a
fixed number of queries per batch) and the invoice's own state changes (approve, dispute,
bills). What the screens read about invoices is in freight_workbench.py and
freight_dashboard.py."""

from collections import defaultdict

from markupsafe import Markup
from psycopg2.errors import UniqueViolation

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every
from odoo.tools.sql import create_index

from ..services.evidence import EVIDENCE, REAUDITABLE
from ..services.invoice_audit import (
    UNPRICED,
    short_pay_problem,
    spread_payment,
)
from ..services.invoice_chain import REPLACES, bill_kind, identity, number_key
from ..services.ltl import CLASS_SELECTION
from ..services.references import INVOICE_LINE_FIELDS, match_keys, scac_mismatch
from ..services.rule_snapshot import describe
from ..services.workbench import DISPUTE_REASONS
from .cron_batches import paused_gc

INVOICE_STATES = [
    ("received", "Received"),
    ("audited", "Audited"),
    ("exception", "Exception"),
    ("disputed", "Disputed"),
    ("approved", "Approved"),
    ("posted", "Posted"),
    ("paid", "Paid"),
    ("superseded", "Replaced"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
CORRECTIONS = [
    ("original", "Original"),
    ("CO", "Corrected (CO)"),
    ("BD", "Balance due (BD)"),
    ("RB", "Rebill (RB)"),
    ("CA", "Cancel (CA)"),
    ("AD", "Adjustment (AD)"),
    ("PD", "Past due (PD)"),
    ("RF", "Rebuttal, full (RF)"),
    ("RP", "Rebuttal, partial (RP)"),
    ("other", "Other"),
]
CORRECTION_CODES = {code for code, _label in CORRECTIONS} - {"other"}
DECISIONS = [("ok", "Within policy"), ("under", "Under-billed"), ("over", "Over-billed"),
             ("review", "Needs review"), ("unmatched", "Not matched"),
             ("unpriced", "Expected unknown")]
# the lines whose expected amount is unknown (stored as NULL, not 0.00)
AUDIT_BATCH = 2000
# What the carrier sent and what the audit and the decisions made of it: no user edits
# these (freight_guarded_mixin.py says how); a clerk's part is the chatter and activities.
# ``upload_id`` is not here: it only says which upload brought the invoice in.
INVOICE_GUARDED = frozenset({
    "name", "carrier_id", "company_id", "currency_id", "date", "correction", "corrects",
    "external_id", "message_id", "line_ids", "amount_total", "expected_total",
    "variance_total", "state", "audited_at", "audit_summary", "approved_by_rule",
    "billed_on_expected", "dispute_reason", "move_id", "reaudit_evidence",
    "unpriced_line_count", "amount_approved", "number_key", "identity_key", "corrects_id",
    "correction_code", "audit_decision", "rule_snapshot_id", "audit_error",
})
LINE_GUARDED = frozenset({
    "invoice_id", "line_no", "pro_number", "bol_number", "load_ref", "shipment_ref",
    "carrier_ref", "reference", "charge_code", "quantity", "rate", "amount", "billed_weight_kg",
    "shipment_id", "expected", "variance", "allowance", "tolerance_layer", "decision", "trace",
    "approved_amount", "billed_class", "billed_dimensions", "inspection_certificate",
    "tariff_revision",
})
CERTIFICATE_TYPES = ("application/pdf", "image/")
BILLING_GROUP = "freight_sync.group_freight_billing"
MANAGER_GROUP = "freight_sync.group_freight_manager"


class FreightInvoice(models.Model):
    """A carrier invoice as received, audited before it becomes a vendor bill."""

    _name = "freight.invoice"
    _description = "Carrier Invoice"
    _inherit = ["mail.thread", "mail.activity.mixin", "freight.guarded.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _freight_guarded_fields = INVOICE_GUARDED

    # ---- fields -------------------------------------------------------------------------

    name = fields.Char(string="Invoice Number", required=True, index="trigram", tracking=True)
    carrier_id = fields.Many2one(
        "res.partner", required=True, index=True, check_company=True,
        domain="[('is_freight_carrier', '=', True)]")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda s: s.env.company)
    currency_id = fields.Many2one("res.currency", required=True)
    date = fields.Date(required=True, index=True)
    correction = fields.Selection(CORRECTIONS, default="original", required=True,
                                  help="X12 B308: what this invoice does to earlier ones.")
    correction_code = fields.Char(
        string="Correction Code Sent", readonly=True, copy=False,
        help="The correction code as the carrier sent it, kept when it is none of the known "
             "ones (Other).")
    corrects = fields.Char(string="Corrects Invoice",
                           help="The number of the invoice this one corrects, as sent.")
    corrects_id = fields.Many2one(
        "freight.invoice", string="Corrected Invoice", readonly=True, copy=False,
        index="btree_not_null", ondelete="restrict",
        help="The earlier invoice this correction replaces (CO, RB), adds to (BD, AD) or "
             "cancels (CA).")
    correction_ids = fields.One2many("freight.invoice", "corrects_id", string="Corrections")
    number_key = fields.Char(readonly=True, index=True, copy=False,
                             help="The invoice number as compared: no separators, no case.")
    identity_key = fields.Char(
        readonly=True, copy=False,
        help="One carrier invoice, whatever the channel: its number (and for a correction "
             "its code, date and total). Unique per company and carrier.")
    amount_total = fields.Monetary(string="Billed", currency_field="currency_id")
    expected_total = fields.Monetary(string="Expected", currency_field="currency_id",
                                     readonly=True)
    variance_total = fields.Monetary(string="Variance", currency_field="currency_id",
                                     compute="_compute_variance", store=True)
    unpriced_line_count = fields.Integer(
        string="Lines Not Priced", readonly=True, default=0, copy=False,
        help="Lines the audit could not price (no shipment, contract, lane or tariff): their "
             "expected amount is unknown and left out of the expected total.")
    amount_approved = fields.Monetary(
        string="Approved to Pay", currency_field="currency_id", readonly=True, copy=False,
        help="What the vendor bill pays: the billed amount, or a short-pay's amount.")
    state = fields.Selection(INVOICE_STATES, default="received", required=True, index=True,
                             tracking=True)
    external_id = fields.Char(copy=False, readonly=True,
                              help="Sender's key: the same invoice resent is not staged twice.")
    upload_id = fields.Many2one("freight.invoice.upload", readonly=True,
                                index="btree_not_null", ondelete="set null")
    message_id = fields.Many2one("freight.message", string="Source Message", readonly=True,
                                 index="btree_not_null")
    line_ids = fields.One2many("freight.invoice.line", "invoice_id", string="Lines", copy=True)
    billed_on_expected = fields.Boolean(
        readonly=True, copy=False, help="Short-paid: the vendor bill is for the expected amounts.")
    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True, copy=False,
                              index="btree_not_null")
    exception_ids = fields.One2many("freight.exception", "invoice_id", string="Cases")
    audit_summary = fields.Text(readonly=True)
    audited_at = fields.Datetime(readonly=True)
    audit_decision = fields.Selection(
        [("approve", "Within policy"), ("exception", "Exception"), ("cancel", "Cancel")],
        readonly=True, copy=False,
        help="What the last audit concluded, before any person's decision.")
    rule_snapshot_id = fields.Many2one(
        "freight.rule.snapshot", string="Rules Applied", readonly=True, copy=False,
        index="btree_not_null", ondelete="restrict",
        help="The rules version, tolerances and contract revisions the last audit applied.")
    approved_by_rule = fields.Boolean(
        string="Approved Automatically", readonly=True, copy=False,
        help="The audit approved it (every line within policy), not a person.")
    dispute_reason = fields.Selection(
        list(DISPUTE_REASONS.items()), readonly=True, copy=False, tracking=True,
        help="Why payment is held while the carrier answers.")
    certificate_ids = fields.Many2many(
        "ir.attachment", "freight_invoice_certificate_rel", "invoice_id", "attachment_id",
        string="Inspection Certificates", copy=False,
        help="The carrier's weight and inspection certificates (PDF or image) backing a "
             "reweigh, reclass or dimensional-weight rebill: with one, the audit rates the "
             "line with the carrier's figures.")
    reaudit_evidence = fields.Selection(
        EVIDENCE, string="Audit Again For", readonly=True, copy=False, index="btree_not_null",
        help="New evidence arrived for this invoice's cases: it is audited again shortly.")

    # ---- constraints --------------------------------------------------------------------

    _sql_constraints = [
        # JSON, CSV and 210, with or without a SCAC: one invoice (services/invoice_chain.py)
        ("identity_unique", "unique(company_id, carrier_id, identity_key)",
         "This carrier invoice was already received."),
    ]

    # ---- compute ------------------------------------------------------------------------

    @api.depends("amount_total", "expected_total")
    def _compute_variance(self):
        for invoice in self:
            invoice.variance_total = invoice.amount_total - invoice.expected_total

    @api.depends("name", "carrier_id")
    def _compute_display_name(self):
        for invoice in self:
            invoice.display_name = f"{invoice.carrier_id.name or ''} {invoice.name}".strip()

    # ---- CRUD ---------------------------------------------------------------------------

    def _freight_guarded_message(self, labels):
        return _("%s: a carrier invoice is kept as the carrier sent it and as the audit and "
                 "the decisions (approve, override, short-pay, reject, dispute) left it; "
                 "nobody edits these.", ", ".join(labels))

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]  # the caller's dicts stay theirs
        for vals in vals_list:
            # whatever creates it (intake, a test, a script): the identity the index holds
            if vals.get("name"):
                vals.setdefault("number_key", number_key(vals["name"]))
                vals.setdefault("identity_key", identity(
                    vals["name"], vals.get("correction"), vals.get("date") or "",
                    vals.get("amount_total") or 0.0))
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "certificate_ids" in vals:
            # the carrier's figures may now be backed: held adjustments are audited again
            self.env["freight.audit.evidence"]._on_certificates(self)
        return result

    @api.constrains("certificate_ids")
    def _check_certificates(self):
        for attachment in self.certificate_ids:
            if not (attachment.mimetype or "").startswith(CERTIFICATE_TYPES):
                raise ValidationError(_(
                    "%s: an inspection certificate is a PDF or an image.", attachment.name))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        # deleting an approved invoice would free its number for a second bill
        if not self._has_guarded_rights() and self.filtered(
                lambda i: i.move_id or i.state in ("approved", "posted", "paid")):
            raise UserError(_("An approved carrier invoice is kept: reject or cancel instead."))

    def init(self):
        result = super().init()
        cr = self.env.cr
        # Measured with 1,000,000 invoices (tests/bench/run workbench): the queue sorted by
        # variance reads the top of this index instead of sorting the 470,000 invoices in
        # the states asked for, and with the state and company in it the invoices of other
        # states on top (the 10,000 received ones, all variance) are skipped in the index
        # alone: 1.6-5 ms where the heap fetch of each one took 79 ms. The page's ids come
        # from an id-only search for that reason (freight.workbench._queue).
        # (invoices with unpriced lines come first: their variance is not known)
        cr.execute("DROP INDEX IF EXISTS freight_invoice__unpriced_variance_id_index")
        create_index(cr, "freight_invoice__unpriced_variance_page_index", self._table,
                     ["unpriced_line_count", "variance_total", "id", "company_id", "state"])
        # ... a full page's count is an index-only scan over what the filters and the
        # company rule compare (<1 ms with a carrier and a variance), not a heap scan of
        # every match ...
        create_index(cr, "freight_invoice__workbench_count_index", self._table,
                     ["company_id", "state", "carrier_id", "variance_total"])
        # ... and with the states alone, on this one: its few keys are stored once each
        # (btree deduplication), 7 MB against the wider one's 52 MB, so counting the 470,000
        # invoices of three states takes 50-65 ms instead of 115 ms
        create_index(cr, "freight_invoice__company_state_index", self._table,
                     ["company_id", "state"])
        return result

    # ---- actions ------------------------------------------------------------------------

    def action_view_bill(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "account.move",
                "res_id": self.move_id.id, "view_mode": "form", "name": _("Vendor Bill")}

    def action_audit(self):
        self._check_decision("audit")
        self._audit()
        return True  # XML-RPC answers no None

    def action_reaudit(self):
        """Audit again, today's evidence and rules: a clerk's "Audit again"."""
        self._check_decision("audit")
        if self.filtered(lambda i: i.state not in REAUDITABLE + ("received",)):
            raise UserError(_("Only invoices not yet approved or disputed are audited again."))
        self.sudo()._reaudit(_("Audited again by %s.", self.env.user.name))
        return True

    def action_replay_as_originally(self):
        self.replay_audit("original")
        return True

    def action_replay_with_today(self):
        self.replay_audit("today")
        return True

    def replay_audit(self, mode="original"):
        """Audit again as a dry run, ``original`` (the tolerances the last audit applied)
        or ``today`` (today's rules), and say in the chatter what would change; returns
        the comparisons (services/rule_snapshot.Comparison.as_dict). Nothing is paid,
        approved or opened: "Audit again" applies today's rules."""
        self._check_decision("audit")
        if mode not in ("original", "today"):
            raise UserError(_("Replay as originally ('original') or with today's rules "
                              "('today')."))
        if self.filtered(lambda i: not i.audited_at):
            raise UserError(_("Only audited invoices can be replayed."))
        Audit = self.env["freight.invoice.audit"].sudo()
        comparisons = []
        for invoice in self:
            comparison = Audit._replay(invoice.sudo(), mode)
            invoice.message_post(body=Markup("<br/>").join(describe(comparison)))
            comparisons.append(comparison.as_dict())
        return comparisons

    def action_approve(self):
        """Approve invoices the audit found within policy; anything else is an override,
        with a reason, through the resolution wizard or the workbench."""
        self._check_decision("approve")
        not_within = self.filtered(lambda i: i.state != "audited")
        if not_within:
            raise UserError(_(
                "%s is not within tolerance: approve with override and say why, short-pay or "
                "dispute it.", ", ".join(not_within.mapped("display_name"))))
        self._approve(_("Approved by %s", self.env.user.name))
        return True

    def action_post(self):
        self._check_decision("post")
        self._post_bills()
        return True

    def action_open_resolution(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Resolve %s", self.display_name),
            "res_model": "freight.invoice.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_invoice_id": self.id},
        }

    # ---- decision rights ----------------------------------------------------------------

    def _check_decision(self, decision):
        """Refuse a person's decision the caller may not take, whatever the door (form,
        workbench, wizard, XML-RPC, JSON-RPC): deciding is Freight / Billing's, and paying
        what was billed above the override threshold a Freight Manager's. The audit's own
        approval is no person's decision and does not come here."""
        user = self.env.user
        if not user.has_group(BILLING_GROUP):
            raise AccessError(_("Only Freight Billing users and Freight Managers decide on "
                                "carrier invoices."))
        if decision != "override" or user.has_group(MANAGER_GROUP):
            return
        for invoice in self:
            threshold = invoice.company_id.freight_override_threshold
            if abs(invoice.variance_total) > threshold:
                raise AccessError(_(
                    "A variance of %(variance).2f is above the override threshold of "
                    "%(threshold).2f: only a Freight Manager may approve it.",
                    variance=invoice.variance_total, threshold=threshold))

    def _set_outcome(self, values):
        """Write what the audit or a decision concluded (state, amounts, bill)."""
        return self._with_guarded_rights().write(values)

    # ---- intake -------------------------------------------------------------------------

    @api.model
    def _stage(self, invoices, company, carrier=None, message=None):
        """Create staged invoices from canonical dicts; returns ``(invoices, errors)``.

        The carrier is the one given (a carrier's endpoint, a clerk's upload) or found by
        SCAC; an invoice already received (same carrier and external id) is skipped, so a
        replay stages nothing twice.
        """
        if not invoices:
            return self.browse(), []
        carriers = self._carriers_by_scac({inv.get("scac") for inv in invoices} - {None},
                                          company)
        currencies = {c.name: c for c in self.env["res.currency"].with_context(
            active_test=False).search([("name", "in", list({i["currency"] for i in invoices}))])}
        errors, rows = [], []
        for invoice in invoices:
            invoice_carrier = carrier or carriers.get(invoice.get("scac"))
            label = invoice["number"]
            if not invoice_carrier:
                errors.append(_("invoice %(n)s: no carrier with SCAC %(s)s", n=label,
                                s=invoice.get("scac")))
                continue
            if scac_mismatch(invoice.get("scac"), carrier and carrier.freight_scac):
                # a carrier's endpoint bills for that carrier only, never under its name for
                # another (nor audited against the wrong contract)
                errors.append(_("invoice %(n)s: SCAC %(s)s is not %(c)s's (%(own)s)", n=label,
                                s=invoice["scac"], c=carrier.name, own=carrier.freight_scac))
                continue
            currency = currencies.get(invoice["currency"])
            if not currency:
                errors.append(_("invoice %(n)s: unknown currency %(c)s", n=label,
                                c=invoice["currency"]))
                continue
            rows.append((invoice_carrier, currency, invoice))
        existing = self._existing_identities(rows, company)
        values, resent = {}, []
        for invoice_carrier, currency, invoice in rows:
            key = (invoice_carrier.id, self._identity_of(invoice))
            if key in existing or key in values:
                resent.append((key, invoice))
                continue
            values[key] = self._invoice_values(invoice_carrier, currency, invoice, company,
                                               message)
        staged = self._create_staged(list(values.values()))
        existing.update(zip(values, staged))
        self.env["freight.invoice.chain"]._link(staged)
        self.env["freight.invoice.chain"]._note_resent(
            [(existing[key], invoice) for key, invoice in resent], message)
        return staged.with_env(self.env), errors

    def _carriers_by_scac(self, scacs, company):
        if not scacs:
            return {}
        partners = self.env["res.partner"].search(
            [("freight_scac", "in", list(scacs)), ("is_freight_carrier", "=", True),
             ("company_id", "in", [company.id, False])])
        return {partner.freight_scac: partner for partner in partners}

    @staticmethod
    def _identity_of(invoice):
        return identity(invoice["number"], invoice.get("correction"), invoice["date"],
                        invoice["total"])

    def _create_staged(self, values):
        """Create the invoices; one that another transaction staged meanwhile (the same
        invoice through another channel) makes this transaction retry, when it will see it
        and note the resend, instead of failing on the unique identity."""
        try:
            with self.env.cr.savepoint():
                return self._with_guarded_rights().create(values)
        except UniqueViolation as error:
            if "identity_unique" not in str(error):
                raise
            self._raise_serialization_failure(values)
        return self.browse()

    def _raise_serialization_failure(self, values):
        # In REPEATABLE READ, ON CONFLICT DO NOTHING on a row this snapshot cannot see is
        # PostgreSQL's own serialization failure: the error Odoo's request, RPC and test
        # helpers retry (``odoo.service.model.retrying``), a plain unique violation is not.
        # In a savepoint: should the other transaction have rolled back, the probe's row goes.
        with self.env.cr.savepoint(flush=False):
            self._probe_identities(values)
            raise UserError(_("This carrier invoice was being received by another worker: "
                              "send it again."))

    def _probe_identities(self, values):
        self.env.cr.execute(SQL(
            """INSERT INTO freight_invoice (company_id, carrier_id, identity_key, name,
                                            currency_id, date, correction, state)
               SELECT company_id, carrier_id, identity_key, 'race', currency_id, date,
                      'original', 'received'
                 FROM (VALUES %s) AS v(company_id, carrier_id, identity_key, currency_id, date)
               ON CONFLICT (company_id, carrier_id, identity_key) DO NOTHING""",
            SQL(", ").join(SQL("(%s, %s, %s, %s, %s::date)", v["company_id"], v["carrier_id"],
                               v["identity_key"], v["currency_id"], v["date"])
                           for v in values)))

    def _existing_identities(self, rows, company):
        """{(carrier id, identity): invoice} of the invoices already received."""
        if not rows:
            return {}
        found = self.sudo().search([
            ("company_id", "=", company.id),
            ("carrier_id", "in", list({carrier.id for carrier, _c, _i in rows})),
            ("identity_key", "in", [self._identity_of(invoice) for _c, _cur, invoice in rows]),
        ])
        return {(invoice.carrier_id.id, invoice.identity_key): invoice.with_env(self.env)
                for invoice in found}

    def _invoice_values(self, carrier, currency, invoice, company, message):
        correction = invoice.get("correction") or "original"
        return {
            "name": invoice["number"],
            "carrier_id": carrier.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "date": invoice["date"],
            "amount_total": invoice["total"],
            "correction": correction if correction in CORRECTION_CODES else "other",
            "correction_code": correction if correction not in CORRECTION_CODES else False,
            "corrects": invoice.get("corrects"),
            "external_id": invoice["external_id"],
            "number_key": number_key(invoice["number"]),
            "identity_key": self._identity_of(invoice),
            "message_id": message.id if message else False,
            "line_ids": [(0, 0, self._line_values(line)) for line in invoice["lines"]],
        }

    @staticmethod
    def _line_values(line):
        values = {
            "line_no": line.get("line_no"),
            "charge_code": (line.get("charge_code") or "400").upper(),
            # a weight the carrier sent without a unit is kept in words for the clerk,
            # never stored as kg (X12 210: services/x12_invoice.py line_weight)
            "description": "; ".join(filter(None, [line.get("description"),
                                                   line.get("weight_problem")])) or False,
            "quantity": line.get("quantity") or 1.0,
            "rate": line.get("rate") or 0.0,
            "amount": line["amount"],
            "billed_weight_kg": line.get("billed_weight_kg") or 0.0,
            "billed_class": line.get("billed_class") or False,
            "billed_dimensions": line.get("dimensions") or False,
            "inspection_certificate": line.get("inspection_certificate") or False,
        }
        # stored as the matcher compares them, so the audit need not normalize again
        for key, value in match_keys(line.get("references") or {}).items():
            values[INVOICE_LINE_FIELDS[key]] = value
        return values

    # ---- audit --------------------------------------------------------------------------

    def _audit(self):
        """Audit received invoices in batches: load, match, persist, then approve or
        open cases. A fixed number of queries per batch, whatever its size."""
        todo = self.filtered(lambda i: i.state == "received").sorted(lambda i: (i.date, i.id))
        # the audit summary and the cases tell the story: no chatter line per state change
        quiet = {"tracking_disable": True, "mail_create_nolog": True,
                 "mail_create_nosubscribe": True}
        for company, invoices in todo.grouped("company_id").items():
            for ids in split_every(AUDIT_BATCH, invoices.ids):
                batch = self.browse(ids).with_company(company).with_context(**quiet)
                with paused_gc():
                    batch.env["freight.invoice.audit"]._run(batch, company)
                # keep memory and lookups proportional to one batch, not to the whole run
                self.env.flush_all()
                self.env.invalidate_all()

    def _reaudit(self, note):
        """Close the cases of the last audit (the new one opens what still stands), then
        audit as received; a clean invoice is then approved as any other."""
        held = self.filtered(lambda i: i.state in REAUDITABLE)
        held._move_cases(self.env.ref("freight_sync.exception_stage_resolved"), note)
        held._set_outcome({"state": "received", "approved_by_rule": False})
        for invoice in held:
            invoice.message_post(body=note)
        self.filtered(lambda i: i.state == "received")._audit()

    # ---- workflow -----------------------------------------------------------------------

    def _approve(self, note):
        self._set_outcome({"state": "approved"})
        for invoice in self:
            invoice.message_post(body=note)
        self._post_bills()

    def _dispute(self, reason_code, note):
        """Hold payment: the invoice waits on the carrier with its cases."""
        self._check_decision("dispute")
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
        self._set_outcome({"state": "disputed", "dispute_reason": reason_code})
        self.env["freight.dispute"]._start(self)
        self.message_post(body=text)

    def _move_cases(self, stage, reason):
        open_cases = self.exception_ids.filtered(lambda c: not c.is_closed)
        # the reason is posted on each case below
        open_cases.with_context(freight_case_note=True).write({"stage_id": stage.id})
        for case in open_cases:
            case.message_post(body=reason)

    def _post_bills(self, use_expected=False, amount=None):
        """Vendor bills for approved invoices, once: concurrent callers wait on the row lock
        and, retried, find the bill made; a unique index backs this up. ``use_expected``
        short-pays one invoice: the bill is for ``amount`` (by default the expected total
        of its priced lines), spread over the lines by ``spread_payment``."""
        approved = self.filtered(lambda i: i.state == "approved" and not i.move_id)
        if not approved:
            return self.env["account.move"]
        if use_expected:
            amount = approved._check_short_pay(amount)
        self.env.cr.execute(
            "SELECT id FROM freight_invoice WHERE id = ANY(%s) AND move_id IS NULL FOR UPDATE",
            [approved.ids])
        todo = self.browse([row[0] for row in self.env.cr.fetchall()])
        moves = self.env["account.move"]
        todo._set_approved_amounts(amount if use_expected else None)
        self.env["freight.invoice.chain"]._absorb_credits(todo)
        for company, invoices in todo.grouped("company_id").items():
            moves |= invoices._create_bills(company, use_expected)
        # a rebill, correction or credit note approved settles the dispute it answers
        self.env["freight.dispute"]._on_approved(todo)
        return moves

    def _check_short_pay(self, amount=None):
        """The amount a short-pay of this invoice pays (by default the expected total of
        its priced lines); refused when it is not more than 0.00 or above the billed."""
        self.ensure_one()
        amount = self.expected_total if amount is None else amount
        problem = short_pay_problem(amount, self.amount_total)
        if problem:
            raise UserError(_("%(name)s cannot be short-paid: %(problem)s.",
                              name=self.display_name, problem=problem))
        # paying more than expected is an override of that much: the same threshold
        above = amount - self.expected_total
        threshold = self.company_id.freight_override_threshold
        if above > threshold and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_(
                "A short-pay of %(amount).2f pays %(above).2f more than expected, above the "
                "override threshold of %(threshold).2f: only a Freight Manager may pay it.",
                amount=amount, above=above, threshold=threshold))
        return amount

    def _set_approved_amounts(self, short_pay):
        """What each line's bill pays: as billed, or (``short_pay``, one invoice) that
        amount spread over the lines; the cumulative cap and the accruals count these."""
        if short_pay is None:
            self.env["freight.invoice.line"].flush_model(["amount"])
            self.flush_model(["amount_total"])
            # one statement for a bulk approval, not one write per line
            self.env.cr.execute(SQL(
                "UPDATE freight_invoice_line SET approved_amount = amount "
                "WHERE invoice_id = ANY(%s)", self.ids))
            self.env.cr.execute(SQL(
                "UPDATE freight_invoice SET amount_approved = amount_total WHERE id = ANY(%s)",
                self.ids))
            self.env["freight.invoice.line"].invalidate_model(["approved_amount"])
            self.invalidate_model(["amount_approved"])
            return
        lines = self.line_ids
        paid = spread_payment([(line.amount, None if line.decision in UNPRICED
                                else line.expected) for line in lines], short_pay)
        for line, amount in zip(lines, paid):
            line._with_guarded_rights().approved_amount = amount
        self._set_outcome({"amount_approved": sum(paid)})

    def _create_bills(self, company, use_expected):
        # the decision was checked; the bill is the application's, whatever the clerk's
        # accounting rights
        Move = self.env["account.move"].with_company(company).sudo()
        journal = company.freight_purchase_journal_id or Move.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
        if not journal:
            raise UserError(_("%s has no purchase journal for freight bills.", company.name))
        # one read of the company-dependent accounts for the whole batch
        charges = self.line_ids.charge_code_id.with_company(company)
        accounts = {charge: charge.expense_account_id for charge in charges}
        values, billed, settled = [], self.browse(), self.browse()
        for invoice in self:
            kind, amounts = bill_kind(invoice._amounts_to_bill())
            if kind:
                values.append(invoice._bill_values(company, journal, accounts, kind, amounts))
                billed |= invoice
            else:
                settled |= invoice
        # Created without chatter: no "Vendor Bill created" note nor followers (the carrier
        # invoice says where the bill came from), and none of the journal items' change
        # tracking, which only logs on bills posted before and, on each of the ~25 line
        # writes of a new bill, asked for the description of every field of the line:
        # a third of the posting time. Posting (below) is tracked on the bill as usual.
        moves = Move.with_context(tracking_disable=True).create(values).with_env(Move.env)
        if moves:
            # one statement, not one UPDATE per invoice
            self.flush_model(["move_id"])
            self.env.cr.execute(SQL(
                "UPDATE freight_invoice AS i SET move_id = v.move_id"
                " FROM unnest(%s::int[], %s::int[]) AS v(id, move_id) WHERE i.id = v.id",
                billed.ids, moves.ids))
            billed.invalidate_recordset(["move_id"])
        state = {"state": "posted" if company.freight_auto_post else "approved"}
        self._set_outcome({**state, "billed_on_expected": True} if use_expected else state)
        # nothing more to pay: the invoice it replaces paid exactly this
        settled._set_outcome({"state": "posted"})
        self.env["freight.invoice.chain"]._refresh_billed(settled)
        for invoice in settled:
            invoice.message_post(body=_(
                "Nothing to refund: %s was short-paid or rejected by as much already.",
                invoice.corrects_id.display_name) if invoice.correction not in REPLACES else _(
                "Nothing more to pay: %s, which this invoice replaces, already paid the "
                "same amounts.", invoice.corrects_id.display_name))
        if company.freight_auto_post:
            moves._freight_post()
        return moves

    def _amounts_to_bill(self):
        """What the vendor bill pays per charge: what was approved to pay; for a CO/RB,
        less what the paid bills of the invoice it replaces already paid (the unpaid ones
        are cancelled or credited first)."""
        amounts = defaultdict(float)
        for line in self.line_ids:
            amounts[line.charge_code_id or line.charge_code] += line.approved_amount
        if self.correction in REPLACES and self.corrects_id:
            return self.env["freight.invoice.chain"]._replace(self, dict(amounts))
        return amounts

    def _bill_values(self, company, journal, accounts, move_type, amounts):
        """One line per charge code, on the charge code's expense account, for ``amounts``
        (what was approved to pay, see ``_amounts_to_bill``)."""
        default_account = company.freight_expense_account_id or journal.default_account_id
        bill_lines = []
        for charge, amount in amounts.items():
            is_record = isinstance(charge, models.BaseModel)
            account = accounts.get(charge) if is_record else None
            if not (account or default_account):
                raise UserError(_("No expense account for charge %s: set one on the charge "
                                  "code or in the Freight settings.", charge.display_name
                                  if is_record else charge))
            bill_lines.append(Command.create({
                "name": charge.display_name if is_record else charge,
                "account_id": (account or default_account).id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            }))
        return {
            "move_type": move_type,
            "partner_id": self.carrier_id.id,
            "ref": self.name,
            "invoice_date": self.date,
            "date": max(self.date, fields.Date.context_today(self)),
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "company_id": company.id,
            "freight_invoice_id": self.id,
            "invoice_line_ids": bill_lines,
        }


# references with a trigram index of their filled rows (FreightInvoiceLine.init)
PARTIAL_TRIGRAM = ("bol_number", "load_ref", "shipment_ref", "reference")


class FreightInvoiceLine(models.Model):
    _name = "freight.invoice.line"
    _inherit = ["freight.guarded.mixin"]
    _description = "Carrier Invoice Line"
    _order = "invoice_id, line_no, id"
    _freight_guarded_fields = LINE_GUARDED

    # ---- fields -------------------------------------------------------------------------

    invoice_id = fields.Many2one("freight.invoice", required=True, ondelete="cascade",
                                 index=True)
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, precompute=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    line_no = fields.Integer()
    shipment_id = fields.Many2one("freight.shipment", index="btree_not_null", readonly=True)
    pro_number = fields.Char(string="PRO", index="trigram")
    # trigram indexes of their filled rows only (init): most lines carry a PRO alone
    bol_number = fields.Char(string="BOL")
    load_ref = fields.Char(string="Load")
    shipment_ref = fields.Char(string="Shipment Ref.")
    carrier_ref = fields.Char()
    reference = fields.Char(
        string="Shipment Identification",
        help="A shipment reference the carrier sent without saying which kind (X12 B303, "
             "JSON or CSV 'reference'): tried as PRO, load, BOL and carrier reference, in "
             "that order, among the carrier's shipments.")
    charge_code = fields.Char(string="Billed Code", required=True)
    charge_code_id = fields.Many2one("freight.charge.code", compute="_compute_charge_code_id",
                                     store=True, precompute=True)
    description = fields.Char()
    quantity = fields.Float(default=1.0)
    rate = fields.Float()
    amount = fields.Monetary(string="Billed", currency_field="currency_id")
    billed_weight_kg = fields.Float(string="Billed Weight (kg)")
    billed_class = fields.Selection(
        CLASS_SELECTION,
        help="The NMFC class the carrier rated: a reclassification when not the shipment's.")
    billed_dimensions = fields.Char(
        help="Dimensions the carrier measured: its billed weight is then a dimensional weight.")
    inspection_certificate = fields.Char(
        help="The carrier's weight and inspection certificate for a reweigh, reclass or DIM "
             "rebill of this line.")
    tariff_revision = fields.Char(
        readonly=True, help="The LTL base tariff revision the last audit rated this line with.")
    expected = fields.Monetary(currency_field="currency_id", readonly=True,
                               help="Empty when the line could not be priced: unknown.")
    variance = fields.Monetary(currency_field="currency_id", readonly=True)
    allowance = fields.Monetary(string="Tolerance", currency_field="currency_id", readonly=True)
    tolerance_layer = fields.Char(readonly=True)
    decision = fields.Selection(DECISIONS, readonly=True)
    trace = fields.Text(readonly=True, help="How the expected amount and the decision came.")
    approved_amount = fields.Monetary(
        string="Approved to Pay", currency_field="currency_id", readonly=True, copy=False,
        help="What the vendor bill pays for this line: as billed, or its share of a "
             "short-pay.")

    def init(self):
        result = super().init()
        # The audit rewrites every line it prices, and a rewritten row gets a new entry in
        # each index of the table: in a trigram index that is an entry even for an empty
        # reference. Measured at 100,000 lines, the four references a line rarely carries
        # cost the audit's line UPDATE about 0.5 s that way. Indexed where filled, a search
        # (``ILIKE`` implies a value) still starts from them. Without pg_trgm, Odoo makes
        # no trigram index either.
        for name in PARTIAL_TRIGRAM if self.pool.has_trigram else ():
            self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s",
                                    SQL.identifier(f"{self._table}__{name}_index")))
            create_index(self.env.cr, f"{self._table}__{name}_filled_index", self._table,
                         [f'"{name}" gin_trgm_ops'], method="gin", where=f'"{name}" IS NOT NULL')
        return result

    # ---- compute ------------------------------------------------------------------------

    @api.depends("charge_code")
    def _compute_charge_code_id(self):
        codes = {c.code: c for c in self.env["freight.charge.code"].search(
            [("code", "in", list({line.charge_code for line in self if line.charge_code}))])}
        for line in self:
            line.charge_code_id = codes.get((line.charge_code or "").upper(), False)

    # ---- CRUD ---------------------------------------------------------------------------

    def _freight_guarded_message(self, labels):
        return _("%s: a carrier invoice line is kept as the carrier sent it and as the audit "
                 "priced it; nobody edits these.", ", ".join(labels))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_by_the_application(self):
        # a line goes with its invoice: removing one would change what the bill pays
        if not self._has_guarded_rights():
            raise UserError(_("A carrier invoice line is deleted only with its invoice."))

    # ---- business methods ---------------------------------------------------------------

    def _references(self):
        """The shipment references this line was billed with, by reference key."""
        return {key: self[field_name] for key, field_name in INVOICE_LINE_FIELDS.items()
                if self[field_name]}
