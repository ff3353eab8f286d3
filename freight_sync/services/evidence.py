"""Which new evidence an invoice held by the audit is waiting for. Pure.

An invoice in exception is audited again when evidence that could change one of its
findings arrives: a delivery or POD for a missing POD, a new shipment or reference for a
line that matched none, a changed shipment (weight, approved accessorials, confirmed rate)
or contract for a priced finding. Findings no evidence can change (a duplicate number, a
currency mismatch) and cases people opened wait for people, not for a re-audit.
"""

from .references import SHIPMENT_FIELDS

MILESTONE = "milestone"  # a milestone of the invoice's shipment (delivery, POD)
REFERENCE = "reference"  # a shipment created, or its references changed
SHIPMENT = "shipment"  # what prices a shipment changed (weight, accessorials, rate)
CONTRACT = "contract"  # the carrier's contract or tariff changed
CERTIFICATE = "certificate"  # an inspection certificate attached to the invoice
# invoices the audit may decide again; approved, disputed or later ones keep their decision
REAUDITABLE = ("audited", "exception")
EVIDENCE = [(MILESTONE, "Delivery or POD"), (REFERENCE, "Shipment reference"),
            (SHIPMENT, "Shipment change"), (CONTRACT, "Contract change"),
            (CERTIFICATE, "Inspection certificate")]
# a carrier's reweigh, reclass or DIM rebill: settled by its certificate, a dispatcher's
# correction of the shipment's figures, or the contract
ADJUSTMENT_EVIDENCE = frozenset({SHIPMENT, CONTRACT, CERTIFICATE})

WAITS_FOR = {
    "missing_pod": frozenset({MILESTONE}),
    "unknown_shipment": frozenset({REFERENCE}),
    "rate_variance": frozenset({SHIPMENT, CONTRACT}),
    "weight_variance": frozenset({SHIPMENT}),
    "unapproved_accessorial": frozenset({SHIPMENT, CONTRACT}),
    "reweigh": ADJUSTMENT_EVIDENCE,
    "reclass": ADJUSTMENT_EVIDENCE,
    "dim_weight": ADJUSTMENT_EVIDENCE,
}
# the milestones that can satisfy a missing POD (the audit's POD_CODES)
EVIDENCE_MILESTONES = frozenset({"delivered", "pod_received"})
# shipment fields a shipment's price or match depends on
PRICING_FIELDS = frozenset({"carrier_id", "mode", "weight", "distance_km", "pallet_count",
                            "origin_partner_id", "destination_partner_id",
                            "approved_accessorial_ids", "confirmed_rate",
                            "confirmed_rate_currency_id"})
REFERENCE_FIELDS = frozenset(SHIPMENT_FIELDS)


def waits_for(case_types, evidence: str) -> bool:
    """Whether open cases of these types could be settled by ``evidence``."""
    return any(evidence in WAITS_FOR.get(case_type, ()) for case_type in case_types)


def evidence_of_change(changed_fields) -> set:
    """What a write to a shipment brings: new references, a new price, or nothing."""
    changed = set(changed_fields)
    found = set()
    if changed & REFERENCE_FIELDS:
        found.add(REFERENCE)
    if changed & PRICING_FIELDS:
        found.add(SHIPMENT)
    return found

