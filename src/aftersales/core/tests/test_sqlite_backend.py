"""SQLite writers queue on the writer lock: the second waits for the first's commit, without SQLITE_BUSY."""

from __future__ import annotations

import threading
import time

import pytest

from aftersales.core.sqlite_backend.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path) -> DatabaseWrapper:
    settings = {
        "NAME": str(path), "ENGINE": "aftersales.core.sqlite_backend", "USER": "", "PASSWORD": "", "HOST": "",
        "PORT": "", "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05}, "TIME_ZONE": None,
        "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
    }
    wrapper = DatabaseWrapper(settings, alias="writer-lock-test")
    wrapper.inc_thread_sharing()
    return wrapper


def _write(wrapper: DatabaseWrapper, value: int, hold: float, log: list) -> None:
    wrapper.ensure_connection()
    wrapper._start_transaction_under_autocommit()
    log.append(("begin", value, time.monotonic()))
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES (%s)", [value])
    time.sleep(hold)
    wrapper.commit()
    log.append(("commit", value, time.monotonic()))


def test_second_writer_waits_for_the_first_commit_without_busy_errors(tmp_path):
    first, second = _wrapper(tmp_path / "db.sqlite3"), _wrapper(tmp_path / "db.sqlite3")
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v integer)")
    log: list = []
    # The busy timeout is 50 ms and the first writer holds its transaction for 300 ms: without the writer lock the
    # second BEGIN IMMEDIATE fails with "database is locked".
    a = threading.Thread(target=_write, args=(first, 1, 0.3, log))
    a.start()
    deadline = time.monotonic() + 10
    while not log and time.monotonic() < deadline:  # the first writer is inside its transaction
        time.sleep(0.005)
    _write(second, 2, 0, log)
    a.join()
    begun = {value: at for kind, value, at in log if kind == "begin"}
    assert [(kind, value) for kind, value, _ in log][0] == ("begin", 1)
    # The second began only after the first committed, which it did no sooner than 300 ms after it began. (Not the
    # order of the log's "commit 1" and "begin 2": the first thread may be descheduled between its commit and its
    # log line on a busy machine, and the second then logs first.)
    assert begun[2] - begun[1] >= 0.29
    with first.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 2
    first.close()
    second.close()


def test_rollback_and_close_release_the_lock(tmp_path):
    first, second = _wrapper(tmp_path / "db.sqlite3"), _wrapper(tmp_path / "db.sqlite3")
    first.ensure_connection()
    first._start_transaction_under_autocommit()
    first.rollback()
    second.ensure_connection()
    second._start_transaction_under_autocommit()  # would block forever if the rollback kept the lock
    second.close()  # closing mid-transaction releases it too
    first._start_transaction_under_autocommit()
    first.commit()
    first.close()


@pytest.mark.parametrize("name", [":memory:"])
def test_in_memory_databases_take_no_lock(name):
    wrapper = _wrapper(name)
    assert wrapper._writer_lock_fd() is None
