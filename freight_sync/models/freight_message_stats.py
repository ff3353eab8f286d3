# One file per concern (processing, events, stats) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
"""The inbox's part of the freight dashboard: ingestion latency and dead letters."""

from odoo import _, api, fields, models

from ..services.dashboard import period_bounds, week_window, weekly_series


def _seconds(value):
    return None if value is None else round(float(value), 1)


class FreightMessage(models.Model):
    _inherit = "freight.message"

    def _dashboard_domain(self, carrier_id):
        domain = [("direction", "=", "in")]
        return domain + [("endpoint_id.carrier_id", "=", carrier_id)] if carrier_id else domain

    @api.model
    def _dashboard_dead(self, carrier_id):
        """Dead letters waiting for a replay now, whenever they came: a queue, not a trend."""
        domain = self._dashboard_domain(carrier_id) + [("state", "=", "dead")]
        return {"value": self.search_count(domain),
                "drill": {"model": "freight.message", "name": _("Dead letters"),
                          "domain": domain}}

    @api.model
    def _dashboard_latency(self, date_from, date_to, carrier_id, mondays):
        """Seconds from receipt to the end of the successful run, p50 and p95 per week of
        receipt; retries count, they are part of the wait."""
        self.flush_model(["direction", "state", "received_at", "processed_at", "company_id",
                          "endpoint_id"])
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
        base = self._dashboard_domain(carrier_id) + [("state", "=", "done")]
        drills = []
        for monday in mondays:
            window = week_window(monday, date_from, date_to)
            drills.append({"model": "freight.message", "name": _("Processed messages"),
                           "domain": base + [
                               ("received_at", ">=", fields.Datetime.to_string(window[0])),
                               ("received_at", "<", fields.Datetime.to_string(window[1]))]})
        return {
            "count": total[0], "p50": _seconds(total[1]), "p95": _seconds(total[2]),
            "drill": {"model": "freight.message", "name": _("Processed messages"),
                      "domain": base + [("received_at", ">=", fields.Datetime.to_string(start)),
                                        ("received_at", "<", fields.Datetime.to_string(end))]},
            "series": [
                {"key": "p50", "label": _("p50 (s)"), "drills": drills,
                 "values": [_seconds(row[1]) for _monday, row in weekly],
                 "counts": [row[0] for _monday, row in weekly]},
                {"key": "p95", "label": _("p95 (s)"), "drills": drills,
                 "values": [_seconds(row[2]) for _monday, row in weekly],
                 "counts": [row[0] for _monday, row in weekly]},
            ],
        }
