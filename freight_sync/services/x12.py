"""X12 interchanges: delimiters, tokenizer and envelope validation.

An interchange announces its own delimiters in the fixed-length ISA header, so nothing
is configured per partner. ``parse`` returns plain dataclasses; the maps of the
transaction sets (214, 990) and the 997 builder live in their own modules.

Carrier files are read liberally in their layout, never in their content: blanks and
line breaks between segments, line breaks anywhere when the terminator is not one (files
wrapped at 80 columns), any character but a letter, digit or space as a delimiter, ISA11
'U' from version 00402 on, several interchanges in one body (``parse_all``), and bodies
not in UTF-8 (``decode``). What was tolerated and worth a look is returned as notes.

Two levels of failure, because a 997 can only speak about what could be read:

* an envelope error (ISA/IEA, GS/GE, a segment outside any envelope) makes the whole
  interchange invalid: ``parse`` raises ``X12Error``. When the ISA was readable the
  error carries the partial ``interchange``, enough to build a negative 997; when even
  the ISA is unreadable ``interchange`` is ``None``: no 997 is possible and the caller
  answers HTTP 400. ``parse_all`` raises only for an unreadable ISA and leaves envelope
  errors on each interchange (``Interchange.refusal()``), so each is judged alone.
* an error inside one transaction set (SE count, SE control, missing SE, bad segment)
  is recorded on that set only (``TransactionSet.errors``), so a caller can accept the
  good sets of an interchange and reject the bad ones.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from .canonical import forbidden_char

ISA_LENGTH = 106  # 105 characters of header + the segment terminator
# Widths of ISA01..ISA16: the header is fixed length, which is how delimiters are found.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ISA_NAMES = tuple(f"ISA{n:02d}" for n in range(1, 17))
SEGMENT_ID = re.compile(r"^[A-Z0-9]{2,3}$")
HEADER_LENGTH = ISA_LENGTH - 1
LINE_BREAKS = "\r\n"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# layout that may stand between segments unless the sender made it a delimiter
BLANKS = " \t\r\n"
LEAD = "\ufeff" + BLANKS  # what may precede an ISA: a byte order mark and layout

# Error levels, and which acknowledgment code set ``ack_code`` belongs to:
# interchange -> TA1 note code (TA105), group -> AK9 (AK905..), set -> AK5 (AK502..).
INTERCHANGE, GROUP, SET = "interchange", "group", "set"

# A trailer counts what it closes (element 1) and repeats its header's control number
# (element 2): what it counts, the header element, the ack codes of a wrong count and of
# a wrong control number, what the count includes, and the most digits the count may have
# (SE01 N0 1/10, GE01 N0 1/6, IEA01 N0 1/5).
TRAILERS = {
    "SE": ("segments", "ST02", "4", "3", " (ST and SE included)", 10),
    "GE": ("transaction sets", "GS06", "5", "4", "", 6),
    "IEA": ("functional groups", "ISA13", "021", "001", "", 5),
}


def count_value(text: str, most: int) -> int | None:
    """A count element as a number: ASCII digits only, at most ``most`` of them, else
    ``None``. ``str.isdigit()`` alone is true for "²" (which ``int()`` refuses) and "١"
    (which it reads), and ``int()`` refuses strings of more than 4,300 digits."""
    if 1 <= len(text) <= most and text.isascii() and text.isdigit():
        return int(text)
    return None


def shown(text: str, most: int = 20) -> str:
    """``text`` as an error message quotes it: repr, cut after ``most`` characters."""
    return repr(text) if len(text) <= most else f"{text[:most]!r}… ({len(text)} characters)"


class X12Error(ValueError):
    """An interchange, functional group or transaction set is not valid X12.

    ``code`` is stable and machine-usable (``se_count``, ``iea_control``…),
    ``segment_index`` is the 0-based position of the faulty segment in the interchange
    (ISA is 0), ``ack_code`` the X12 acknowledgment code of the error (see ``level``).
    """

    def __init__(self, code: str, message: str, segment_index: int | None = None, *,
                 level: str = INTERCHANGE, ack_code: str | None = None,
                 group_control: str | None = None, set_control: str | None = None):
        where = f"segment {segment_index}: " if segment_index is not None else ""
        super().__init__(f"{where}{message}")
        self.code = code
        self.message = message
        self.segment_index = segment_index
        self.level = level
        self.ack_code = ack_code
        self.group_control = group_control
        self.set_control = set_control
        self.interchange = None  # the partial parse, set when an envelope error is raised


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None = None  # ISA11 from version 00402 on; in 00401 ISA11 is a code
    suffix: str = ""  # line break the sender wrote after each terminator, reused on output


@dataclass(kw_only=True)
class _Checked:
    """A group or set as read, with the errors that make the 997 reject it."""

    segment_index: int = 0  # position of its header segment (GS, ST) in the interchange
    errors: list = field(default_factory=list)  # X12Error of level GROUP or SET

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class TransactionSet(_Checked):
    code: str  # ST01, e.g. "214"
    control: str  # ST02
    segments: list = field(default_factory=list)  # [[id, el1, el2, ...], ...] between ST and SE


@dataclass
class FunctionalGroup(_Checked):
    functional_id: str  # GS01, e.g. "QM" (214), "GF" (990), "FA" (997)
    sender: str  # GS02
    receiver: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05
    control: str  # GS06
    agency: str  # GS07, "X"
    version: str  # GS08, e.g. "004010"
    sets: list = field(default_factory=list)
    declared_sets: int | None = None  # GE01 as sent


@dataclass
class Interchange:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, trailing padding removed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    version: str  # ISA12, e.g. "00401"
    control_number: str  # ISA13
    ack_requested: str  # ISA14
    test: bool  # ISA15 == "T"
    delimiters: Delimiters
    groups: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # X12Error of level INTERCHANGE
    notes: list = field(default_factory=list)  # what was tolerated reading it, to be logged

    @property
    def timestamp(self) -> datetime | None:
        """ISA09/ISA10 as a naive datetime (the zone is not stated by X12)."""
        try:
            return datetime.strptime("20" + self.date + self.time, "%Y%m%d%H%M")
        except ValueError:
            return None

    def envelope_errors(self) -> list:
        return self.errors + [e for g in self.groups for e in g.errors]

    def refusal(self) -> X12Error | None:
        """The first envelope error in the document, carrying this partial interchange
        (enough for a negative 997), or ``None`` when the envelope is sound."""
        errors = self.envelope_errors()
        if not errors:
            return None
        error = min(errors, key=lambda e: e.segment_index)
        error.interchange = self
        return error


def decode(raw: bytes) -> tuple[str, list[str]]:
    """The text of a received body and what reading it needed: ``(text, notes)``.

    X12 is ASCII-based and says nothing of encodings. UTF-8 is tried first; 8-bit senders
    write Latin-1 or cp1252, whose letters U+FFFD would destroy: a body that is not UTF-8
    is read as Latin-1 (every byte is a character) and a note says so.
    """
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        return raw.decode("latin-1"), [
            f"not UTF-8 (byte 0x{raw[error.start]:02X} at offset {error.start}): "
            "read as Latin-1"]


@dataclass(frozen=True)
class _Isa:
    """An ISA header as read: its delimiters, its 16 elements, where the next segment
    starts in the text and what was tolerated reading it."""

    delimiters: Delimiters
    fields: list
    rest: int
    notes: tuple


def read_delimiters(text: str) -> tuple[Delimiters, str]:
    """Find the delimiters in the ISA header; returns them and the text from "ISA" on.

    Raises ``X12Error`` (with no interchange: nothing can be acknowledged) when the
    header is missing, truncated or not of the fixed X12 shape.
    """
    start = _interchange_start(_text(text), 0)
    return _read_isa(text, start).delimiters, text[start:]


def _text(text):
    if not isinstance(text, str):
        raise X12Error("not_text", "an X12 interchange must be text")
    return text


def _interchange_start(text: str, position: int) -> int:
    """Where the ISA starts: what precedes it (byte order mark, blanks) is layout."""
    while position < len(text) and text[position] in LEAD:
        position += 1
    return position


def _read_isa(text: str, start: int) -> _Isa:
    header, end = _header(text, start)
    if not header.startswith("ISA"):
        raise X12Error("isa_missing", "the interchange must start with an ISA segment", 0)
    element = header[3] if len(header) > 3 else ""
    terminator, after = _terminator(text, end, element, header[104:105])
    if len(header) < HEADER_LENGTH or not terminator:
        raise X12Error(
            "isa_truncated",
            f"the ISA header is {HEADER_LENGTH} characters plus a terminator; "
            f"only {len(header) + len(terminator)} received",
            0, ack_code="023",
        )
    _check_delimiter(element, "element separator after ISA", "026")
    _check_isa_shape(header, element)
    component, version = header[104], header[84:89]
    _check_delimiter(component, "ISA16 component separator", "027", element)
    _check_delimiter(terminator, "segment terminator after ISA16", "004", element,
                     component, line_break=True)
    repetition, notes = _repetition(header[82], version, element, component, terminator)
    follow = text[after:after + 2]
    if terminator not in LINE_BREAKS:
        suffix = "\r\n" if follow == "\r\n" else follow[:1] if follow[:1] in LINE_BREAKS else ""
    else:
        suffix = "\n" if terminator == "\r" and follow.startswith("\n") else ""
    delimiters = Delimiters(element, component, terminator, repetition, suffix)
    return _Isa(delimiters, header.split(element), after, notes)


def _header(text: str, start: int) -> tuple[str, int]:
    """ISA to ISA16 and the offset just after it. A file wrapped at 80 columns breaks
    lines inside the ISA: line breaks are not X12 data, so they are skipped."""
    header, position = [], start
    while len(header) < HEADER_LENGTH and position < len(text):
        if text[position] not in LINE_BREAKS:
            header.append(text[position])
        position += 1
    return "".join(header), position


def _terminator(text: str, end: int, element: str, component: str) -> tuple[str, int]:
    """The segment terminator after ISA16 and the offset just after it.

    The first character after ISA16 that is not a blank is the terminator (blanks before
    it are layout: a wrapped line, an indent). When only blanks stand before the next
    segment's identifier, one of them ends the ISA: a line break when there is one.
    """
    blanks = _blanks(element, component)
    start = end
    while start < len(text) and text[start] in blanks:
        start += 1
    following, gap = text[start:start + 1], text[end:start]
    if not gap or (following and not following.isalnum()):
        return following, start + 1
    at = end + next((i for i, char in enumerate(gap) if char in LINE_BREAKS), 0)
    return text[at], at + 1


def _blanks(*delimiters: str) -> str:
    """The layout characters between segments: the blanks that are not delimiters."""
    return "".join(char for char in BLANKS if char not in delimiters)


def _check_isa_shape(header: str, element: str) -> None:
    position = 4
    for name, width in zip(ISA_NAMES[:-1], ISA_WIDTHS):
        end = position + width
        if element in header[position:end] or header[end] != element:
            raise X12Error(
                "isa_invalid",
                f"{name} must be exactly {width} characters followed by {element!r} "
                f"(ISA is fixed length); got {header[position:end + 1]!r}",
                0, ack_code="022",
            )
        position = end + 1


def _check_delimiter(char: str, name: str, ack_code: str, *taken: str,
                     line_break: bool = False) -> None:
    """A delimiter is any character that is not a letter, digit, space (the padding of
    ISA fields) or NUL (no text column holds it) and not already a delimiter; only the
    terminator may be a line break."""
    if char.isalnum() or char in (" ", "\x00") or char in taken or (
            char in LINE_BREAKS and not line_break):
        raise X12Error("isa_invalid", f"{name}: {char!r} is not a delimiter", 0,
                       ack_code=ack_code)


def _repetition(isa11: str, version: str, *taken: str) -> tuple[str | None, tuple]:
    """ISA11 is the repetition separator from version 00402 on, before that a code."""
    if version < "00402":
        return None, ()
    if isa11 == "U":
        # senders that moved to 00402+ and kept the 00401 standards identifier
        return None, (f"ISA11 'U' in version {version}: read as no repetition separator",)
    _check_delimiter(isa11, "ISA11 repetition separator", "022", *taken)
    return isa11, ()


def tokenize(text: str) -> tuple[Delimiters, list[list[str]]]:
    """Split an interchange into segments of elements: ``[["ISA", "00", ...], ...]``.

    Layout is tolerated: blanks and line breaks between segments, line breaks anywhere
    when they are not the terminator (a wrapped file), whitespace at the end. Element
    values are kept as sent (padding of ISA fields included).
    """
    isa, segments, _end = _read_interchange(_text(text), _interchange_start(text, 0))
    return isa.delimiters, segments


def _read_interchange(text: str, start: int, several: bool = False):
    """``(isa, segments, end)`` of the interchange at ``start``; with ``several`` it ends
    at an IEA that another ISA follows, ``end`` being where that one starts."""
    isa = _read_isa(text, start)
    d = isa.delimiters
    blanks = _blanks(d.element, d.component, d.repetition or "")
    segments = [isa.fields]
    for piece, end in _pieces(text, isa.rest, d.segment):
        # line breaks are never X12 data: inside a piece they are a wrapped line
        piece = LINE_BREAK.sub("", piece).lstrip(blanks)
        if end is None:  # no terminator after it: what ends the text is layout
            piece = piece.rstrip(blanks)
        if not piece:
            continue
        segments.append(piece.split(d.element))
        if several and end is not None and segments[-1][0] == "IEA":
            following = _interchange_start(text, end)
            if LINE_BREAK.sub("", text[following:following + 5]).startswith("ISA"):
                return isa, segments, following
    return isa, segments, len(text)


def _pieces(text: str, start: int, terminator: str):
    """The raw text of each segment from ``start`` and the offset after its terminator,
    ``None`` for the text after the last one. A line break terminator is any line break:
    CR LF, LF or CR."""
    pattern = LINE_BREAK if terminator in LINE_BREAKS else re.compile(re.escape(terminator))
    position = start
    for match in pattern.finditer(text, start):
        yield text[position:match.start()], match.end()
        position = match.end()
    yield text[position:], None


def element(segment: list[str], position: int) -> str:
    """Element ``position`` (1-based, as in ``B1001``) or "" when the segment is shorter."""
    return segment[position] if position < len(segment) else ""


def parse(text: str) -> Interchange:
    """Tokenize and validate one interchange; see the module docstring for errors."""
    interchanges = parse_all(text)
    if len(interchanges) > 1:
        raise X12Error("several_interchanges", f"{len(interchanges)} interchanges where one "
                       "was expected", 0, ack_code="022")
    error = interchanges[0].refusal()
    if error:
        raise error
    return interchanges[0]


def parse_all(text: str) -> list[Interchange]:
    """Every interchange of a body (ISA…IEA ISA…IEA), each validated on its own.

    An interchange with envelope errors is returned with them (``refusal()``), so the
    others can still be applied and each acknowledged; an ISA that cannot be read raises
    ``X12Error``, since nothing after it can be trusted to be where it seems.
    """
    interchanges, position = [], _interchange_start(_text(text), 0)
    while position < len(text) or not interchanges:
        try:
            isa, segments, position = _read_interchange(text, position, several=True)
        except X12Error as error:
            if not interchanges:
                raise
            raise X12Error(error.code, f"interchange {len(interchanges) + 1}: "
                           f"{error.message}", error.segment_index, ack_code=error.ack_code)
        interchanges.append(_interpret(isa, segments))
    return interchanges


def _interpret(isa: _Isa, segments: list[list[str]]) -> Interchange:
    fields = isa.fields
    interchange = Interchange(
        sender_qualifier=fields[5], sender_id=fields[6].strip(),
        receiver_qualifier=fields[7], receiver_id=fields[8].strip(),
        date=fields[9], time=fields[10], version=fields[12], control_number=fields[13],
        ack_requested=fields[14], test=fields[15] == "T", delimiters=isa.delimiters,
        notes=list(isa.notes),
    )
    _check_isa_values(interchange)
    _Walker(interchange, segments).run()
    return interchange


def _check_isa_values(interchange: Interchange) -> None:
    # an id is text a clerk reads and a key is built from: no hidden characters in it
    for name, value, ack_code in (("ISA06 sender id", interchange.sender_id, "006"),
                                  ("ISA08 receiver id", interchange.receiver_id, "008")):
        char = forbidden_char(value)
        if char:
            interchange.errors.append(X12Error(
                "isa_invalid", f"{name} holds a hidden character (U+{ord(char):04X})", 0,
                ack_code=ack_code))
    if count_value(interchange.control_number, 9) is None:
        interchange.errors.append(X12Error(
            "isa_control", f"ISA13 control number {interchange.control_number!r} must be "
            "9 digits", 0, ack_code="018"))
    if interchange.timestamp is None:
        interchange.errors.append(X12Error(
            "isa_date", f"ISA09/ISA10 {interchange.date!r}/{interchange.time!r} is not a "
            "YYMMDD date and HHMM time", 0, ack_code="014"))


class _Walker:
    """One pass over the segments, building groups and sets and recording errors."""

    def __init__(self, interchange: Interchange, segments: list[list[str]]):
        self.interchange = interchange
        self.segments = segments
        self.group: FunctionalGroup | None = None
        self.tset: TransactionSet | None = None
        self.iea_seen = False

    def run(self) -> None:
        for index in range(1, len(self.segments)):
            segment = self.segments[index]
            tag = segment[0]
            if self.iea_seen:
                self._envelope(index, "content_after_iea",
                               f"{tag!r} after IEA: only another interchange (ISA) may follow",
                               "022")
                return
            handler = getattr(self, f"_on_{tag}", None) if tag in (
                "ISA", "GS", "ST", "SE", "GE", "IEA") else None
            if handler:
                handler(index, segment)
            elif tag == "TA1" and self.group is None:
                continue  # an interchange acknowledgment, as a 997 may carry
            elif self.tset is not None:
                self._set_segment(index, segment)
            else:
                where = "a functional group" if self.group else "the interchange"
                self._envelope(index, "unexpected_segment",
                               f"{tag!r} outside a transaction set, inside {where}", "022")
        if not self.iea_seen:
            self._close_group(len(self.segments))
            self._envelope(len(self.segments) - 1, "iea_missing",
                           "the interchange ends without an IEA trailer", "023")

    def _envelope(self, index, code, message, ack_code):
        self.interchange.errors.append(
            X12Error(code, message, index, level=INTERCHANGE, ack_code=ack_code))

    def _group_error(self, group, index, code, message, ack_code):
        group.errors.append(X12Error(code, message, index, level=GROUP, ack_code=ack_code,
                                     group_control=group.control))

    def _set_error(self, tset, index, code, message, ack_code):
        tset.errors.append(X12Error(code, message, index, level=SET, ack_code=ack_code,
                                    group_control=self.group.control if self.group else None,
                                    set_control=tset.control))

    def _set_segment(self, index, segment):
        if not SEGMENT_ID.match(segment[0]):
            self._set_error(self.tset, index, "segment_id",
                            f"{segment[0]!r} is not a segment identifier", "5")
        self.tset.segments.append(segment)

    def _on_ISA(self, index, segment):
        self._envelope(index, "unexpected_segment",
                       "an ISA before the IEA of the interchange", "022")

    def _on_GS(self, index, segment):
        if self.group is not None:
            self._close_group(index)
        group = FunctionalGroup(
            functional_id=element(segment, 1), sender=element(segment, 2),
            receiver=element(segment, 3), date=element(segment, 4), time=element(segment, 5),
            control=element(segment, 6), agency=element(segment, 7),
            version=element(segment, 8), segment_index=index,
        )
        self.interchange.groups.append(group)
        self.group = group
        missing = [f"GS{n:02d}" for n in (1, 6, 8) if not element(segment, n)]
        if missing:
            self._group_error(group, index, "gs_invalid",
                              f"GS without {', '.join(missing)}", None)
        elif count_value(group.control, 9) is None:
            self._group_error(group, index, "gs_control",
                              f"GS06 {shown(group.control)} must be 1 to 9 digits", "6")

    def _on_ST(self, index, segment):
        if self.group is None:
            self._envelope(index, "unexpected_segment", "ST outside a functional group (no GS)",
                           "024")
            return
        if self.tset is not None:
            self._close_set(index)
        tset = TransactionSet(code=element(segment, 1), control=element(segment, 2),
                              segment_index=index)
        self.group.sets.append(tset)
        self.tset = tset
        if not re.match(r"^\d{3}$", tset.code):
            self._set_error(tset, index, "st_code", f"ST01 {tset.code!r} is not a transaction "
                            "set identifier", "6")
        if not 4 <= len(tset.control) <= 9:
            self._set_error(tset, index, "st_control", f"ST02 {tset.control!r} must be 4 to 9 "
                            "characters", "7")

    def _on_SE(self, index, segment):
        tset = self.tset
        if tset is None:
            self._envelope(index, "unexpected_segment", "SE without a matching ST", "022")
            return
        self.tset = None
        self._check_trailer(segment, f"the set {tset.control}", len(tset.segments) + 2,
                            tset.control, partial(self._set_error, tset, index))

    def _close_set(self, index):
        """An ST, GE, GS or IEA arrived while a set was open: its SE is missing."""
        self._set_error(self.tset, index, "se_missing",
                        f"transaction set {self.tset.control} has no SE trailer", "2")
        self.tset = None

    def _on_GE(self, index, segment):
        group = self.group
        if group is None:
            self._envelope(index, "unexpected_segment", "GE without a matching GS", "022")
            return
        if self.tset is not None:
            self._close_set(index)
        self.group = None
        group.declared_sets = count_value(element(segment, 1), TRAILERS["GE"][5])
        self._check_trailer(segment, f"group {group.control}", len(group.sets), group.control,
                            partial(self._group_error, group, index))

    def _close_group(self, index):
        if self.tset is not None:
            self._close_set(index)
        if self.group is not None:
            self._group_error(self.group, index, "ge_missing",
                              f"functional group {self.group.control} has no GE trailer", "3")
            self.group = None

    def _on_IEA(self, index, segment):
        self._close_group(index)
        self.iea_seen = True
        self._check_trailer(segment, "the interchange", len(self.interchange.groups),
                            self.interchange.control_number, partial(self._envelope, index))

    @staticmethod
    def _check_trailer(segment, owner, counted, control, report):
        """Check a trailer against what was read; ``report(code, message, ack_code)``
        records each mismatch at the level of what the trailer closes."""
        tag = segment[0]
        noun, header, count_ack, control_ack, included, most = TRAILERS[tag]
        declared = element(segment, 1)
        number = count_value(declared, most)
        if declared and number is None:
            report(f"{tag.lower()}_count", f"{tag}01 {shown(declared)} is not a count of "
                   f"{noun} (1 to {most} digits 0-9), {owner} has {counted}{included}",
                   count_ack)
        elif number != counted:
            report(f"{tag.lower()}_count", f"{tag}01 says {declared or 'nothing'} {noun}, "
                   f"{owner} has {counted}{included}", count_ack)
        if element(segment, 2) != control:
            report(f"{tag.lower()}_control",
                   f"{tag}02 {shown(element(segment, 2))} does not match {header} "
                   f"{shown(control)}", control_ack)


def accepted_sets(interchange: Interchange, code: str | None = None):
    """The transaction sets without errors, with their group: ``(group, set)`` pairs."""
    for group in interchange.groups:
        for tset in group.sets:
            if tset.ok and (code is None or tset.code == code):
                yield group, tset
