"""Contract tests of the callback and complaint API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.testing import make_triaged_request
from aftersales.feedback import services as feedback
from aftersales.feedback.models import Callback, Complaint
from aftersales.servicedesk import services as desk

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"type", "title", "status", "code", "detail", "errors"} <= set(body)
    if code:
        assert body["code"] == code, body
    return body


def resolved(agent):
    request = make_triaged_request()
    desk.request_resolve(actor=agent, request=request, resolution="电话指导复位")
    return request


def test_anonymous_401(api_client):
    assert_problem(api_client().get(f"{API}/callbacks"), 401)
    assert_problem(api_client().get(f"{API}/complaints"), 401)


def test_callback_flow_low_satisfaction_opens_complaint(users, api_client, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    request = resolved(users["agent"])
    agent = api_client(users["agent"])
    queue = agent.get(f"{API}/callbacks", {"state": "pending"}).json()
    assert queue["count"] == 1
    cb = queue["results"][0]
    assert cb["request"]["resolution"] == "电话指导复位"
    url = f"{API}/callbacks/{cb['id']}/record"
    assert_problem(agent.post(url, {"result": "reached"}, content_type=JSON), 422, "satisfaction_required")
    assert_problem(agent.post(url, {"result": "reached", "satisfaction": 6}, content_type=JSON), 422)
    unreachable = agent.post(url, {"result": "unreachable"}, content_type=JSON)
    assert unreachable.json()["attempts"] == 1 and unreachable.json()["state"] == "pending"
    assert_problem(agent.post(url, {"result": "reached", "satisfaction": 2}, content_type=JSON,
                              HTTP_IF_MATCH='"1"'), 412)
    done = agent.post(url, {"result": "reached", "satisfaction": 2, "comment": "太慢"}, content_type=JSON)
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert_problem(agent.post(url, {"result": "reached", "satisfaction": 5}, content_type=JSON), 409, "callback_done")
    complaint = Complaint.objects.get(request=request)
    manager = api_client(users["manager"])
    body = manager.get(f"{API}/complaints/{complaint.pk}").json()
    assert body["allowed_actions"] == ["investigate", "answer"]
    assert manager.post(f"{API}/complaints/{complaint.pk}/investigate", {}, content_type=JSON).json()["state"] == \
        "investigating"
    assert_problem(manager.post(f"{API}/complaints/{complaint.pk}/answer", {"answer": " "}, content_type=JSON), 422)
    assert manager.post(f"{API}/complaints/{complaint.pk}/answer", {"answer": "已处理"},
                        content_type=JSON).json()["state"] == "answered"
    assert_problem(manager.post(f"{API}/complaints/{complaint.pk}/investigate", {}, content_type=JSON), 409,
                   "invalid_transition")
    assert manager.post(f"{API}/complaints/{complaint.pk}/close", {}, content_type=JSON).json()["state"] == "closed"
    assert manager.post(f"{API}/complaints/{complaint.pk}/reopen", {"reason": "客户不满意"},
                        content_type=JSON).json()["state"] == "investigating"


def test_permissions_and_scope(users, api_client):
    from aftersales.core.testing import make_equipment, make_request, make_site, region_city

    resolved(users["agent"])
    cb = Callback.objects.get()
    assert_problem(api_client(users["engineer"]).get(f"{API}/callbacks"), 403)
    assert_problem(api_client(users["dispatcher"]).get(f"{API}/complaints"), 403)
    assert_problem(api_client(users["lead"]).post(f"{API}/callbacks/{cb.pk}/record", {"result": "unreachable"},
                                                  content_type=JSON), 403)
    other = make_request(equipment=make_equipment(site=make_site(city=region_city("440100", "广州市", "440000",
                                                                                  "广东省"))))
    desk.request_triage(actor=users["agent"], request=other, severity="general")
    desk.request_resolve(actor=users["agent"], request=other, resolution="ok")
    theirs = Callback.objects.get(request=other)
    lead = api_client(users["lead"])
    assert [c["id"] for c in lead.get(f"{API}/callbacks").json()["results"]] == [cb.pk]
    assert_problem(lead.get(f"{API}/callbacks/{theirs.pk}"), 404)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_query_counts_do_not_grow(users, api_client):
    manager = api_client(users["manager"])

    def add_one():
        request = resolved(users["agent"])
        cb = Callback.objects.get(request=request)
        feedback.callback_record(actor=users["agent"], callback=cb, result="reached", satisfaction=1, comment="差")

    add_one()
    one = (_count(manager, f"{API}/callbacks"), _count(manager, f"{API}/complaints"))
    for _ in range(9):
        add_one()
    assert Complaint.objects.count() == 10
    assert (_count(manager, f"{API}/callbacks"), _count(manager, f"{API}/complaints")) == one
