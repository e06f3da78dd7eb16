"""Helpers every API router uses: bearer auth, problem bodies, pagination, ETag/If-Match, safe lookups."""

from __future__ import annotations

import math
import re
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Schema
from ninja.security import HttpBearer
from pydantic import Field

from .errors import NotFound, StaleVersion
from .prepared import PreparedQuery

T = TypeVar("T")
MAX_COUNT = 10_000
# Counting a big filtered set costs the database several ms even capped (10,000 index entries): such a count is
# reused for COUNT_CACHE_SECONDS in this process. Small counts (the ones people read exactly) are always fresh.
COUNT_CACHE_SECONDS = 20.0
COUNT_CACHE_MIN = 1_000
_COUNTS: dict[Any, tuple[float, int]] = {}


def _token_by_hash(shape: str, key_hash: str) -> QuerySet[Any]:
    from aftersales.accounts.models import ApiToken

    # A slice, not .first(): the hash is unique, so no ORDER BY to sort.
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True)[:1]


_TOKEN_BY_HASH = PreparedQuery(_token_by_hash)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from aftersales.accounts.models import ApiToken

        if not token or len(token) > 200:
            return None
        # Every API call runs this: its SQL is compiled once per process (`core.prepared`), so the expiry is
        # compared here rather than in SQL, where the time would make each statement different.
        rows = _TOKEN_BY_HASH("live", ApiToken.hash(token))
        row = rows[0] if rows else None
        if row is None or row.expires_at <= timezone.now() or not row.user.is_active:
            return None
        from aftersales.accounts.services import token_mark_used

        token_mark_used(token=row)
        request.user = row.user
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(row.user.language)
            request.LANGUAGE_CODE = row.user.language
        return row.user


class NotPermitted(Exception):
    """Raised by PermissionBearer before the body is parsed; config/api.py answers 403."""


class PermissionBearer(BearerAuth):
    """Bearer auth that also requires a role permission, checked before the request body is even parsed,
    so a role without the permission gets 403 whatever it sends."""

    def __init__(self, *perms: str) -> None:
        super().__init__()
        self.perms = perms

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from .permissions import has_perm

        user = super().authenticate(request, token)
        if user is not None and not any(has_perm(user, perm) for perm in self.perms):
            raise NotPermitted(",".join(self.perms))
        return user


def needs(*perms: str) -> list[PermissionBearer]:
    """The `auth=` of an operation that requires a role permission (any of `perms`):
    `@router.get(..., auth=needs(VIEW_REQUESTS))`. The permission-matrix test reads it back from the operation."""
    return [PermissionBearer(*perms)]


class Problem(Schema):
    """An error, after RFC 9457: `code` is stable for programs, `title`/`detail` are for people."""

    type: str = Field(examples=["urn:aftersales:problem:invalid_transition"])
    title: str = Field(examples=["This action is not allowed in the record's current state."])
    status: int = Field(examples=[409])
    code: str = Field(examples=["invalid_transition"])
    detail: str = ""
    errors: list[dict[str, Any]] = []


def problem(status: int, code: str, title: str, detail: str = "", errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> HttpResponse:
    import json

    body = {"type": f"urn:aftersales:problem:{code}", "title": str(title), "status": status, "code": code,
            "detail": str(detail), "errors": errors or []}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, default=str), status=status,
                            content_type="application/problem+json")
    for key, value in (headers or {}).items():
        response[key] = value
    return response


class Page(Schema, Generic[T]):
    count: int = Field(description="Number of matching items; capped at 10,000 (see count_exact).")
    count_exact: bool = True
    page: int
    page_size: int
    pages: int
    results: list[T]


def _capped_count(qs: QuerySet[Any]) -> int:
    """`qs.count()` up to MAX_COUNT + 1, the big ones kept briefly (see COUNT_CACHE_SECONDS)."""
    import time

    from django.core.exceptions import EmptyResultSet

    capped = qs.order_by()[: MAX_COUNT + 1]
    try:
        sql, params = capped.query.sql_with_params()
    except EmptyResultSet:
        return 0
    key = (capped.db, sql, repr(params))
    now = time.monotonic()
    hit = _COUNTS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    total = capped.count()
    if total >= COUNT_CACHE_MIN:
        if len(_COUNTS) > 5_000:  # bounded: drop everything rather than track ages
            _COUNTS.clear()
        _COUNTS[key] = (now + COUNT_CACHE_SECONDS, total)
    return total


def paginate(qs: QuerySet[Any] | list[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of a list with its (capped) total. The page is read first: when it is the last page (not full,
    and not empty past the first), the total follows from it and the count query is skipped, since counting
    even a capped set of a big table costs more than reading the page."""
    page = max(1, int(page or 1))
    page_size = min(max(1, int(page_size or 25)), 100)
    start = (page - 1) * page_size
    results: list[Any] | None = None
    if isinstance(qs, list):
        total, exact = len(qs), True
    else:
        if start < MAX_COUNT:
            results = list(qs[start:start + page_size])
        if results is not None and len(results) < page_size and (results or start == 0):
            total, exact = start + len(results), True
        else:
            total = _capped_count(qs)
            exact = total <= MAX_COUNT
            total = min(total, MAX_COUNT)
    if start >= MAX_COUNT and not exact:
        start = MAX_COUNT  # deep pages beyond the cap: narrow the filter instead
        results = None
    if results is None:
        results = list(qs[start:start + page_size])
    return {
        "count": total,
        "count_exact": exact,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(total / page_size)),
        "results": results,
    }


_ETAG = re.compile(r'^\s*(?:W/)?"?([0-9]{1,18})"?\s*$')  # ASCII digits, at most what a version can be


def expected_version(request: HttpRequest) -> int | None:
    """The version the client read, from `If-Match: "3"`; None when the client sent none."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if not match:
        raise StaleVersion(code="if_match_invalid")
    return int(match.group(1))


def with_etag(response: HttpResponse, instance: Any) -> HttpResponse:
    response["ETag"] = f'"{instance.version}"'
    return response


def _valid_pk(pk: Any) -> int:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    if pk <= 0 or pk > 2**62:
        raise NotFound()
    return pk


def get_or_404(qs: QuerySet[T], pk: Any) -> T:
    """Fetch from the user's scoped queryset: another's object is simply not found."""
    # At most one row has this pk: a slice avoids the ORDER BY that .first() adds.
    rows = list(qs.filter(pk=_valid_pk(pk))[:1])
    if not rows:
        raise NotFound()
    return rows[0]


def get_prepared_or_404(query: PreparedQuery[Any], scope: str, pk: Any, *ids: int) -> Any:
    """`get_or_404` with a prepared query built as `build(scope, pk, *ids)` (the scope's key values last)."""
    rows = query(scope, _valid_pk(pk), *ids)
    if not rows:
        raise NotFound()
    return rows[0]
