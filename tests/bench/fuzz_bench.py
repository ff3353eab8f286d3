"""Fuzz throughput, measured side by side in one run: seeded mutations of valid payloads
through the pure intake (X12 reader, 210 map, JSON batches, CSV) vs the same number of
the valid payloads they start from. Prints inputs/s of each, the ratio of the time per
input, the slowest input of each kind, and every crash (an exception that is not a
documented refusal; there should be none).

    odoo shell -d DB --no-http < tests/bench/fuzz_bench.py
Environment: BENCH_FUZZ (default 100000 inputs), BENCH_SEED (default 1).
"""

import os
import time
import traceback

from odoo.addons.freight_sync.tests import fuzz_inputs


def timed(inputs, seed, count):
    """``(elapsed, crashes, slowest)``: slowest is ``{label: (seconds, input)}``."""
    crashes, slowest = [], {}
    started = time.perf_counter()
    for label, check, argument in inputs(seed, count):
        begun = time.perf_counter()
        try:
            fuzz_inputs.check_one(label, check, argument)
        except Exception as error:  # noqa: BLE001  the point: any exception is reported
            crashes.append((label, argument, error,
                            traceback.extract_tb(error.__traceback__)[-1]))
        took = time.perf_counter() - begun
        if took > slowest.get(label, (0, None))[0]:
            slowest[label] = (took, argument)
    return time.perf_counter() - started, crashes, slowest


count = int(os.environ.get("BENCH_FUZZ", "100000"))
seed = int(os.environ.get("BENCH_SEED", "1"))
valid_time, valid_crashes, _slow = timed(fuzz_inputs.unmutated, seed, count)
fuzz_time, crashes, slowest = timed(fuzz_inputs.generate, seed, count)
print(f"fuzz: {count} mutated inputs in {fuzz_time:.1f} s ({count / fuzz_time:,.0f}/s); "
      f"{count} valid inputs in {valid_time:.1f} s ({count / valid_time:,.0f}/s); "
      f"time per input mutated/valid: {fuzz_time / valid_time:.2f}")
print("slowest mutated input: " + ", ".join(
    f"{label} {took * 1000:.1f} ms" for label, (took, _arg) in sorted(slowest.items())))
print(f"crashes: {len(crashes)} mutated, {len(valid_crashes)} valid")
for label, argument, error, where in (crashes + valid_crashes)[:10]:
    print(f"  {label}: {error!r} at {where.filename}:{where.lineno}; "
          f"input {argument[:200]!r}")
