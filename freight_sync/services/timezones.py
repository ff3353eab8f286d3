"""X12 dates, times and time codes (element 623) to ISO 8601 with a UTC offset.

A carrier's status time is only useful with its zone: canonical milestones refuse times
without an offset, so every X12 time is resolved here or refused with the field named.

Time codes follow X12 element 623: ``AT`` is *Alaska* Time (Atlantic is ``TT``/``TS``/
``TD``), ``HT`` Hawaii-Aleutian Time, ``NT`` Newfoundland Time, ``01``..``12`` are UTC+1..+12
and ``13``..``24`` UTC-12..-1. ``LT`` (or no code: "AT706 is local time when AT707 is
absent") is resolved from the state or province of the event's location.
"""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .canonical import PayloadError

UTC_CODES = frozenset({"UT", "GM", "UTC"})

# Zones that follow daylight saving time. ``HT`` is Honolulu (the Hawaii part of the zone;
# the Aleutians are rare in freight and can send ``HD``/``HS``).
DST_ZONES = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles", "AT": "America/Anchorage", "HT": "Pacific/Honolulu",
    "NT": "America/St_Johns", "TT": "America/Halifax",
}

# Fixed offsets in minutes: the sender said standard or daylight explicitly.
FIXED_OFFSETS = {
    "ES": -300, "ED": -240, "CS": -360, "CD": -300, "MS": -420, "MD": -360,
    "PS": -480, "PD": -420, "AS": -540, "AD": -480, "HS": -600, "HD": -540,
    "NS": -210, "ND": -150, "TS": -240, "TD": -180,
    **{f"{hours:02d}": hours * 60 for hours in range(1, 13)},  # 01..12 = ISO P01..P12
    **{f"{hours:02d}": -(25 - hours) * 60 for hours in range(13, 25)},  # 13 = M12 .. 24 = M01
}

LOCAL_CODES = frozenset({"LT", ""})

# State or province -> IANA zone where most of its people and freight are. States split
# between zones list the main places of their minority zone in ``MINORITY_CITIES``; a
# partner shipping from a minority-zone town not listed there must send AT707 with a zone.
US_STATES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico", "VI": "America/St_Thomas", "GU": "Pacific/Guam",
}
CA_PROVINCES = {
    "AB": "America/Edmonton", "BC": "America/Vancouver", "MB": "America/Winnipeg",
    "NB": "America/Moncton", "NL": "America/St_Johns", "NS": "America/Halifax",
    "NT": "America/Yellowknife", "NU": "America/Iqaluit", "ON": "America/Toronto",
    "PE": "America/Halifax", "QC": "America/Toronto", "SK": "America/Regina",
    "YT": "America/Whitehorse",
}
MINORITY_CITIES = {
    ("US", "FL"): {city: "America/Chicago" for city in (
        "PENSACOLA", "PANAMA CITY", "FORT WALTON BEACH", "DESTIN", "CRESTVIEW", "MARIANNA",
        "MILTON", "NICEVILLE")},
    ("US", "TX"): {"EL PASO": "America/Denver", "HORIZON CITY": "America/Denver",
                   "SOCORRO": "America/Denver", "VAN HORN": "America/Denver"},
    ("US", "TN"): {city: "America/New_York" for city in (
        "KNOXVILLE", "CHATTANOOGA", "JOHNSON CITY", "KINGSPORT", "BRISTOL", "CLEVELAND",
        "MORRISTOWN", "OAK RIDGE", "MARYVILLE", "ATHENS")},
    ("US", "KY"): {city: "America/Chicago" for city in (
        "BOWLING GREEN", "PADUCAH", "OWENSBORO", "HOPKINSVILLE", "MADISONVILLE", "MURRAY",
        "HENDERSON", "GLASGOW")},
    ("US", "IN"): {city: "America/Chicago" for city in (
        "GARY", "HAMMOND", "EVANSVILLE", "MERRILLVILLE", "VALPARAISO", "MICHIGAN CITY",
        "LA PORTE", "EAST CHICAGO", "PORTAGE", "CROWN POINT", "MOUNT VERNON")},
    ("US", "MI"): {city: "America/Menominee" for city in (
        "IRON MOUNTAIN", "MENOMINEE", "IRONWOOD")},
    ("US", "ID"): {city: "America/Los_Angeles" for city in (
        "COEUR D ALENE", "LEWISTON", "MOSCOW", "POST FALLS", "SANDPOINT")},
    ("US", "OR"): {"ONTARIO": "America/Boise", "NYSSA": "America/Boise"},
    ("US", "NV"): {"WEST WENDOVER": "America/Denver"},
    ("US", "ND"): {city: "America/Denver" for city in ("DICKINSON", "BEACH", "BOWMAN")},
    ("US", "SD"): {city: "America/Denver" for city in (
        "RAPID CITY", "SPEARFISH", "STURGIS", "BELLE FOURCHE", "LEAD", "DEADWOOD")},
    ("US", "NE"): {city: "America/Denver" for city in (
        "SCOTTSBLUFF", "SIDNEY", "ALLIANCE", "CHADRON", "GERING", "OGALLALA")},
    ("US", "KS"): {city: "America/Denver" for city in ("GOODLAND", "SHARON SPRINGS")},
    ("US", "AK"): {"ADAK": "America/Adak"},
    ("CA", "ON"): {city: "America/Winnipeg" for city in (
        "KENORA", "DRYDEN", "FORT FRANCES", "RAINY RIVER", "SIOUX LOOKOUT")},
    ("CA", "BC"): {"CRANBROOK": "America/Edmonton", "FERNIE": "America/Edmonton",
                   "GOLDEN": "America/Edmonton", "DAWSON CREEK": "America/Dawson_Creek",
                   "FORT ST JOHN": "America/Dawson_Creek", "CRESTON": "America/Creston"},
    ("CA", "NL"): {city: "America/Goose_Bay" for city in (
        "HAPPY VALLEY GOOSE BAY", "GOOSE BAY", "LABRADOR CITY", "WABUSH")},
    ("CA", "SK"): {"LLOYDMINSTER": "America/Edmonton"},
    ("CA", "NU"): {"RANKIN INLET": "America/Rankin_Inlet",
                   "CAMBRIDGE BAY": "America/Cambridge_Bay"},
}
COUNTRIES = {"US": "US", "USA": "US", "CA": "CA", "CAN": "CA"}


