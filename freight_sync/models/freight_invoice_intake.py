from odoo import _, api, models

from ..services.references import normalize_reference

REFERENCE_FIELDS = {"pro_number": "pro_number", "bol_number": "bol_number",
                    "load_ref": "load_ref", "name": "shipment_ref", "carrier_ref": "carrier_ref"}
CORRECTION_CODES = {"original", "CO", "BD", "RB", "CA", "AD"}


class FreightInvoice(models.Model):
    _inherit = "freight.invoice"

    @api.model
    def _stage(self, invoices, company, carrier=None, message=None):
        """Create staged invoices from canonical dicts; returns ``(invoices, errors)``.

        The carrier is the one given (a carrier's endpoint, a clerk's upload) or found by
        SCAC; an invoice already received (same carrier and external id) is skipped, so a
        replay stages nothing twice.
        """
        if not invoices:
            return self.browse(), []
        carriers = self._carriers_by_scac({inv.get("scac") for inv in invoices} - {None})
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
            currency = currencies.get(invoice["currency"])
            if not currency:
                errors.append(_("invoice %(n)s: unknown currency %(c)s", n=label,
                                c=invoice["currency"]))
                continue
            rows.append((invoice_carrier, currency, invoice))
        existing = self._existing_keys(rows)
        values = []
        for invoice_carrier, currency, invoice in rows:
            key = (invoice_carrier.id, invoice["external_id"])
            if key in existing:
                continue
            existing.add(key)
            values.append(self._invoice_values(invoice_carrier, currency, invoice, company,
                                               message))
        return self.create(values), errors

    def _carriers_by_scac(self, scacs):
        if not scacs:
            return {}
        partners = self.env["res.partner"].search(
            [("freight_scac", "in", list(scacs)), ("is_freight_carrier", "=", True)])
        return {partner.freight_scac: partner for partner in partners}

    def _existing_keys(self, rows):
        if not rows:
            return set()
        found = self.sudo().search_fetch([
            ("carrier_id", "in", list({carrier.id for carrier, _c, _i in rows})),
            ("external_id", "in", [invoice["external_id"] for _c, _cur, invoice in rows]),
        ], ["carrier_id", "external_id"])
        return {(invoice.carrier_id.id, invoice.external_id) for invoice in found}

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
            "corrects": invoice.get("corrects"),
            "external_id": invoice["external_id"],
            "message_id": message.id if message else False,
            "line_ids": [(0, 0, self._line_values(line)) for line in invoice["lines"]],
        }

    @staticmethod
    def _line_values(line):
        values = {
            "line_no": line.get("line_no"),
            "charge_code": (line.get("charge_code") or "400").upper(),
            "description": line.get("description"),
            "quantity": line.get("quantity") or 1.0,
            "rate": line.get("rate") or 0.0,
            "amount": line["amount"],
            "billed_weight_kg": line.get("billed_weight_kg") or 0.0,
        }
        for key, field_name in REFERENCE_FIELDS.items():
            value = (line.get("references") or {}).get(key)
            if value:
                values[field_name] = value if key == "name" else normalize_reference(value)
        return values
