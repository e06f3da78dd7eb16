"""Serve the product with gunicorn and run the background worker beside it, as `make run` does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application (gunicorn) together with the background task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        # One thread per worker by default: the product's requests are CPU-bound Python, and threads of one process
        # take turns on the GIL (5 ms slices), which made tails 1.5–3x longer and SQLite writers wait for a thread
        # holding the write lock (measured in docs/performance.md). Scale with WEB_CONCURRENCY (processes) instead.
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        aftersales = shutil.which("aftersales", path=bin_dir) or "aftersales"
        gunicorn = shutil.which("gunicorn", path=bin_dir) or "gunicorn"
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(subprocess.Popen([aftersales, "worker"]))  # noqa: S603
        web = subprocess.Popen([  # noqa: S603
            gunicorn, "aftersales.config.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            # gunicorn's threaded worker even with one thread: it keeps connections alive (sync workers close every
            # one); ours accepts a connection only when it can answer it soon (docs/decisions/0010).
            "--worker-class", "aftersales.core.gunicorn_worker.BalancedThreadWorker",
            "--timeout", "60", "--graceful-timeout", "10",
            "--access-logfile", os.environ.get("ACCESS_LOG", "-") if os.environ.get("ACCESS_LOG") else "/dev/null",
        ])
        children.append(web)
        self.stdout.write(f"aftersales is serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops it)")

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(0, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
