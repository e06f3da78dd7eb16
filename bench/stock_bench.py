"""Spare-parts stock at scale: 50,000 parts × 200 locations, a 5,000,000-move ledger, on PostgreSQL.

    .venv/bin/python bench/stock_bench.py --generate      # (re)create database aftersales_stockbench, migrate, load
    .venv/bin/python bench/stock_bench.py                 # measure (and verify) against the loaded database

The script creates its own database (`aftersales_stockbench` on the server of `BENCH_PG`, default
postgres://postgres@127.0.0.1:5432) and points Django at it, so nothing else is touched.

Generation is SQL on the server (generate_series, INSERT … SELECT; no ORM), with the ledger's indexes dropped during
the load and rebuilt after, then VACUUM ANALYZE (autovacuum is off on the bench machine):
- 50 suppliers, 50,000 parts (cost 5–5,000 CNY), 200 locations: 1 central warehouse, 19 service points, 180 vans;
- stock is where it would be: every part at the warehouse, each part at 10 of the 19 service points and at 9 of the
  180 vans — 1,000,000 part × location balances (a van does not carry 50,000 parts);
- 5,000,000 moves: receipts from suppliers into the warehouse (35 per part, topped up to exactly 5,000,000 moves), a transfer out of the warehouse into
  every service-point and van balance, two issues to jobs from each of them, returns to vans, reservations and
  releases at service points, scrap and a count adjustment at the warehouse;
- `inventory_stockbalance` is then computed from the ledger by one GROUP BY over the same effects the ledger applies
  (`inventory.choices.MOVE_EFFECTS`), so the balances equal the ledger by construction; the balance table's check
  constraints (never negative, reserved ≤ on hand) hold for every row. `measure` re-verifies a sample against a
  SUM over the ledger.

Measures, with the product's own selectors (`inventory.selectors`), in-process, wall clock:
1. `part_totals(part)` and the first page (25) of `part_stock(part)` — on-hand / reserved / available of one part
   across all locations, as `GET /parts/{id}/stock` reads them — for 200 random parts: median and p95
   (target < 200 ms);
2. `valuation()` — stock value by location and total (on hand × cost) — median of 5 (target < 2 s);
3. the ledger list (`move_page`): page 1 and page 40, whole, narrowed to the warehouse, a van, a part;
4. EXPLAIN (ANALYZE, BUFFERS) of the first two, and the ledger-sum check on 50 random parts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
DB_NAME = "aftersales_stockbench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

PARTS = 50_000
SERVICE_POINTS = 19
VANS = 180
SP_PER_PART = 10  # of 19
VANS_PER_PART = 9  # of 180
RECEIPTS_PER_PART = 35


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_HTTPS", "0")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()


def create_database(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and fresh:
            conn.execute(f"DROP DATABASE {DB_NAME} WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def _step(cur: Any, label: str, sql: str, params: Any = None) -> None:
    t = time.perf_counter()
    cur.execute(sql, params)
    print(f"  {label}: {time.perf_counter() - t:.1f} s", flush=True)


MOVE_COLUMNS = ("kind, part_id, quantity, from_location_id, to_location_id, work_order_id, reference, reason, "
                "unit_cost, actor_id, created_at")


def generate() -> None:
    """Load the catalogue, locations and ledger with SQL, then derive the balances from the ledger."""
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - t0:.1f} s", flush=True)
    with connection.cursor() as cur:
        _step(cur, "truncate", "TRUNCATE inventory_stockbalance, inventory_stockmove, inventory_purchaserequest, "
                               "inventory_reorderpoint, inventory_part_compatible_models, inventory_part, "
                               "inventory_stocklocation, suppliers_supplier RESTART IDENTITY CASCADE")
        cur.execute("SELECT setseed(0.2026)")
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inventory_stockmove' "
                    "AND indexname NOT LIKE '%%pkey'")
        indexes = cur.fetchall()
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'inventory_stockmove'::regclass AND contype IN ('f', 'c')")
        constraints = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE inventory_stockmove DROP CONSTRAINT "{name}"')
        _step(cur, "50 suppliers", """
            INSERT INTO suppliers_supplier (created_at, updated_at, version, code, name, contact_name, phone, email,
                                            address, repairs_items, is_active)
            SELECT now(), now(), 1, 'S' || lpad(i::text, 3, '0'), '供应商 ' || i, '', '', '', '', false, true
            FROM generate_series(1, 50) i""")
        _step(cur, f"{PARTS:,} parts", f"""
            INSERT INTO inventory_part (created_at, updated_at, version, number, name, name_en, unit, list_price,
                                        cost_price, currency, is_active, supplier_id)
            SELECT now(), now(), 1, 'BP-' || lpad(i::text, 6, '0'), '备件 ' || i, 'Part ' || i, 'pcs',
                   round(c * 1.4, 2), c, 'CNY', true, 1 + (i % 50)
            FROM (SELECT i, round((5 + random() * 4995)::numeric, 2) AS c FROM generate_series(1, {PARTS}) i) s""")
        _step(cur, "200 locations", f"""
            INSERT INTO inventory_stocklocation (created_at, updated_at, version, code, name, kind, is_active)
            SELECT now(), now(), 1, code, name, kind, true FROM (
              SELECT 0 AS o, 'WH-WH' AS code, '武汉中心仓' AS name, 'warehouse' AS kind
              UNION ALL SELECT i, 'SP-' || lpad(i::text, 2, '0'), '服务站 ' || i, 'service_point'
                        FROM generate_series(1, {SERVICE_POINTS}) i
              UNION ALL SELECT 100 + i, 'VAN-' || lpad(i::text, 3, '0'), '服务车 ' || i, 'van'
                        FROM generate_series(1, {VANS}) i) s ORDER BY o""")
        # Which part is held where: each part at 10 of 19 service points and 9 of 180 vans (a permutation per part,
        # so exactly that many), with the quantity transferred in from the warehouse.
        _step(cur, "pairs", f"""
            CREATE TEMP TABLE pairs AS
            SELECT p.id AS part_id, p.cost_price, l.id AS loc_id, l.kind,
                   (10 + floor(random() * 11))::numeric AS qty
            FROM inventory_part p
            JOIN (SELECT id, kind, row_number() OVER (PARTITION BY kind ORDER BY id) - 1 AS k
                  FROM inventory_stocklocation WHERE kind <> 'warehouse') l
              ON (l.kind = 'service_point' AND (p.id * 7 + l.k * 13) % {SERVICE_POINTS} < {SP_PER_PART})
              OR (l.kind = 'van' AND (p.id * 31 + l.k * 17) % {VANS} < {VANS_PER_PART})""")
        cur.execute("SELECT id FROM inventory_stocklocation WHERE kind = 'warehouse'")
        wh = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM pairs")
        pairs = cur.fetchone()[0]
        print(f"  {pairs:,} service-point and van balances", flush=True)
        start = "now() - interval '365 days'"
        _step(cur, "receipts", f"""
            INSERT INTO inventory_stockmove ({MOVE_COLUMNS})
            SELECT 'receive', p.id, (10 + floor(random() * 21))::numeric, NULL, {wh}, NULL, 'PO-' || p.id || '-' || r,
                   '', p.cost_price, NULL, {start} + random() * interval '150 days'
            FROM inventory_part p, generate_series(1, {RECEIPTS_PER_PART}) r""")
        _step(cur, "transfers", f"""
            INSERT INTO inventory_stockmove ({MOVE_COLUMNS})
            SELECT 'transfer', part_id, qty, {wh}, loc_id, NULL, '', '', cost_price, NULL,
                   {start} + interval '150 days' + random() * interval '60 days'
            FROM pairs""")
        _step(cur, "issues", f"""
            INSERT INTO inventory_stockmove ({MOVE_COLUMNS})
            SELECT 'issue', part_id, (1 + floor(random() * 3))::numeric, loc_id, NULL, NULL, '', '', cost_price, NULL,
                   {start} + interval '210 days' + random() * interval '150 days'
            FROM pairs, generate_series(1, 2)""")
        _step(cur, "returns, reservations, releases, scrap, counts", f"""
            INSERT INTO inventory_stockmove ({MOVE_COLUMNS})
            SELECT 'return', part_id, 1::numeric, NULL::bigint, loc_id, NULL::bigint, ''::text, ''::text, cost_price,
                   NULL::bigint,
                   {start} + interval '300 days' + random() * interval '60 days'
            FROM pairs WHERE kind = 'van' AND part_id % 4 = 0
            UNION ALL
            SELECT 'reserve', part_id, (1 + floor(random() * 2))::numeric, loc_id, NULL, NULL, '', '', cost_price,
                   NULL, {start} + interval '340 days' + random() * interval '20 days'
            FROM pairs WHERE kind = 'service_point' AND part_id % 5 = 0
            UNION ALL
            SELECT 'release', part_id, 1, loc_id, NULL, NULL, '', '', cost_price, NULL,
                   {start} + interval '362 days'
            FROM pairs WHERE kind = 'service_point' AND part_id % 10 = 0
            UNION ALL
            SELECT 'scrap', id, 1, {wh}, NULL, NULL, '', '包装破损', cost_price, NULL,
                   {start} + interval '200 days' + random() * interval '100 days'
            FROM inventory_part
            UNION ALL
            SELECT 'adjust', id, CASE WHEN id % 2 = 0 THEN -1 ELSE 1 END, NULL, {wh}, NULL, '', '盘点', cost_price,
                   NULL, {start} + interval '364 days'
            FROM inventory_part""")
        cur.execute("SELECT count(*) FROM inventory_stockmove")
        moves = cur.fetchone()[0]
        filler = 5_000_000 - moves
        if filler > 0:  # top up to exactly 5,000,000 with more warehouse receipts of random parts
            _step(cur, f"{filler:,} more receipts", f"""
                INSERT INTO inventory_stockmove ({MOVE_COLUMNS})
                SELECT 'receive', p.id, 5, NULL, {wh}, NULL, 'PO-X' || g, '', p.cost_price, NULL,
                       {start} + random() * interval '150 days'
                FROM generate_series(1, {filler}) g JOIN inventory_part p ON p.id = 1 + (g * 7919) % {PARTS}""")
        _step(cur, "balances = GROUP BY over the ledger's effects", """
            INSERT INTO inventory_stockbalance (part_id, location_id, on_hand, reserved)
            SELECT part_id, loc, sum(on_hand), sum(reserved) FROM (
              SELECT part_id, to_location_id AS loc, quantity AS on_hand, 0 AS reserved FROM inventory_stockmove
               WHERE kind IN ('receive', 'transfer', 'return', 'adjust')
              UNION ALL
              SELECT part_id, from_location_id, -quantity, 0 FROM inventory_stockmove
               WHERE kind IN ('transfer', 'issue', 'scrap')
              UNION ALL
              SELECT part_id, from_location_id, 0, quantity FROM inventory_stockmove WHERE kind = 'reserve'
              UNION ALL
              SELECT part_id, from_location_id, 0, -quantity FROM inventory_stockmove WHERE kind = 'release'
            ) effects GROUP BY part_id, loc""")
        t = time.perf_counter()
        for _, definition in indexes:
            cur.execute(definition)
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE inventory_stockmove ADD CONSTRAINT "{name}" {definition}')
        print(f"  ledger indexes and constraints rebuilt: {time.perf_counter() - t:.1f} s", flush=True)
    connection.close()
    import psycopg

    with psycopg.connect(f"{SERVER}/{DB_NAME}", autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                  for table in ("inventory_part", "inventory_stocklocation", "inventory_stockmove",
                                "inventory_stockbalance")}
    print(f"generated in {time.perf_counter() - t0:.0f} s: {json.dumps(counts)}", flush=True)


def _timings(fn: Any, runs: list[Any]) -> list[float]:
    times = []
    for arg in runs:
        t = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


LEDGER_SUM = """
    SELECT loc, sum(on_hand), sum(reserved) FROM (
      SELECT to_location_id AS loc, quantity AS on_hand, 0 AS reserved FROM inventory_stockmove
       WHERE part_id = %(p)s AND kind IN ('receive', 'transfer', 'return', 'adjust')
      UNION ALL SELECT from_location_id, -quantity, 0 FROM inventory_stockmove
       WHERE part_id = %(p)s AND kind IN ('transfer', 'issue', 'scrap')
      UNION ALL SELECT from_location_id, 0, quantity FROM inventory_stockmove WHERE part_id = %(p)s AND kind = 'reserve'
      UNION ALL SELECT from_location_id, 0, -quantity FROM inventory_stockmove WHERE part_id = %(p)s AND kind = 'release'
    ) e GROUP BY loc"""


def measure(samples: int, seed: int) -> dict[str, Any]:
    from django.db import connection

    from aftersales.inventory import selectors
    from aftersales.inventory.models import Part, StockBalance, StockMove

    rng = random.Random(seed)
    ids = list(Part.objects.values_list("pk", flat=True))
    result: dict[str, Any] = {"parts": len(ids), "moves": StockMove.objects.count(),
                              "balances": StockBalance.objects.count()}
    def stock_page(part: int) -> None:
        selectors.part_totals(part)
        list(selectors.part_stock(part)[:25])

    stock_page(ids[0])  # warm the connection and the prepared statement
    picks = [rng.choice(ids) for _ in range(samples)]
    times = sorted(_timings(stock_page, picks))
    result["part_stock_ms"] = {"median": round(statistics.median(times), 2),
                               "p95": round(times[int(len(times) * 0.95) - 1], 2), "max": round(times[-1], 2),
                               "runs": len(times)}
    rows = selectors.part_stock(picks[0]).count()
    print(f"part_stock: {result['part_stock_ms']} ({rows} locations for part {picks[0]})", flush=True)
    selectors.valuation()
    vtimes = sorted(_timings(lambda _: selectors.valuation(), range(5)))
    report = selectors.valuation()
    result["valuation_ms"] = {"median": round(statistics.median(vtimes), 1), "max": round(vtimes[-1], 1), "runs": 5}
    result["valuation_total"] = str(report["total"])
    result["valuation_locations"] = len(report["rows"])
    print(f"valuation: {result['valuation_ms']} total ¥{report['total']:,} over {len(report['rows'])} locations",
          flush=True)
    # The ledger list: newest first, whole and narrowed to the warehouse (its millions of moves) or a van.
    from aftersales.inventory.models import StockLocation

    warehouse = StockLocation.objects.get(kind="warehouse")
    van = StockLocation.objects.filter(kind="van").order_by("code").first()
    lists = {}
    for label, kw in (("all", {}), ("warehouse", {"location": warehouse}), ("van", {"location": van}),
                      ("part", {"part": picks[1]})):
        for page_no in (1, 40):
            def one(_: Any, kw: dict[str, Any] = kw, page_no: int = page_no) -> Any:
                return selectors.move_page(selectors.moves_for(None), page=page_no, page_size=50, **kw)

            runs = sorted(_timings(one, range(9)))
            lists[f"{label} p{page_no}"] = round(statistics.median(runs), 1)
    result["ledger_list_ms"] = lists
    print(f"ledger list (median of 9, ms): {lists}", flush=True)
    # The balances are the ledger: compare a sample with a SUM over the moves.
    checked = mismatches = 0
    with connection.cursor() as cur:
        for pid in rng.sample(ids, 50):
            cur.execute(LEDGER_SUM, {"p": pid})
            ledger = {loc: (oh, res) for loc, oh, res in cur.fetchall()}
            balances = {b.location_id: (b.on_hand, b.reserved) for b in StockBalance.objects.filter(part_id=pid)}
            checked += 1
            mismatches += ledger != balances
    result["ledger_check"] = {"parts": checked, "mismatches": mismatches}
    print(f"ledger check: {result['ledger_check']}", flush=True)
    qs = StockBalance.objects.filter(part=picks[0]).select_related("location").order_by("location__code")
    sql, params = qs.query.sql_with_params()
    result["explain_part_stock"] = _explain(sql, params)
    vqs = (StockBalance.objects.filter(on_hand__gt=0).order_by().values("location_id")
           .annotate(value=selectors.Sum(selectors.F("on_hand") * selectors.F("part__cost_price")),
                     units=selectors.Sum("on_hand"), lines=selectors.Count("id")))
    sql, params = vqs.query.sql_with_params()
    result["explain_valuation"] = _explain(sql, params)
    print(result["explain_part_stock"], "\n", result["explain_valuation"], sep="\n", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generate", action="store_true", help="(re)create and load the bench database first")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    if args.generate:
        create_database(fresh=True)
    setup_django()
    if args.generate:
        generate()
    result = measure(args.samples, args.seed)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
