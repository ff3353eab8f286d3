"""Suggested resolutions measured on made-up histories with known clerk policies
(freight_sync/tests/dispute_history.py): for several history sizes and noise levels (the
share of decisions that stray from the policy), the share of cases where the suggestion
equals the clerk's decision, the coverage (cases with a suggestion at all), the same on
the same cases decided at random (what no suggestion can learn), and the time per
suggestion. The ceiling on a history is about 1 - noise.

    odoo shell -d DB --no-http < tests/bench/suggest_bench.py
Environment: BENCH_SEED (default 1).
"""

import os
import time

from odoo.addons.freight_sync.services.dispute_suggest import accuracy
from odoo.addons.freight_sync.tests.dispute_history import generate, random_decisions

seed = int(os.environ.get("BENCH_SEED", "1"))
print(f"{'cases':>6} {'noise':>6} {'correct':>8} {'coverage':>9} {'random':>7} {'ms/case':>8}")
for count in (200, 600, 2000):
    for noise in (0.0, 0.1, 0.2):
        history = generate(seed, count, noise=noise)
        started = time.perf_counter()
        result = accuracy(history)
        took = (time.perf_counter() - started) / count * 1000
        chance = accuracy(random_decisions(history, seed))
        print(f"{count:>6} {noise:>6.1f} {result['share_correct']:>8.1%} "
              f"{result['coverage']:>9.1%} {chance['share_correct']:>7.1%} {took:>8.2f}")
