"""X12 997 Functional Acknowledgment for a received interchange.

Pure: control numbers and the timestamp come from the caller (a sequence and the
clock live in the ORM), so the same input always gives the same 997.

What can be acknowledged:

* a valid interchange (``x12.parse`` returned it): one 997 set per functional group,
  an AK2/AK5 per transaction set (accepted, or rejected with its AK5 codes), AK9 with
  the counts and A (all accepted), P (some) or R (none);
* an interchange with envelope errors: ``X12Error.interchange`` is the partial parse;
  groups with a GS/GE error are rejected with their AK9 codes, and when the ISA/IEA
  itself is wrong every group is rejected, since nothing of it will be applied;
* an interchange whose ISA is unreadable (``X12Error.interchange is None``): nothing.
  Without the sender's identity and delimiters no 997 can be addressed; the caller
  answers HTTP 400 with the error instead.

Groups of 997s are never acknowledged (X12: no acknowledgment of acknowledgments).
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from .x12 import Delimiters, Interchange

MAX_CONTROL = 999_999_999
MAX_CODES = 5  # AK502..AK506 and AK905..AK909
SPARE_REPETITIONS = "^{|!"  # three delimiters cannot take all four


def _control(value: int, name: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_CONTROL:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_CONTROL}, got {value!r}")
    return value


def _codes(errors, extra=()) -> list[str]:
    codes = []
    for code in [error.ack_code for error in errors] + list(extra):
        if code and code not in codes:
            codes.append(code)
    return codes[:MAX_CODES]


def _with_repetition(interchange: Interchange) -> Delimiters:
    """The received delimiters, with a repetition separator when the version needs one
    and the sender wrote none (ISA11 'U' from 00402 on): ours, since a 997 repeats
    nothing, but a letter there would make our ISA wrong."""
    d = interchange.delimiters
    if d.repetition or interchange.version < "00402":
        return d
    taken = (d.element, d.component, d.segment)
    return replace(d, repetition=next(char for char in SPARE_REPETITIONS if char not in taken))


def acknowledge_group(group, interchange_rejected: bool = False,
                      extra_errors: Mapping | None = None) -> list[list[str]]:
    """The AK1..AK9 segments (as element lists) acknowledging one functional group."""
    ak1 = ["AK1", group.functional_id, group.control]
    if group.version >= "005010":
        ak1.append(group.version)  # AK103 exists from 005010 on
    segments = [ak1]
    group_rejected = interchange_rejected or not group.ok
    accepted = 0
    for tset in group.sets:
        codes = _codes(tset.errors, (extra_errors or {}).get((group.control, tset.control), ()))
        ok = tset.ok and not codes and not group_rejected
        accepted += ok
        segments.append(["AK2", tset.code, tset.control])
        segments.append(["AK5", "A" if ok else "R", *codes])
    received = len(group.sets)
    included = group.declared_sets if group.declared_sets is not None else received
    if group_rejected or (received and not accepted):
        status = "R"
    else:
        status = "A" if accepted == received else "P"
    segments.append(["AK9", status, str(included), str(received), str(accepted),
                     *_codes(group.errors)])
    return segments


def build_997(interchange: Interchange, *, interchange_control: int, group_control: int,
              when: datetime, first_set_control: int = 1, delimiters: Delimiters | None = None,
              extra_errors: Mapping[tuple[str, str], Sequence[str]] | None = None,
              ) -> str | None:
    """The 997 interchange answering ``interchange``, or ``None`` if nothing to answer.

    Sender and receiver are swapped (ISA and GS), the ISA version, test indicator and
    delimiters are the received ones unless ``delimiters`` is given. ``extra_errors``
    adds AK5 codes to sets the caller rejects for its own reasons, keyed by
    ``(GS06, ST02)``.
    """
    _control(interchange_control, "interchange_control")
    _control(group_control, "group_control")
    _control(first_set_control, "first_set_control")
    groups = [group for group in interchange.groups if group.functional_id != "FA"]
    if not groups:
        return None
    d = delimiters or _with_repetition(interchange)
    if interchange.version >= "00402" and not d.repetition:
        # from 00402 on ISA11 is the repetition separator: a letter there breaks the ISA
        raise ValueError(f"ISA version {interchange.version} needs a repetition separator")
    for name, value in (("sender", interchange.receiver_id),
                        ("receiver", interchange.sender_id)):
        if len(value) > 15:
            raise ValueError(f"ISA {name} id {value!r} is longer than 15 characters")
    first = groups[0]
    version = first.version or "004010"
    isa = ["ISA", "00", " " * 10, "00", " " * 10,
           interchange.receiver_qualifier, interchange.receiver_id.ljust(15),
           interchange.sender_qualifier, interchange.sender_id.ljust(15),
           when.strftime("%y%m%d"), when.strftime("%H%M"),
           d.repetition or "U", interchange.version, f"{interchange_control:09d}",
           "0", "T" if interchange.test else "P", d.component]
    gs = ["GS", "FA", first.receiver or interchange.receiver_id,
          first.sender or interchange.sender_id, when.strftime("%Y%m%d"),
          when.strftime("%H%M"), str(group_control), "X", version]
    rejected = bool(interchange.errors)
    out = [isa, gs]
    for offset, group in enumerate(groups):
        set_control = f"{first_set_control + offset:04d}"
        body = acknowledge_group(group, rejected, extra_errors)
        out += [["ST", "997", set_control], *body, ["SE", str(len(body) + 2), set_control]]
    out += [["GE", str(len(groups)), str(group_control)],
            ["IEA", "1", f"{interchange_control:09d}"]]
    return "".join(d.element.join(segment) + d.segment + d.suffix for segment in out)
