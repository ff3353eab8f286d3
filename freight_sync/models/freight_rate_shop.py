"""Rate shopping and carrier scorecards: the ORM side of services/rate_shop.py and
services/scorecard.py. No table. Set-based: a fixed number of queries whatever the number
of carriers and contracts.

Who: dispatchers (Freight / User) and managers, who imply it. A billing clerk reads
shipments but does not choose carriers: refused, as is anybody else. The shipment must be
one the caller may read (its company's record rule); contracts, fuel bands and tariffs are
read as the system but only the shipment company's (a dispatcher may not read fuel bands).
The scorecard counts invoices and cases in SQL filtered on the caller's companies, as the
dashboard does: a dispatcher sees the figures, not the invoices.
"""

from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services import tender_flow
from ..services.rate_shop import (
    DEFAULT_MONTHS,
    SCORECARD_WEIGHTS,
    SORTS,
    W_COST,
    W_TRANSIT,
    shop,
)
from ..services.scorecard import (
    FIGURES,
    TENDER_CODES,
    TENDER_OUTCOMES,
    Card,
    DeliveryRow,
    InvoiceRow,
    TenderRow,
    months_back,
    scorecards,
    scorecards_as_dict,
)

DISPATCHER_GROUP = "freight_sync.group_freight_user"
HAS_BILLING_CASE = ("EXISTS (SELECT 1 FROM freight_exception e WHERE e.invoice_id = i.id "
                    "AND e.category = 'billing')")
# the statuses in which the carrier may still be changed: nothing accepted yet
CHOOSABLE_STATUSES = ("draft", "tendered", "rejected")


def _month_start(month):
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def _next_month(month):
    start = _month_start(month)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


