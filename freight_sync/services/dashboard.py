"""The freight dashboard's arithmetic, kept free of the ORM: what a request may ask for,
weeks of a period, rates, and the windows a chart point drills into.

Week buckets start on Monday (PostgreSQL's ``date_trunc('week', …)``) and are clipped to
the requested period, so a point's drill-down finds exactly the records it counted.
"""

from datetime import date, datetime, time, timedelta

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366
ACCRUAL_BUCKETS = ("0-30", "31-60", "61-90", "90+")


class BadParams(ValueError):
    """A dashboard request refused, with a sentence saying what to fix."""


def _parse_date(value, name):
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise BadParams(f"{name} must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadParams(f"{name} must be a date written YYYY-MM-DD, not {value!r}")


def parse_params(params, today):
    """``(date_from, date_to, carrier_id)`` from the request; the last 12 weeks by default."""
    unknown = set(params) - {"date_from", "date_to", "carrier_id"}
    if unknown:
        raise BadParams(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    date_to = _parse_date(params.get("date_to") or today, "date_to")
    date_from = _parse_date(params.get("date_from")
                            or date_to - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1),
                            "date_from")
    if date_from > date_to:
        raise BadParams("date_from must not be after date_to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BadParams(f"the period must be shorter than {MAX_DAYS} days")
    carrier_id = params.get("carrier_id") or None
    # bool is an int in Python: true must not mean carrier 1
    if carrier_id is not None and (isinstance(carrier_id, bool)
                                   or not isinstance(carrier_id, int) or carrier_id < 0):
        raise BadParams("carrier_id must be a carrier's id (a positive integer)")
    return date_from, date_to, carrier_id


def week_start(day):
    return day - timedelta(days=day.weekday())


def weeks(date_from, date_to):
    """The Mondays of every week that touches the period, oldest first."""
    monday, last = week_start(date_from), week_start(date_to)
    result = []
    while monday <= last:
        result.append(monday)
        monday += timedelta(weeks=1)
    return result


def period_bounds(date_from, date_to):
    """The period as naive UTC datetimes, end excluded, as stored datetimes compare."""
    return datetime.combine(date_from, time()), datetime.combine(date_to + timedelta(days=1),
                                                                 time())


def week_window(monday, date_from, date_to):
    """A week's ``[start, end)`` clipped to the period."""
    start, end = period_bounds(date_from, date_to)
    week_begin = datetime.combine(monday, time())
    return max(start, week_begin), min(end, week_begin + timedelta(weeks=1))


def rate(part, whole):
    """Percent with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def weekly_series(rows, mondays, empty):
    """``{monday: row}`` laid on every week of the period, ``empty()`` where none came."""
    by_week = {}
    for monday, row in rows:
        key = monday.date() if isinstance(monday, datetime) else monday
        by_week[key] = row
    return [(monday, by_week.get(monday) or empty()) for monday in mondays]


def bucket_series(rows):
    """Open accruals by age, every bucket present, in age order."""
    by_bucket = dict(rows)
    return [(bucket, by_bucket.get(bucket, (0, 0.0))) for bucket in ACCRUAL_BUCKETS]


def months(date_from, date_to):
    """``YYYY-MM`` of every month the period touches, oldest first."""
    first, last = date_from.year * 12 + date_from.month - 1, date_to.year * 12 + date_to.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]


DISPUTE_SERIES = ("disputed", "recovered", "written_off")


def dispute_figures(rows, month_keys, names):
    """Disputes by month and by carrier from ``(month, carrier_id, disputed, recovered,
    written_off, settled, won)`` rows; a carrier's win rate is won of settled (a dispute
    is won when any of its money came back), ``None`` when none was settled."""
    index = {month: i for i, month in enumerate(month_keys)}
    series = {key: [0.0] * len(month_keys) for key in DISPUTE_SERIES}
    carriers = {}
    for month, carrier_id, *money, settled, won in rows:
        if month in index:
            for key, amount in zip(DISPUTE_SERIES, money):
                series[key][index[month]] = round(series[key][index[month]] + float(amount), 2)
        entry = carriers.setdefault(carrier_id, {
            "id": carrier_id, "name": names.get(carrier_id, ""), "disputed": 0.0,
            "recovered": 0.0, "written_off": 0.0, "settled": 0, "won": 0})
        for key, amount in zip(DISPUTE_SERIES, money):
            entry[key] = round(entry[key] + float(amount), 2)
        entry["settled"] += settled
        entry["won"] += won
    for entry in carriers.values():
        entry["win_rate"] = round(entry["won"] / entry["settled"], 4) if entry["settled"] else None
    return {
        "months": list(month_keys),
        "series": [{"key": key, "values": series[key]} for key in DISPUTE_SERIES],
        "carriers": sorted(carriers.values(), key=lambda c: (-c["disputed"], c["name"])),
    }
