"""Real `aftersales worker` processes: killed with SIGKILL mid-sweep and restarted, or two at once on PostgreSQL —
every escalation fires once, nothing twice.

These tests do not use pytest-django's database: each builds its own database (a file SQLite one, or a fresh
PostgreSQL database on the server named by DATABASE_URL), migrates it with `aftersales migrate`, seeds it with
`python -m aftersales.sla.tests.sweep_scenario seed`, runs worker processes on it and reads the outcome with SQL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from aftersales.sla.tests.sweep_scenario import LADDER

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent / "aftersales"
TASKS = "django_tasks_database_dbtaskresult"


def _env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")}
    env.update({"DJANGO_SETTINGS_MODULE": "aftersales.config.settings", "AFTERSALES_VAR": str(tmp),
                "DATABASE_URL": database_url, "AFTERSALES_HTTPS": "0", "DEBUG": "0", "SECRET_KEY": "test-" * 10,
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "CONN_MAX_AGE": "0"})
    env.update(extra)
    return env


def _prepare(env: dict[str, str], requests: int, minutes_ago: int = 180) -> list[int]:
    subprocess.run([str(BIN), "migrate", "-v0"], env=env, check=True, timeout=300)
    out = subprocess.run([sys.executable, "-m", "aftersales.sla.tests.sweep_scenario", "seed", str(requests),
                          str(minutes_ago)], env=env, check=True, timeout=300, capture_output=True, text=True)
    return [int(x) for x in out.stdout.strip().splitlines()[-1].split(",")]


def _worker(env: dict[str, str], name: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([str(BIN), "worker", "--interval", "0.2", "--sweep-every", "0.5", "--worker-id", name,
                             *args], env=env, stdout=handle, stderr=subprocess.STDOUT)


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _check_exactly_once(query: Callable[[str], list[tuple[Any, ...]]], clock_ids: list[int]) -> None:
    expected = len(clock_ids) * len(LADDER)
    keys = [r[0] for r in query("SELECT key FROM notifications_outboxmessage WHERE channel = 'inbox'")]
    assert len(keys) == len(set(keys)) == expected
    assert {int(k.split(":")[0]) for k in keys} == set(clock_ids)
    notes = query("SELECT outbox_id, COUNT(*) FROM notifications_notification GROUP BY outbox_id")
    assert len(notes) == expected and all(n == 1 for _, n in notes)
    assert query("SELECT COUNT(*) FROM notifications_outboxmessage WHERE state <> 'sent'")[0][0] == 0


def test_a_worker_killed_mid_sweep_and_restarted_fires_every_escalation_once(tmp_path):
    db = tmp_path / "worker.sqlite3"
    env = _env(tmp_path, f"sqlite:///{db}")
    clock_ids = _prepare(env, requests=15)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(db, timeout=30) as con:
            return con.execute(sql).fetchall()

    # A slow sweep (0.1 s per clock, 30 clocks): kill the worker while it runs.
    first = _worker(env | {"AFTERSALES_SWEEP_TEST_PAUSE": "0.1"}, "w1", log=tmp_path / "w1.log")
    try:
        _wait(lambda: query(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'RUNNING'")[0][0] > 0, 60,
              "the sweep to start")
        time.sleep(1.0)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert query(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'RUNNING'")[0][0] >= 1  # left behind by the kill
    before = query("SELECT COUNT(*) FROM notifications_outboxmessage")[0][0]
    assert before < len(clock_ids) * len(LADDER)  # it really died mid-way

    # Restart: the dead worker's task is re-queued after the timeout (here 3 s) and everything goes out once.
    second = _worker(env, "w2", "--reap-after", "0.05", log=tmp_path / "w2.log")
    try:
        _wait(lambda: query("SELECT COUNT(*) FROM notifications_notification")[0][0] >= len(clock_ids) * len(LADDER)
              and query("SELECT COUNT(*) FROM notifications_outboxmessage WHERE state = 'pending'")[0][0] == 0,
              120, "every escalation to be delivered")
        _wait(lambda: query(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'RUNNING' AND 'w1' IN "
                            f"(SELECT value FROM json_each(worker_ids)) AND json_array_length(worker_ids) = 1")[0][0]
              == 0, 30, "the dead worker's task to be picked up again")
        time.sleep(2)  # a few more sweeps: still nothing twice
    finally:
        _stop(second)
    _check_exactly_once(query, clock_ids)
    assert query(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'FAILED'")[0][0] == 0


@contextmanager
def _postgres_database() -> Iterator[str]:
    import psycopg

    base = os.environ["DATABASE_URL"]
    server, _, _ = base.rpartition("/")
    name = f"aftersales_s3_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_two_workers_at_once_on_postgresql_send_nothing_twice(tmp_path):
    import psycopg

    with _postgres_database() as url:
        env = _env(tmp_path, url)
        clock_ids = _prepare(env, requests=60)

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(url) as con:
                return con.execute(sql).fetchall()

        slow = env | {"AFTERSALES_SWEEP_TEST_PAUSE": "0.02"}
        workers = [_worker(slow, f"w{i}", log=tmp_path / f"w{i}.log") for i in (1, 2)]
        try:
            _wait(lambda: query("SELECT COUNT(*) FROM notifications_notification")[0][0]
                  >= len(clock_ids) * len(LADDER), 180, "every escalation to be delivered")
            time.sleep(3)
            ran = {r[0] for r in query(f"SELECT DISTINCT worker_ids->>-1 FROM {TASKS} WHERE status = 'SUCCESSFUL'")}
        finally:
            for w in workers:
                _stop(w)
        _check_exactly_once(query, clock_ids)
        assert ran == {"w1", "w2"}  # both workers really swept
