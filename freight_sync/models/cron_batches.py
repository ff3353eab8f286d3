"""The loop of the queue crons: claim a batch (``FOR UPDATE SKIP LOCKED``), work it, commit,
until nothing is left or the run's time is spent."""

import contextlib
import gc
import logging
import random
import threading
import time

from psycopg2.errors import UniqueViolation
from psycopg2.extensions import TransactionRollbackError

from .account_move import MOVE_NUMBER_INDEX

_logger = logging.getLogger(__name__)
# a pause before claiming again after a collision, so that two colliding workers do not
# meet again at once (seconds, at random between the two)
COLLISION_PAUSE = (0.05, 0.25)


@contextlib.contextmanager
def paused_gc():
    """Python's cyclic garbage collector off for one batch (as Odoo 18's
    ``tools.gc.disabling_gc``). A batch allocates hundreds of thousands of short-lived
    objects beside an ORM cache of as many, and every third-generation collection walks
    them all: a fifth of the audit's Odoo time at 100,000 lines. Reference counting still
    frees what is not in a cycle; the cycles wait for the first collection after the batch,
    so memory stays bounded by one batch."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def is_collision(error):
    """Whether ``error`` says another worker's transaction won (a serialization failure, a
    deadlock, the same journal entry number): no fault of the item, the batch is worked
    again in a new transaction. Item-level handlers raise it instead of recording it."""
    # the same number is raised as MoveNumberTaken (a serialization failure) wherever this
    # addon posts (account_move._freight_post); a posting by another module shows it raw
    return isinstance(error, TransactionRollbackError) or (
        isinstance(error, UniqueViolation)
        and getattr(error.diag, "constraint_name", None) == MOVE_NUMBER_INDEX)


def run_batches(env, claim, work, time_budget, retry_on=()):
    """``claim()`` a batch and ``work(batch)`` until a claim is empty or ``time_budget``
    seconds are spent; returns how many records were worked. Each batch is committed on its
    own (not inside a test's transaction): a crash loses at most the batch in hand, and its
    row locks go to the next worker at once.

    A ``retry_on`` exception (true: whatever ``is_collision``; another transaction won
    the rows) rolls the batch back whole, nothing of it recorded, and the loop claims
    again in a new transaction, with a new snapshot that sees the winner's work. Inside a
    test's transaction, which cannot be rolled back, it is raised."""
    testing = getattr(threading.current_thread(), "testing", False)
    deadline = time.monotonic() + time_budget
    done = 0
    while time.monotonic() < deadline:
        try:
            batch = claim()
            if not batch:
                break
            work(batch)
            if not testing:
                env.cr.commit()  # pylint: disable=invalid-commit
        except Exception as error:
            if not (is_collision(error) if retry_on is True else isinstance(error, retry_on)):
                raise
            if testing:
                raise
            env.cr.rollback()
            env.transaction.reset()
            _logger.info("a batch was rolled back after a collision with another worker "
                         "(%s); claimed again, no attempt counted", type(error).__name__)
            time.sleep(random.uniform(*COLLISION_PAUSE))
            continue
        done += len(batch)
    return done