class FreightRateShop(models.AbstractModel):
    _name = "freight.rate.shop"
    _description = "Freight Rate Shopping"

    @api.model
    def _check_dispatcher(self):
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(_("Only dispatchers and freight managers may rate-shop "
                                "shipments or read carrier scorecards."))

    @api.model
    def _shop(self, shipment, sort="best_value"):
        """Every carrier's quote for ``shipment`` ranked by ``sort``, and the carriers with
        a contract in the shipment's company but no quote, with the reason."""
        self._check_dispatcher()
        if sort not in SORTS:
            raise UserError(_("Sort by one of: %s", ", ".join(SORTS)))
        shipment = shipment.with_env(self.env)
        shipment.ensure_one()
        shipment.check_access_rights("read")
        shipment.check_access_rule("read")
        company = shipment.company_id
        on_date = self._shop_date(shipment)
        Contract = self.env["freight.rate.contract"].sudo()
        # carriers with a contract in the company, valid or not: the expired say why
        carrier_ids = [carrier.id for [carrier] in Contract._read_group(
            [("company_id", "=", company.id)], ["carrier_id"])]
        valid = Contract.search([
            ("company_id", "=", company.id), ("date_start", "<=", on_date),
            "|", ("date_end", "=", False), ("date_end", ">=", on_date)])
        terms = list(valid._as_terms_batch())
        fx = self._to_company_rates({t.currency for t in terms}, company, on_date)
        codes = self.env["freight.charge.code"]._codes_by_kind()
        cards = self.env["freight.carrier.scorecard"]._percents(carrier_ids, company)
        quotes, excluded = shop(shipment._audit_facts()[0], terms, carrier_ids, on_date,
                                codes, fx, cards, sort)
        names = {partner.id: partner.display_name for partner in
                 self.env["res.partner"].sudo().browse(carrier_ids)}
        answer_quotes = [dict(q.as_dict(), carrier_name=names.get(q.carrier_id)) for q in quotes]
        return {
            "shipment_id": shipment.id, "sort": sort, "date": fields.Date.to_string(on_date),
            "currency": company.currency_id.name,
            # which amounts of a quote are the linehaul and the fuel (the rest: accessorials)
            "codes": codes,
            "current_carrier_id": shipment.carrier_id.id or None,
            "suggested_carrier_id": quotes[0].carrier_id if quotes else None,
            "quotes": answer_quotes,
            "excluded": [dict(e.as_dict(), carrier_name=names.get(e.carrier_id))
                         for e in excluded],
            "weights": {"cost": W_COST, "transit": W_TRANSIT,
                        **{key: weight for key, _label, weight in SCORECARD_WEIGHTS}},
        }

    @api.model
    def _shop_date(self, shipment):
        """The day the carrier would move it: the planned pickup (the user's day), else
        today."""
        if shipment.planned_pickup_date:
            return fields.Datetime.context_timestamp(self, shipment.planned_pickup_date).date()
        return fields.Date.context_today(self)

    @api.model
    def _to_company_rates(self, names, company, on_date):
        """{currency name: factor to the company's currency} on the day."""
        currencies = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "in", list(names))])
        return {currency.name: currency._get_conversion_rate(
            currency, company.currency_id, company, on_date) for currency in currencies}

    @api.model
    def _choose(self, shipment, carrier_id, quote=None):
        """Give ``shipment`` to the carrier of one of its quotes and keep the quote's
        expected total; ``quote`` (as shown on the screen) must still hold its price."""
        shipment = shipment.with_env(self.env)
        shipment.ensure_one()
        shipment.check_access_rights("write")
        shipment.check_access_rule("write")
        if shipment.status not in CHOOSABLE_STATUSES:
            raise UserError(_(
                "%(name)s is %(status)s: its carrier is chosen. Cancel the tender first.",
                name=shipment.display_name, status=shipment.status))
        if shipment.tender_state in tender_flow.HOLDING:
            raise UserError(_(
                "%(name)s has a tender standing with %(carrier)s: withdraw it first.",
                name=shipment.display_name, carrier=shipment.carrier_id.display_name))
        shopped = self._shop(shipment, "best_value")
        found = next((q for q in shopped["quotes"] if q["carrier_id"] == carrier_id), None)
        if found is None:
            reason = next((e["reason"] for e in shopped["excluded"]
                           if e["carrier_id"] == carrier_id), _("no contract with this carrier"))
            raise UserError(_("No quote of this carrier for %(name)s: %(reason)s.",
                              name=shipment.display_name, reason=reason))
        shown = (quote or {}).get("total") if isinstance(quote, dict) else None
        if shown is not None and abs(shown - found["total"]) >= 0.005:
            raise UserError(_(
                "The price changed since the quote was shown (%(shown).2f, now %(now).2f "
                "%(currency)s): shop again.", shown=shown, now=found["total"],
                currency=found["currency"]))
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", found["currency"])], limit=1)
        if shipment.carrier_id.id == carrier_id and shipment.quoted_total == found["total"]:
            return found  # chosen already, at this price: nothing to record again
        shipment.write({
            "carrier_id": carrier_id,
            "quoted_total": found["total"],
            "quoted_currency_id": currency.id,
            "quoted_rate_line_id": found["lane_id"],
        })
        shipment.message_post(body=_(
            "Carrier chosen by rate shopping: %(carrier)s, expected %(total).2f %(currency)s "
            "(best value %(score).1f, rank %(rank)s of %(count)s).",
            carrier=found["carrier_name"], total=found["total"], currency=found["currency"],
            score=found["score"], rank=shopped["quotes"].index(found) + 1,
            count=len(shopped["quotes"])))
        return found


