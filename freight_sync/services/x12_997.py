"""X12 997 Functional Acknowledgment for a received interchange.

Pure: control numbers and the timestamp come from the caller (a sequence and the
clock live in the ORM), so the same input always gives the same 997.

What can be acknowledged:

* a valid interchange (``x12.parse`` returned it): one 997 set per functional group,
  an AK2/AK5 per transaction set (accepted, or rejected with its AK5 codes and, for
  each segment at fault, an AK3 with its position and AK304 code and an AK4 naming the
  element, its AK403 code and the bad value), AK9 with the counts and A (all
  accepted), P (some) or R (none);
* an interchange with envelope errors: ``X12Error.interchange`` is the partial parse;
  groups with a GS/GE error are rejected with their AK9 codes, and when the ISA/IEA
  itself is wrong a TA1 (interchange acknowledgment, TA104 ``R``) carries its note code
  and every group is rejected, since nothing of it will be applied;
* an interchange whose ISA is unreadable (``X12Error.interchange is None``): nothing.
  Without the sender's identity and delimiters no 997 can be addressed; the caller
  answers HTTP 400 with the error instead.

Groups of 997s are never acknowledged (X12: no acknowledgment of acknowledgments).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .x12 import Delimiters, Interchange

MAX_CONTROL = 999_999_999
MAX_CODES = 5  # AK502..AK506 and AK905..AK909
SPARE_REPETITIONS = "^{|!"  # three delimiters cannot take all four
MAX_BAD_VALUE = 99  # AK404 is at most 99 characters
# AK304 of a segment the reader found no segment identifier in
UNRECOGNIZED_SEGMENT = "1"
INVALID_CONTROL_STRUCTURE = "022"  # TA105 when no more precise note code is known


@dataclass(frozen=True)
class SegmentNote:
    """What an AK3 (and its AK4) say of one segment of a rejected set."""

    segment_id: str  # AK301
    position: int  # AK302: in the set, ST being 1
    code: str  # AK304 segment syntax error code
    loop_id: str = ""  # AK303, only for bounded (LS/LE) loops
    element_position: int | None = None  # AK401
    element_code: str = ""  # AK403 data element syntax error code
    bad_value: str = ""  # AK404


@dataclass(frozen=True)
class SetRejection:
    """Why a caller rejects a set the reader found sound: its AK5 codes and notes."""

    codes: tuple = ()
    segments: tuple = ()


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
                      extra_errors: Mapping | None = None,
                      delimiters: Delimiters | None = None) -> list[list[str]]:
    """The AK1..AK9 segments (as element lists) acknowledging one functional group.

    ``extra_errors`` values are AK5 codes or a ``SetRejection``; ``delimiters`` are those
    of the 997, which a quoted bad value must not hold."""
    ak1 = ["AK1", group.functional_id, group.control]
    if group.version >= "005010":
        ak1.append(group.version)  # AK103 exists from 005010 on
    segments = [ak1]
    group_rejected = interchange_rejected or not group.ok
    accepted = 0
    for tset in group.sets:
        rejection = _rejection((extra_errors or {}).get((group.control, tset.control), ()))
        codes = _codes(tset.errors, rejection.codes)
        ok = tset.ok and not codes and not group_rejected
        accepted += ok
        segments.append(["AK2", tset.code, tset.control])
        for note in _reader_notes(tset) + list(rejection.segments):
            segments += _segment_note(note, delimiters)
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


def _rejection(extra) -> SetRejection:
    return extra if isinstance(extra, SetRejection) else SetRejection(tuple(extra))


def _reader_notes(tset) -> list[SegmentNote]:
    """AK3 of the segments the reader could not identify in ``tset``."""
    notes = []
    for error in tset.errors:
        if error.code == "segment_id" and error.segment_index is not None:
            position = error.segment_index - tset.segment_index + 1
            segment_id = tset.segments[position - 2][0] if position >= 2 else ""
            notes.append(SegmentNote(segment_id, position, UNRECOGNIZED_SEGMENT))
    return notes


def _segment_note(note: SegmentNote, delimiters: Delimiters | None) -> list[list[str]]:
    """AK3 and, when an element is named, AK4; trailing empty elements left out."""
    out = [_trim(["AK3", _clean(note.segment_id, delimiters)[:3], str(note.position),
                  note.loop_id, note.code])]
    if note.element_position:
        out.append(_trim(["AK4", str(note.element_position), "", note.element_code,
                          _clean(note.bad_value, delimiters)[:MAX_BAD_VALUE]]))
    return out


def _clean(value: str, delimiters: Delimiters | None) -> str:
    """A received value quoted in our 997: without our delimiters or control characters."""
    taken = set() if delimiters is None else {
        delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition}
    return "".join(char for char in value if char.isprintable() and char not in taken).strip()


def _trim(segment: list[str]) -> list[str]:
    while segment and not segment[-1]:
        segment.pop()
    return segment


def _ta1(interchange: Interchange) -> list[str] | None:
    """The TA1 rejecting an interchange whose ISA/IEA is wrong, with the first error's
    note code (TA105), or ``None`` when the interchange envelope is sound."""
    if not interchange.errors:
        return None
    codes = [error.ack_code for error in interchange.errors if error.ack_code]
    return ["TA1", interchange.control_number, interchange.date, interchange.time, "R",
            codes[0] if codes else INVALID_CONTROL_STRUCTURE]


def build_997(interchange: Interchange, *, interchange_control: int, group_control: int,
              when: datetime, first_set_control: int = 1, delimiters: Delimiters | None = None,
              extra_errors: Mapping[tuple[str, str], Sequence[str] | SetRejection]
              | None = None,
              ) -> str | None:
    """The 997 interchange answering ``interchange``, or ``None`` if nothing to answer.

    Sender and receiver are swapped (ISA and GS), the ISA version, test indicator and
    delimiters are the received ones unless ``delimiters`` is given. ``extra_errors``
    adds AK5 codes (or a ``SetRejection`` with AK3/AK4 notes) to sets the caller rejects
    for its own reasons, keyed by ``(GS06, ST02)``.
    """
    _control(interchange_control, "interchange_control")
    _control(group_control, "group_control")
    _control(first_set_control, "first_set_control")
    groups = [group for group in interchange.groups if group.functional_id != "FA"]
    ta1 = _ta1(interchange)
    if not groups and not ta1:
        return None
    d = delimiters or _with_repetition(interchange)
    if interchange.version >= "00402" and not d.repetition:
        # from 00402 on ISA11 is the repetition separator: a letter there breaks the ISA
        raise ValueError(f"ISA version {interchange.version} needs a repetition separator")
    # a refused interchange may name its sender with hidden characters: never echoed
    sender, receiver = _printable(interchange.receiver_id), _printable(interchange.sender_id)
    for name, value in (("sender", sender), ("receiver", receiver)):
        if len(value) > 15:
            raise ValueError(f"ISA {name} id {value!r} is longer than 15 characters")
    isa = ["ISA", "00", " " * 10, "00", " " * 10,
           _printable(interchange.receiver_qualifier), sender.ljust(15),
           _printable(interchange.sender_qualifier), receiver.ljust(15),
           when.strftime("%y%m%d"), when.strftime("%H%M"),
           d.repetition or "U", interchange.version, f"{interchange_control:09d}",
           "0", "T" if interchange.test else "P", d.component]
    out = [isa] + ([ta1] if ta1 else [])
    if groups:
        out += _fa_group(interchange, groups, group_control, when, first_set_control, d,
                         extra_errors)
    out.append(["IEA", "1" if groups else "0", f"{interchange_control:09d}"])
    return "".join(d.element.join(map(_printable, segment)) + d.segment + d.suffix
                   for segment in out)


def _printable(value: str) -> str:
    """A value echoed in our 997 without the control characters a sender slipped in
    (our own delimiters are joined in afterwards, whatever they are)."""
    return "".join(char for char in value if char.isprintable())


def _fa_group(interchange, groups, group_control, when, first_set_control, d, extra_errors):
    """The GS..GE of the 997s, one set per received group."""
    first = groups[0]
    version = first.version or "004010"
    out = [["GS", "FA", first.receiver or interchange.receiver_id,
            first.sender or interchange.sender_id, when.strftime("%Y%m%d"),
            when.strftime("%H%M"), str(group_control), "X", version]]
    rejected = bool(interchange.errors)
    for offset, group in enumerate(groups):
        set_control = f"{first_set_control + offset:04d}"
        body = acknowledge_group(group, rejected, extra_errors, d)
        out += [["ST", "997", set_control], *body, ["SE", str(len(body) + 2), set_control]]
    out.append(["GE", str(len(groups)), str(group_control)])
    return out
