"""PostgreSQL: writes may reuse generic plans of prepared statements, reads are planned for their parameters."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from aftersales.core.middleware import WritePlansMiddleware


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("method", "inside"), [("post", "auto"), ("patch", "auto"), ("delete", "auto"),
                                                 ("get", "force_custom_plan"), ("head", "force_custom_plan")])
def test_write_requests_run_with_generic_plans_and_reset_after(method, inside):
    seen = []

    def view(request):
        seen.append(_mode())
        return HttpResponse("ok")

    assert _mode() == "force_custom_plan"  # the connection's setting (config/settings.py)
    WritePlansMiddleware(view)(getattr(RequestFactory(), method)("/x"))
    assert seen == [inside]
    assert _mode() == "force_custom_plan"


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_mode_is_reset_when_the_view_raises():
    def view(request):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        WritePlansMiddleware(view)(RequestFactory().post("/x"))
    assert _mode() == "force_custom_plan"


@pytest.mark.django_db
def test_inactive_off_postgresql():
    middleware = WritePlansMiddleware(lambda request: HttpResponse("ok"))
    assert middleware.active is (connection.vendor == "postgresql")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_key_lookup_page_runs_with_generic_plans():
    from aftersales.core.plans import key_lookup_view

    seen = []
    key_lookup_view(lambda request: seen.append(_mode()) or HttpResponse("ok"))(RequestFactory().get("/x"))
    assert seen == ["auto"]
    assert _mode() == "force_custom_plan"


def test_the_request_page_is_a_key_lookup_page():
    from aftersales.servicedesk import views

    assert getattr(views.request_detail, "key_lookup", False)


@pytest.mark.postgres
@pytest.mark.django_db
def test_web_requests_get_no_parallel_query_workers():
    """DB_PARALLEL_WORKERS defaults to 0: a parallel worker competes with the other requests for the same cores."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
