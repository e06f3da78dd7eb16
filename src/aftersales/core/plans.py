"""PostgreSQL plan caching: custom plans for reads over ranges, generic plans for key lookups and writes.

Connections start with `plan_cache_mode=force_custom_plan` (config/settings.py): with prepared statements, a read
such as a dashboard's date-range count or a list filtered by a rare state is still planned for its actual
parameters. A generic plan, blind to them, chose parallel scans of a million rows there (measured 700 ms).

Key lookups and inserts are the opposite case: their plans never depend on the values, and planning them again on
every call costs more than running them (a five-table join by primary key plans in ~0.3 ms and runs in 0.05 ms;
request create spent a fifth of its database time planning). `generic_plans()` lets PostgreSQL reuse a prepared
statement's plan (its default mode, `auto`) for the duration of a block and resets the connection afterwards.
Used for every request that changes data (`WritePlansMiddleware`) and, with `@key_lookup_view`, for pages that
read one record and its children by key. Not for lists and dashboards: the engineer's list, for one, got slower.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection


def enabled() -> bool:
    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options", "")
    return connection.vendor == "postgresql" and "force_custom_plan" in options


@contextmanager
def generic_plans() -> Iterator[None]:
    if not enabled():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = auto")
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET plan_cache_mode")
            except Exception:  # noqa: BLE001 - a broken connection is closed; the setting goes with it
                connection.close()


def key_lookup_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page that reads one record and its children by key runs under `generic_plans()`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with generic_plans():
            return view(*args, **kwargs)

    wrapped.key_lookup = True  # type: ignore[attr-defined]
    return wrapped
