"""Contract tests of the service-request API: the loop through the API, errors as problem bodies, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.testing import make_equipment, make_request, make_site, region_city
from aftersales.servicedesk.models import FaultCategory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/service-requests"


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"type", "title", "status", "code", "detail", "errors"}
    assert body["status"] == status
    if code:
        assert body["code"] == code, body
    return body


def test_anonymous_gets_401(api_client):
    assert_problem(api_client().get(BASE), 401, "not_authenticated")


def test_create_triage_and_detail(users, api_client):
    unit = make_equipment()
    agent = api_client(users["agent"])
    response = agent.post(BASE, {"customer_id": unit.customer_id, "equipment_id": unit.pk, "summary": "高压报警",
                                 "symptom": "<script>alert(1)</script>", "channel": "hotline"},
                          content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("SR-")
    assert body["state"] == "new"
    assert body["site"]["id"] == unit.site_id
    assert body["equipment"]["warranty_status"] == "in_warranty"
    assert body["symptom"] == "<script>alert(1)</script>"  # JSON carries it as text; pages escape it
    assert "triage" in body["allowed_actions"]
    assert response["ETag"] == '"1"'
    pk = body["id"]
    category = FaultCategory.objects.create(code="refrig", name="制冷")
    response = agent.post(f"{BASE}/{pk}/triage", {"severity": "urgent", "fault_category_id": category.pk},
                          content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "triaged"
    assert response.json()["fault_category"]["code"] == "refrig"
    assert response["ETag"] == '"2"'
    timeline = agent.get(f"{BASE}/{pk}/timeline").json()
    assert [e["verb"] for e in timeline["results"]] == ["created", "triage"]


def test_stale_if_match_is_412_and_changes_nothing(users, api_client):
    sr = make_request(actor=users["agent"])
    agent = api_client(users["agent"])
    ok = agent.patch(f"{BASE}/{sr.pk}", {"summary": "first"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = agent.patch(f"{BASE}/{sr.pk}", {"summary": "second"}, content_type="application/json",
                        HTTP_IF_MATCH='"1"')
    assert_problem(stale, 412, "stale_version")
    sr.refresh_from_db()
    assert sr.summary == "first"


def test_wrong_transition_is_409(users, api_client):
    sr = make_request(actor=users["agent"])
    response = api_client(users["agent"]).post(f"{BASE}/{sr.pk}/close", {}, content_type="application/json")
    assert_problem(response, 409, "invalid_transition")


def test_bad_input_is_422_with_problem_body(users, api_client):
    unit = make_equipment()
    agent = api_client(users["agent"])
    too_long = agent.post(BASE, {"customer_id": unit.customer_id, "summary": "x" * 201},
                          content_type="application/json")
    body = assert_problem(too_long, 422, "validation_failed")
    assert body["errors"][0]["loc"][-1] == "summary"
    huge = agent.post(BASE, {"customer_id": unit.customer_id, "summary": "a", "symptom": "x" * (10 * 1024 * 1024)},
                      content_type="application/json")
    assert huge.status_code == 422
    beyond_limit = agent.post(BASE, '{"customer_id": 1, "summary": "a", "symptom": "%s"}' % ("x" * 13_000_000),
                              content_type="application/json")
    assert 400 <= beyond_limit.status_code < 500  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE refuses it
    assert_problem(agent.get(BASE, {"sort": "customer__name"}), 422, "validation_failed")
    assert_problem(agent.get(BASE, {"state": "nonsense"}), 422)
    assert_problem(agent.post(BASE, "{not json", content_type="application/json"), 400)


def test_another_regions_request_is_404_for_a_lead(users, api_client):
    other_city = region_city("440100", "广州市", "440000", "广东省")
    mine = make_request(actor=users["agent"])
    theirs = make_request(actor=users["agent"], equipment=make_equipment(site=make_site(city=other_city)))
    lead = api_client(users["lead"])
    assert lead.get(f"{BASE}/{mine.pk}").status_code == 200
    assert_problem(lead.get(f"{BASE}/{theirs.pk}"), 404, "not_found")
    ids = [r["id"] for r in lead.get(BASE).json()["results"]]
    assert ids == [mine.pk]
    # body ids the caller may not see are 404 too
    assert_problem(lead.get(f"{BASE}/duplicates", {"equipment": theirs.equipment_id}), 404)


def test_engineer_cannot_triage(users, api_client):
    """The role lacks the permission: 403 before the body or the object is even looked at."""
    sr = make_request(actor=users["agent"])
    assert_problem(api_client(users["engineer"]).post(f"{BASE}/{sr.pk}/triage", {"severity": "general"},
                                                      content_type="application/json"), 403)


def test_filters_and_sort(users, api_client):
    a = make_request(actor=users["agent"], summary="压缩机异响")
    b = make_request(actor=users["agent"])
    agent = api_client(users["agent"])
    agent.post(f"{BASE}/{b.pk}/triage", {"severity": "urgent"}, content_type="application/json")
    data = agent.get(f"{BASE}?state=triaged&state=new&sort=created").json()
    assert [r["id"] for r in data["results"]] == [a.pk, b.pk]
    assert [r["id"] for r in agent.get(BASE, {"severity": "urgent"}).json()["results"]] == [b.pk]
    assert [r["id"] for r in agent.get(BASE, {"q": "异响"}).json()["results"]] == [a.pk]
    assert agent.get(BASE, {"customer": a.customer_id, "open": "true"}).json()["count"] == 1


def test_duplicates(users, api_client):
    first = make_request(actor=users["agent"])
    data = api_client(users["agent"]).get(f"{BASE}/duplicates", {"equipment": first.equipment_id}).json()
    assert [r["id"] for r in data["results"]] == [first.pk]


def test_actions_wait_resume_resolve_close_reopen(users, api_client):
    sr = make_request(actor=users["agent"])
    c = api_client(users["dispatcher"])
    post = lambda action, body: c.post(f"{BASE}/{sr.pk}/{action}", body, content_type="application/json")  # noqa: E731
    assert post("triage", {"severity": "general"}).status_code == 200
    assert_problem(post("wait", {"reason": " "}), 422, "reason_required")
    assert post("wait", {"reason": "等客户确认"}).json()["state"] == "waiting_customer"
    assert post("resume", {}).json()["state"] == "in_progress"
    assert post("resolve", {"resolution": "电话指导复位"}).json()["state"] == "resolved"
    assert post("close", {}).json()["state"] == "closed"
    assert post("reopen", {"reason": "又坏了"}).json()["state"] == "triaged"
    assert_problem(post("cancel", {"reason": ""}), 422, "reason_required")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_query_count_does_not_grow(users, api_client):
    agent = api_client(users["agent"])
    unit = make_equipment()
    make_request(actor=users["agent"], equipment=unit)
    one = (_count(agent, BASE), _count(agent, f"{BASE}/duplicates?equipment={unit.pk}"))
    sr = make_request(actor=users["agent"], equipment=unit)
    tl_one = _count(agent, f"{BASE}/{sr.pk}/timeline")
    for _ in range(9):
        make_request(actor=users["agent"], equipment=make_equipment() if _ % 2 else unit)
    agent.post(f"{BASE}/{sr.pk}/triage", {"severity": "general"}, content_type="application/json")
    agent.patch(f"{BASE}/{sr.pk}", {"summary": "x"}, content_type="application/json")
    assert (_count(agent, BASE), _count(agent, f"{BASE}/duplicates?equipment={unit.pk}")) == one
    assert _count(agent, f"{BASE}/{sr.pk}/timeline") == tl_one


def test_engineer_sees_only_requests_with_his_work_orders(users, api_client):
    from aftersales.core.testing import make_assigned_work_order

    wo = make_assigned_work_order(engineer=users["engineer"])
    other = make_request()
    eng = api_client(users["engineer"])
    assert [r["id"] for r in eng.get(BASE).json()["results"]] == [wo.request_id]
    assert_problem(eng.get(f"{BASE}/{other.pk}"), 404)
    assert_problem(eng.get(f"{BASE}/{wo.request_id}/timeline"), 403, "permission_denied")


def test_create_reads_the_unit_once_and_its_customer_with_it(users, api_client):
    """Request create is the hottest write: token, unit (with site, model and customer), number, four inserts."""
    unit = make_equipment()
    agent = api_client(users["agent"])
    body = {"customer_id": unit.customer_id, "equipment_id": unit.pk, "summary": "高压报警"}
    agent.post(BASE, body, content_type="application/json")  # warm the per-process caches (policies, regions)
    with CaptureQueriesContext(connection) as ctx:
        response = agent.post(BASE, body, content_type="application/json")
    assert response.status_code == 201, response.content
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "customers_customer"' in sql], reads
    assert len([sql for sql in reads if 'FROM "customers_equipment"' in sql]) == 1
    assert response.json()["customer"]["id"] == unit.customer_id


def test_create_with_another_customers_unit_is_422(users, api_client):
    unit = make_equipment()
    other = make_equipment()
    response = api_client(users["agent"]).post(
        BASE, {"customer_id": other.customer_id, "equipment_id": unit.pk, "summary": "x"},
        content_type="application/json")
    assert_problem(response, 422, "not_of_customer")
