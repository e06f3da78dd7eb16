"""Callback and complaint screens: the queue, recording results, the low-satisfaction rule, complaint steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import (
    make_customer,
    make_equipment,
    make_site,
    make_triaged_request,
    region_city,
)
from aftersales.feedback import services as feedback
from aftersales.feedback.models import Callback, Complaint
from aftersales.servicedesk import services as desk

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session["language"] = "en"
    session.save()
    return client


def resolved_callback(users, equipment=None, **kw) -> Callback:
    request = make_triaged_request(actor=users["agent"], equipment=equipment, contact_phone="138 0000 1111",
                                   contact_name="张经理", **kw)
    desk.request_resolve(actor=users["agent"], request=request, resolution="清洗冷凝器，更换密封圈")
    return Callback.objects.get(request=request)


def record(client, callback, **data):
    payload = {"method": "phone", "version": callback.version, "comment": "", **data}
    return client.post(reverse("feedback:callback", args=[callback.pk]), payload)


# Callbacks -------------------------------------------------------------------------------------------------------

def test_queue_shows_pending_with_phone_link_and_overdue_mark(users):
    callback = resolved_callback(users)
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    response = login(users["agent"]).get(reverse("feedback:callbacks"))
    assert response.status_code == 200
    body = response.content.decode()
    assert callback.request.number in body
    assert 'href="tel:13800001111"' in body
    assert "Overdue" in body
    assert "清洗冷凝器" in body  # what was done
    done = login(users["agent"]).get(reverse("feedback:callbacks") + "?tab=done")
    assert callback.request.number not in done.content.decode()


def test_queue_query_count_does_not_grow_with_rows(users, django_assert_max_num_queries):
    resolved_callback(users)
    client = login(users["agent"])
    client.get(reverse("feedback:callbacks"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("feedback:callbacks"))
    for _ in range(4):
        resolved_callback(users)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("feedback:callbacks"))
    assert len(five) == len(one)


def test_reached_five_closes_the_callback(users):
    callback = resolved_callback(users)
    response = record(login(users["agent"]), callback, result="reached", satisfaction="5", comment="很满意")
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.state == "done" and callback.satisfaction == 5 and callback.done_by == users["agent"]
    assert not Complaint.objects.exists()


def test_unreachable_stays_in_queue_and_counts_attempts(users):
    callback = resolved_callback(users)
    client = login(users["agent"])
    response = record(client, callback, result="unreachable", satisfaction="4")
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.state == "pending" and callback.attempts == 1 and callback.satisfaction is None
    page = client.get(reverse("feedback:callbacks"))
    assert "not reached (attempt 1)" in page.content.decode()
    assert callback.request.number in page.content.decode()


def test_reached_needs_a_satisfaction(users):
    callback = resolved_callback(users)
    response = record(login(users["agent"]), callback, result="reached")
    assert response.status_code == 400
    assert "Choose how satisfied the customer is" in response.content.decode()
    callback.refresh_from_db()
    assert callback.state == "pending" and callback.attempts == 0


def test_low_satisfaction_opens_a_complaint_and_says_so(users, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    callback = resolved_callback(users)
    client = login(users["agent"])
    response = record(client, callback, result="reached", satisfaction="2", comment="<b>太慢</b>")
    assert response.status_code == 302
    complaint = Complaint.objects.get(callback=callback)
    page = client.get(response["Location"])
    assert f"complaint {complaint.number} opened for the manager" in page.content.decode()


def test_low_satisfaction_reopens_the_request_when_configured(users, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "reopen"
    callback = resolved_callback(users)
    client = login(users["agent"])
    response = record(client, callback, result="reached", satisfaction="1")
    assert response.status_code == 302
    callback.request.refresh_from_db()
    assert callback.request.state == "triaged" and callback.request.reopen_count == 1
    assert not Complaint.objects.exists()
    page = client.get(response["Location"])
    assert f"request {callback.request.number} reopened" in page.content.decode()


def test_low_satisfaction_on_a_request_reopened_meanwhile_becomes_a_complaint(users, settings):
    """Reopen mode, but the request was already reopened by hand before the call: the callback is still recorded,
    and the unhappy customer reaches the manager as a complaint."""
    from aftersales.servicedesk import services as desk

    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "reopen"
    callback = resolved_callback(users)
    desk.request_reopen(actor=users["dispatcher"], request=callback.request, reason="客户来电仍有异响")
    callback.refresh_from_db()
    done = feedback.callback_record(actor=users["agent"], callback=callback, result="reached", satisfaction=1,
                                    comment="还是响")
    assert done.state == "done" and done.satisfaction == 1
    assert Complaint.objects.get(callback=done).description == "还是响"
    callback.request.refresh_from_db()
    assert callback.request.reopen_count == 1


def test_stale_version_is_refused(users):
    callback = resolved_callback(users)
    stale = callback.version
    feedback.callback_record(actor=users["manager"], callback=callback, result="unreachable")
    response = record(login(users["agent"]), Callback(pk=callback.pk, version=stale), result="reached",
                      satisfaction="5")
    assert response.status_code == 412
    assert "changed by someone else" in response.content.decode()
    callback.refresh_from_db()
    assert callback.state == "pending" and callback.attempts == 1


@pytest.mark.parametrize("role", ["dispatcher", "engineer"])
def test_roles_without_callbacks_get_403(users, role):
    callback = resolved_callback(users)
    client = login(users[role])
    assert client.get(reverse("feedback:callbacks")).status_code == 403
    assert client.get(reverse("feedback:callback", args=[callback.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(users):
    response = Client().get(reverse("feedback:callbacks"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_lead_sees_his_province_only_and_cannot_record(users):
    mine = resolved_callback(users)
    other_city = region_city("440300", "深圳市", "440000", "广东省")
    other = resolved_callback(users, equipment=make_equipment(site=make_site(city=other_city)))
    client = login(users["lead"])
    body = client.get(reverse("feedback:callbacks")).content.decode()
    assert mine.request.number in body and other.request.number not in body
    assert client.get(reverse("feedback:callback", args=[other.pk])).status_code == 404
    assert client.get(reverse("feedback:callback", args=[mine.pk])).status_code == 200
    assert record(client, mine, result="reached", satisfaction="5").status_code == 403


# Complaints ------------------------------------------------------------------------------------------------------

def make_complaint(users, description="服务态度差") -> Complaint:
    return feedback.complaint_open(actor=users["manager"], customer=make_customer(), description=description)


def act(client, complaint, action, **data):
    complaint.refresh_from_db()
    return client.post(reverse("feedback:complaint_action", args=[complaint.pk]),
                       {"action": action, "version": complaint.version, **data})


def test_complaint_list_and_filter(users):
    complaint = make_complaint(users)
    client = login(users["manager"])
    body = client.get(reverse("feedback:complaints")).content.decode()
    assert complaint.number in body
    assert complaint.number not in client.get(reverse("feedback:complaints") + "?state=closed").content.decode()


def test_complaint_transitions(users):
    complaint = make_complaint(users)
    client = login(users["manager"])
    assert act(client, complaint, "investigate").status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "investigating" and complaint.owner == users["manager"]
    response = act(client, complaint, "answer", answer="  ")
    assert response.status_code == 400 and "Write the answer" in response.content.decode()
    assert act(client, complaint, "answer", answer="已更换工程师并回访").status_code == 302
    assert act(client, complaint, "close").status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.closed_at
    response = act(client, complaint, "answer", answer="again")
    assert response.status_code == 409
    assert act(client, complaint, "reopen", reason="客户再次来电").status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "investigating"
    page = client.get(reverse("feedback:complaint", args=[complaint.pk])).content.decode()
    assert "已更换工程师并回访" in page


def test_complaint_stale_version(users):
    complaint = make_complaint(users)
    client = login(users["manager"])
    response = client.post(reverse("feedback:complaint_action", args=[complaint.pk]),
                           {"action": "investigate", "version": complaint.version + 5})
    assert response.status_code == 412
    complaint.refresh_from_db()
    assert complaint.state == "open"


def test_complaint_text_is_escaped(users):
    complaint = make_complaint(users, description="<script>alert(1)</script>")
    body = login(users["manager"]).get(reverse("feedback:complaint", args=[complaint.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_lead_may_read_but_not_handle_complaints(users):
    complaint = make_complaint(users)
    # The customer has a site in the lead's province (make_customer → make_site default city is in Hubei).
    make_site(customer=complaint.customer)
    client = login(users["lead"])
    assert client.get(reverse("feedback:complaints")).status_code == 200
    assert client.get(reverse("feedback:complaint", args=[complaint.pk])).status_code == 200
    assert act(client, complaint, "investigate").status_code == 403
    assert client.get(reverse("feedback:complaint_new")).status_code == 403


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer"])
def test_roles_without_complaints_get_403(users, role):
    complaint = make_complaint(users)
    client = login(users[role])
    assert client.get(reverse("feedback:complaints")).status_code == 403
    assert client.get(reverse("feedback:complaint", args=[complaint.pk])).status_code == 403


def test_manager_opens_a_complaint_by_hand(users):
    customer = make_customer(name="武汉卓成机电")
    client = login(users["manager"])
    search = client.get(reverse("feedback:complaint_customer_search") + "?q=whzc")
    assert "武汉卓成机电" in search.content.decode()
    assert client.get(reverse("feedback:complaint_new") + f"?customer={customer.pk}").status_code == 200
    response = client.post(reverse("feedback:complaint_new"), {"customer": customer.pk, "description": ""})
    assert response.status_code == 400 and not Complaint.objects.exists()
    response = client.post(reverse("feedback:complaint_new"), {"customer": customer.pk,
                                                               "description": "维修后仍漏水"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.customer == customer
    assert response["Location"] == reverse("feedback:complaint", args=[complaint.pk])


def test_complaint_for_a_request_must_be_its_customer(users):
    request = make_triaged_request(actor=users["agent"])
    other = make_customer(name="另一家公司")
    response = login(users["manager"]).post(reverse("feedback:complaint_new"), {
        "customer": other.pk, "request": request.pk, "description": "x"})
    assert response.status_code == 400 and not Complaint.objects.exists()
