"""A carrier's LTL base tariff from a CSV file, checked row by row before anything is
imported. Pure.

Two layouts are read:

- wide, as carriers publish: ``origin, destination, class`` then one column per weight
  break (``L5C`` or ``<500`` or ``0``, ``M5C`` or ``500``, ``1M`` or ``1000``, ``2M``...);
  an empty cell is no rate at that break;
- long, one rate a row: ``origin, destination, class, break, rate``.

Empty origin or destination (or ``*``) is any ZIP. Row numbers are the file's, the header
being row 1, as a spreadsheet shows them.
"""

import csv
import io
import math
import re
from dataclasses import dataclass

from .ltl import CLASSES, break_label, class_key, normal_class

DELIMITERS = (",", ";", "\t")
COLUMNS = {
    "origin": ("origin", "origin_zip", "origin_prefix", "origin_zip_prefix", "orig",
               "orig_zip", "from", "from_zip", "o_zip"),
    "destination": ("destination", "dest", "destination_zip", "dest_zip",
                    "destination_prefix", "destination_zip_prefix", "dest_prefix", "to",
                    "to_zip", "d_zip"),
    "class": ("class", "freight_class", "nmfc_class", "nmfc", "fc"),
    "break": ("break", "weight_break", "min_weight_lb", "min_weight", "break_lb",
              "weight_break_lb", "min_lb"),
    "rate": ("rate", "rate_cwt", "rate_per_cwt", "cwt_rate", "per_cwt"),
}
ANY_ZIP = ("", "*", "any", "all")
_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)m")


@dataclass(frozen=True)
class TariffCell:
    """One rate of the file: per cwt, from ``break_lb`` pounds, on a lane for a class."""

    row: int
    origin_prefix: str
    destination_prefix: str
    freight_class: str
    break_lb: int
    rate: float

    @property
    def lane(self) -> tuple[str, str]:
        return self.origin_prefix, self.destination_prefix


@dataclass(frozen=True)
class RowError:
    row: int  # 0: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row else self.message


@dataclass(frozen=True)
class Summary:
    lanes: int
    classes: tuple
    breaks: tuple
    rates: int
    min_rate: float | None
    max_rate: float | None


@dataclass(frozen=True)
class ParsedTariff:
    layout: str | None  # "wide", "long"; None when the header could not be read
    cells: tuple = ()  # TariffCell, in the file's order
    errors: tuple = ()  # RowError, by row

    @property
    def summary(self) -> Summary:
        rates = [cell.rate for cell in self.cells]
        return Summary(
            lanes=len({cell.lane for cell in self.cells}),
            classes=tuple(sorted({c.freight_class for c in self.cells}, key=class_key)),
            breaks=tuple(sorted({cell.break_lb for cell in self.cells})),
            rates=len(rates),
            min_rate=min(rates) if rates else None,
            max_rate=max(rates) if rates else None,
        )


def parse_break(text) -> int | None:
    """A weight break header or cell in pounds: L5C, <500, 0 -> 0; M5C, 500 -> 500;
    1M, 1000 -> 1000; 2M... None when it is none."""
    label = str(text or "").strip().lower().replace(" ", "").replace(",", "")
    label = re.sub(r"(lbs?|#)$", "", label)
    if label in ("l5c", "<500", "0", "min"):
        return 0
    if label == "m5c":
        return 500
    thousands = _THOUSANDS.fullmatch(label)
    if thousands:
        pounds = float(thousands.group(1)) * 1000
        return int(pounds) if pounds == int(pounds) else None
    return int(label) if label.isdigit() else None


def _decode(data) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1252", errors="replace")
    return data.lstrip("\ufeff")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=first.count)


def _key(header: str) -> str:
    return re.sub(r"[\s\-./]+", "_", header.strip().lower()).strip("_")


