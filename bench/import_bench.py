"""Time a 10,000-row import through the API, the way an agent's upload runs: upload (every row checked, nothing
written), then confirm (the valid rows written, each with its audit entry).

It migrates a database of its own (a temporary SQLite file, or DATABASE_URL's database when given: use a scratch
database, the script adds rows to it), makes the rows of each file, and times each step through the API with the
Django test client (no HTTP server: the import is one request, its cost is the server's work).

Files, each of N rows (default 10,000):
  customers.xlsx   customer, site and contact per row; every second row a new site of the previous customer
  customers.csv    the same as CSV
  equipment.xlsx   units of the imported customers' sites, a tenth of the rows with a mistake (unknown model,
                   bad date, duplicate serial): the preview lists them, confirm writes the rest
  equipment.csv    the same as CSV, without mistakes

Usage (from the project root):
    .venv/bin/python bench/import_bench.py                      # temporary SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_import .venv/bin/python bench/import_bench.py
Options: --rows N. Prints one line per file and the target (< 30 s per file, upload and confirm together).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0
CUSTOMER_HEADER = ["客户名称", "客户编码", "客户类型", "站点", "地址", "城市", "联系人", "电话"]
EQUIPMENT_HEADER = ["客户名称", "客户编码", "站点", "型号", "序列号", "安装位置", "安装日期", "调试日期", "保修开始",
                    "保修结束"]


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def customer_rows(n: int, tag: str) -> list[list[object]]:
    cities = ["武汉市", "宜昌市", "襄阳市", "长沙市", "郑州市"]
    return [CUSTOMER_HEADER] + [
        [f"{tag}客户{i // 2:05d}有限公司", f"{tag}{i // 2:05d}", "公司", f"厂区 {i % 2 + 1}",
         f"{cities[i % 5]}经济开发区 {i} 号", cities[i % 5], f"联系人{i:05d}", f"139{i:08d}"] for i in range(n)]


def equipment_rows(n: int, tag: str, *, mistakes: bool) -> list[list[object]]:
    rows: list[list[object]] = [EQUIPMENT_HEADER]
    for i in range(n):
        customer = i % (n // 2)
        row: list[object] = [f"{tag}客户{customer:05d}有限公司", "", f"厂区 {i % 2 + 1}", "LSBLG-1160",
                             f"{tag}-EQ-{i:06d}", f"冷冻机房 {i % 8 + 1} 号机", "2024-03-10", "2024-04-01", "2024-04-01",
                             "2026-03-31"]
        if mistakes and i % 10 == 3:  # an unknown site, an unknown model, or the serial of the row before
            column, value = {0: (2, "厂区 9"), 1: (3, "NO-SUCH-MODEL"), 2: (4, f"{tag}-EQ-{i - 1:06d}")}[i % 3]
            row[column] = value
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.TemporaryDirectory(prefix="aftersales-import-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/import.sqlite3"
        os.environ["AFTERSALES_VAR"] = scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["AFTERSALES_HTTPS"] = "0"
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served here
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from aftersales.accounts.services import token_issue
    from aftersales.core.testing import make_model, make_user

    call_command("migrate", verbosity=0)
    tag = f"B{int(time.time()) % 100000:05d}"
    agent = make_user("agent", f"import-bench-{tag}")
    if not _model_exists("LSBLG-1160"):
        make_model(code="LSBLG-1160", actor=agent)
    _, token = token_issue(user=agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    files = [
        ("customers", "customers.xlsx", xlsx_bytes(customer_rows(args.rows, tag))),
        ("customers", "customers.csv", csv_bytes(customer_rows(args.rows, tag + "C"))),
        ("equipment", "equipment.xlsx", xlsx_bytes(equipment_rows(args.rows, tag, mistakes=True))),
        ("equipment", "equipment.csv", csv_bytes(equipment_rows(args.rows, tag + "C", mistakes=False))),
    ]
    print(f"{connection.vendor}, {args.rows:,} rows per file (target: upload + confirm < {TARGET_SECONDS:.0f} s)")
    worst = 0.0
    for kind, name, data in files:
        started = time.perf_counter()
        response = client.post("/api/v1/imports", {"kind": kind, "file": SimpleUploadedFile(name, data)})
        if response.status_code != 201:
            print(f"{name}: upload answered {response.status_code}: {response.content[:300]!r}")
            return 1
        batch = response.json()
        uploaded = time.perf_counter()
        confirmed = client.post(f"/api/v1/imports/{batch['id']}/confirm")
        done = time.perf_counter()
        if confirmed.status_code != 200:
            print(f"{name}: confirm answered {confirmed.status_code}: {confirmed.content[:300]!r}")
            return 1
        total = done - started
        worst = max(worst, total)
        print(f"  {name:15} {len(data) / 1024:7.0f} KB  upload+check {uploaded - started:5.2f} s  "
              f"confirm {done - uploaded:5.2f} s  total {total:5.2f} s  valid {batch['valid_rows']:,}  "
              f"bad rows {len({e['row'] for e in batch['errors']}):,}  written {confirmed.json()['applied_rows']:,}")
    print(f"slowest file {worst:.2f} s: {'meets' if worst < TARGET_SECONDS else 'MISSES'} the target")
    if scratch is not None:
        scratch.cleanup()
    return 0 if worst < TARGET_SECONDS else 2


def _model_exists(code: str) -> bool:
    from aftersales.customers.models import ProductModel

    return ProductModel.objects.filter(code=code).exists()


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT / "src"))
    sys.exit(main())
