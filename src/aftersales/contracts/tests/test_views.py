"""The contract screens, the work order's service class panel and the warranty look-up, as the real roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.contracts.models import Contract
from aftersales.core.testing import make_equipment, make_triaged_request, make_user

from .factories import make_contract

TODAY = timezone.localdate


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def unit(db):
    return make_equipment(serial="TRK-88001", commissioning_date=TODAY() - dt.timedelta(days=1500))


def test_create_a_contract_through_the_screens(unit):
    manager = make_user("manager")
    client = client_for(manager)
    r = client.get("/contracts/new/?q=" + unit.customer.name[:2])
    assert unit.customer.name in r.content.decode()
    r = client.get(f"/contracts/new/?customer={unit.customer_id}")
    assert unit.serial in r.content.decode()
    data = {"customer": unit.customer_id, "title": "车队年度维保", "start_date": str(TODAY()),
            "end_date": str(TODAY() + dt.timedelta(days=364)), "equipment": [unit.pk],
            "included_visits_per_year": "6", "response_hours": "8", "price": "88000", "currency": "CNY",
            "covers_labour": "on"}
    r = client.post("/contracts/new/", data)
    contract = Contract.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/contracts/{contract.pk}/"
    r = client.post(f"/contracts/{contract.pk}/action/", {"action": "activate", "version": contract.version},
                    follow=True)
    assert "is active" in r.content.decode()
    contract.refresh_from_db()
    assert contract.state == "active" and list(contract.equipment.all()) == [unit]
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "0</strong> / 6" in page.replace("<strong>", "") or "<strong>0</strong> / 6" in page


def test_bad_form_input_shows_errors_and_saves_nothing(unit):
    client = client_for(make_user("manager"), "zh-hans")
    data = {"customer": unit.customer_id, "title": "x", "start_date": "2026-05-01", "end_date": "2026-04-01",
            "included_visits_per_year": "4", "price": "-5", "currency": "CNY"}
    r = client.post("/contracts/new/", data)
    assert r.status_code == 200 and not Contract.objects.exists()
    assert "has-error" in r.content.decode()


def test_terminate_needs_a_reason_and_renew_goes_to_the_draft(unit):
    manager = make_user("manager")
    contract = make_contract(equipment=[unit], actor=manager)
    client = client_for(manager)
    r = client.post(f"/contracts/{contract.pk}/action/", {"action": "terminate", "reason": ""}, follow=True)
    assert "Give the reason" in r.content.decode()
    r = client.post(f"/contracts/{contract.pk}/action/", {"action": "renew"})
    renewal = Contract.objects.get(renewed_from=contract)
    assert r["Location"] == f"/contracts/{renewal.pk}/"
    r = client.post(f"/contracts/{contract.pk}/action/", {"action": "terminate", "reason": "客户要求"}, follow=True)
    contract.refresh_from_db()
    assert contract.state == "terminated"


def test_list_filters_and_ending_soon(unit):
    manager = make_user("manager")
    soon = make_contract(equipment=[unit], actor=manager, start=TODAY() - dt.timedelta(days=300),
                         end=TODAY() + dt.timedelta(days=20))
    later = make_contract(actor=manager)
    client = client_for(manager)
    page = client.get("/contracts/?state=ending").content.decode()
    assert soon.number in page and later.number not in page
    page = client.get(f"/contracts/?q={unit.serial}").content.decode()
    assert soon.number in page and later.number not in page


def test_work_order_page_shows_the_class_and_the_override_form(unit):
    contract = make_contract(equipment=[unit])
    from aftersales.fieldservice import services as fs

    request = make_triaged_request(equipment=unit)
    wo = fs.work_order_create(actor=make_user("dispatcher"), request=request)
    dispatcher = make_user("dispatcher")
    from django.urls import reverse

    page = client_for(dispatcher).get(reverse("fieldservice:detail", args=[wo.pk])).content.decode()
    assert "B · Contract" in page and contract.number in page and "Change the service class" in page
    page = client_for(make_user("agent")).get(reverse("fieldservice:detail", args=[wo.pk])).content.decode()
    assert "B · Contract" in page and "Change the service class" not in page
    r = client_for(dispatcher).post(reverse("contracts:service_class", args=[wo.pk]),
                                    {"service_class": "D", "reason": "公司内部设备", "version": wo.version}, follow=True)
    assert "Service class set to D · Internal" in r.content.decode()
    r = client_for(dispatcher).post(reverse("contracts:service_class", args=[wo.pk]),
                                    {"service_class": "A", "reason": ""}, follow=True)
    assert "give the reason" in r.content.decode()
    wo.refresh_from_db()
    assert wo.service_class == "D"


def test_coverage_shows_on_request_and_customer_pages(unit):
    from django.urls import reverse

    contract = make_contract(equipment=[unit])
    request = make_triaged_request(equipment=unit)
    agent = make_user("agent")
    page = client_for(agent).get(reverse("servicedesk:detail", args=[request.pk])).content.decode()
    assert contract.number in page
    page = client_for(agent).get(reverse("customers:detail", args=[unit.customer_id])).content.decode()
    assert contract.number in page and "Maintenance contracts" in page


def test_warranty_lookup_page(unit):
    make_contract(equipment=[unit])
    page = client_for(make_user("agent")).get(f"/contracts/warranty/?serial={unit.serial.lower()}").content.decode()
    assert unit.serial in page and "B · Contract" in page
    page = client_for(make_user("agent"), "zh-hans").get("/contracts/warranty/?serial=NOPE").content.decode()
    assert "NOPE" in page


def test_edit_a_contract_and_a_stale_form_is_refused(unit):
    manager = make_user("manager")
    contract = make_contract(equipment=[unit], actor=manager, response_hours=8)
    other = make_equipment(site=unit.site, commissioning_date=TODAY() - dt.timedelta(days=1500))
    client = client_for(manager)
    page = client.get(f"/contracts/{contract.pk}/edit/").content.decode()
    assert other.serial in page and 'value="8"' in page
    data = {"title": contract.title, "start_date": str(contract.start_date), "end_date": str(contract.end_date),
            "equipment": [unit.pk, other.pk], "included_visits_per_year": "4", "response_hours": "2",
            "price": "40000", "currency": "CNY", "version": contract.version}
    r = client.post(f"/contracts/{contract.pk}/edit/", data)
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.response_hours == 2 and contract.equipment.count() == 2
    r = client.post(f"/contracts/{contract.pk}/edit/", {**data, "response_hours": "1"})  # the old version
    assert r.status_code == 200 and "changed by someone else" in r.content.decode()
    contract.refresh_from_db()
    assert contract.response_hours == 2


def test_customer_page_reads_coverage_once_for_all_units(unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    units = [unit] + [make_equipment(site=unit.site, commissioning_date=TODAY() - dt.timedelta(days=1500))
                      for _ in range(4)]
    contract = make_contract(equipment=units)
    client = client_for(make_user("agent"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("customers:detail", args=[unit.customer_id])).content.decode()
    assert page.count(f">Contract {contract.number}") == 5
    coverage_reads = [q for q in queries.captured_queries if "contracts_contract_equipment" in q["sql"]
                      and "customers_equipment" in q["sql"]]
    assert len(coverage_reads) == 1
