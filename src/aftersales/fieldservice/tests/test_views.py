"""Dispatch board, assignment, work order page and the engineer's field pages, driven through the views."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from aftersales.core.testing import (
    PNG_1PX,
    make_assigned_work_order,
    make_triaged_request,
    make_user,
    region_city,
)
from aftersales.feedback.models import Callback
from aftersales.fieldservice import services
from aftersales.fieldservice.models import Photo, ServiceReceipt, Visit, WorkOrder


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def png_upload(name: str = "photo.png") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def new_work_order(dispatcher, severity: str = "general") -> WorkOrder:
    request = make_triaged_request(severity=severity)
    return services.work_order_create(actor=dispatcher, request=request)


@pytest.mark.django_db
def test_board_shows_unassigned_urgent_first_and_engineer_lanes(users):
    dispatcher = users["dispatcher"]
    general = new_work_order(dispatcher, "general")
    urgent = new_work_order(dispatcher, "urgent")
    important = new_work_order(dispatcher, "important")
    assigned = make_assigned_work_order(engineer=users["engineer"], dispatcher=dispatcher)
    response = login(dispatcher).get(reverse("fieldservice:board"))
    assert response.status_code == 200
    unassigned = [wo.pk for wo in response.context["unassigned"]]
    assert unassigned == [urgent.pk, important.pk, general.pk]
    lane = next(lane for lane in response.context["lanes"] if lane["engineer"] == users["engineer"])
    assert [wo.pk for wo in lane["work_orders"]] == [assigned.pk]
    assert lane["open_load"] == 1
    html = response.content.decode()
    assert "‼" not in html or "severity-urgent" in html  # urgent is marked by a badge with a sign, not colour alone
    assert "Urgent" in html


@pytest.mark.django_db
def test_a_full_unassigned_column_keeps_the_urgent_work_and_says_how_much_waits(users, monkeypatch):
    """The column is capped; the cap is applied after sorting by urgency, so a new urgent job is never cut off
    by older general ones, and the header counts every waiting order."""
    from aftersales.fieldservice import selectors

    monkeypatch.setattr(selectors, "BOARD_UNASSIGNED_MAX", 3)
    dispatcher = users["dispatcher"]
    for _ in range(4):
        new_work_order(dispatcher, "general")
    urgent = new_work_order(dispatcher, "urgent")
    response = login(dispatcher).get(reverse("fieldservice:board"))
    unassigned = response.context["unassigned"]
    assert [wo.pk for wo in unassigned][0] == urgent.pk and len(unassigned) == 3
    assert response.context["unassigned_count"] == 5
    html = response.content.decode()
    assert '<span class="count">5</span>' in html and "Showing the 3 most urgent of 5." in html
    assert html.count("data-board-card") == 3


@pytest.mark.django_db
def test_board_cards_escape_what_customers_wrote(users):
    dispatcher = users["dispatcher"]
    wo = new_work_order(dispatcher)
    wo.request.__class__.objects.filter(pk=wo.request_id).update(summary='<script>alert("x")</script>')
    html = login(dispatcher).get(reverse("fieldservice:board")).content.decode()
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_board_query_count_does_not_grow_with_work_orders(users):
    dispatcher = users["dispatcher"]
    client = login(dispatcher)
    new_work_order(dispatcher)
    make_assigned_work_order(engineer=users["engineer"], dispatcher=dispatcher)
    client.get(reverse("fieldservice:board"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("fieldservice:board")).status_code == 200
    for _ in range(4):
        new_work_order(dispatcher, "urgent")
        make_assigned_work_order(engineer=users["engineer"], dispatcher=dispatcher)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("fieldservice:board"))
    assert len(response.context["unassigned"]) == 5
    assert len(many) == len(few)


@pytest.mark.django_db
def test_board_day_picker_and_bad_day(users):
    client = login(users["dispatcher"])
    response = client.get(reverse("fieldservice:board"), {"day": "2026-02-30"})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    response = client.get(reverse("fieldservice:board"), {"day": "2026-03-02"})
    assert str(response.context["day"]) == "2026-03-02"


@pytest.mark.django_db
def test_lead_sees_only_his_province(users):
    dispatcher = users["dispatcher"]
    other_city = region_city("440300", "深圳市", "440000", "广东省")
    far_engineer = make_user("engineer", region=other_city)
    near = new_work_order(dispatcher)
    response = login(users["lead"]).get(reverse("fieldservice:board"))
    engineers = [lane["engineer"] for lane in response.context["lanes"]]
    assert users["engineer"] in engineers and far_engineer not in engineers
    assert near.pk in [wo.pk for wo in response.context["unassigned"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "engineer"])
def test_board_and_assign_need_dispatch(users, role):
    wo = new_work_order(users["dispatcher"])
    client = login(users[role])
    assert client.get(reverse("fieldservice:board")).status_code == 403
    assert client.get(reverse("fieldservice:assign", args=[wo.pk])).status_code == 403


@pytest.mark.django_db
def test_assign_page_ranks_and_assigns_with_appointment(users):
    wo = new_work_order(users["dispatcher"])
    client = login(users["dispatcher"])
    page = client.get(reverse("fieldservice:assign", args=[wo.pk]))
    assert page.status_code == 200
    assert users["engineer"] in [r.engineer for r in page.context["ranking"]]
    assert "same city" in page.content.decode()
    response = client.post(reverse("fieldservice:assign", args=[wo.pk]), {
        "action": "assign", "a-engineer": users["engineer"].pk, "a-version": wo.version,
        "a-appointment_start": "2026-03-02T09:00", "a-appointment_end": "2026-03-02T11:00",
        "a-appointment_note": "张经理 by phone",
    }, follow=True)
    wo.refresh_from_db()
    assert wo.state == "assigned" and wo.engineer == users["engineer"]
    assert timezone.localtime(wo.appointment_start).hour == 9
    assert wo.appointment_note == "张经理 by phone"
    assert any("assigned to" in m for m in messages_of(response))


@pytest.mark.django_db
def test_assign_race_names_who_won_and_saves_nothing(users):
    wo = new_work_order(users["dispatcher"])
    other_dispatcher = make_user("dispatcher")
    second_engineer = make_user("engineer", region=region_city(), display_name="李工")
    client = login(users["dispatcher"])
    client.get(reverse("fieldservice:assign", args=[wo.pk]))
    stale_version = wo.version
    services.work_order_assign(actor=other_dispatcher, work_order=WorkOrder.objects.get(pk=wo.pk),
                               engineer=second_engineer)
    response = client.post(reverse("fieldservice:assign", args=[wo.pk]), {
        "action": "assign", "a-engineer": users["engineer"].pk, "a-version": stale_version,
    }, follow=True)
    wo.refresh_from_db()
    assert wo.engineer == second_engineer
    assert wo.assignments.count() == 1
    text = " ".join(messages_of(response))
    assert "Another dispatcher" in text and "李工" in text


@pytest.mark.django_db
def test_reassign_and_cancel_need_reasons(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    other = make_user("engineer", region=region_city())
    client = login(users["dispatcher"])
    url = reverse("fieldservice:assign", args=[wo.pk])
    response = client.post(url, {"action": "reassign", "r-engineer": other.pk, "r-reason": "", "r-version": wo.version})
    assert response.status_code == 422
    wo.refresh_from_db()
    assert wo.engineer == users["engineer"]
    client.post(url, {"action": "reassign", "r-engineer": other.pk, "r-reason": "请假", "r-version": wo.version})
    wo.refresh_from_db()
    assert wo.engineer == other
    assert [a.response for a in wo.assignments.all()] == ["withdrawn", "pending"]
    client.post(url, {"action": "cancel", "c-reason": "客户取消", "c-version": wo.version})
    wo.refresh_from_db()
    assert wo.state == "cancelled"


@pytest.mark.django_db
def test_engineer_cannot_open_another_engineers_work_order(users):
    other = make_user("engineer", region=region_city())
    wo = make_assigned_work_order(engineer=other, dispatcher=users["dispatcher"])
    client = login(users["engineer"])
    for name in ("fieldservice:detail", "fieldservice:field"):
        assert client.get(reverse(name, args=[wo.pk])).status_code == 404
    assert client.post(reverse("fieldservice:field_action", args=[wo.pk, "accept"])).status_code == 404
    wo.refresh_from_db()
    assert wo.state == "assigned"


@pytest.mark.django_db
def test_decline_needs_a_reason(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    client = login(users["engineer"])
    url = reverse("fieldservice:field_action", args=[wo.pk, "decline"])
    response = client.post(url, {"d-reason": "  "})
    assert response.status_code == 422
    assert "Say why you decline" in response.content.decode()
    wo.refresh_from_db()
    assert wo.state == "assigned"
    response = client.post(url, {"d-reason": "缺少备件"})
    assert response.status_code == 302
    wo.refresh_from_db()
    assert wo.state == "unassigned" and wo.engineer is None
    assert wo.assignments.get().reason == "缺少备件"


@pytest.mark.django_db
def test_full_field_flow_through_the_views(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    client = login(users["engineer"])

    def act(action, data=None, **kw):
        return client.post(reverse("fieldservice:field_action", args=[wo.pk, action]), data or {}, **kw)

    assert client.get(reverse("fieldservice:my")).status_code == 200
    assert wo.number in client.get(reverse("fieldservice:my")).content.decode()
    assert act("accept").status_code == 302
    assert act("arrive", {"g-latitude": "30.527600", "g-longitude": "114.356900"}).status_code == 302
    visit = Visit.objects.get(work_order=wo)
    assert str(visit.arrival_latitude) == "30.527600"
    page = client.get(reverse("fieldservice:field", args=[wo.pk]))
    assert 'capture="environment"' in page.content.decode()
    response = act("record", {
        "v-diagnosis": "冷凝器结垢 <script>alert(1)</script>", "v-fault_cause": "水质差", "v-actions_taken": "清洗冷凝器",
        "v-outcome": "fixed", "part_description": ["密封圈", "", "冷媒 R134a"], "part_quantity": ["2", "", "1.5"],
        "part_unit": ["个", "", "kg"],
    })
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.outcome == "fixed"
    assert sorted(p.description for p in visit.parts.all()) == ["冷媒 R134a", "密封圈"]
    response = act("photo", {"p-photos": [png_upload()], "p-caption": "现场"})
    assert response.status_code == 302
    photo = Photo.objects.get(visit=visit)
    assert photo.mime_type == "image/png"
    assert 'badge state-on_site' in client.get(reverse("fieldservice:field", args=[wo.pk])).content.decode()
    assert 'badge state-on_site' in client.get(reverse("fieldservice:my")).content.decode()
    assert act("depart").status_code == 302
    # Gone from the site but not completed: the header says so, not "on site".
    page = client.get(reverse("fieldservice:field", args=[wo.pk])).content.decode()
    assert 'badge state-left_site' in page and 'badge state-on_site' not in page
    my = client.get(reverse("fieldservice:my")).content.decode()  # his list says the same
    assert 'badge state-left_site' in my and 'badge state-on_site' not in my
    assert act("sign", {"s-signer_name": "张经理", "s-customer_comment": "满意", "s-signature": PNG_1PX}).status_code == 302
    receipt = ServiceReceipt.objects.get(visit=visit)
    assert receipt.signer_name == "张经理"
    response = act("complete")
    assert response.status_code == 302
    wo.refresh_from_db()
    wo.request.refresh_from_db()
    assert wo.state == "completed"
    assert wo.request.state == "resolved"
    assert Callback.objects.filter(request=wo.request).exists()

    # The office sees it all on the work order page; customer text stays escaped.
    detail = login(users["dispatcher"]).get(reverse("fieldservice:detail", args=[wo.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert reverse("fieldservice:receipt_pdf", args=[visit.pk]) in html
    # Files are served to those who may see the work order, as nosniff attachments.
    for url in (reverse("fieldservice:photo", args=[photo.pk]), reverse("fieldservice:signature", args=[receipt.pk])):
        served = client.get(url)
        assert served.status_code == 200
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Disposition"].startswith("attachment")
    pdf = client.get(reverse("fieldservice:receipt_pdf", args=[visit.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    stranger = login(make_user("engineer", region=region_city()))
    assert stranger.get(reverse("fieldservice:photo", args=[photo.pk])).status_code == 404
    assert stranger.get(reverse("fieldservice:signature", args=[receipt.pk])).status_code == 404
    assert stranger.get(reverse("fieldservice:receipt_pdf", args=[visit.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    b"<html><body><script>alert(1)</script></body></html>",
    b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",
])
def test_disguised_photo_is_refused(users, payload):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    services.work_order_accept(actor=users["engineer"], work_order=wo)
    services.visit_arrive(actor=users["engineer"], work_order=wo)
    client = login(users["engineer"])
    fake = io.BytesIO(payload)
    fake.name = "photo.png"
    response = client.post(reverse("fieldservice:field_action", args=[wo.pk, "photo"]), {"p-photos": [fake]},
                           follow=True)
    assert response.status_code == 200
    assert Photo.objects.count() == 0
    assert any("not an accepted image" in m for m in messages_of(response))


@pytest.mark.django_db
def test_take_back_needs_the_item_and_keeps_what_was_typed(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    services.work_order_accept(actor=users["engineer"], work_order=wo)
    services.visit_arrive(actor=users["engineer"], work_order=wo)
    client = login(users["engineer"])
    response = client.post(reverse("fieldservice:field_action", args=[wo.pk, "record"]), {
        "v-diagnosis": "主板损坏", "v-outcome": "taken_back", "part_description": ["保险丝"], "part_quantity": ["0"],
        "part_unit": ["个"],
    })
    assert response.status_code == 422
    html = response.content.decode()
    assert "主板损坏" in html and "保险丝" in html
    assert Visit.objects.get(work_order=wo).diagnosis == ""


@pytest.mark.django_db
def test_signature_is_refused_before_the_outcome(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    services.work_order_accept(actor=users["engineer"], work_order=wo)
    services.visit_arrive(actor=users["engineer"], work_order=wo)
    client = login(users["engineer"])
    response = client.post(reverse("fieldservice:field_action", args=[wo.pk, "sign"]),
                           {"s-signer_name": "王", "s-signature": PNG_1PX})
    assert response.status_code == 422
    assert ServiceReceipt.objects.count() == 0


@pytest.mark.django_db
def test_pages_render_in_chinese(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    office = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    office.force_login(users["dispatcher"])
    for url in (reverse("fieldservice:board"), reverse("fieldservice:detail", args=[wo.pk]),
                reverse("fieldservice:assign", args=[wo.pk])):
        assert office.get(url).status_code == 200
    phone = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    phone.force_login(users["engineer"])
    assert phone.get(reverse("fieldservice:my")).status_code == 200
    assert phone.get(reverse("fieldservice:field", args=[wo.pk])).status_code == 200
