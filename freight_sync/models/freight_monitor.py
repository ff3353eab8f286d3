"""What the health route, the metrics page, the alert cron and the dashboard read: a
handful of set-based queries over the inbox, the outbox and the invoices, whatever their
size. No table. The comparisons and the page itself are pure (services/health.py,
services/metrics.py)."""

import hashlib
import hmac
import secrets
from contextlib import nullcontext

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..services import health as health_rules
from ..services.metrics import LATENCY_BUCKETS, families, render
from .freight_message import CLAIMABLE, HANDLED_KINDS

PARAM_PREFIX = "freight_sync.health_"
METRICS_TOKEN_PARAM = "freight_sync.metrics_token_hash"
# the window the p95 latency of the health check looks at: recent enough to be news
P95_WINDOW_MINUTES = 60


def read_queues(cr, companies=None):
    """``[{"lane", "depth", "oldest_due_seconds"}]``: inbound messages waiting for the
    queue (new, or failed and waiting to retry), by lane; the age counts from when a
    message became due (its retry time, else its receipt), what ``freight.message._claim``
    picks up, so a message waiting on purpose for its backoff is not called late."""
    company = "AND company_id = ANY(%(companies)s)" if companies is not None else ""
    cr.execute(f"""
        SELECT COALESCE(lane, 'none'), count(*),
               extract(epoch FROM max(now() AT TIME ZONE 'UTC'
                                      - COALESCE(next_attempt_at, received_at, create_date))
                   FILTER (WHERE next_attempt_at IS NULL
                              OR next_attempt_at <= now() AT TIME ZONE 'UTC'))
          FROM freight_message
         WHERE direction = 'in' AND state = ANY(%(claimable)s) AND kind = ANY(%(kinds)s)
               {company}
         GROUP BY 1 ORDER BY 1""",
               {"claimable": list(CLAIMABLE), "kinds": HANDLED_KINDS, "companies": companies})
    return [{"lane": lane, "depth": depth,
             "oldest_due_seconds": None if age is None else max(round(float(age)), 0)}
            for lane, depth, age in cr.fetchall()]


