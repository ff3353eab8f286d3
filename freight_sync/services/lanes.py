"""Processing lanes: which queue a stored message waits in (pure, no ``odoo`` import).

A message's lane is decided when it is stored, from its kind and, for X12, the functional
group codes (GS01) of its interchange, without parsing it: milestones must never wait
behind an invoice batch's audit and bill posting, so each lane has its own cron jobs.
"""

import re

MILESTONES = "milestones"
INVOICES = "invoices"
LANES = (MILESTONES, INVOICES)
# messages a lane cron claims and commits at once, a transaction whose length Odoo bounds:
# a cron worker whose pass over its jobs outlasts --limit-time-real-cron (default 120 s) is
# killed, and its batch, never committed, is claimed and killed again. Measured on the
# loaded 2-core machine: an invoice message (up to 200 invoices, each audited and billed)
# took up to a minute, and 20 of them never committed (the chaos run: 2,000 invoices in 42
# messages, the lane stalled); a milestone message of 50 events 0.35 s, but 11 s when its
# 50 pick-ups each book an accrual entry, and a request may carry 500 events.
BATCH_SIZE = {MILESTONES: 5, INVOICES: 1}
# messages whose invoices are staged (each message committed) before they are audited
# together: 10 messages of at most 200 invoices are one audit batch (AUDIT_BATCH, 2,000),
# whose fixed costs (contracts, tolerances, the rules' snapshot) a backlog then shares
STAGING_ROUND = 10
# GS01: QM carrier status (214), GF tender answer (990), FA acknowledgment (997)
MILESTONE_GROUPS = frozenset({"QM", "GF", "FA"})
# GS01: IM motor carrier freight invoice (210)
INVOICE_GROUPS = frozenset({"IM"})
LANE_OF_KIND = {"events": MILESTONES, "invoices": INVOICES}
# an interchange starts with "ISA" and the element separator it uses for what follows
ISA = re.compile(rb"(?<![A-Za-z0-9])ISA([^A-Za-z0-9\s])")
LINE_BREAKS = re.compile(rb"[\r\n]")


def group_codes(body: bytes) -> set:
    """The GS01 codes of the interchanges in ``body``, each read with the element
    separator its ISA names; empty when no ISA is found (the parser refuses such a file
    at once, in either lane). A peek, not a parse: a few ms for the largest body."""
    codes = set()
    # a wrapped file (line breaks inside segments) is read once more without them
    for text in {body, LINE_BREAKS.sub(b"", body)}:
        starts = list(ISA.finditer(text))
        for index, isa in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            sep = re.escape(isa.group(1))
            # a GS segment follows a terminator or a line break, never a letter or digit
            pattern = re.compile(rb"(?<![A-Za-z0-9 ])GS" + sep + rb" *([A-Za-z]{2}) *" + sep)
            codes.update(code.decode().upper()
                         for code in pattern.findall(text, isa.start(), end))
    return codes


def x12_lane(body: bytes) -> str:
    """Invoices only when every group is a 210: an interchange holding milestones (or an
    unreadable one, refused at once) is the milestones lane's, even with invoices in it,
    so that no milestone waits behind the invoice lane. Its invoices are few (one request,
    at most a few MB), so they cost the milestone lane little; splitting it is not done."""
    codes = group_codes(body)
    if codes and codes <= INVOICE_GROUPS:
        return INVOICES
    return MILESTONES


def lane_of(kind: str, body: bytes) -> str | None:
    """The lane of an inbound message of ``kind``; ``None`` for kinds no lane processes."""
    if kind == "edi":
        return x12_lane(body)
    return LANE_OF_KIND.get(kind)


def shard_of(key: int, shards: int) -> int:
    """The shard of a message whose shard key (its endpoint's id) is ``key``."""
    return key % max(shards, 1)
