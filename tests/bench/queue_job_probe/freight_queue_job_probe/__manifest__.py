{
    "name": "Freight Sync on queue_job (benchmark probe)",
    "summary": "Benchmark only: the inbox processed by OCA queue_job jobs instead of the lane "
               "crons, to measure both on the same backlog (tests/bench/queue_job_bench.py).",
    "version": "17.0.1.0.0",
    "license": "LGPL-3",
    "author": "freight_sync contributors",
    "depends": ["freight_sync", "queue_job"],
    "data": [],
    "installable": True,
}
