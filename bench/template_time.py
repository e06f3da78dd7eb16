"""Where a page's rendering time goes, node by node, in-process on the bench database.

Each template node's render time is summed by (template, line, node type), inclusive of the nodes inside it, over
150 pages (after 20 unmeasured ones). Use it to find the expensive part of a page before changing it; compare code
versions with bench/page_time.py, which does not perturb the timing.

Usage (from the project root, after bench/generate.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/template_time.py
    .venv/bin/python bench/template_time.py "/" dispatcher
"""

from __future__ import annotations

import collections
import os
import random
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "/requests/{}/"
    user = sys.argv[2] if len(sys.argv) > 2 else "dispatcher"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{PROJECT / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["AFTERSALES_HTTPS"] = "0"
    import django

    django.setup()
    from django.template import base
    from django.test import Client

    from aftersales.accounts.models import User
    from aftersales.servicedesk.models import ServiceRequest

    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    render = base.Node.render_annotated

    def timed(self: base.Node, context: base.Context) -> str:
        start = time.perf_counter()
        try:
            return render(self, context)
        finally:
            token, origin = getattr(self, "token", None), getattr(self, "origin", None)
            key = (origin.template_name if origin else "?", token.lineno if token else 0, type(self).__name__)
            spent[key] += time.perf_counter() - start
            calls[key] += 1

    base.Node.render_annotated = timed  # type: ignore[method-assign]
    rng = random.Random(1)
    top = ServiceRequest.objects.order_by("-id").values_list("id", flat=True).first() or 1
    ids = [rng.randint(1, top) for _ in range(170)]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=user))
    for pk in ids[:20]:
        client.get(url.format(pk))
    spent.clear()
    calls.clear()
    for pk in ids[20:]:
        client.get(url.format(pk))
    pages = len(ids) - 20
    for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:40]:
        print(f"{seconds / pages * 1000:7.2f} ms  {calls[key] / pages:6.1f}×  {key[0]}:{key[1]} {key[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
