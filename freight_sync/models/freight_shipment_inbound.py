# One file per concern (inbound events, accruals, billing) keeps each readable.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict

from odoo import _, api, models
from odoo.osv import expression

from ..services.codemap import NotAMilestoneError, UnknownCodeError, resolve
from ..services.expected_cost import Address
from ..services.invoice_audit import ShipmentFacts
from ..services.references import normalize_reference
from .freight_message import SOURCE_BY_KIND
from .freight_shipment import REFERENCE_FIELDS

MATCH_FIELDS = ("name", *REFERENCE_FIELDS)


class FreightShipment(models.Model):
    _inherit = "freight.shipment"

    @api.model
    def _resolve_references(self, reference_sets, carrier=None):
        """One shipment (or an error text) per dict of references, in one query.

        A reference set matches when all the shipments its references point to are one
        and the same; ambiguity is an error, never a guess.
        """
        wanted = defaultdict(set)
        normalized_sets = []
        for references in reference_sets:
            normalized = {
                key: value if key == "name" else normalize_reference(value)
                for key, value in references.items() if key in MATCH_FIELDS
            }
            normalized_sets.append(normalized)
            for key, value in normalized.items():
                wanted[key].add(value)
        if not wanted:
            return [_("no shipment reference")] * len(reference_sets)
        domain = expression.OR([[(key, "in", list(values))] for key, values in wanted.items()])
        if carrier:
            domain = expression.AND([domain, [("carrier_id", "=", carrier.id)]])
        found = self.search_fetch(domain, list(MATCH_FIELDS))
        index = {(key, shipment[key]): shipment for shipment in found
                 for key in MATCH_FIELDS if shipment[key]}
        results = []
        for normalized in normalized_sets:
            matches = {index.get(item) for item in normalized.items()} - {None}
            if len(matches) == 1:
                results.append(matches.pop())
            elif not matches:
                refs = ", ".join(f"{k}={v}" for k, v in normalized.items())
                results.append(_("no shipment matches %s", refs))
            else:
                names = ", ".join(sorted(s.name for s in matches))
                results.append(_("references point to several shipments: %s", names))
        return results

    @api.model
    def _apply_inbound_events(self, events, endpoint, message):
        """Store canonical events as milestones; returns one error text per event skipped.

        Events carry ``code`` or ``raw_code`` (mapped with the endpoint's code map),
        ``references`` and ``external_id``. Work is set-based: one query resolves every
        shipment, one query finds what is already stored, one ``create`` stores the rest.
        """
        if not events:
            return []
        overrides = endpoint.code_map_id._overrides() if endpoint.code_map_id else {}
        carrier = endpoint.carrier_id if endpoint.kind == "carrier" else None
        targets = self._resolve_references([e["references"] for e in events], carrier)
        errors, ready, estimates = [], [], {}
        for event, target in zip(events, targets):
            label = event["external_id"]
            if isinstance(target, str):
                errors.append(_("event %(id)s: %(error)s", id=label, error=target))
                continue
            code = event.get("code")
            if not code:
                try:
                    code = resolve(event["raw_code"], overrides)
                except NotAMilestoneError as error:
                    # estimates move the ETA; appointments are known and need no action
                    if error.kind == "estimate":
                        estimates[target] = event["event_time"]  # the latest report wins
                    continue
                except UnknownCodeError as error:
                    errors.append(_("event %(id)s: %(error)s", id=label, error=error))
                    continue
            ready.append((target, code, event))
        for target, eta in estimates.items():
            target.carrier_eta = eta
        self._store_inbound_milestones(ready, endpoint, message)
        return errors

    def _store_inbound_milestones(self, ready, endpoint, message):
        Milestone = self.env["freight.milestone"]
        if not ready:
            return Milestone
        shipment_ids = list({target.id for target, _code, _event in ready})
        self.env.cr.execute(
            """SELECT shipment_id, external_id FROM freight_milestone
                WHERE shipment_id = ANY(%s) AND external_id IS NOT NULL""",
            [shipment_ids],
        )
        stored = set(self.env.cr.fetchall())
        source = "edi" if message.kind == "edi" else SOURCE_BY_KIND[endpoint.kind]
        received_at = message.received_at
        values = []
        for target, code, event in ready:
            key = (target.id, event["external_id"])
            if key in stored:
                continue  # applied by an earlier run: replays change nothing
            stored.add(key)
            values.append({
                "shipment_id": target.id,
                "code": code,
                "event_time": event["event_time"],
                "event_tz": event.get("event_tz"),
                "location": event.get("location"),
                "raw_code": event.get("raw_code"),
                "reason_code": event.get("reason_code"),
                "note": event.get("note"),
                "external_id": event["external_id"],
                "source": source,
                "received_at": received_at,
                "message_id": message.id,
            })
        return Milestone.create(values)

    def _audit_facts(self):
        """Shipments as plain data for the audit engine, in a fixed number of queries."""
        milestones = defaultdict(list)
        for row in self.env["freight.milestone"].sudo().search_fetch(
                [("shipment_id", "in", self.ids)], ["shipment_id", "code", "event_time"]):
            milestones[row.shipment_id.id].append((row.code, row.event_time))

        def address(partner):
            return Address(partner.country_id.code or None, partner.state_id.code or None,
                           partner.zip or None)
        facts = []
        for shipment in self:
            origin = shipment.origin_partner_id or shipment.company_id.partner_id
            destination = (shipment.destination_partner_id
                           or shipment.picking_ids[:1].partner_id or shipment.company_id.partner_id)
            facts.append(ShipmentFacts(
                id=shipment.id, carrier_id=shipment.carrier_id.id, mode=shipment.mode,
                weight_kg=shipment.weight, distance_km=shipment.distance_km,
                pallets=shipment.pallet_count, origin=address(origin),
                destination=address(destination), milestones=tuple(milestones[shipment.id]),
                approved_accessorials=frozenset(shipment.approved_accessorial_ids.mapped("code")),
                references={key: shipment[key] for key in MATCH_FIELDS if shipment[key]},
            ))
        return facts
