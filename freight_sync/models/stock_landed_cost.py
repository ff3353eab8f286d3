from collections import defaultdict

from odoo import Command, _, api, fields, models


class StockLandedCost(models.Model):
    _inherit = "stock.landed.cost"

    # ---- fields ----
    freight_shipment_id = fields.Many2one(
        "freight.shipment", string="Shipment", readonly=True, copy=False,
        index="btree_not_null")

    # ---- business methods ----
    @api.model
    def _freight_from_bills(self, shipments, bills):
        """Capitalize each posted carrier bill's share of the inbound ``shipments`` into
        the goods they brought in (validated landed costs, one per shipment and bill)."""
        inbound = shipments.filtered(lambda s: s.direction == "inbound")
        for bill in bills if inbound else []:
            self._freight_from_bill(inbound, bill)

    @api.model
    def _freight_from_bill(self, shipments, bill):
        invoice = bill.freight_invoice_id
        approved = sum(invoice.line_ids.mapped("approved_amount"))
        if bill.move_type != "in_invoice" or not approved:
            return  # a credit note of a correction takes nothing out of stock here
        # a correction's bill may pay only the difference with a paid bill it replaces:
        # each shipment gets its share of what this bill pays
        share = bill.amount_untaxed / approved
        amounts = defaultdict(float)
        for line in invoice.line_ids.filtered(lambda ln: ln.shipment_id in shipments):
            amounts[line.shipment_id] += invoice.currency_id._convert(
                line.approved_amount * share, bill.company_id.currency_id, bill.company_id,
                invoice.date)
        for shipment, amount in amounts.items():
            company = shipment.company_id
            receipts = shipment.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "incoming")
            product = company.freight_landed_cost_product_id
            if not (receipts and product) or company.currency_id.is_zero(amount):
                shipment.billing_note = _("No landed cost: set the inbound freight product in "
                                          "the Freight settings.") if not product else False
                continue
            # credit what the bill debited: the freight moves from expense into stock
            account = (bill.invoice_line_ids[:1].account_id
                       or company.freight_expense_account_id)
            cost = self.with_company(company).create({
                "picking_ids": [Command.set(receipts.ids)],
                "vendor_bill_id": bill.id,
                "freight_shipment_id": shipment.id,
                "date": bill.date,
                "cost_lines": [Command.create({
                    "product_id": product.id,
                    "name": _("Freight %(shipment)s (%(bill)s)", shipment=shipment.name,
                              bill=bill.name),
                    "price_unit": amount,
                    "split_method": company.freight_landed_cost_split,
                    "account_id": account.id,
                })],
            })
            cost.compute_landed_cost()
            cost.button_validate()