def _city_key(city: str | None) -> str:
    return " ".join(re.sub(r"[.'\-]", " ", (city or "").upper()).split())


def zone_for_region(region: str | None, country: str | None = None,
                    city: str | None = None) -> ZoneInfo | None:
    """The IANA zone of a US state or Canadian province (``None`` when unknown).

    Without a country the code is looked up among US states, then Canadian provinces
    (the two lists share no code).
    """
    code = (region or "").strip().upper()
    country_code = COUNTRIES.get((country or "").strip().upper()) if country else None
    if country and not country_code:
        return None
    for candidate, table in (("US", US_STATES), ("CA", CA_PROVINCES)):
        if country_code in (None, candidate) and code in table:
            name = MINORITY_CITIES.get((candidate, code), {}).get(_city_key(city), table[code])
            return ZoneInfo(name)
    return None


def _standard_offset(zone) -> timedelta:
    return datetime(2024, 1, 15, 12, tzinfo=zone).utcoffset()


def parse_x12_datetime(date: str, time: str, pointer_date: str, pointer_time: str) -> datetime:
    """CCYYMMDD + HHMM[SS[D[D]]] as a naive datetime; errors name the element."""
    date, time = (date or "").strip(), (time or "").strip()
    if not re.match(r"^\d{8}$", date):
        raise PayloadError(pointer_date, f"date {date!r} must be CCYYMMDD")
    if not re.match(r"^\d{4}(\d{2}(\d{1,2})?)?$", time):
        raise PayloadError(pointer_time, f"time {time!r} must be HHMM, HHMMSS or HHMMSSDD")
    try:
        naive = datetime.strptime(date + time[:4].ljust(4, "0"), "%Y%m%d%H%M")
    except ValueError as error:
        raise PayloadError(pointer_date, f"{date} {time} is not a calendar date and time") \
            from error
    seconds = int(time[4:6] or 0)
    if seconds > 59:
        raise PayloadError(pointer_time, f"time {time!r} has {seconds} seconds")
    fraction = time[6:]
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    return naive.replace(second=seconds, microsecond=micro)


def to_iso(date: str, time: str, time_code: str | None, *, region: str | None = None,
           country: str | None = None, city: str | None = None, pointer: str = "",
           elements: tuple[str, str, str] = ("AT705", "AT706", "AT707"),
           region_element: str = "MS102") -> str:
    """ISO 8601 text with the UTC offset for an X12 date, time and time code.

    ``pointer`` prefixes the element names in errors (``/ST0001/LX2``); ``region``,
    ``country`` and ``city`` are where the event happened (MS1), used for local time and
    to pick the right variant of a generic zone (``MT`` in Arizona has no daylight time).
    """
    date_el, time_el, code_el = (f"{pointer}/{name}" for name in elements)
    naive = parse_x12_datetime(date, time, date_el, time_el)
    code = (time_code or "").strip().upper()
    region_zone = zone_for_region(region, country, city) if region else None
    if code in UTC_CODES:
        aware = naive.replace(tzinfo=timezone.utc)
    elif code in FIXED_OFFSETS:
        aware = naive.replace(tzinfo=timezone(timedelta(minutes=FIXED_OFFSETS[code])))
    elif code in DST_ZONES:
        zone = ZoneInfo(DST_ZONES[code])
        if region_zone is not None and _standard_offset(region_zone) == _standard_offset(zone):
            zone = region_zone  # same zone, local rules: Arizona, Saskatchewan, Indiana
        aware = naive.replace(tzinfo=zone)
    elif code in LOCAL_CODES:
        if region_zone is None:
            where = f"{region!r}" + (f" ({country})" if country else "") if region else "none"
            raise PayloadError(
                code_el,
                f"local time needs a US state or Canadian province in {region_element} to "
                f"find its zone (got {where}); send a zone code such as ET, CT or UT",
            )
        aware = naive.replace(tzinfo=region_zone)
    else:
        raise PayloadError(code_el, f"unknown X12 time code {code!r}")
    # during the hour repeated when daylight time ends, zoneinfo reads the first (daylight)
    # occurrence: an hour early at worst, never a day off
    return aware.isoformat()