def read_health(connect, companies=None):
    """``(Health, queues)``; ``connect()`` returns a context manager giving the cursor to
    ask (a new one from the registry for the route, so that a failing query cannot break
    the request's own transaction). Any database error, at connection or query time, is
    the ``database`` reason: the route still answers, 503."""
    try:
        with connect() as cr:
            cr.execute("SELECT key, value FROM ir_config_parameter WHERE key LIKE %s",
                       [PARAM_PREFIX + "%"])
            thresholds = health_rules.thresholds_from(
                {key[len(PARAM_PREFIX):]: value for key, value in cr.fetchall()})
            queues = read_queues(cr, companies)
            company = "AND company_id = ANY(%(companies)s)" if companies is not None else ""
            cr.execute(f"""
                SELECT (SELECT count(*) FROM freight_message
                         WHERE state = 'dead' {company}),
                       (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY
                                   extract(epoch FROM processed_at - received_at))
                          FROM freight_message
                         WHERE direction = 'in' AND state = 'done'
                           AND processed_at >= now() AT TIME ZONE 'UTC'
                                               - make_interval(mins => %(window)s)
                           {company})""",
                       {"companies": companies, "window": P95_WINDOW_MINUTES})
            dead, p95 = cr.fetchone()
    except psycopg2.Error:
        return health_rules.unreachable(), []
    ages = [q["oldest_due_seconds"] for q in queues if q["oldest_due_seconds"] is not None]
    readings = {"oldest_due_seconds": max(ages) if ages else None, "dead_letters": dead,
                "p95_seconds": None if p95 is None else round(float(p95), 1)}
    return health_rules.evaluate(readings, thresholds), queues


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class FreightMonitor(models.AbstractModel):
    _name = "freight.monitor"
    _description = "Freight Integration Monitoring"

    # ---- health ----

    @api.model
    def _health(self, companies=None):
        """Health read in this transaction (the alert cron, the dashboard)."""
        self.env["freight.message"].flush_model()
        return read_health(lambda: nullcontext(self.env.cr), companies)

    @api.model
    def _dashboard_health(self):
        """The dashboard's health tile: the readings of the user's companies, and the
        open alerts. Only Freight Managers read the inbox, so only they get it."""
        if not self.env["freight.message"].check_access_rights("read", raise_exception=False):
            return None
        health, queues = self._health(self.env.companies.ids)
        alerts = self.env["freight.alert"].search([("state", "=", "open")])
        return {**health_rules.detailed_view(health, queues),
                "alerts": [{"id": alert.id, "reason": alert.reason, "name": alert.display_name,
                            "opened_at": fields.Datetime.to_string(alert.opened_at)}
                           for alert in alerts],
                "drill": {"model": "freight.alert", "name": _("Open alerts"),
                          "domain": [("state", "=", "open")]}}

    # ---- metrics ----

    @api.model
    def _check_metrics_token(self, token):
        """Whether ``token`` is the metrics token issued in the settings (only its hash
        is stored); none issued: nobody may read the page."""
        stored = self.env["ir.config_parameter"].sudo().get_param(METRICS_TOKEN_PARAM)
        return bool(stored and token) and hmac.compare_digest(stored, token_hash(token))

    @api.model
    def _issue_metrics_token(self):
        """A new metrics token, returned once; the previous one stops working."""
        if not self.env.user.has_group("freight_sync.group_freight_manager"):
            raise AccessError(_("Only a Freight Manager may issue the metrics token."))
        token = secrets.token_urlsafe(32)
        self.env["ir.config_parameter"].sudo().set_param(METRICS_TOKEN_PARAM, token_hash(token))
        return token

    @api.model
    def _metrics_page(self):
        health, _queues = self._health()
        return render(families(self._metrics_snapshot(health)))

    @api.model
    def _metrics_snapshot(self, health):
        """The rows behind the metrics page, every company: one query per family group,
        grouped in the database."""
        for model in ("freight.message", "freight.message.event", "freight.invoice",
                      "freight.invoice.line"):
            self.env[model].flush_model()
        cr = self.env.cr
        cr.execute("""SELECT direction, kind, state, count(*) FROM freight_message
                       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")
        messages = cr.fetchall()
        cr.execute("""SELECT COALESCE(lane, 'none'), count(*) FROM freight_message
                       WHERE direction = 'in' AND processed_at IS NOT NULL
                       GROUP BY 1 ORDER BY 1""")
        processed = cr.fetchall()
        cr.execute("""SELECT COALESCE(state, 'unknown'), count(*) FROM freight_message_event
                       GROUP BY 1 ORDER BY 1""")
        items = cr.fetchall()
        cr.execute("""SELECT m.kind, sum(m.item_count) - COALESCE(sum(owned.n), 0)
                        FROM freight_message m
                        LEFT JOIN (SELECT message_id, count(*) AS n FROM freight_message_event
                                    GROUP BY 1) owned ON owned.message_id = m.id
                       WHERE m.direction = 'in' GROUP BY 1 ORDER BY 1""")
        not_stored = [(kind, max(int(n or 0), 0)) for kind, n in cr.fetchall()]
        cr.execute("""SELECT kind, count(*), sum(item_count) FROM freight_intake_resend
                       GROUP BY 1 ORDER BY 1""")
        resent = [(kind, requests, int(items or 0)) for kind, requests, items in cr.fetchall()]
        # the bucket of each message is the number of bounds below its latency
        cr.execute("""SELECT COALESCE(lane, 'none'),
                             (SELECT count(*) FROM unnest(%s::float[]) b WHERE b < s.seconds),
                             count(*), sum(s.seconds)
                        FROM (SELECT lane, extract(epoch FROM processed_at - received_at)
                                          AS seconds
                                FROM freight_message
                               WHERE direction = 'in' AND state = 'done'
                                 AND processed_at IS NOT NULL) s
                       GROUP BY 1, 2""", [list(LATENCY_BUCKETS)])
        latency = {}
        for lane, index, count, seconds in cr.fetchall():
            latency.setdefault(lane, []).append((index, count, float(seconds or 0)))
        cr.execute("""SELECT direction, count(*) FROM freight_message WHERE state = 'dead'
                       GROUP BY 1 ORDER BY 1""")
        dead = cr.fetchall()
        cr.execute("SELECT state, count(*) FROM freight_invoice GROUP BY 1 ORDER BY 1")
        invoices = cr.fetchall()
        cr.execute("""SELECT decision, count(*) FROM freight_invoice_line
                       WHERE decision IS NOT NULL GROUP BY 1 ORDER BY 1""")
        audit_lines = cr.fetchall()
        cr.execute("""SELECT m.state, count(*) FROM freight_invoice i
                        JOIN account_move m ON m.id = i.move_id GROUP BY 1 ORDER BY 1""")
        bills = cr.fetchall()
        cr.execute("""SELECT kind, sum(attempts) FROM freight_message WHERE direction = 'out'
                       GROUP BY 1 ORDER BY 1""")
        outbox = [(kind, int(n or 0)) for kind, n in cr.fetchall()]
        return {"health": health.status, "messages": messages, "processed": processed,
                "items": items, "not_stored": not_stored, "resent": resent,
                "latency": latency,
                "queues": read_queues(cr), "dead_letters": dead, "invoices": invoices,
                "audit_lines": audit_lines, "bills": bills, "outbox_attempts": outbox}
