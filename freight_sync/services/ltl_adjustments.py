"""A carrier's reweigh, reclass or dimensional-weight rebill of an LTL shipment, and the
evidence it needs. Pure.

The carrier bills with its own figures when they differ from the shipment's: a weight it
measured on its scale (reweigh), a class its inspector gave the freight (reclass), or a
weight computed from the dimensions it measured (DIM). An inspection certificate (a
reference the carrier sends with the line, or a document attached to the invoice) backs
those figures: the audit then rates with them. Without one, the shipment's own figures
price the line and the difference goes to a clerk.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .ltl import LtlTerms, as_billed, class_key, normal_class, pounds

# the case type of each adjustment, the strongest first (a reclass changes every rate)
FINDING_TYPES = {"reclass": "reclass", "dim_weight": "dim_weight", "reweigh": "reweigh"}
WORDS = {"reclass": "reclass", "dim_weight": "dimensional weight", "reweigh": "reweigh"}


@dataclass(frozen=True)
class CarrierFigures:
    """What the carrier's lines of one shipment bill it with (None: as the shipment)."""

    weight_kg: float | None = None
    freight_class: str | None = None
    dimensions: str | None = None
    certificate: str | None = None


def carrier_figures(lines: Iterable, certificates: Iterable = ()) -> CarrierFigures:
    """The figures an invoice's lines of one shipment state: the heaviest billed weight,
    the first billed class, dimensions and certificate reference; a certificate attached
    to the invoice backs them when no line names one."""
    weight, freight_class, dimensions, certificate = None, None, None, None
    for line in lines:
        if line.billed_weight_kg and (weight is None or line.billed_weight_kg > weight):
            weight = line.billed_weight_kg
        freight_class = freight_class or normal_class(line.billed_class)
        dimensions = dimensions or line.dimensions or None
        certificate = certificate or line.certificate or None
    attached = ", ".join(certificates)
    return CarrierFigures(weight, freight_class, dimensions, certificate or attached or None)


@dataclass(frozen=True)
class Adjustment:
    """How the carrier's figures differ from the shipment's."""

    kinds: tuple  # reweigh, reclass, dim_weight
    items: tuple  # the shipment's items restated with the carrier's figures
    weight_kg: float  # the weight the carrier rated
    what: str  # "reweigh 1,240 → 1,500 lb, reclass 85 → 100"
    certificate: str | None

    @property
    def finding_type(self) -> str:
        return next(FINDING_TYPES[kind] for kind in FINDING_TYPES if kind in self.kinds)

    @property
    def evidence(self) -> str:
        if self.certificate:
            return f"inspection certificate {self.certificate}"
        return "no inspection certificate"


def find_adjustment(items: tuple, weight_kg: float, figures: CarrierFigures,
                    terms: LtlTerms) -> Adjustment | None:
    """The carrier's adjustment of a shipment of ``items`` weighing ``weight_kg`` (the
    items' sum when it has items), or None when it bills the shipment's own figures. A
    class the shipment's FAK rule rates it at is the shipment's class, not a reclass."""
    actual_kg = sum(item.weight_kg for item in items) if items else weight_kg
    kinds, parts = [], []
    billed_kg = figures.weight_kg
    if billed_kg and pounds(billed_kg) != pounds(actual_kg):
        kind = "dim_weight" if figures.dimensions else "reweigh"
        kinds.append(kind)
        measured = f" ({figures.dimensions})" if figures.dimensions else ""
        parts.append(f"{WORDS[kind]} {pounds(actual_kg):,} → {pounds(billed_kg):,} lb"
                     f"{measured}")
    actual = {normal_class(item.freight_class) for item in items} - {None}
    rated = {terms.rated_class(c) for c in actual}
    billed_class = figures.freight_class
    if billed_class and actual and billed_class not in actual | rated:
        kinds.append("reclass")
        shipment = ", ".join(sorted(actual, key=class_key))
        parts.append(f"reclass {shipment} → {billed_class}")
    if not kinds:
        return None
    reweighed = "reweigh" in kinds or "dim_weight" in kinds
    rated_kg = billed_kg if reweighed else actual_kg
    restated = as_billed(items, rated_kg, billed_class if "reclass" in kinds else None)
    return Adjustment(tuple(kinds), restated, rated_kg, ", ".join(parts), figures.certificate)
