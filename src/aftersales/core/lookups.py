"""`field__literal_in=(...)`: an IN list written into the SQL as literals, for queries a partial index is made for.

SQLite plans a statement before its parameters are bound, so `state IN (?, ?, ?)` can never be proven to match a
partial index's `WHERE state IN ('a', 'b', 'c')`, and the index goes unused; the term must also list the values in
the index's order. (The dispatcher's open-queue query then chose a scan of the customers, 650 ms a page at 100,000
requests.) Only fixed code values (state names) are accepted: letters, digits and underscores, never user input.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import CharField, Lookup

SAFE = re.compile(r"^[A-Za-z0-9_]+$")


@CharField.register_lookup
class LiteralIn(Lookup):
    lookup_name = "literal_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> tuple[str, ...]:
        values = tuple(str(v) for v in self.rhs)
        if not values or any(not SAFE.match(v) for v in values):
            raise ValueError(f"literal_in takes code values only, got {values!r}")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(repr(v) for v in self.rhs)})", list(params)
