from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..services.accrual import pass_through_lines


class FreightCustomerBilling(models.AbstractModel):
    """Customer invoices of outbound shipments: at the company's billing milestone, the
    delivered quantities of the shipment's sale orders are invoiced, with its approved
    pass-through accessorials (plus markup) as extra lines; once per shipment.

    Every method takes the shipments it bills; it works in the environment it is called
    from, which the shipment chooses (see its `reactions`).
    """

    _name = "freight.customer.billing"
    _description = "Freight Customer Billing"

    # ---- reactions ----
    @api.model
    def _on_milestones(self, shipments, milestones):
        due = shipments.browse()
        for milestone in milestones:
            shipment = milestone.shipment_id
            if (milestone.code == shipment.company_id.freight_customer_billing
                    and shipment.billing_state == "none"
                    and shipment.direction == "outbound" and shipment.sale_order_ids):
                due |= shipment
        if due:
            self._invoice(due)

    # ---- invoices ----
    @api.model
    def _invoice(self, shipments):
        """Invoice the delivered quantities of each shipment's sale orders, with its
        approved pass-through accessorials (plus markup) as extra lines; once."""
        booking = self.env["freight.accrual.booking"]
        expected = booking._expected(shipments)
        charges = {c.code: c for c in self.env["freight.charge.code"].search(
            [("pass_through", "=", True)])}
        for shipment in shipments:
            invoices = self._sale_invoices(shipment)
            cost = expected[shipment.id]
            amounts = booking._in_company_currency(shipment, cost, fields.Datetime.now())
            extra = pass_through_lines(
                amounts, {code: c.markup_percent for code, c in charges.items()})
            if extra:
                invoices |= self._add_pass_through(shipment, invoices[:1], extra, charges)
            if not invoices:
                shipment.billing_note = shipment.billing_note or _(
                    "Nothing to invoice: the delivered quantities are already invoiced and "
                    "nothing is rebilled.")
                continue
            invoices.write({"freight_shipment_id": shipment.id,
                            "freight_move_role": "customer_invoice"})
            if shipment.company_id.freight_customer_invoice_post:
                # a number drawn twice by a concurrent posting is a collision, retried
                invoices.filtered(lambda m: m.state == "draft")._freight_post()
            shipment.write({"billing_state": "invoiced", "billing_note": False})

    @api.model
    def _sale_invoices(self, shipment):
        """One customer invoice per confirmed sale order for what was delivered and not yet
        invoiced, whatever the products' invoicing policy: an "ordered quantities" product
        would otherwise bill the whole order when only part of it travelled."""
        values = []
        for order in shipment.sale_order_ids.filtered(lambda o: o.state == "sale"):
            todo = [(line, line.qty_delivered - line.qty_invoiced) for line in order.order_line
                    if not line.display_type and not line.is_downpayment]
            todo = [(line, qty) for line, qty in todo
                    if float_compare(qty, 0.0, precision_rounding=line.product_uom.rounding) > 0]
            if todo:
                invoice = order.with_company(shipment.company_id)._prepare_invoice()
                invoice["invoice_line_ids"] = [
                    Command.create(line._prepare_invoice_line(quantity=qty)) for line, qty in todo]
                values.append(invoice)
        Move = self.env["account.move"]
        if not values:
            return Move
        try:
            with self.env.cr.savepoint():
                return Move.with_company(shipment.company_id).create(values)
        except UserError as error:  # e.g. no sales journal: say so, bill nothing by halves
            shipment.billing_note = str(error.args[0])[:250]
            return Move

    @api.model
    def _add_pass_through(self, shipment, invoice, extra, charges):
        product = shipment.company_id.freight_pass_through_product_id
        lines = [Command.create({
            "product_id": product.id or False,
            "name": _("%(charge)s (%(shipment)s)", charge=charges[code].name,
                      shipment=shipment.name),
            "quantity": 1.0,
            "price_unit": amount,
            "tax_ids": [Command.set(product.taxes_id.ids)] if product else [],
        }) for code, amount in extra.items()]
        if invoice:
            invoice.write({"invoice_line_ids": lines})
            return invoice
        order = shipment.sale_order_ids[:1]
        return self.env["account.move"].with_company(shipment.company_id).create({
            "move_type": "out_invoice",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": shipment.company_id.currency_id.id,
            "invoice_origin": order.name,
            "ref": _("Rebilled freight charges of %s", shipment.name),
            "invoice_line_ids": lines,
        })
