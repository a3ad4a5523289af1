"""Benchmarks (`make bench`, i.e. `python -m tests.benchmarks`).

Each `bench_*.py` module here has a `run()` taking no arguments: it times something against the
benchmark's own PostgreSQL database (pt_bench, dropped, recreated and migrated by the runner, never the
developer's), prints its figures, ratios and targets in Chinese, and answers a dict of its figures. A
`"passed": False` in that dict marks a missed target, and the runner then exits 1.
"""

import os

# Pages are timed through Django's test client over plain HTTP, with DEBUG off (no query log growing):
# production's HTTPS redirect would answer every request 301 instead.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
