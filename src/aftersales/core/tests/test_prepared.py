"""Prepared queries: the SQL is compiled once per shape, and every call returns what the plain queryset returns."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from aftersales.core.models import Region
from aftersales.core.prepared import PreparedQuery
from aftersales.core.testing import region_city


@pytest.fixture
def provinces(db):
    hubei = region_city().province
    hunan = region_city("430100", "长沙市", "430000", "湖南省").province
    region_city("420500", "宜昌市")
    return hubei, hunan


def _cities(shape, province_id):
    qs = Region.objects.filter(parent_id=province_id).select_related("parent")
    if shape == "named":
        qs = qs.exclude(name="")
    return qs.prefetch_related(Prefetch("children", queryset=Region.objects.order_by("code"))).order_by("code")


def _as_tuples(rows):
    return [(r.pk, r.code, r.parent.code, [c.pk for c in r.children.all()]) for r in rows]


def test_the_same_rows_as_the_plain_queryset_for_each_value_and_shape(provinces):
    prepared = PreparedQuery(_cities)
    for shape in ("all", "named"):
        for province in provinces:
            rows = prepared(shape, province.pk)
            assert _as_tuples(rows) == _as_tuples(_cities(shape, province.pk))
            assert all(type(r) is Region for r in rows)
    assert {"420100", "420500"} <= {r.code for r in prepared("all", provinces[0].pk)}
    assert prepared("all", 0) == []


def test_compiled_once_per_shape_and_the_same_queries_are_run(provinces, monkeypatch):
    prepared = PreparedQuery(_cities)
    prepared("all", provinces[0].pk)  # compiles (twice: the check for value-dependent SQL)
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query.model) or
                        real(self, *a, **k))
    with CaptureQueriesContext(connection) as prepared_queries:
        prepared("all", provinces[1].pk)
    assert len(compiled) == 1  # only the prefetch query is compiled again
    with CaptureQueriesContext(connection) as plain_queries:
        list(_cities("all", provinces[1].pk))
    assert [q["sql"] for q in prepared_queries] == [q["sql"] for q in plain_queries]


def test_a_value_inlined_into_the_sql_is_refused(provinces):
    prepared = PreparedQuery(lambda shape, pk: Region.objects.extra(where=[f"id = {int(pk)}"]))
    with pytest.raises(ImproperlyConfigured, match="depends on the argument values"):
        prepared("x", provinces[0].pk)


def test_an_argument_left_out_of_the_parameters_is_refused(provinces):
    prepared = PreparedQuery(lambda shape, a, b: Region.objects.filter(pk=a))
    with pytest.raises(ImproperlyConfigured, match="not every argument"):
        prepared("x", provinces[0].pk, 5)


def test_arguments_are_ints_or_strings_of_the_columns_type(provinces):
    prepared = PreparedQuery(lambda shape, pk: Region.objects.filter(pk=pk))
    for value in (True, 1.0, None, provinces[0]):
        with pytest.raises(TypeError, match="ints or strings"):
            prepared("x", value)
    with pytest.raises(ValueError, match="expected a number"):
        prepared("x", str(provinces[0].pk))  # compiled for a string: the id column refuses it


def test_an_empty_shape_runs_no_query(provinces):
    prepared = PreparedQuery(lambda shape, pk: Region.objects.none() if shape == "none" else
                             Region.objects.filter(pk=pk))
    with CaptureQueriesContext(connection) as queries:
        assert prepared("none", provinces[0].pk) == []
    assert queries.captured_queries == []
    assert prepared("some", provinces[0].pk) == [provinces[0]]


def test_the_same_value_in_two_places(provinces):
    def build(shape, pk):
        return Region.objects.filter(Q(pk=pk) | Q(parent_id=pk)).order_by("code")

    prepared = PreparedQuery(build)
    for province in provinces:
        rows = prepared("x", province.pk)
        assert rows == list(build("x", province.pk))
        assert rows[0] == province and {"420100", "430100"} & {r.code for r in rows}


def test_strings_compared_as_they_are(provinces):
    prepared = PreparedQuery(lambda shape, code: Region.objects.filter(code=code))
    assert prepared("x", "430000") == [provinces[1]]
    assert prepared("x", "420000") == [provinces[0]]
    assert prepared("x", "no such code") == []


def test_a_string_the_lookup_transforms_is_refused(provinces):
    prepared = PreparedQuery(lambda shape, name: Region.objects.filter(name__icontains=name))
    with pytest.raises(ImproperlyConfigured, match="not every argument"):
        prepared("x", "湖")


def test_bigint_columns_keep_the_drivers_wrapper(provinces, users):
    """PostgreSQL's driver wraps a bigint parameter (psycopg's Int8): the prepared query must find and keep it."""
    from aftersales.core import audit
    from aftersales.core.models import AuditEntry
    from aftersales.core.testing import make_request

    first, second = make_request(actor=users["agent"]), make_request(actor=users["agent"])
    prepared = PreparedQuery(lambda shape, ct, pk: audit.timeline_of(ct, pk).order_by("-id")[:5])
    for sr in (first, second):
        ct = AuditEntry.objects.filter(object_id=sr.pk).values_list("content_type_id", flat=True).first()
        rows = prepared("x", ct, sr.pk)
        assert rows and rows == list(audit.timeline_of(ct, sr.pk).order_by("-id")[:5])
        assert all(r.object_id == sr.pk for r in rows)
