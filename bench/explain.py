"""Find the slow SQL behind each measured page and endpoint, with its plan.

It requests the same paths as bench/measure.py in-process (Django's test client, signed in as each role), times
every SQL statement they run, and prints the slowest statements with `EXPLAIN ANALYZE` (PostgreSQL) or
`EXPLAIN QUERY PLAN` (SQLite), so that a missing index or a query that grows with the table shows itself.
Read-only apart from the API tokens it issues.

Usage (from the project root):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/explain.py
    .venv/bin/python bench/explain.py --top 8 --repeat 3          # SQLite var/bench.sqlite3
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT / 'var' / 'bench.sqlite3'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=10, help="slowest statements to explain")
    parser.add_argument("--repeat", type=int, default=3, help="requests per path (the best time counts)")
    parser.add_argument("--min-ms", type=float, default=5.0, help="explain only statements slower than this")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_HTTPS", "0")
    sys.path.insert(0, str(PROJECT / "src"))
    sys.path.insert(0, str(PROJECT / "bench"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from measure import ROLES, filter_queries, sample_ids

    from aftersales.accounts.services import token_issue

    data = sample_ids(os.environ["DATABASE_URL"], args.seed)
    rng = random.Random(args.seed)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    ids = data["request_ids"][:5]
    queries = filter_queries(data["provinces"], rng)[:6]

    def page(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    def api(role: str) -> Client:
        _, raw = token_issue(user=users[role])
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT="application/json")

    checks: list[tuple[str, Client, list[str]]] = [
        ("filtered list (API)", api("dispatcher"), [f"/api/v1/service-requests?{q}" for q in queries]),
        ("filtered list (page)", page("dispatcher"), [f"/requests/?{q}" for q in queries]),
        ("request detail (API)", api("dispatcher"), [f"/api/v1/service-requests/{i}" for i in ids]),
        ("request timeline (API)", api("dispatcher"), [f"/api/v1/service-requests/{i}/timeline" for i in ids]),
        ("request detail (page)", page("dispatcher"), [f"/requests/{i}/" for i in ids]),
    ] + [(f"dashboard ({role})", page(role), ["/"]) for role in ROLES]

    timings: list[tuple[float, str, str, Any]] = []  # ms, scenario, sql, params

    def wrapper(label: str) -> Callable[..., Any]:
        def wrap(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(((time.perf_counter() - t0) * 1000, label, sql, params))
        return wrap

    print(f"{data['vendor']} with {data['requests_total']:,} requests\n")
    print("| scenario | path | status | best ms | queries |")
    print("|---|---|---:|---:|---:|")
    for label, client, paths in checks:
        for path in paths[:3]:
            best, status, count = float("inf"), 0, 0
            for _ in range(args.repeat):
                before = len(timings)
                t0 = time.perf_counter()
                with connection.execute_wrapper(wrapper(label)):
                    response = client.get(path, follow=True)
                best = min(best, (time.perf_counter() - t0) * 1000)
                status, count = response.status_code, len(timings) - before
            print(f"| {label} | `{path[:70]}` | {status} | {best:.0f} | {count} |")

    slow: dict[str, tuple[float, str, str, Any]] = {}
    for ms, label, sql, params in timings:
        key = sql
        if key not in slow or slow[key][0] > ms:  # the best time of each statement: warm caches, no noise
            slow[key] = (ms, label, sql, params)
    ranked = sorted(slow.values(), key=lambda t: -t[0])[: args.top]
    print("\nSlowest statements (best of repeats):\n")
    for ms, label, sql, params in ranked:
        if ms < args.min_ms:
            break
        print(f"### {ms:.1f} ms — {label}\n")
        shown = sql
        head, sep, tail = sql.partition(" FROM ")
        if sep and len(head) > 200:  # long column lists say nothing about the plan
            shown = head[:120] + " … FROM " + tail
        print(f"```sql\n{shown}\n```\nparams: {params}\n")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(" ".join(str(c) for c in row) for row in cur.fetchall())
        print(f"```\n{plan}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
