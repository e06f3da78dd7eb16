"""Each role's dashboard renders from a few bounded queries whose number does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import make_assigned_work_order, make_request, make_triaged_request
from aftersales.feedback import services as feedback
from aftersales.feedback.models import Callback
from aftersales.fieldservice import services as field
from aftersales.fieldservice.models import WorkOrder
from aftersales.servicedesk import services as desk
from aftersales.servicedesk.choices import OPEN_STATES
from aftersales.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db

ROLES = ["agent", "dispatcher", "lead", "manager", "admin"]
# Session, user, and the dashboard's own reads; a dashboard that needs more is doing something per row.
MAX_QUERIES = 16


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The manager's monthly figures are cached for a minute: no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session["language"] = "en"
    session.save()
    return client


def add_activity(users, n: int) -> None:
    """n new requests, n triaged with urgent severity and an unassigned work order, n resolved with callbacks."""
    for i in range(n):
        make_request(actor=users["agent"])
        triaged = make_triaged_request(actor=users["agent"], severity="urgent" if i % 2 else "important")
        field.work_order_create(actor=users["dispatcher"], request=triaged)
        wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
        field.work_order_set_appointment(actor=users["dispatcher"], work_order=wo,
                                         start=timezone.now() + dt.timedelta(hours=1), end=None)
        done = make_triaged_request(actor=users["agent"])
        desk.request_resolve(actor=users["agent"], request=done, resolution="已修复")
        callback = Callback.objects.get(request=done)
        feedback.callback_record(actor=users["agent"], callback=callback, result="reached",
                                 satisfaction=1 + i % 5, comment="回访")


def dashboard_queries(client) -> tuple[int, str]:
    client.get("/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx), response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_renders_with_bounded_queries(users, role, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    client = login(users[role])
    add_activity(users, 1)
    few, _body = dashboard_queries(client)
    add_activity(users, 4)
    many, body = dashboard_queries(client)
    assert many == few, f"{role}: {few} queries with little data, {many} with more"
    assert many <= MAX_QUERIES
    assert "<h1>" in body


def test_agent_dashboard_content(users):
    add_activity(users, 2)
    body = login(users["agent"]).get("/").content.decode()
    assert reverse("servicedesk:intake") in body
    assert "New, awaiting triage" in body
    assert reverse("servicedesk:list") + "?state=new" in body


def test_dispatcher_dashboard_content(users):
    add_activity(users, 2)
    body = login(users["dispatcher"]).get("/").content.decode()
    assert reverse("fieldservice:board") in body
    assert "Unassigned work orders" in body
    assert users["engineer"].display_name in body  # today's appointment


def test_dispatcher_lists_link_each_row_and_escape_what_was_typed(users):
    """The dashboards' short lists are rendered in Python (`reporting.templatetags.dashboard`)."""
    triaged = make_triaged_request(actor=users["agent"], severity="urgent")
    desk.request_update(actor=users["agent"], request=triaged, values={"summary": "<script>alert(1)</script>"},
                        expected_version=triaged.version)
    wo = field.work_order_create(actor=users["dispatcher"], request=triaged)
    body = login(users["dispatcher"]).get("/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert f'href="{reverse("fieldservice:assign", args=[wo.pk])}">{wo.number}</a>' in body
    assert f'href="{reverse("servicedesk:detail", args=[triaged.pk])}">{triaged.number}</a>' in body
    assert '<span class="badge severity-urgent">Urgent</span>' in body
    assert "Every triaged request has its work order." not in body  # the triaged list is not empty


def test_manager_dashboard_figures(users, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    add_activity(users, 5)  # satisfaction 1..5: average 3, two of five rate 4-5, two low
    from aftersales.reporting.selectors import manager_dashboard

    data = manager_dashboard(users["manager"])
    assert data["csat"]["answers"] == 5 and data["csat"]["average"] == 3 and data["csat"]["share"] == 40
    assert data["low_count"] == 2
    assert data["complaint_count"] == 2
    assert data["created"]["this"] == 20
    assert data["resolved"]["this"] == 5
    assert data["matrix"].total == 15


def test_manager_sees_requests_reopened_this_month(users, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "reopen"
    request = make_triaged_request(actor=users["agent"])
    desk.request_resolve(actor=users["agent"], request=request, resolution="已修复")
    feedback.callback_record(actor=users["agent"], callback=Callback.objects.get(request=request),
                             result="reached", satisfaction=1)
    body = login(users["manager"]).get("/").content.decode()
    assert request.number in body


def test_lead_dashboard_is_his_province(users):
    from aftersales.core.testing import make_equipment, make_site, region_city

    make_triaged_request(actor=users["agent"], severity="urgent")
    elsewhere = make_equipment(site=make_site(city=region_city("440300", "深圳市", "440000", "广东省")))
    make_triaged_request(actor=users["agent"], equipment=elsewhere, severity="urgent")
    from aftersales.reporting.selectors import lead_dashboard

    data = lead_dashboard(users["lead"])
    assert data["matrix"].total == 1
    assert [e.username for e in data["engineers"]] == ["engineer"]


def test_engineer_goes_to_his_work(users):
    response = login(users["engineer"]).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("fieldservice:my")


def test_anonymous_is_sent_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_renders_in_chinese(users, role):
    add_activity(users, 1)
    client = Client()
    client.force_login(users[role])
    session = client.session
    session["language"] = "zh-hans"
    session.save()
    response = client.get("/")
    assert response.status_code == 200 and 'lang="zh-Hans"' in response.content.decode()


def test_dispatcher_counts_come_from_the_open_requests(users):
    from aftersales.reporting.selectors import dispatcher_dashboard

    add_activity(users, 3)
    data = dispatcher_dashboard(users["dispatcher"])
    open_requests = ServiceRequest.objects.filter(state__in=OPEN_STATES)
    assert data["hot_counts"] == {"urgent": open_requests.filter(severity="urgent").count(),
                                  "important": open_requests.filter(severity="important").count()}
    assert data["hot_counts"]["urgent"] and data["hot_counts"]["important"]
    assert data["states"]["triaged"] == open_requests.filter(state="triaged").count()
    assert data["states"]["new"] == open_requests.filter(state="new").count()
    hot = data["hot"]
    assert [r.severity for r in hot] == sorted((r.severity for r in hot), key=lambda s: s != "urgent")
    assert all(r.state in OPEN_STATES for r in hot)


def test_manager_csat_counts_a_callback_made_late(users, settings):
    """This month's satisfaction counts every callback answered this month, however long after it fell due."""
    from aftersales.reporting.selectors import manager_dashboard

    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    request = make_triaged_request(actor=users["agent"])
    desk.request_resolve(actor=users["agent"], request=request, resolution="已修复")
    Callback.objects.filter(request=request).update(due_at=timezone.now() - dt.timedelta(days=90))
    feedback.callback_record(actor=users["agent"], callback=Callback.objects.get(request=request),
                             result="reached", satisfaction=1)
    data = manager_dashboard(users["manager"])
    assert data["csat"]["answers"] == 1 and data["csat"]["share"] == 0
    assert data["low_count"] == 1 and [cb.request_id for cb in data["low"]] == [request.pk]


def test_manager_monthly_flow_is_reused_for_a_minute(users, settings):
    """Created/resolved/CSAT of the month may be a minute old; open requests are always counted live."""
    from aftersales.reporting.selectors import manager_dashboard

    first = manager_dashboard(users["manager"])
    make_request(actor=users["agent"])
    cached = manager_dashboard(users["manager"])
    assert cached["created"]["this"] == first["created"]["this"]
    assert cached["matrix"].total == first["matrix"].total + 1
    settings.AFTERSALES_DASHBOARD_CACHE_SECONDS = 0
    assert manager_dashboard(users["manager"])["created"]["this"] == first["created"]["this"] + 1


def test_engineer_work_list_is_bounded_overdue_and_today_first(users, monkeypatch):
    """The engineer's list shows a page of work orders, overdue and today's first, and how many more there are."""
    from aftersales.fieldservice import selectors as field_selectors

    monkeypatch.setattr(field_selectors, "MY_WORK_PAGE", 2)
    now = timezone.now()
    numbers: dict[str, str] = {}
    for label, when in [("later", now + dt.timedelta(days=7)), ("none", None),
                        ("today", now + dt.timedelta(minutes=30)), ("overdue", now - dt.timedelta(days=2))]:
        wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
        WorkOrder.objects.filter(pk=wo.pk).update(appointment_start=when)
        numbers[label] = wo.number
    client = login(users["engineer"])
    url = reverse("fieldservice:my")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).content.decode()
    assert first.index(numbers["overdue"]) < first.index(numbers["today"])
    assert numbers["later"] not in first and numbers["none"] not in first
    assert "2 more open work orders" in first and "?page=2" in first
    second = client.get(url + "?page=2").content.decode()
    assert second.index(numbers["later"]) < second.index(numbers["none"])
    assert numbers["overdue"] not in second and "more open work orders" not in second and "?page=1" in second
    for _ in range(3):
        make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


@pytest.mark.django_db
def test_open_request_queries_write_the_in_list_as_the_partial_indexes_do():
    """SQLite uses a partial index only when the query's `state IN (...)` is written as the index's condition: as
    literals (it plans before binding parameters) and in the same order."""
    from aftersales.servicedesk.choices import OPEN_STATES
    from aftersales.servicedesk.models import ServiceRequest

    index_sql = {i.name: i for i in ServiceRequest._meta.indexes}["sr_open_queue_idx"]
    wanted = [v for _lookup, v in index_sql.condition.children][0]
    assert [s.value for s in OPEN_STATES] == list(wanted)
    qs = (ServiceRequest.objects.filter(state__literal_in=OPEN_STATES, severity__in=["urgent", "important"])
          .order_by("-severity", "created_at", "id")[:10])
    sql, params = qs.query.sql_with_params()
    assert "\"state\" IN ({})".format(", ".join(f"'{v}'" for v in wanted)) in sql, sql
    if connection.vendor == "sqlite":
        # INDEXED BY fails ("no query solution") unless SQLite can use the partial index for this query.
        forced = sql.replace('FROM "servicedesk_servicerequest"',
                             'FROM "servicedesk_servicerequest" INDEXED BY "sr_open_queue_idx"', 1)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + forced, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "sr_open_queue_idx" in plan, plan


def test_literal_in_takes_code_values_only():
    from aftersales.servicedesk.models import ServiceRequest

    with pytest.raises(ValueError, match="code values only"):
        str(ServiceRequest.objects.filter(state__literal_in=["new'); DROP TABLE x; --"]).query)
