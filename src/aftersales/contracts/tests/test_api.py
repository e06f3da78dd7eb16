"""The contracts API: CRUD, actions, warranty look-up, service class override; scoping and problem bodies."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from aftersales.contracts.models import Contract
from aftersales.core.testing import make_equipment, make_site, make_user, region_city

from .factories import make_contract

TODAY = timezone.localdate


@pytest.fixture
def unit(db):
    return make_equipment(serial="CH-2024-0001", commissioning_date=TODAY() - dt.timedelta(days=1500))


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_create_activate_read_renew_terminate(api_client, unit):
    manager = make_user("manager")
    client = api_client(manager)
    body = {"customer_id": unit.customer_id, "title": "冷水机组年度维保", "start_date": str(TODAY()),
            "end_date": str(TODAY() + dt.timedelta(days=364)), "equipment_ids": [unit.pk], "price": "36000.50",
            "response_hours": 4, "included_visits_per_year": 4}
    r = post(client, "/api/v1/contracts", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["state"] == "draft" and data["price"] == "36000.50" and data["equipment"][0]["serial"] == unit.serial
    assert data["actions"] == ["activate", "terminate"]
    assert data["visits"]["included"] == 4 and data["visits"]["used"] == 0
    pk = data["id"]
    tag = r["ETag"]
    r = post(client, f"/api/v1/contracts/{pk}/activate", HTTP_IF_MATCH='"99"')
    assert r.status_code == 412
    r = post(client, f"/api/v1/contracts/{pk}/activate", HTTP_IF_MATCH=tag)
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "active" and r["ETag"] != tag
    r = client.get(f"/api/v1/contracts?state=active&q={unit.serial}")
    assert [c["id"] for c in r.json()["results"]] == [pk]
    r = client.get("/api/v1/contracts?expiring_within=400")
    assert r.json()["count"] == 1
    r = post(client, f"/api/v1/contracts/{pk}/renew")
    assert r.status_code == 201 and r.json()["renewed_from"]["id"] == pk and r.json()["state"] == "draft"
    assert post(client, f"/api/v1/contracts/{pk}/renew").json()["code"] == "already_renewed"
    r = post(client, f"/api/v1/contracts/{pk}/terminate", {"reason": ""})
    assert r.status_code == 422
    r = post(client, f"/api/v1/contracts/{pk}/terminate", {"reason": "客户转用他家"})
    assert r.json()["state"] == "terminated" and r.json()["termination_reason"] == "客户转用他家"
    r = client.patch(f"/api/v1/contracts/{pk}", json.dumps({"title": "x"}), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "contract_closed"


def test_bad_input_answers_problems_and_saves_nothing(api_client, unit):
    client = api_client(make_user("manager"))
    other = make_equipment(commissioning_date=TODAY())
    base = {"customer_id": unit.customer_id, "title": "x", "start_date": "2026-01-01", "end_date": "2026-12-31"}
    r = post(client, "/api/v1/contracts", {**base, "equipment_ids": [other.pk]})
    assert r.status_code == 422 and r.json()["code"] == "equipment_not_of_customer"
    for bad in ({"price": "-1"}, {"price": "1.234"}, {"end_date": "2025-01-01"}, {"currency": "XYZ"},
                {"response_hours": 0}):
        r = post(client, "/api/v1/contracts", {**base, **bad})
        assert r.status_code == 422, (bad, r.content)
    assert post(client, "/api/v1/contracts", {**base, "equipment_ids": [10**9]}).status_code == 404
    assert not Contract.objects.exists()


def test_lead_sees_his_province_only(api_client, unit):
    changsha = region_city("430100", "长沙市", "430000", "湖南省")
    theirs = make_equipment(site=make_site(city=changsha), commissioning_date=TODAY() - dt.timedelta(days=1500))
    mine, other = make_contract(equipment=[unit]), make_contract(equipment=[theirs])
    lead = make_user("lead", region=unit.site.province)
    client = api_client(lead)
    assert [c["id"] for c in client.get("/api/v1/contracts").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/contracts/{other.pk}").status_code == 404
    assert api_client(make_user("engineer")).get("/api/v1/contracts").status_code == 403


def test_warranty_lookup_by_serial(api_client, unit):
    contract = make_contract(equipment=[unit], response_hours=4)
    fresh = make_equipment(serial="ch-2024-0001", commissioning_date=TODAY() - dt.timedelta(days=10))
    r = api_client(make_user("agent")).get("/api/v1/warranty?serial=CH-2024-0001")
    assert r.status_code == 200
    by_id = {u["equipment_id"]: u for u in r.json()}
    assert by_id[unit.pk]["warranty_status"] == "expired" and by_id[unit.pk]["service_class"] == "B"
    assert by_id[unit.pk]["contracts"][0]["number"] == contract.number
    assert by_id[unit.pk]["contracts"][0]["response_hours"] == 4
    assert by_id[fresh.pk]["warranty_status"] == "in_warranty" and by_id[fresh.pk]["service_class"] == "C"
    # The RMA clerk may look units up but not see contracts.
    r = api_client(make_user("rma_clerk")).get("/api/v1/warranty?serial=CH-2024-0001")
    assert all(u["contracts"] == [] and not u["contracts_visible"] for u in r.json())
    assert api_client(make_user("engineer")).get("/api/v1/warranty?serial=x").status_code == 403
    assert api_client(make_user("agent")).get("/api/v1/warranty").status_code == 422


def test_service_class_override(api_client, unit):
    from aftersales.core.testing import make_triaged_request
    from aftersales.fieldservice import services as fs

    request = make_triaged_request(equipment=unit)
    wo = fs.work_order_create(actor=make_user("dispatcher"), request=request)
    assert wo.service_class == "A"
    client = api_client(make_user("dispatcher"))
    url = f"/api/v1/work-orders/{wo.pk}/service-class"
    r = post(client, url, {"service_class": "B", "reason": "合同客户"})
    assert r.status_code == 422 and r.json()["code"] == "contract_required"
    r = post(client, url, {"service_class": "D", "reason": "公司自用设备"})
    assert r.status_code == 200, r.content
    assert r.json()["service_class"] == "D" and r.json()["service_class_overridden"] is True
    assert post(api_client(make_user("agent")), url, {"service_class": "C", "reason": "x"}).status_code == 403