def _number(text: str, delimiter: str) -> float | None:
    value = text.strip().lstrip("$€£").replace(" ", "")
    if "," in value and "." in value:
        value = value.replace(",", "")
    elif "," in value:
        # a comma is a decimal mark in a file whose cells are not separated by commas
        value = value.replace(",", "" if delimiter == "," else ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _zip_prefix(text: str) -> str | None:
    value = text.replace(" ", "").upper()
    if value.lower() in ANY_ZIP:
        return ""
    return value if value.isalnum() else None


class _Reader:
    """One pass over the rows, collecting cells and errors."""

    def __init__(self, delimiter):
        self.delimiter = delimiter
        self.cells = []
        self.errors = []
        self.seen = {}  # (lane, class, break) -> row
        self.refused = set()  # (origin, destination, class) with a rate in error

    def error(self, row, message):
        self.errors.append(RowError(row, message))

    def lane(self, row, values, columns):
        """(origin, destination, class) of a row, or None after saying what is wrong."""
        found = []
        for name in ("origin", "destination"):
            prefix = _zip_prefix(values[columns[name]])
            if prefix is None:
                self.error(row, f'{name} "{values[columns[name]]}" is not a ZIP prefix')
                return None
            found.append(prefix)
        text = values[columns["class"]].strip()
        if not text:
            self.error(row, "the class cell is empty")
            return None
        freight_class = normal_class(text)
        if freight_class is None:
            self.error(row, f'class "{text}" is not an NMFC class ({", ".join(CLASSES)})')
            return None
        return found[0], found[1], freight_class

    def add(self, row, lane, break_lb, text, where=""):
        rate = _number(text, self.delimiter)
        if rate is None or rate < 0:
            self.refused.add(lane)
            self.error(row, f'rate "{text.strip()}"{where} is not a number' if rate is None
                       else f"rate {text.strip()}{where} is negative")
            return
        key = (lane, break_lb)
        if key in self.seen:
            origin, destination, freight_class = lane
            self.error(row, f"lane {origin or '*'}→{destination or '*'} class {freight_class} "
                            f"break {break_label(break_lb)} is already rated on row "
                            f"{self.seen[key]}")
            return
        self.seen[key] = row
        self.cells.append(TariffCell(row, *lane, break_lb, rate))


def _columns(header) -> tuple[dict, list]:
    """Known column -> index, and the other columns (index, header)."""
    columns, others = {}, []
    for index, title in enumerate(header):
        name = next((n for n, aliases in COLUMNS.items() if _key(title) in aliases), None)
        if name and name not in columns:
            columns[name] = index
        else:
            others.append((index, title))
    return columns, others


def _missing(columns, names) -> list[RowError]:
    return [RowError(1, f'no {name} column (one of: {", ".join(COLUMNS[name])})')
            for name in names if name not in columns]


def _break_columns(others) -> tuple[dict, list[RowError]]:
    breaks, errors = {}, []
    for index, title in others:
        if not title.strip():
            continue
        weight = parse_break(title)
        if weight is None:
            errors.append(RowError(1, f'column "{title}" is not a weight break (L5C, M5C, '
                                      f"1M, 2M, 5M... or pounds)"))
        elif weight in breaks.values():
            errors.append(RowError(1, f'column "{title}" repeats the {break_label(weight)} '
                                      "break"))
        else:
            breaks[index] = weight
    return breaks, errors


def parse_tariff(data) -> ParsedTariff:
    """The rates of a tariff file and every error found in it, with its row."""
    text = _decode(data)
    if not text.strip():
        return ParsedTariff(None, errors=(RowError(0, "The file is empty."),))
    delimiter = _delimiter(text)
    rows = [(number, [cell.strip() for cell in values]) for number, values in
            enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    rows = [(number, values) for number, values in rows if any(values)]
    if not rows:
        return ParsedTariff(None, errors=(RowError(0, "The file is empty."),))
    (_first, header), body = rows[0], rows[1:]
    columns, others = _columns(header)
    long = "rate" in columns or "break" in columns
    errors = _missing(columns, ("origin", "destination", "class")
                      + (("break", "rate") if long else ()))
    breaks = {}
    if not long:
        breaks, header_errors = _break_columns(others)
        errors += header_errors
        if not breaks and not header_errors:
            errors.append(RowError(1, "no weight break columns (L5C, M5C, 1M...) and no "
                                      "break and rate columns"))
    if errors:
        return ParsedTariff("long" if long else "wide", errors=tuple(errors))
    reader = _Reader(delimiter)
    for number, values in body:
        if len(values) < len(header):
            reader.error(number, f"{len(values)} cells where the header has {len(header)}")
            continue
        lane = reader.lane(number, values, columns)
        if lane is None:
            continue
        if long:
            _long_row(reader, number, values, columns, lane)
        else:
            for index, weight in breaks.items():
                if values[index]:
                    reader.add(number, lane, weight, values[index],
                               f" at {break_label(weight)}")
    if not body:
        reader.error(0, "The file has a header but no rates.")
    _check_lowest_break(reader)
    return ParsedTariff("long" if long else "wide", tuple(reader.cells),
                        tuple(sorted(reader.errors, key=lambda e: e.row)))


def _long_row(reader, number, values, columns, lane):
    text = values[columns["break"]]
    weight = parse_break(text)
    if weight is None:
        reader.error(number, f'break "{text}" is not a weight break (L5C, M5C, 1M... or '
                             "pounds)" if text else "the break cell is empty")
    elif not values[columns["rate"]]:
        reader.error(number, "the rate cell is empty")
    else:
        reader.add(number, lane, weight, values[columns["rate"]])


def _check_lowest_break(reader):
    """Every lane and class rates the lightest shipments: without the lowest break a
    shipment under the next one could not be rated at all."""
    if not reader.cells:
        return
    lowest = min(cell.break_lb for cell in reader.cells)
    first = {}
    for cell in reader.cells:
        first.setdefault((cell.lane, cell.freight_class), cell.row)
    rated = {(cell.lane, cell.freight_class) for cell in reader.cells
             if cell.break_lb == lowest}
    for (lane, freight_class), row in first.items():
        # a rate refused already says what is wrong with that lane and class
        if (lane, freight_class) not in rated and (*lane, freight_class) not in reader.refused:
            reader.error(row, f"lane {lane[0] or '*'}→{lane[1] or '*'} class {freight_class} "
                              f"has no rate at the lowest break {break_label(lowest)}")
