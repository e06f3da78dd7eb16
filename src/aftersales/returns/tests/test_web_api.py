"""The returns and recalls screens and API, end to end over the services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.core.testing import make_equipment, make_user
from aftersales.returns import services
from aftersales.returns.models import RecallCampaign, ReturnRequest

from .factories import make_location, make_part, make_return

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_screens_create_and_walk_the_chain():
    users = {r: make_user(r, r) for r in ("agent", "dispatcher", "engineer", "storekeeper", "manager")}
    unit = make_equipment()
    part = make_part()
    shelf = make_location()
    agent = _client(users["agent"])
    assert agent.get(reverse("returns:new"), {"q": unit.serial}).status_code == 200
    response = agent.post(reverse("returns:new"), {"customer": unit.customer_id, "kind": "return", "part": part.number,
                                                   "quantity": "1", "reason": "模块故障", "refund_amount": "800"})
    assert response.status_code == 302
    obj = ReturnRequest.objects.get()
    url = reverse("returns:decide", args=[obj.pk])
    # The dispatcher cannot jump the queue: refused with a message, nothing saved.
    response = _client(users["dispatcher"]).post(url, {"decision": "approve", "step": "dispatcher", "version": 1})
    assert response.status_code == 409 and not obj.approvals.exists()
    page = agent.get(reverse("returns:detail", args=[obj.pk]))
    assert "Your decision" in page.content.decode()
    assert agent.post(url, {"decision": "approve", "step": "agent", "version": 1}).status_code == 302
    assert _client(users["dispatcher"]).post(url, {"decision": "approve", "step": "dispatcher", "version": 2,
                                                   "assessor": users["engineer"].pk}).status_code == 302
    assert _client(users["engineer"]).get(reverse("returns:list")).status_code == 200
    assert _client(users["engineer"]).post(url, {"decision": "approve", "step": "assessment",
                                                 "version": 3}).status_code == 302
    response = _client(users["storekeeper"]).post(url, {"decision": "approve", "step": "materials", "version": 4})
    assert response.status_code == 422
    assert _client(users["storekeeper"]).post(url, {"decision": "approve", "step": "materials", "version": 4,
                                                    "return_location": shelf.pk}).status_code == 302
    assert _client(users["manager"]).post(url, {"decision": "approve", "step": "manager",
                                                "version": 5}).status_code == 302
    obj.refresh_from_db()
    assert obj.state == "approved" and obj.bill is not None
    listing = _client(users["manager"], "zh-hans").get(reverse("returns:list"), {"tab": "all"})
    assert obj.number in listing.content.decode()


def test_api_decide_out_of_order_and_wrong_role(api_client):
    agent, manager = make_user("agent"), make_user("manager")
    obj = make_return(actor=agent)
    response = api_client(manager).post(f"/api/v1/return-requests/{obj.pk}/decide", {"decision": "approve"},
                                        content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "return_out_of_order"
    response = api_client(manager).post(f"/api/v1/return-requests/{obj.pk}/decide",
                                        {"decision": "approve", "step": "agent"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "return_wrong_role"
    response = api_client(agent).post(f"/api/v1/return-requests/{obj.pk}/decide", {"decision": "approve"},
                                      content_type="application/json")
    assert response.status_code == 200 and response.json()["current_step"] == "dispatcher"
    assert response.json()["approvals"][0]["decided_by"]["id"] == agent.pk


def test_api_create_return(api_client):
    unit = make_equipment()
    response = api_client(make_user("agent")).post("/api/v1/return-requests", {
        "customer_id": unit.customer_id, "kind": "exchange", "equipment_id": unit.pk, "reason": "换新",
        "refund_amount": "-1"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "return_refund_invalid"
    assert not ReturnRequest.objects.exists()


def test_recall_screens_and_api(api_client):
    from aftersales.customers.services import equipment_update

    manager = make_user("manager", "manager")
    admin = make_user("admin")
    units = [make_equipment(actor=admin) for _ in range(2)]
    model = units[0].product_model
    for unit in units:
        equipment_update(actor=admin, equipment=unit, values={"production_batch": "24-A", "product_model": model})
    client = _client(manager)
    response = client.post(reverse("returns:recall_new"), {"title": "端子加固", "product_model": model.pk,
                                                           "production_batch": "24-A"})
    assert response.status_code == 302
    campaign = RecallCampaign.objects.get()
    preview = client.get(reverse("returns:recall_preview", args=[campaign.pk]))
    assert preview.status_code == 200 and "2 units" in preview.content.decode()
    api = api_client(manager)
    assert api.get(f"/api/v1/recall-campaigns/{campaign.pk}/preview").json()["unit_count"] == 2
    assert client.post(reverse("returns:recall_launch", args=[campaign.pk]),
                       {"version": campaign.version}).status_code == 302
    body = api.get(f"/api/v1/recall-campaigns/{campaign.pk}").json()
    assert body["state"] == "launched" and body["progress"]["total"] == 2 and body["progress"]["percent"] == 0
    units_page = api.get(f"/api/v1/recall-campaigns/{campaign.pk}/units").json()
    assert units_page["count"] == 2
    unit_id = units_page["results"][0]["id"]
    response = api.post(f"/api/v1/recall-units/{unit_id}/compensations", {"kind": "money", "amount": "200"},
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["bill_id"]
    response = client.post(reverse("returns:compensate", args=[unit_id]), {"kind": "gift", "description": "礼品"})
    assert response.status_code == 302
    page = client.get(reverse("returns:recall_detail", args=[campaign.pk]))
    assert page.status_code == 200 and "礼品" in page.content.decode()
    assert api.post(f"/api/v1/recall-campaigns/{campaign.pk}/launch").status_code == 409
    assert client.get(reverse("returns:recalls")).status_code == 200
    _ = services


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_grow_queries_with_rows():
    manager = make_user("manager", "manager")
    client = _client(manager)
    make_return(actor=make_user("agent"))
    list_url = reverse("returns:list") + "?tab=all"
    recalls_url = reverse("returns:recalls")
    from aftersales.core.testing import make_model

    def campaign():
        services.campaign_create(actor=manager, title="召回", product_model=make_model(), production_batch="B")

    campaign()
    _queries(client, recalls_url)  # fills the per-process cache of regions (province names)
    first = (_queries(client, list_url), _queries(client, recalls_url))
    for _ in range(4):
        make_return(actor=make_user("agent"))
        campaign()
    assert (_queries(client, list_url), _queries(client, recalls_url)) == first
