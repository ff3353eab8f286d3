"""Per-endpoint request limits: a token bucket per sender.

A bucket holds up to ``burst`` tokens and gains ``rate`` tokens a second; a request takes
one, and is refused while the bucket holds less than one, with how long until it will.
Buckets live in the worker process (``Limiter``): a sender spread over N workers gets up to
N times its limit, a bound the README states, in exchange for no database write per request.
"""

import math
import threading
from typing import NamedTuple


class Bucket(NamedTuple):
    tokens: float
    # when ``tokens`` was counted, in the clock's seconds
    at: float


def refill(bucket: Bucket | None, now: float, rate: float, burst: int) -> float:
    """The tokens ``bucket`` holds at ``now``; a sender never seen starts full."""
    if bucket is None:
        return float(burst)
    # a clock that went back refills nothing rather than taking tokens away
    return min(float(burst), bucket.tokens + max(now - bucket.at, 0.0) * rate)


def retry_after(tokens: float, rate: float) -> int:
    """Whole seconds until ``tokens`` reaches one: rounded up, since an answer that is too
    early sends the sender straight back into a refusal, and at least 1."""
    return max(1, math.ceil((1.0 - tokens) / rate - 1e-9))


def take(bucket: Bucket | None, now: float, rate: float, burst: int):
    """``(retry_after, bucket)`` for one request at ``now``: ``retry_after`` 0 when it is
    allowed (a token was taken), else the seconds to wait (nothing was taken). ``rate`` 0
    is no limit."""
    if rate <= 0:
        return 0, bucket
    burst = max(int(burst), 1)
    tokens = refill(bucket, now, rate, burst)
    if tokens >= 1.0:
        return 0, Bucket(tokens - 1.0, now)
    return retry_after(tokens, rate), Bucket(tokens, now)


class Limiter:
    """The buckets of one process, one per key; safe for the threads of a server."""

    def __init__(self, clock):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}

    def take(self, key, rate: float, burst: int) -> int:
        """0 when a request under ``key`` may go on, else the seconds to wait."""
        if rate <= 0:
            return 0
        with self._lock:
            wait, self._buckets[key] = take(self._buckets.get(key), self._clock(), rate, burst)
        return wait
