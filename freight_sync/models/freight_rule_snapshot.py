"""The configuration an audit or a processing run applied, stored once per distinct
content (services/rule_snapshot.py builds and compares it): 100,000 audited lines of one
batch share one row, and so do all the batches audited under the same rules."""

import json

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.rule_snapshot import digest


class FreightRuleSnapshot(models.Model):
    _name = "freight.rule.snapshot"
    _description = "Freight Rules Applied"
    _order = "id desc"
    _rec_name = "digest"

    digest = fields.Char(required=True, readonly=True, index=True,
                         help="sha256 of the configuration: the same rules, the same row.")
    kind = fields.Selection([("invoice_audit", "Invoice audit"), ("processing", "Processing")],
                            required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    rules_version = fields.Char(readonly=True)
    config = fields.Text(string="Configuration", readonly=True,
                         help="Rules version, tolerances applied, contract and code map "
                              "revisions, as JSON.")

    @api.model
    def _for(self, config, company):
        """The snapshot of ``config``, created on first use. No unique constraint on the
        digest on purpose: two transactions recording the same new configuration at once
        each keep a row (identical content) instead of one failing its whole batch on a
        serialization error."""
        key = digest([company.id, config])
        self.env.cr.execute(SQL("SELECT id FROM freight_rule_snapshot WHERE digest = %s"
                                " ORDER BY id LIMIT 1", key))
        row = self.env.cr.fetchone()
        if row:
            return self.browse(row[0])
        return self.browse(self.sudo().create({
            "digest": key, "company_id": company.id, "kind": config["kind"],
            "rules_version": config["rules_version"],
            "config": json.dumps(config, sort_keys=True, indent=1),
        }).id)

    def _config(self):
        self.ensure_one()
        return json.loads(self.config)
