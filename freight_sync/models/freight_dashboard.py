"""What the freight dashboard counts: carrier invoices, open accruals and the inbox. No
table: it reads as this model's user (the caller's environment). Set-based: a fixed number
of queries whatever the period, SQL filtered on ``env.companies`` (the invoice and inbox
record rules are company rules only, so this is what the ORM would show), each point with
the domain behind it."""

from odoo import _, api, fields, models

from ..services.dashboard import (
    bucket_series,
    dispute_figures,
    months,
    period_bounds,
    rate,
    week_window,
    weekly_series,
    weeks,
)
from ..services.dispute_window import LAPSED

DECIDED = [("state", "not in", ["received", "cancelled"])]
# a case about billing, not a late truck, is what makes an invoice an exception
HAS_CASE = "EXISTS (SELECT 1 FROM freight_exception e WHERE e.invoice_id = i.id " \
           "AND e.category = 'billing')"
ACCURATE = 0.01
MAX_CARRIERS = 20


def _between(field_name, start, end):
    return [(field_name, ">=", fields.Datetime.to_string(start)),
            (field_name, "<", fields.Datetime.to_string(end))]


def _drill(model, name, domain):
    return {"model": model, "name": name, "domain": domain}


def _seconds(value):
    return None if value is None else round(float(value), 1)


