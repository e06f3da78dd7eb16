"""Time one page in-process (Django test client: no HTTP, no concurrency) on the bench database.

Compares code versions on a noisy machine better than a load test: run it for each version, interleaved, and
compare the means of the rounds; the query count and the number of Python calls (with --calls) do not depend on
the machine's speed at all.

Usage (from the project root, after bench/generate.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/page_time.py
    .venv/bin/python bench/page_time.py "/" --user dispatcher --calls
    PYTHONPATH=/path/to/other/checkout/src .venv/bin/python bench/page_time.py     # another version of the code

The URL's "{}" is replaced by request ids: 150 random ones and the 50 newest open ones (seed 1), after 20 unmeasured
pages. Prints the mean, median and p90 ms per page, the queries of the last page and, with --calls, the Python
function calls per page counted by cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="/requests/{}/", help='page path; "{}" becomes a request id')
    parser.add_argument("--user", default="dispatcher", help="username of the bench role user to sign in as")
    parser.add_argument("--language", default="zh-hans")
    parser.add_argument("--calls", action="store_true", help="also count Python function calls (cProfile)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="with --calls, also print the N functions with the most own time")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", f"sqlite:///{PROJECT / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["AFTERSALES_HTTPS"] = "0"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aftersales.accounts.models import User
    from aftersales.servicedesk.models import ServiceRequest

    rng = random.Random(1)
    top = ServiceRequest.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(150)]
    open_ids = list(ServiceRequest.objects.exclude(state__in=["closed", "resolved"]).order_by("-id")
                    .values_list("id", flat=True)[:2000])
    ids += rng.sample(open_ids, min(50, len(open_ids)))
    client = Client(HTTP_ACCEPT_LANGUAGE=args.language)
    client.force_login(User.objects.get(username=args.user))
    for pk in ids[:20]:
        client.get(args.url.format(pk))
    times = []
    for pk in ids:
        start = time.perf_counter()
        response = client.get(args.url.format(pk))
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            print(f"{args.url.format(pk)} answered {response.status_code}", file=sys.stderr)
            return 1
    times.sort()
    print(f"mean {statistics.mean(times):.2f} ms  median {statistics.median(times):.2f}  "
          f"p90 {times[int(len(times) * 0.9)]:.2f}  ({len(times)} pages)")
    with CaptureQueriesContext(connection) as queries:
        client.get(args.url.format(ids[-1]))
    print(f"queries {len(queries.captured_queries)}")
    if args.calls:
        profile = cProfile.Profile()
        profile.enable()
        for pk in ids:
            client.get(args.url.format(pk))
        profile.disable()
        calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
        print(f"python calls per page {calls / len(ids):,.0f}")
        if args.profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
