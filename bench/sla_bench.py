"""SLA clocks at scale: the due-clocks query, the cost of clocks on request create, the compliance report.

Runs against the benchmark database that `bench/generate.py` loaded (1,000,000 requests on PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/sla_bench.py --load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/sla_bench.py

`--load` writes clocks directly with COPY (only the sla_* tables are touched; existing bench clocks are replaced):
- for every closed request, a finished triage clock (60 min) and resolution clock, met or breached (~8 % breached),
  stopped at the request's triage / resolution time — the compliance report's input;
- for every request (1,000,000), one running clock with `next_check_at` spread uniformly over the next 30 days,
  so the partial index `clock_due_idx` holds a million open checkpoints — the sweep's worst case.

Measures (medians of many runs, in-process, wall-clock):
1. the sweep's due-clocks query (`next_check_at <= now + 1 min`, ordered, LIMIT 500, FOR UPDATE SKIP LOCKED) and its
   EXPLAIN, which must use `clock_due_idx` (bar: < 20 ms);
2. `servicedesk.services.request_create` with its clocks vs with the clock hook replaced by a no-op, each call in a
   transaction rolled back afterwards so the database does not grow (bar: < 5 ms difference of medians);
3. `sla.selectors.compliance` over the last year grouped by month and severity, as a manager (bar: < 1 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
UTC = dt.UTC
TAG = "bench"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_HTTPS", "0")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()


def _copy(cur: Any, table: str, columns: list[str], rows: io.StringIO) -> None:
    rows.seek(0)
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def load(seed: int = 7) -> None:
    """Replace the clocks of the bench database with generated ones (COPY, indexes rebuilt after)."""
    from django.db import connection

    rng = random.Random(seed)
    now = dt.datetime.now(UTC)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE sla_clockevent, sla_slaclock RESTART IDENTITY CASCADE")
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'sla_slaclock' "
                    "AND indexname NOT LIKE '%%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'")
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SELECT id, state, severity, created_at, triaged_at, resolved_at, province_id "
                    "FROM servicedesk_servicerequest")
        requests = cur.fetchall()
    print(f"{len(requests):,} requests read in {time.perf_counter() - t0:.1f} s", flush=True)
    cols = ["request_id", "kind", "sequence", "minutes", "basis", "state", "started_at", "due_at", "stopped_at",
            "paused_seconds", "estimated", "next_check_at", "escalations_done", "explanation", "severity",
            "province_id", "stopped_month"]
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    NULL = "\\N"  # noqa: N806 - COPY's null marker

    def month(at: dt.datetime) -> str:
        return at.astimezone(shanghai).date().replace(day=1).isoformat()
    buf = io.StringIO()
    n = 0
    horizon = 30 * 24 * 3600
    for rid, state, severity, created, triaged, resolved, province in requests:
        keys = "\t" + (severity or "") + "\t" + (str(province) if province is not None else NULL)
        if state == "closed":
            stop = triaged or created + dt.timedelta(minutes=rng.randint(5, 50))
            breached = rng.random() < 0.08
            due = created + dt.timedelta(minutes=60)
            if breached and stop <= due:
                stop = due + dt.timedelta(minutes=rng.randint(1, 120))
            elif not breached and stop > due:
                stop = due - dt.timedelta(minutes=1)
            buf.write(f"{rid}\ttriage\t1\t60\tcalendar\t{'breached' if stop > due else 'met'}\t{created.isoformat()}"
                      f"\t{due.isoformat()}\t{stop.isoformat()}\t0\tf\t\\N\t[]\t{TAG}{keys}\t{month(stop)}\n")
            end = resolved or created + dt.timedelta(hours=rng.randint(2, 72))
            minutes = {"urgent": 24 * 60, "important": 48 * 60}.get(severity or "", 72 * 60)
            rdue = created + dt.timedelta(minutes=minutes)
            buf.write(f"{rid}\tresolution\t1\t{minutes}\tcalendar\t{'breached' if end > rdue else 'met'}"
                      f"\t{created.isoformat()}\t{rdue.isoformat()}\t{end.isoformat()}\t0\tf\t\\N\t[]\t{TAG}{keys}"
                      f"\t{month(end)}\n")
            n += 2
        # One open checkpoint per request: the sweep's index holds a million rows.
        start = now - dt.timedelta(seconds=rng.randint(0, 3600))
        check = now + dt.timedelta(seconds=rng.randint(0, horizon))
        buf.write(f"{rid}\tprogress_report\t1\t{30 * 24 * 60}\tcalendar\trunning\t{start.isoformat()}"
                  f"\t{check.isoformat()}\t\\N\t0\tf\t{check.isoformat()}\t[]\t{TAG}{keys}\t\\N\n")
        n += 1
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        _copy(cur.cursor, "sla_slaclock", cols, buf)  # type: ignore[attr-defined]
        t2 = time.perf_counter()
        for _, definition in indexes:
            cur.execute(definition)
        cur.execute("ANALYZE sla_slaclock")
    print(f"{n:,} clocks: generated {t1 - t0:.1f} s, COPY {t2 - t1:.1f} s, indexes + ANALYZE "
          f"{time.perf_counter() - t2:.1f} s", flush=True)


def _median_ms(fn: Any, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def due_query(runs: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from aftersales.sla.models import SlaClock

    def query() -> None:
        with transaction.atomic():
            now = dt.datetime.now(UTC)
            list(SlaClock.objects.select_for_update(skip_locked=True)
                 .filter(next_check_at__lte=now + dt.timedelta(minutes=1)).order_by("next_check_at")
                 .values_list("id", "next_check_at")[:500])

    query()
    median, p95 = _median_ms(query, runs)
    now = dt.datetime.now(UTC)
    qs = (SlaClock.objects.filter(next_check_at__lte=now + dt.timedelta(minutes=1)).order_by("next_check_at")
          .values_list("id", "next_check_at")[:500])
    with connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql + " FOR UPDATE SKIP LOCKED", params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("SELECT count(*) FROM sla_slaclock WHERE next_check_at IS NOT NULL")
        open_checks = cur.fetchone()[0]
    rows = len(list(qs))
    return {"median_ms": round(median, 2), "p95_ms": round(p95, 2), "rows_due": rows, "open_checkpoints": open_checks,
            "uses_clock_due_idx": "clock_due_idx" in plan, "plan": plan}


def request_create(iterations: int) -> dict[str, Any]:
    from django.db import transaction

    from aftersales.accounts.models import User
    from aftersales.customers.models import Equipment
    from aftersales.servicedesk import services
    from aftersales.sla import services as sla

    agent = User.objects.filter(role="agent", is_active=True).order_by("id").first()
    units = list(Equipment.objects.select_related("customer", "site", "product_model").order_by("id")[:200])

    class Rollback(Exception):
        pass

    def one(i: int) -> float:
        unit = units[i % len(units)]
        try:
            with transaction.atomic():
                t = time.perf_counter()
                services.request_create(actor=agent, customer=unit.customer, equipment=unit,
                                        summary="bench 冷水机组高压报警", symptom="开机后高压报警")
                elapsed = (time.perf_counter() - t) * 1000
                raise Rollback
        except Rollback:
            return elapsed

    original = sla.clocks_for_request_created
    results: dict[str, list[float]] = {"with": [], "without": []}
    for i in range(20):  # warm up caches (calendars, policies, numbering)
        one(i)
    for i in range(iterations):  # interleaved, so drift affects both alike
        results["with"].append(one(i))
        sla.clocks_for_request_created = lambda **kw: []  # type: ignore[assignment]
        try:
            results["without"].append(one(i))
        finally:
            sla.clocks_for_request_created = original  # type: ignore[assignment]
    with_ms, without_ms = statistics.median(results["with"]), statistics.median(results["without"])
    return {"iterations": iterations, "median_with_ms": round(with_ms, 2), "median_without_ms": round(without_ms, 2),
            "difference_ms": round(with_ms - without_ms, 2)}


def compliance(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.sla import selectors
    from aftersales.sla.models import SlaClock

    manager = User.objects.filter(role="manager", is_active=True).order_by("id").first()
    end = dt.datetime.now(UTC)
    start = end - dt.timedelta(days=365)
    timezone.activate("Asia/Shanghai")
    rows: list[Any] = []

    def run() -> None:
        nonlocal rows
        rows = selectors.compliance(manager, start=start, end=end, group_by=("month", "severity"))

    run()
    median, p95 = _median_ms(run, runs)
    with CaptureQueriesContext(connection) as ctx:
        run()
    finished = SlaClock.objects.filter(stopped_at__gte=start, stopped_at__lt=end, state__in=("met", "breached"))
    requests = finished.values("request_id").distinct().count()
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN ANALYZE " + sql)
        plan = "\n".join(r[0] for r in cur.fetchall())
    return {"median_ms": round(median, 1), "p95_ms": round(p95, 1), "groups": len(rows),
            "finished_clocks": finished.count(), "requests": requests, "queries": len(ctx.captured_queries),
            "plan": plan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="store_true", help="(re)write the bench clocks with COPY first")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--only", choices=["due", "create", "compliance"])
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/sla_bench.py measures PostgreSQL: set DATABASE_URL to the bench database")
    if args.load:
        load()
    out: dict[str, Any] = {"at": dt.datetime.now(UTC).isoformat(timespec="seconds")}
    if args.only in (None, "due"):
        out["due_query"] = due_query(args.runs)
        d = out["due_query"]
        print(f"due clocks (next minute): median {d['median_ms']} ms, p95 {d['p95_ms']} ms, {d['rows_due']} due of "
              f"{d['open_checkpoints']:,} open checkpoints, clock_due_idx used: {d['uses_clock_due_idx']}")
        print(d["plan"])
    if args.only in (None, "create"):
        out["request_create"] = c = request_create(args.creates)
        print(f"request create: median with clocks {c['median_with_ms']} ms, without {c['median_without_ms']} ms, "
              f"difference {c['difference_ms']} ms ({c['iterations']} each)")
    if args.only in (None, "compliance"):
        out["compliance"] = r = compliance(max(5, args.runs // 5))
        print(f"compliance, one year by month x severity: median {r['median_ms']} ms, p95 {r['p95_ms']} ms, "
              f"{r['groups']} groups, {r['finished_clocks']:,} finished clocks of {r['requests']:,} requests, "
              f"{r['queries']} queries")
        print(r["plan"])
    results = PROJECT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "sla-bench.json").write_text(json.dumps(out, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
