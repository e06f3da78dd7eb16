"""Small pieces every API router shares: bounded input types, documented error responses, ETag replies.

They keep the contract uniform: every string has a maximum length and refuses what the database cannot store
(NUL characters, lone surrogates), every id is a positive bounded integer, every datetime carries its offset,
and every operation documents the problem bodies it can answer with.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop
from ninja import Path, Query
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from .api import Problem, expected_version, with_etag
from .permissions import require

MAX_ID = 2**53


def _storable(value: str) -> str:
    """Refuse text the databases cannot store: NUL bytes (PostgreSQL) and lone surrogates (UTF-8)."""
    if "\x00" in value:
        raise ValueError(gettext_noop("NUL characters are not allowed."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(gettext_noop("The text is not valid Unicode."))
    return value


def Line(max_length: int, min_length: int = 0) -> Any:  # noqa: N802 - a type factory, used like a type
    """A one-line string: stripped, bounded, storable."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_storable)]


def Text(max_length: int = 20_000, min_length: int = 0) -> Any:  # noqa: N802
    """A multi-line text typed by a person (symptom, diagnosis): bounded, storable, kept as typed."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_storable)]


def _reasonable_time(value: dt.datetime) -> dt.datetime:
    if not 2000 <= value.year <= 2200:
        raise ValueError(gettext_noop("The time must lie between the years 2000 and 2200."))
    return value


def _reasonable_date(value: dt.date) -> dt.date:
    if not 1990 <= value.year <= 2200:
        raise ValueError(gettext_noop("The date must lie between the years 1990 and 2200."))
    return value


When = Annotated[AwareDatetime, AfterValidator(_reasonable_time)]
Day = Annotated[dt.date, AfterValidator(_reasonable_date)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def path_id() -> Any:
    """A record id in the path: positive and bounded, so a huge number is a 422, not a database error."""
    return Path(..., ge=1, le=MAX_ID, description="The record's id.")


def query_id(description: str) -> Any:
    """An optional id filter in the query string."""
    return Query(None, ge=1, le=MAX_ID, description=description)


def page_no() -> Any:
    return Query(1, ge=1, le=10_000, description="Page number, from 1.")


def page_size() -> Any:
    return Query(25, ge=1, le=100, description="Items per page, at most 100.")

COMMON_ERRORS = (400, 401, 403, 404, 422)
WRITE_ERRORS = (*COMMON_ERRORS, 409, 412)


def responses(ok: int, schema: Any, *extra: int, write: bool = False) -> dict[int, Any]:
    """The response map of an operation: its success schema and the Problem body for every 4xx it can answer."""
    codes = WRITE_ERRORS if write else COMMON_ERRORS
    result: dict[int, Any] = {ok: schema}
    for code in (*codes, *extra):
        result[code] = Problem
    return result


def actor(request: HttpRequest, perm: str | None = None) -> Any:
    """The signed-in user behind the bearer token; with `perm`, refuse (403) when his role lacks it."""
    user = request.auth  # type: ignore[attr-defined]
    if perm:
        require(user, perm)
    return user


def if_match(request: HttpRequest) -> int | None:
    return expected_version(request)


def etag(response: HttpResponse, instance: Any) -> None:
    """Put the record's version on the (temporal) response, for the client's next If-Match."""
    with_etag(response, instance)


def body_example(example: dict[str, Any]) -> dict[str, Any]:
    """openapi_extra for a JSON request body example."""
    return {"requestBody": {"content": {"application/json": {"example": example}}}}


def sort_keys(options: dict[str, tuple[str, ...]]) -> Any:
    """The type of a list's `sort` parameter: one of the documented keys (each an indexed order), nothing else."""
    return Literal[tuple(options)]  # type: ignore[valid-type]


def sort_param(default: str, options: dict[str, tuple[str, ...]]) -> Any:
    return Query(default, description="Sort key: " + ", ".join(f"`{k}`" for k in options) + ".")
