"""A gunicorn worker that takes a new connection only when it has a free thread.

gunicorn's threaded worker (`gthread`, chosen for keep-alive: see `aftersales serve`) accepts every connection it
can, busy or not, and a kept-alive connection stays with the worker that accepted it. When a client opens several
connections at once (a browser's six, a reverse proxy's pool, the load test's eight), the worker that woke first
took nearly all of them: measured with 2 workers and 8 connections, one worker answered 2,060 requests and the other
53, so requests queued behind one busy process while the other core idled (the request page ran at 85 instead of
~180 pages/s, and its slowest answers waited for seven others).

`BalancedThreadWorker` listens for new connections only while it has a free thread, so a new connection goes to a
worker that can answer it now (or waits in the kernel's queue), and every answer it gives also takes one waiting
connection, if any, so that a worker kept busy by its kept-alive connections still takes its share of new ones.
Requests on kept-alive connections are handled exactly as before. It relies on gunicorn's own switch for accepting
(`set_accept_enabled`, which it uses when a worker reaches `worker_connections`); pyproject pins the gunicorn major
version it was written against, and `core/tests/test_gunicorn_worker.py` proves the spread with two real workers
(docs/decisions/0010).
"""

from __future__ import annotations

import gc
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# After these many answers a worker has imported, compiled and cached what it serves (≈ 390,000 objects, up from
# ≈ 50,000 at fork): the garbage collector's full passes walked them all, 50–120 ms each, every few hundred requests
# (measured with a gc callback in both workers). At these points, between two requests, it collects once and then
# freezes the survivors (`gc.freeze()`: later passes skip them; they are never freed, as they are meant to live
# for the process anyway). It happens between two answers, even with a request waiting: one pause instead of one
# every few hundred requests.
FREEZE_AFTER = (200, 2000)


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool and not finished (main thread only)
        self.answered = 0
        self.freezes_done = 0

    def has_free_thread(self) -> bool:
        return self.in_flight < self.cfg.threads

    def set_accept_enabled(self, enabled: bool) -> None:
        # gunicorn's loop asks to accept whenever it is under worker_connections; only with a free thread here.
        super().set_accept_enabled(enabled and self.has_free_thread())

    def enqueue_req(self, conn: Any) -> None:
        self.in_flight += 1
        if not self.has_free_thread():
            super().set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.in_flight -= 1
        self.answered += 1
        super().finish_request(conn, fs)  # may hand the connection's next request to the pool again
        if not self.alive:
            return
        if self.freezes_done < len(FREEZE_AFTER) and self.answered >= FREEZE_AFTER[self.freezes_done]:
            self.freezes_done += 1  # once per point: a pause like one of the full passes it saves
            gc.collect()
            gc.freeze()
        # Every finished request also takes one waiting connection, if there is one, even when this worker's
        # kept-alive connections keep its thread busy: while the listener is off, a worker that never runs dry would
        # otherwise leave new clients waiting in the kernel's queue until its old ones go away (measured: four of
        # eight connections waited 1.7 s for their first answer). One per answer, so a worker takes new connections
        # at the pace it answers, and the two workers' shares stay even.
        for listener in self.sockets:
            if self.nr_conns >= self.worker_connections:
                break
            before = self.nr_conns
            self.accept(listener)  # non-blocking: nothing waiting is EAGAIN, which accept() ignores
            if self.nr_conns != before:
                break
        self.set_accept_enabled(self.nr_conns < self.worker_connections)
