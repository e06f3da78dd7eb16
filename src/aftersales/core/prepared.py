"""Querysets compiled to SQL once per process: the key lookups of the busiest pages (decision 0009).

Django turns a queryset into SQL every time it is evaluated. For the wide `select_related` lookups of the request
page that costs more than running them: compiling its eight querysets took about 8 of the page's ~35 ms
in-process, running them about 2. A `PreparedQuery` builds its queryset once per shape with stand-in values for
its arguments and compiles it; each call then runs that SQL with the real values in the stand-ins' places. The
rows become model instances through Django's own iteration, so `select_related`, `only()` and
`prefetch_related` behave as on the plain queryset (prefetch queries are compiled as usual).

Rules for a build function, `build(shape, *args)`:
- `args` are the values that change from call to call: ints (primary and foreign keys) or strings compared as
  they are (an exact match on a text column, such as a token's hash);
- everything else that changes the SQL (a role's scope, a flag) is in `shape`, a hashable key; each shape is
  compiled once;
- it reads nothing else the SQL could depend on: not the clock, not the language, not settings.

Preparing compiles the queryset twice with different stand-ins and refuses a build whose SQL changes with the
values (a value inlined as a literal) or that leaves an argument out of the parameters.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

_ARITY = 4
_STANDINS: dict[type, tuple[tuple[Any, ...], tuple[Any, ...]]] = {
    int: (tuple(-714_285_701 - i for i in range(_ARITY)), tuple(-905_020_011 - i for i in range(_ARITY))),
    str: (tuple(f"\x1fprepared:a:{i}" for i in range(_ARITY)), tuple(f"\x1fprepared:b:{i}" for i in range(_ARITY))),
}


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any] | None  # None: the shape selects nothing (EmptyResultSet), no query is run
    compiler: Any = None
    sql: str = ""
    params: tuple[Any, ...] = ()
    slots: tuple[tuple[int, int], ...] = ()  # (position in params, index of the argument)


class PreparedQuery(Generic[M]):
    """`PreparedQuery(build)(shape, *args)` is `list(build(shape, *args))`, with the SQL compiled once per shape
    (and per the types of the arguments)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self._compiled: dict[tuple[Hashable, tuple[type, ...]], _Compiled] = {}

    def __call__(self, shape: Hashable, *args: int | str) -> list[M]:
        types = tuple(type(value) for value in args)
        for value in args:
            if type(value) not in _STANDINS:
                raise TypeError(f"prepared query arguments are ints or strings, not {type(value).__name__}: {value!r}")
        entry = self._entry(shape, types)
        if entry.queryset is None:
            return []
        params = list(entry.params)
        for position, index in entry.slots:
            # Keep the driver's wrapper of the compiled value (psycopg's Int8 for a bigint column, say).
            kind = type(params[position])
            params[position] = args[index] if kind is type(args[index]) else kind(args[index])
        sql, bound = entry.sql, tuple(params)
        queryset = entry.queryset._chain()  # a fresh result cache and query; nobody else sees this clone
        compiler = copy.copy(entry.compiler)  # select, klass_info and converters' inputs as compiled
        compiler.query = queryset.query
        compiler.connection = connections[compiler.using]  # this thread's connection
        compiler.as_sql = lambda *a, **k: (sql, bound)
        queryset.query.get_compiler = lambda *a, **k: compiler
        return list(queryset)

    def _entry(self, shape: Hashable, types: tuple[type, ...]) -> _Compiled:
        key = (shape, types)
        entry = self._compiled.get(key)
        if entry is None:
            entry = self._prepare(shape, types)
            self._compiled[key] = entry  # a race compiles twice and keeps one: harmless
        return entry

    def _prepare(self, shape: Hashable, types: tuple[type, ...]) -> _Compiled:
        arity = len(types)
        if arity > _ARITY:
            raise ImproperlyConfigured(f"a prepared query takes at most {_ARITY} arguments")
        standins = [tuple(_STANDINS[t][n][i] for i, t in enumerate(types)) for n in (0, 1)]
        first, second = (self._compile(shape, values) for values in standins)
        if first is None or second is None:
            if first is not second:
                raise ImproperlyConfigured(f"{self.build.__qualname__}: the shape {shape!r} is empty for some values")
            return _Compiled(queryset=None)
        (queryset, compiler, sql, params), (_, _, sql2, params2) = first, second
        slots = self._slots(params, standins[0])
        if sql != sql2 or len(params) != len(params2) or slots != self._slots(params2, standins[1]):
            raise ImproperlyConfigured(f"{self.build.__qualname__}: its SQL depends on the argument values")
        if {i for _, i in slots} != set(range(arity)):
            raise ImproperlyConfigured(f"{self.build.__qualname__}: not every argument reaches the SQL parameters")
        taken = {p for p, _ in slots}
        if any(params[p] != params2[p] for p in range(len(params)) if p not in taken):
            raise ImproperlyConfigured(f"{self.build.__qualname__}: its other parameters change between builds")
        return _Compiled(queryset, compiler, sql, tuple(params), slots)

    def _compile(self, shape: Hashable, standins: tuple[Any, ...]) -> tuple[Any, Any, str, tuple[Any, ...]] | None:
        queryset = self.build(shape, *standins)
        if not isinstance(queryset, QuerySet):
            raise ImproperlyConfigured(f"{self.build.__qualname__} must return a QuerySet")
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        return queryset, compiler, sql, tuple(params)

    @staticmethod
    def _slots(params: tuple[Any, ...], standins: tuple[Any, ...]) -> tuple[tuple[int, int], ...]:
        # A driver may wrap a value in a subclass of its type (psycopg's Int8 for a bigint column).
        index = {(type(value), value): i for i, value in enumerate(standins)}
        return tuple((p, index[base, value]) for p, value in enumerate(params)
                     for base in _STANDINS if isinstance(value, base) and not isinstance(value, bool)
                     and (base, base(value)) in index)

    def clear(self) -> None:
        """Forget the compiled SQL (tests that change the database settings)."""
        self._compiled.clear()