class FreightCarrierScorecard(models.AbstractModel):
    _name = "freight.carrier.scorecard"
    _description = "Freight Carrier Scorecard"

    @api.model
    def _screen(self, carrier_id, months):
        """The scorecard screen: per carrier, the last ``months`` months (UTC) and their
        total, for one carrier or every carrier with something to count."""
        self.env["freight.rate.shop"]._check_dispatcher()
        window = months_back(fields.Date.context_today(self), months)
        cards = self._cards([carrier_id] if carrier_id else None, window,
                            self.env.companies.ids)
        if carrier_id and carrier_id not in cards:
            # nothing to count yet: the carrier's card, empty, rather than no answer
            cards[carrier_id] = {"total": Card(), "months": {month: Card() for month in window}}
        answer = scorecards_as_dict(cards, window)
        names = {partner.id: partner.display_name for partner in self.env["res.partner"].sudo()
                 .browse([entry["carrier_id"] for entry in answer])}
        for entry in answer:
            entry["carrier_name"] = names.get(entry["carrier_id"])
        return {"months": window, "carriers": answer}

    @api.model
    def _percents(self, carrier_ids, company, months=DEFAULT_MONTHS):
        """{carrier id: {figure: percent or None}} over the last ``months`` months, for the
        rate shop of a shipment of ``company``."""
        if not carrier_ids:
            return {}
        window = months_back(fields.Date.context_today(self), months)
        cards = self._cards(carrier_ids, window, [company.id])
        return {carrier: {name: entry["total"].percent(name) for name in FIGURES}
                for carrier, entry in cards.items()}

    @api.model
    def _cards(self, carrier_ids, window, company_ids):
        """scorecard.scorecards over the window's rows: four queries, whatever the number
        of carriers (``carrier_ids`` None: all)."""
        for model in ("freight.shipment", "freight.milestone", "freight.invoice",
                      "freight.exception"):
            self.env[model].flush_model()
        args = {"start": _month_start(window[0]), "end": _next_month(window[-1]),
                "companies": list(company_ids), "carriers": list(carrier_ids or []),
                "codes": list(TENDER_CODES)}
        only = "" if carrier_ids is None else " AND s.carrier_id = ANY(%(carriers)s)"
        cr = self.env.cr
        cr.execute(f"""
            SELECT s.carrier_id, s.actual_delivery_date, s.planned_delivery_date
              FROM freight_shipment s
             WHERE s.company_id = ANY(%(companies)s) AND s.carrier_id IS NOT NULL
               AND s.status != 'cancelled'
               AND s.actual_delivery_date >= %(start)s AND s.actual_delivery_date < %(end)s
               {only}""", args)
        deliveries = [DeliveryRow(*row) for row in cr.fetchall()]
        cr.execute(f"""
            SELECT i.carrier_id, i.audited_at, i.state, coalesce(i.approved_by_rule, false),
                   coalesce(i.billed_on_expected, false), {HAS_BILLING_CASE},
                   (SELECT sum(e.amount_recovered) FROM freight_exception e
                     WHERE e.invoice_id = i.id
                       AND coalesce(e.amount_recovered, 0) + coalesce(e.amount_written_off, 0) > 0)
              FROM freight_invoice i
             WHERE i.company_id = ANY(%(companies)s)
               AND i.audited_at >= %(start)s AND i.audited_at < %(end)s
               {only.replace("s.carrier_id", "i.carrier_id")}""", args)
        invoices = [InvoiceRow(*row) for row in cr.fetchall()]
        # tenders sent from Odoo, for the carrier each went to (after a waterfall, the
        # first carrier's decline is not the second's)
        self.env["freight.tender"].flush_model()
        cr.execute(f"""
            SELECT t.carrier_id, t.shipment_id,
                   CASE WHEN t.state = 'accepted' THEN 'accepted' ELSE 'rejected' END,
                   t.create_date
              FROM freight_tender t
             WHERE t.company_id = ANY(%(companies)s) AND t.state = ANY(%(decided)s)
               AND t.create_date >= %(start)s AND t.create_date < %(end)s
               {only.replace("s.carrier_id", "t.carrier_id")}""",
                   {**args, "decided": list(TENDER_OUTCOMES)})
        tenders = [TenderRow(*row) for row in cr.fetchall()]
        # shipments tendered elsewhere: every tender milestone of those with one in the
        # window (a tender's month is that of its first milestone, maybe before it)
        cr.execute(f"""
            SELECT s.carrier_id, m.shipment_id, m.code, m.event_time
              FROM freight_milestone m JOIN freight_shipment s ON s.id = m.shipment_id
             WHERE s.company_id = ANY(%(companies)s) AND s.carrier_id IS NOT NULL
               AND m.code = ANY(%(codes)s) AND m.event_time < %(end)s
               AND m.shipment_id IN (
                   SELECT shipment_id FROM freight_milestone
                    WHERE code = ANY(%(codes)s)
                      AND event_time >= %(start)s AND event_time < %(end)s)
               AND NOT EXISTS (SELECT 1 FROM freight_tender t WHERE t.shipment_id = s.id)
               {only}""", args)
        tenders += [TenderRow(*row) for row in cr.fetchall()]
        return scorecards(deliveries, invoices, tenders, window)