class FreightDashboard(models.AbstractModel):
    _name = "freight.dashboard"
    _description = "Freight Dashboard"

    @api.model
    def _figures(self, date_from, date_to, carrier_id):
        """Every chart and KPI of the period, for one carrier or all (``carrier_id``
        falsy). No read right on carrier invoices is an AccessError; the inbox figures,
        which only Freight Managers may read, are ``None`` for the others."""
        self.env["freight.invoice"].check_access_rights("read")
        self.env["freight.exception"].check_access_rights("read")
        inbox = self.env["freight.message"].check_access_rights("read", raise_exception=False)
        mondays = weeks(date_from, date_to)
        windows = [week_window(monday, date_from, date_to) for monday in mondays]
        carrier = [("carrier_id", "=", carrier_id)] if carrier_id else []
        weekly, totals = self._invoices_weekly(date_from, date_to, carrier_id, mondays)
        return {
            "period": {"date_from": fields.Date.to_string(date_from),
                       "date_to": fields.Date.to_string(date_to), "carrier_id": carrier_id},
            "weeks": [fields.Date.to_string(monday) for monday in mondays],
            "kpis": self._kpis(totals, date_from, date_to, carrier, inbox, carrier_id),
            "auto_approval": self._auto_approval_chart(weekly, windows, carrier),
            "recovered": self._recovered_chart(weekly, windows, carrier),
            "carriers": self._carrier_chart(date_from, date_to, carrier_id),
            "accruals": self._accrual_chart(carrier),
            "disputes": self._disputes(date_from, date_to, carrier_id),
            "latency": self._latency(date_from, date_to, carrier_id, mondays)
            if inbox else None,
            # the integration now, whatever the period: README "Monitoring"
            "health": self.env["freight.monitor"]._dashboard_health(),
        }

    # ---- invoices -----------------------------------------------------------------------

    @api.model
    def _invoice_where(self, date_from, date_to, carrier_id):
        start, end = period_bounds(date_from, date_to)
        where = ("i.company_id = ANY(%(companies)s) AND i.audited_at >= %(start)s "
                 "AND i.audited_at < %(end)s AND i.state NOT IN ('received', 'cancelled')")
        if carrier_id:
            where += " AND i.carrier_id = %(carrier)s"
        return where, {"companies": self.env.companies.ids, "start": start, "end": end,
                       "carrier": carrier_id}

    @api.model
    def _invoices_weekly(self, date_from, date_to, carrier_id, mondays):
        self.env["freight.invoice"].flush_model()
        self.env["freight.exception"].flush_model(["invoice_id", "category"])
        where, args = self._invoice_where(date_from, date_to, carrier_id)
        # ROLLUP adds the period's total as the row whose week is NULL
        self.env.cr.execute(f"""
            SELECT date_trunc('week', i.audited_at) AS week, count(*),
                   count(*) FILTER (WHERE i.approved_by_rule),
                   coalesce(sum(i.amount_total - i.amount_approved)
                            FILTER (WHERE i.billed_on_expected), 0),
                   coalesce(sum(i.amount_total)
                            FILTER (WHERE i.state = 'rejected' AND {HAS_CASE}), 0)
              FROM freight_invoice i
             WHERE {where}
             GROUP BY ROLLUP (date_trunc('week', i.audited_at))""", args)
        rows = self.env.cr.fetchall()
        totals = next((row[1:] for row in rows if row[0] is None), (0, 0, 0.0, 0.0))
        weekly = weekly_series([(row[0], row[1:]) for row in rows if row[0] is not None],
                               mondays, lambda: (0, 0, 0.0, 0.0))
        return weekly, totals

    @api.model
    def _auto_approval_chart(self, weekly, windows, carrier):
        drills = [_drill("freight.invoice", _("Approved automatically"),
                         _between("audited_at", *window) + carrier
                         + [("approved_by_rule", "=", True)]) for window in windows]
        return {"series": [{
            "key": "auto_approval_rate", "label": _("Approved automatically (%)"),
            "values": [rate(row[1], row[0]) for _monday, row in weekly],
            "counts": [[row[1], row[0]] for _monday, row in weekly],
            "drills": drills,
        }]}

    @api.model
    def _recovered_chart(self, weekly, windows, carrier):
        """Variance recovered by disputes: billed minus paid, by week of audit. Short-paid
        invoices (``billed_on_expected``) paid the short-pay's amount: billed − approved.
        Invoices rejected after a billing case paid nothing: their whole billed amount (a
        rebill is another invoice, paid as its own)."""
        short, rejected = [], []
        for window in windows:
            audited = _between("audited_at", *window) + carrier
            short.append(_drill("freight.invoice", _("Short-paid invoices"),
                                audited + [("billed_on_expected", "=", True)]))
            rejected.append(_drill("freight.invoice", _("Invoices rejected after a case"),
                                   audited + [("state", "=", "rejected"),
                                              ("exception_ids.category", "=", "billing")]))
        return {"series": [
            {"key": "short_paid", "label": _("Short-paid"), "drills": short,
             "values": [round(float(row[2]), 2) for _monday, row in weekly]},
            {"key": "rejected", "label": _("Rejected after a case"), "drills": rejected,
             "values": [round(float(row[3]), 2) for _monday, row in weekly]},
        ]}

    @api.model
    def _carrier_chart(self, date_from, date_to, carrier_id):
        where, args = self._invoice_where(date_from, date_to, carrier_id)
        self.env.cr.execute(f"""
            SELECT i.carrier_id, count(*), count(*) FILTER (WHERE {HAS_CASE}),
                   count(*) FILTER (WHERE abs(i.variance_total) < {ACCURATE}
                                      AND i.unpriced_line_count = 0 AND NOT {HAS_CASE})
              FROM freight_invoice i
             WHERE {where}
             GROUP BY i.carrier_id
             ORDER BY count(*) DESC, i.carrier_id
             LIMIT {MAX_CARRIERS}""", args)
        rows = self.env.cr.fetchall()
        # the carrier of an invoice one may read is a name one may show
        names = {partner.id: partner.display_name for partner in
                 self.env["res.partner"].sudo().browse([row[0] for row in rows])}
        audited = _between("audited_at", *period_bounds(date_from, date_to)) + DECIDED
        exception, accurate = [], []
        for row in rows:
            base = audited + [("carrier_id", "=", row[0])]
            exception.append(_drill("freight.invoice", _("%s: invoices with a billing case",
                                                         names[row[0]]),
                                    base + [("exception_ids.category", "=", "billing")]))
            accurate.append(_drill("freight.invoice", _("%s: invoices billed as expected",
                                                        names[row[0]]),
                                   base + [("variance_total", ">", -ACCURATE),
                                           ("variance_total", "<", ACCURATE),
                                           ("unpriced_line_count", "=", 0),
                                           "!", ("exception_ids.category", "=", "billing")]))
        return {
            "labels": [names[row[0]] for row in rows],
            "carrier_ids": [row[0] for row in rows],
            "series": [
                {"key": "exception_rate", "label": _("Exception rate (%)"), "drills": exception,
                 "values": [rate(row[2], row[1]) for row in rows]},
                {"key": "accuracy", "label": _("Invoice accuracy (%)"), "drills": accurate,
                 "values": [rate(row[3], row[1]) for row in rows]},
            ],
        }

    # ---- disputes with carriers ---------------------------------------------------------

    @api.model
    def _disputes(self, date_from, date_to, carrier_id):
        """Money disputed, recovered and written off by month of the dispute (sent, else
        decided, else opened) and by carrier: each invoice's dispute once, from its lead
        case (services/dispute.py). One query."""
        self.env["freight.exception"].flush_model()
        start, end = period_bounds(date_from, date_to)
        when = "coalesce(e.dispute_sent_at, e.decided_at, e.create_date)"
        booked = "coalesce(e.amount_recovered, 0) + coalesce(e.amount_written_off, 0) > 0"
        self.env.cr.execute(f"""
            SELECT to_char(date_trunc('month', {when}), 'YYYY-MM'), i.carrier_id,
                   sum(e.amount_disputed), sum(coalesce(e.amount_recovered, 0)),
                   sum(coalesce(e.amount_written_off, 0)),
                   count(*) FILTER (WHERE {booked}),
                   count(*) FILTER (WHERE {booked} AND e.amount_recovered > 0)
              FROM freight_exception e JOIN freight_invoice i ON i.id = e.invoice_id
             WHERE e.amount_disputed > 0 AND e.company_id = ANY(%(companies)s)
               AND {when} >= %(start)s AND {when} < %(end)s
               {"AND i.carrier_id = %(carrier)s" if carrier_id else ""}
             GROUP BY 1, 2""", {"companies": self.env.companies.ids, "start": start,
                                "end": end, "carrier": carrier_id})
        rows = self.env.cr.fetchall()
        names = {partner.id: partner.display_name for partner in
                 self.env["res.partner"].sudo().browse({row[1] for row in rows})}
        figures = dispute_figures(rows, months(date_from, date_to), names)
        labels = {"disputed": _("Disputed"), "recovered": _("Recovered"),
                  "written_off": _("Written off")}
        for serie in figures["series"]:
            serie["label"] = labels[serie["key"]]
        return figures

    # ---- accruals and KPIs --------------------------------------------------------------

    @api.model
    def _accrual_chart(self, carrier):
        Report = self.env["freight.accrual.report"]
        Report.check_access_rights("read")
        groups = Report._read_group(carrier, ["age_bucket"], ["__count", "amount:sum"])
        series = bucket_series([(bucket, (count, amount)) for bucket, count, amount in groups])
        labels = dict(Report._fields["age_bucket"]._description_selection(self.env))
        return {
            "labels": [labels[bucket] for bucket, _row in series],
            "series": [{
                "key": "open_accruals", "label": _("Open accruals"),
                "values": [round(row[1], 2) for _bucket, row in series],
                "counts": [row[0] for _bucket, row in series],
                "drills": [_drill("freight.accrual.report", _("Open accruals, %s", labels[b]),
                                  carrier + [("age_bucket", "=", b)]) for b, _row in series],
            }],
        }

    @api.model
    def _kpis(self, totals, date_from, date_to, carrier, inbox, carrier_id):
        decided, auto = totals[0], totals[1]
        audited = _between("audited_at", *period_bounds(date_from, date_to)) + carrier
        accruals = self.env["freight.accrual.report"]._read_group(
            carrier, [], ["__count", "amount:sum"])[0]
        kpis = {
            "auto_approval_rate": {
                "value": rate(auto, decided), "count": auto, "of": decided,
                "drill": _drill("freight.invoice", _("Approved automatically"),
                                audited + [("approved_by_rule", "=", True)])},
            "recovered": {
                "value": round(float(totals[2]) + float(totals[3]), 2),
                "drill": _drill("freight.invoice", _("Variance recovered by disputes"),
                                audited + ["|", ("billed_on_expected", "=", True), "&",
                                           ("state", "=", "rejected"),
                                           ("exception_ids.category", "=", "billing")])},
            "open_accruals": {
                "value": round(accruals[1] or 0.0, 2), "count": accruals[0],
                "drill": _drill("freight.accrual.report", _("Open accruals"), carrier)},
            "dead_letters": None,
            "money_lost": self._money_lost(carrier_id),
        }
        if inbox:
            kpis["dead_letters"] = self._dead_letters(carrier_id)
        return kpis

    @api.model
    def _money_lost(self, carrier_id):
        """Open billing cases past their contract's dispute window with no dispute sent
        (services/dispute_window.py): money the carrier keeps. Now, whatever the period,
        like a queue; one grouped query."""
        domain = [("category", "=", "billing"), ("dispute_urgency", "=", LAPSED)]
        if carrier_id:
            domain.append(("invoice_id.carrier_id", "=", carrier_id))
        count, amount = self.env["freight.exception"]._read_group(
            domain, [], ["__count", "amount_at_stake:sum"])[0]
        return {"value": round(amount or 0.0, 2), "count": count,
                "drill": _drill("freight.exception", _("Money lost to dispute windows"),
                                domain)}

    # ---- inbox --------------------------------------------------------------------------

    @api.model
    def _inbox_domain(self, carrier_id):
        domain = [("direction", "=", "in")]
        return domain + [("endpoint_id.carrier_id", "=", carrier_id)] if carrier_id else domain

    @api.model
    def _dead_letters(self, carrier_id):
        """Dead letters and refused messages waiting for an admin now, whenever they came:
        a queue, not a trend."""
        domain = self._inbox_domain(carrier_id) + [("state", "in", ("dead", "rejected"))]
        return {"value": self.env["freight.message"].search_count(domain),
                "drill": _drill("freight.message", _("Dead letters"), domain)}

    @api.model
    def _latency(self, date_from, date_to, carrier_id, mondays):
        """Seconds from receipt to the end of the successful run, p50 and p95 per week of
        receipt; retries count, they are part of the wait."""
        self.env["freight.message"].flush_model(
            ["direction", "state", "received_at", "processed_at", "company_id", "endpoint_id"])
        start, end = period_bounds(date_from, date_to)
        join, where = "", ""
        if carrier_id:
            self.env["freight.endpoint"].flush_model(["carrier_id"])
            join = "JOIN freight_endpoint ep ON ep.id = m.endpoint_id"
            where = "AND ep.carrier_id = %(carrier)s"
        # percentile_cont in the database: no message row travels to Python
        self.env.cr.execute(f"""
            SELECT date_trunc('week', m.received_at), count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
                       m.processed_at - m.received_at)),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM
                       m.processed_at - m.received_at))
              FROM freight_message m {join}
             WHERE m.direction = 'in' AND m.state = 'done' AND m.processed_at IS NOT NULL
               AND m.company_id = ANY(%(companies)s)
               AND m.received_at >= %(start)s AND m.received_at < %(end)s {where}
             GROUP BY ROLLUP (date_trunc('week', m.received_at))""",
            {"companies": self.env.companies.ids, "start": start, "end": end,
             "carrier": carrier_id})
        rows = self.env.cr.fetchall()
        total = next((row[1:] for row in rows if row[0] is None), (0, None, None))
        weekly = weekly_series([(row[0], row[1:]) for row in rows if row[0] is not None],
                               mondays, lambda: (0, None, None))
        base = self._inbox_domain(carrier_id) + [("state", "=", "done")]
        drills = [_drill("freight.message", _("Processed messages"),
                         base + _between("received_at", *week_window(monday, date_from,
                                                                     date_to)))
                  for monday in mondays]
        return {
            "count": total[0], "p50": _seconds(total[1]), "p95": _seconds(total[2]),
            "drill": _drill("freight.message", _("Processed messages"),
                            base + _between("received_at", start, end)),
            "series": [
                {"key": key, "label": label, "drills": drills,
                 "values": [_seconds(row[column]) for _monday, row in weekly],
                 "counts": [row[0] for _monday, row in weekly]}
                for key, label, column in (("p50", _("p50 (s)"), 1), ("p95", _("p95 (s)"), 2))
            ],
        }
