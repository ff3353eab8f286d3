"""The loop of the queue crons: claim a batch (``FOR UPDATE SKIP LOCKED``), work it, commit,
until nothing is left or the run's time is spent."""

import threading
import time


def run_batches(env, claim, work, time_budget):
    """``claim()`` a batch and ``work(batch)`` until a claim is empty or ``time_budget``
    seconds are spent; returns how many records were worked. Each batch is committed on its
    own (not inside a test's transaction): a crash loses at most the batch in hand, and its
    row locks go to the next worker at once."""
    testing = getattr(threading.current_thread(), "testing", False)
    deadline = time.monotonic() + time_budget
    done = 0
    while time.monotonic() < deadline:
        batch = claim()
        if not batch:
            break
        work(batch)
        done += len(batch)
        if not testing:
            env.cr.commit()  # pylint: disable=invalid-commit
    return done
