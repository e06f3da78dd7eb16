"""Contract tests of the work-order and visit API: dispatch, the engineer's day, receipts, errors, query counts."""

import io
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from aftersales.core.testing import (
    PNG_1PX,
    make_assigned_work_order,
    make_triaged_request,
    make_user,
    region_city,
)

pytestmark = pytest.mark.django_db

WO = "/api/v1/work-orders"
JSON = "application/json"


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"type", "title", "status", "code", "detail", "errors"} <= set(body)
    if code:
        assert body["code"] == code, body
    return body


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_anonymous_401(api_client):
    assert_problem(api_client().get(WO), 401)
    assert_problem(api_client().post(f"{WO}/1/assign", {}, content_type=JSON), 401)


def test_the_field_loop_through_the_api(users, api_client, settings):
    request = make_triaged_request()
    dispatcher, engineer = api_client(users["dispatcher"]), api_client(users["engineer"])
    created = dispatcher.post(WO, {"request_id": request.pk, "instructions": "带压力表",
                                   "appointment": {"start": "2026-03-02T09:00:00+08:00",
                                                   "end": "2026-03-02T12:00:00+08:00", "note": "张经理"}},
                              content_type=JSON)
    assert created.status_code == 201, created.content
    wo = created.json()
    assert wo["state"] == "unassigned" and "assign" in wo["allowed_actions"]
    candidates = dispatcher.get(f"{WO}/{wo['id']}/candidates").json()
    assert candidates[0]["engineer"]["id"] == users["engineer"].pk
    assigned = dispatcher.post(f"{WO}/{wo['id']}/assign", {"engineer_id": users["engineer"].pk},
                               content_type=JSON, HTTP_IF_MATCH=created["ETag"])
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignments"][0]["response"] == "pending"
    again = dispatcher.post(f"{WO}/{wo['id']}/assign", {"engineer_id": users["engineer"].pk}, content_type=JSON)
    assert_problem(again, 409, "already_assigned")
    assert engineer.get(f"{WO}/{wo['id']}").json()["allowed_actions"] == ["accept", "decline"]
    assert engineer.post(f"{WO}/{wo['id']}/accept").json()["state"] == "accepted"
    visit = engineer.post(f"{WO}/{wo['id']}/arrive", {}, content_type=JSON)
    assert visit.status_code == 201, visit.content
    vid = visit.json()["id"]
    patched = engineer.patch(f"/api/v1/visits/{vid}", {"diagnosis": "冷凝器结垢", "actions_taken": "清洗",
                                                       "outcome": "fixed",
                                                       "parts": [{"description": "密封圈", "quantity": "2"}]},
                             content_type=JSON)
    assert patched.status_code == 200, patched.content
    assert patched.json()["parts"][0]["description"] == "密封圈"
    photo = engineer.post(f"/api/v1/visits/{vid}/photos", {"file": io.BytesIO(_png()), "caption": "现场"})
    assert photo.status_code == 201, photo.content
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    fake.name = "evil.png"
    assert_problem(engineer.post(f"/api/v1/visits/{vid}/photos", {"file": fake}), 422, "upload_rejected")
    assert engineer.post(f"/api/v1/visits/{vid}/depart", {}, content_type=JSON).status_code == 200
    receipt = engineer.post(f"/api/v1/visits/{vid}/receipt", {"signer_name": "张经理", "signature": PNG_1PX,
                                                              "comment": "满意"}, content_type=JSON)
    assert receipt.status_code == 201, receipt.content
    assert receipt.json()["number"].startswith("RC-")
    assert_problem(engineer.post(f"/api/v1/visits/{vid}/receipt", {"signer_name": "张经理", "signature": PNG_1PX},
                                 content_type=JSON), 409, "receipt_already_signed")
    done = engineer.post(f"{WO}/{wo['id']}/complete")
    assert done.json()["state"] == "completed"
    request.refresh_from_db()
    assert request.state == "resolved"
    assert engineer.get(f"/api/v1/visits/{vid}").json()["receipt"]["signer_name"] == "张经理"


def test_receipt_pdf_is_an_attachment(users, api_client, monkeypatch):
    import sys
    import types

    wo = make_assigned_work_order(engineer=users["engineer"])
    engineer = api_client(users["engineer"])
    engineer.post(f"{WO}/{wo.pk}/accept")
    vid = engineer.post(f"{WO}/{wo.pk}/arrive", {}, content_type=JSON).json()["id"]
    assert_problem(engineer.get(f"/api/v1/visits/{vid}/receipt.pdf"), 404)
    engineer.patch(f"/api/v1/visits/{vid}", {"outcome": "fixed"}, content_type=JSON)
    engineer.post(f"/api/v1/visits/{vid}/receipt", {"signer_name": "王工", "signature": PNG_1PX}, content_type=JSON)
    fake = types.ModuleType("aftersales.fieldservice.receipt_pdf")
    fake.render_receipt = lambda receipt: b"%PDF-1.4 fake"
    monkeypatch.setitem(sys.modules, "aftersales.fieldservice.receipt_pdf", fake)
    response = engineer.get(f"/api/v1/visits/{vid}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")


