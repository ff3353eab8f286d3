# One file per concern (inbound events, accruals, billing) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict

from odoo import Command, _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..services.accrual import pass_through_lines

BILLING_STATES = [("none", "Not invoiced"), ("invoiced", "Invoiced"), ("manual", "Manual")]


class FreightShipment(models.Model):
    _inherit = "freight.shipment"

    billing_state = fields.Selection(BILLING_STATES, default="none", required=True,
                                     readonly=True, copy=False, tracking=True)
    billing_note = fields.Char(readonly=True, copy=False)
    landed_cost_ids = fields.One2many("stock.landed.cost", "freight_shipment_id",
                                      string="Landed Costs", groups="stock.group_stock_manager")

    def _freight_on_milestones(self, milestones):
        result = super()._freight_on_milestones(milestones)
        due = self.browse()
        for milestone in milestones:
            shipment = milestone.shipment_id
            if (milestone.code == shipment.company_id.freight_customer_billing
                    and shipment.billing_state == "none"
                    and shipment.direction == "outbound" and shipment.sale_order_ids):
                due |= shipment
        due._freight_invoice_customers()
        return result

    # ------------------------------------------------------------------ customers
    def _freight_invoice_customers(self):
        """Invoice the delivered quantities of each shipment's sale orders, with its
        approved pass-through accessorials (plus markup) as extra lines; once."""
        expected = self._freight_expected()
        charges = {c.code: c for c in self.env["freight.charge.code"].search(
            [("pass_through", "=", True)])}
        for shipment in self:
            invoices = shipment._freight_sale_invoices()
            cost = expected[shipment.id]
            amounts = shipment._freight_in_company_currency(cost, fields.Datetime.now())
            extra = pass_through_lines(
                amounts, {code: c.markup_percent for code, c in charges.items()})
            if extra:
                invoices |= shipment._freight_add_pass_through(invoices[:1], extra, charges)
            if not invoices:
                shipment.billing_note = shipment.billing_note or _(
                    "Nothing to invoice: the delivered quantities are already invoiced and "
                    "nothing is rebilled.")
                continue
            invoices.write({"freight_shipment_id": shipment.id,
                            "freight_move_role": "customer_invoice"})
            if shipment.company_id.freight_customer_invoice_post:
                invoices.filtered(lambda m: m.state == "draft").action_post()
            shipment.write({"billing_state": "invoiced", "billing_note": False})

    def _freight_sale_invoices(self):
        """One customer invoice per confirmed sale order for what was delivered and not yet
        invoiced, whatever the products' invoicing policy: an "ordered quantities" product
        would otherwise bill the whole order when only part of it travelled."""
        values = []
        for order in self.sale_order_ids.filtered(lambda o: o.state == "sale"):
            todo = [(line, line.qty_delivered - line.qty_invoiced) for line in order.order_line
                    if not line.display_type and not line.is_downpayment]
            todo = [(line, qty) for line, qty in todo
                    if float_compare(qty, 0.0, precision_rounding=line.product_uom.rounding) > 0]
            if todo:
                invoice = order.with_company(self.company_id)._prepare_invoice()
                invoice["invoice_line_ids"] = [
                    Command.create(line._prepare_invoice_line(quantity=qty)) for line, qty in todo]
                values.append(invoice)
        if not values:
            return self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                return self.env["account.move"].with_company(self.company_id).create(values)
        except UserError as error:  # e.g. no sales journal: say so, bill nothing by halves
            self.billing_note = str(error.args[0])[:250]
            return self.env["account.move"]

    def _freight_add_pass_through(self, invoice, extra, charges):
        product = self.company_id.freight_pass_through_product_id
        lines = [Command.create({
            "product_id": product.id or False,
            "name": _("%(charge)s (%(shipment)s)", charge=charges[code].name,
                      shipment=self.name),
            "quantity": 1.0,
            "price_unit": amount,
            "tax_ids": [Command.set(product.taxes_id.ids)] if product else [],
        }) for code, amount in extra.items()]
        if invoice:
            invoice.write({"invoice_line_ids": lines})
            return invoice
        order = self.sale_order_ids[:1]
        return self.env["account.move"].with_company(self.company_id).create({
            "move_type": "out_invoice",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": self.company_id.currency_id.id,
            "invoice_origin": order.name,
            "ref": _("Rebilled freight charges of %s", self.name),
            "invoice_line_ids": lines,
        })

    # ------------------------------------------------------------------ landed costs
    def _freight_on_bills_posted(self, bills):
        result = super()._freight_on_bills_posted(bills)
        inbound = self.filtered(lambda s: s.direction == "inbound")
        for bill in bills if inbound else []:
            inbound._freight_landed_costs(bill)
        return result

    def _freight_landed_costs(self, bill):
        """Capitalize this bill's share of each inbound shipment into the received goods."""
        invoice = bill.freight_invoice_id
        amounts = defaultdict(float)
        for line in invoice.line_ids.filtered(lambda ln: ln.shipment_id in self):
            amount = line.expected if invoice.billed_on_expected else line.amount
            amounts[line.shipment_id] += invoice.currency_id._convert(
                amount, bill.company_id.currency_id, bill.company_id, invoice.date)
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
            cost = self.env["stock.landed.cost"].with_company(company).create({
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
