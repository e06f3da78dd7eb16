"""Working-time arithmetic throughput: `WorkCalendar.add` calls per second on one core.

Quality bar (issue 3): >= 50,000 `add` computations per second for spans up to 30 working days.

Run:  .venv/bin/python bench/calendar_bench.py [--n 200000] [--seed 1]

Uses the mainland-China office calendar (08:30-12:00, 13:30-18:00, seeded 2004-2026) with starts
spread over 2025-2026 (so some deadlines cross into 2027, an estimated year) and durations from 1 s
up to 30 working days (30 x 8 h).  Year tables are compiled once before timing, as in production
where calendars are cached; the figure is the steady state.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aftersales.core.calendars import always_open, china_calendar  # noqa: E402

MAX_SPAN = dt.timedelta(hours=30 * 8)  # 30 working days of 8 working hours


def _cases(n: int, seed: int) -> list[tuple[dt.datetime, dt.timedelta]]:
    rng = random.Random(seed)
    zone = ZoneInfo("Asia/Shanghai")
    base = dt.datetime(2025, 1, 1, tzinfo=zone)
    span_us = int(MAX_SPAN / dt.timedelta(microseconds=1))
    year_us = 2 * 365 * 86_400 * 1_000_000
    return [
        (
            base + dt.timedelta(microseconds=rng.randrange(year_us)),
            dt.timedelta(microseconds=rng.randrange(1_000_000, span_us + 1)),
        )
        for _ in range(n)
    ]


def _measure(label: str, fn: Callable[[Any, Any], object], cases: Sequence[tuple[Any, Any]]) -> float:
    for start, span in cases[:1000]:  # warm the year cache
        fn(start, span)
    t0 = time.perf_counter()
    for start, span in cases:
        fn(start, span)
    elapsed = time.perf_counter() - t0
    rate = len(cases) / elapsed
    print(f"{label:<34} {len(cases):>8} calls  {elapsed:7.3f} s  {rate:>10,.0f} /s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    cases = _cases(args.n, args.seed)
    cal = china_calendar()
    for year in (2025, 2026, 2027):
        cal.working_days_in_year(year)  # compile the years up front (production caches them)
    rate = _measure("add, CN office hours", cal.add, cases)

    ends = [(start, cal.add(start, span).at) for start, span in cases]
    _measure("between, CN office hours", cal.between, ends)
    _measure("add, 24/7 Europe/Berlin", always_open("Europe/Berlin").add, cases)

    ok = rate >= 50_000
    print(f"add: {rate:,.0f}/s — {'meets' if ok else 'MISSES'} the 50,000/s bar")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