def test_engineer_sees_only_his_own(users, api_client):
    mine = make_assigned_work_order(engineer=users["engineer"])
    theirs = make_assigned_work_order(engineer=make_user("engineer", region=region_city()))
    engineer = api_client(users["engineer"])
    assert [r["id"] for r in engineer.get(WO).json()["results"]] == [mine.pk]
    assert_problem(engineer.get(f"{WO}/{theirs.pk}"), 404)
    assert_problem(engineer.post(f"{WO}/{theirs.pk}/accept"), 404)
    assert_problem(engineer.get(f"{WO}/{mine.pk}/candidates"), 403)
    assert_problem(engineer.post(WO, {"request_id": mine.request_id}, content_type=JSON), 403)


def test_wrong_transition_stale_and_bad_input(users, api_client):
    wo = make_assigned_work_order(engineer=users["engineer"])
    dispatcher = api_client(users["dispatcher"])
    assert_problem(api_client(users["engineer"]).post(f"{WO}/{wo.pk}/complete"), 409, "no_open_visit")
    assert_problem(dispatcher.post(f"{WO}/{wo.pk}/cancel", {"reason": "客户取消"}, content_type=JSON,
                                   HTTP_IF_MATCH='"1"'), 412, "stale_version")
    assert_problem(dispatcher.post(f"{WO}/{wo.pk}/reassign", {"engineer_id": users["agent"].pk, "reason": "x"},
                                   content_type=JSON), 404)
    assert_problem(dispatcher.post(f"{WO}/{wo.pk}/appointment", {"start": "2026-03-02T09:00:00"},
                                   content_type=JSON), 422, "validation_failed")  # naive time
    assert_problem(dispatcher.get(WO, {"sort": "engineer__password"}), 422)
    assert dispatcher.post(f"{WO}/{wo.pk}/cancel", {"reason": "客户取消"}, content_type=JSON).status_code == 200
    assert_problem(dispatcher.post(f"{WO}/{wo.pk}/cancel", {"reason": "再取消"}, content_type=JSON), 409,
                   "invalid_transition")
    assert_problem(dispatcher.post(WO, {"request_id": 2**62}, content_type=JSON), 422)


def test_reassign_keeps_history(users, api_client):
    wo = make_assigned_work_order(engineer=users["engineer"])
    other = make_user("engineer", region=region_city())
    data = api_client(users["dispatcher"]).post(f"{WO}/{wo.pk}/reassign", {"engineer_id": other.pk,
                                                                           "reason": "请假"},
                                                content_type=JSON).json()
    assert [a["response"] for a in data["assignments"]] == ["withdrawn", "pending"]
    assert data["engineer"]["id"] == other.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assign_at_once_one_wins(api_client):
    dispatchers = [make_user("dispatcher"), make_user("dispatcher")]
    engineer = make_user("engineer", region=region_city())
    request = make_triaged_request()
    from aftersales.fieldservice import services

    wo = services.work_order_create(actor=dispatchers[0], request=request)
    clients = [api_client(d) for d in dispatchers]
    barrier = threading.Barrier(2)
    results = []

    def run(client):
        try:
            barrier.wait()
            results.append(client.post(f"{WO}/{wo.pk}/assign", {"engineer_id": engineer.pk},
                                       content_type=JSON).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_query_count_does_not_grow(users, api_client):
    dispatcher = api_client(users["dispatcher"])
    first = make_assigned_work_order(engineer=users["engineer"])
    one = (_count(dispatcher, WO), _count(dispatcher, f"{WO}/{first.pk}/candidates"))
    for _ in range(9):
        make_assigned_work_order(engineer=make_user("engineer", region=region_city()))
    assert (_count(dispatcher, WO), _count(dispatcher, f"{WO}/{first.pk}/candidates")) == one


def test_the_list_narrows_to_appointment_days_in_the_callers_time_zone(users, api_client):
    """One engineer's day, as an integration fetches it: whole local days, so a job at 07:30 Beijing time
    (23:30 UTC the day before) belongs to its Beijing day; unbooked work is left out of a day filter."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from aftersales.fieldservice.models import WorkOrder

    shanghai = ZoneInfo("Asia/Shanghai")
    early = make_assigned_work_order(engineer=users["engineer"])
    late = make_assigned_work_order(engineer=users["engineer"])
    next_day = make_assigned_work_order(engineer=users["engineer"])
    make_assigned_work_order(engineer=users["engineer"])  # no appointment yet
    for wo, when in ((early, dt.datetime(2026, 12, 8, 7, 30)), (late, dt.datetime(2026, 12, 8, 23, 50)),
                     (next_day, dt.datetime(2026, 12, 9, 0, 10))):
        start = when.replace(tzinfo=shanghai)
        WorkOrder.objects.filter(pk=wo.pk).update(appointment_start=start, appointment_end=start + dt.timedelta(hours=1))
    client = api_client(users["dispatcher"])

    def numbers(**params):
        response = client.get(WO, {"engineer": users["engineer"].pk, "sort": "appointment", **params})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert numbers(appointment_from="2026-12-08", appointment_to="2026-12-08") == [early.pk, late.pk]
    assert numbers(appointment_from="2026-12-09") == [next_day.pk]
    assert numbers(appointment_to="2026-12-07") == []
    assert len(numbers()) == 4
    assert_problem(client.get(WO, {"appointment_from": "2026-13-01"}), 422)
