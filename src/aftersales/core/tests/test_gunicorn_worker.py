"""`aftersales serve`'s gunicorn worker spreads kept-alive connections over the workers and starves none.

Two real gunicorn workers (one thread each, as `aftersales serve` runs them) serve a tiny WSGI app whose every answer
holds its thread for 10 ms and names the process that gave it. Eight clients connect at the same moment and send
their requests one after another on kept-alive connections, as the load test and a reverse proxy's pool do.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

APP = '''
import gc, os, time
def app(environ, start_response):
    if environ["PATH_INFO"] == "/frozen":
        body = f"{os.getpid()} {gc.get_freeze_count()}".encode()
    else:
        time.sleep(0.01)
        body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''
CLIENTS, REQUESTS = 8, 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path: Path, worker_class: str) -> tuple[subprocess.Popen[bytes], int]:
    (tmp_path / "tinyapp.py").write_text(APP)
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(  # noqa: S603
        [gunicorn, "tinyapp:app", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "1",
         "--worker-class", worker_class, "--keep-alive", "5", "--control-socket", str(tmp_path / "ctl.sock")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < 2:  # both workers up and answering
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            seen.add(conn.getresponse().read().decode())
            conn.close()
        except OSError:
            time.sleep(0.1)
    return proc, port


def _clients(port: int) -> tuple[Counter[str], list[float]]:
    pids: Counter[str] = Counter()
    first: list[float] = []
    lock, start = threading.Lock(), threading.Barrier(CLIENTS)
    # All connections opened back to back before any request, as wrk and a proxy's pool open theirs.
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(CLIENTS)]
    for conn in conns:
        conn.connect()

    def client(conn: http.client.HTTPConnection) -> None:
        start.wait()
        for i in range(REQUESTS):
            began = time.perf_counter()
            conn.request("GET", "/")
            pid = conn.getresponse().read().decode()
            with lock:
                pids[pid] += 1
                if i == 0:
                    first.append(time.perf_counter() - began)
        conn.close()

    threads = [threading.Thread(target=client, args=(conn,)) for conn in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return pids, first


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")
def test_connections_are_spread_over_both_workers_and_none_waits(tmp_path):
    proc, port = _serve(tmp_path, "aftersales.core.gunicorn_worker.BalancedThreadWorker")
    try:
        pids, first = _clients(port)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert sum(pids.values()) == CLIENTS * REQUESTS
    assert len(pids) == 2, pids
    # Four connections each, give or take one: 120–200 of the 320 answers.
    assert min(pids.values()) >= 0.375 * CLIENTS * REQUESTS, pids
    # Every client's first answer comes while the others are still busy (they need 40 × 10 ms at least), not after
    # the first clients have finished.
    assert max(first) < 0.35, sorted(first)


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")
def test_a_worker_freezes_its_long_lived_objects_after_its_first_answers(tmp_path):
    from aftersales.core.gunicorn_worker import FREEZE_AFTER

    proc, port = _serve(tmp_path, "aftersales.core.gunicorn_worker.BalancedThreadWorker")
    counts: list[int] = []
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # one kept-alive connection: one worker
        for _ in range(FREEZE_AFTER[0] + 5):
            conn.request("GET", "/frozen")
            counts.append(int(conn.getresponse().read().decode().split()[1]))
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # The readiness probes of _serve answered a few before; nothing is frozen at first, everything after the point.
    assert counts[0] == 0
    assert counts[-1] > 1000, counts[-10:]
