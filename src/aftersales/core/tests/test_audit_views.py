"""The audit trail screens: list with filters, a record's history, the chain check, and who may see what."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from aftersales.core.models import AuditEntry
from aftersales.core.testing import make_equipment, make_request, make_site, region_city
from aftersales.servicedesk import services as desk
from aftersales.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session["language"] = "en"
    session.save()
    return client


def record_url(name: str, instance) -> str:
    ct = ContentType.objects.get_for_model(instance)
    return reverse(name, args=[ct.pk, instance.pk])


def test_list_shows_latest_entries_with_links(users):
    request = make_request(actor=users["agent"])
    body = login(users["manager"]).get(reverse("core:audit_list")).content.decode()
    assert request.number in body
    assert record_url("core:audit_record", request) in body


def test_list_filters_by_actor_type_and_date(users):
    request = make_request(actor=users["agent"])
    desk.request_triage(actor=users["dispatcher"], request=request, severity="urgent")
    client = login(users["manager"])
    sr_type = ContentType.objects.get_for_model(ServiceRequest)
    by_dispatcher = client.get(reverse("core:audit_list"), {"actor": users["dispatcher"].pk}).context["page"]
    assert {e.actor_id for e in by_dispatcher["results"]} == {users["dispatcher"].pk}
    of_requests = client.get(reverse("core:audit_list"), {"record_type": sr_type.pk}).context["page"]
    assert of_requests["results"] and {e.content_type_id for e in of_requests["results"]} == {sr_type.pk}
    future = client.get(reverse("core:audit_list"), {"date_from": "2199-01-01"}).context["page"]
    assert future["results"] == []
    bad = client.get(reverse("core:audit_list"), {"date_from": "not-a-date", "actor": "x"})
    assert bad.status_code == 200


def test_list_query_count_is_flat(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(users["manager"])
    make_request(actor=users["agent"])
    client.get(reverse("core:audit_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:audit_list"))
    for _ in range(5):
        make_request(actor=users["agent"])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("core:audit_list"))
    assert len(many) == len(few)


def test_verify_chain_intact_then_broken(users):
    request = make_request(actor=users["agent"])
    desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    client = login(users["manager"])
    page = client.get(record_url("core:audit_record", request))
    assert page.status_code == 200 and "Verify chain" in page.content.decode()
    ok = client.get(record_url("core:audit_verify", request), HTTP_HX_REQUEST="true")
    assert "History intact" in ok.content.decode()
    entry = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(request),
                                      object_id=request.pk).first()
    AuditEntry.objects.filter(pk=entry.pk).update(changes={"summary": [None, "tampered"]})
    broken = client.get(record_url("core:audit_verify", request))  # full page without htmx
    assert broken.status_code == 200 and "History broken" in broken.content.decode()


def test_lead_sees_only_his_province(users):
    mine = make_request(actor=users["agent"])
    elsewhere = make_request(actor=users["agent"], equipment=make_equipment(
        site=make_site(city=region_city("440300", "深圳市", "440000", "广东省"))))
    client = login(users["lead"])
    body = client.get(reverse("core:audit_list")).content.decode()
    assert mine.number in body and elsewhere.number not in body
    assert client.get(record_url("core:audit_record", mine)).status_code == 200
    assert client.get(record_url("core:audit_record", elsewhere)).status_code == 404
    assert client.get(record_url("core:audit_verify", elsewhere)).status_code == 404


def test_unknown_record_is_404(users):
    client = login(users["manager"])
    assert client.get(reverse("core:audit_record", args=[999999, 1])).status_code == 404
    sr_type = ContentType.objects.get_for_model(ServiceRequest)
    assert client.get(reverse("core:audit_record", args=[sr_type.pk, 424242])).status_code == 404


def test_engineer_gets_403(users):
    request = make_request(actor=users["agent"])
    client = login(users["engineer"])
    assert client.get(reverse("core:audit_list")).status_code == 403
    assert client.get(record_url("core:audit_record", request)).status_code == 403


def test_list_pages_without_counting(users, monkeypatch):
    from aftersales.core import audit_views

    monkeypatch.setattr(audit_views, "PAGE_SIZE", 2)
    for _ in range(3):
        make_request(actor=users["agent"])
    client = login(users["manager"])
    first = client.get(reverse("core:audit_list"))
    assert first.context["page"]["has_next"] and "Older" in first.content.decode()
    second = client.get(reverse("core:audit_list"), {"page": 2})
    assert second.context["page"]["has_previous"]
    assert {e.pk for e in first.context["page"]["results"]}.isdisjoint(e.pk for e in second.context["page"]["results"])


def test_every_context_s_records_have_a_history_page_and_a_link(users):
    """The trail lists the changes of every bounded context; each row's record opens (its own page, or its history
    in the audit trail), and the record-type filter offers them."""
    from aftersales.inventory import services as inventory
    from aftersales.inventory.models import StockLocation

    keeper = users["admin"]
    part = inventory.part_create(actor=keeper, number="CH-CT-3211", name="风机交流接触器")
    location = inventory.location_create(actor=keeper, code="WH-01", name="中心仓库", kind="warehouse")
    client = login(users["manager"])
    body = client.get(reverse("core:audit_list")).content.decode()
    assert reverse("inventory:part", args=[part.pk]) in body
    for record in (part, location):
        assert client.get(record_url("core:audit_record", record)).status_code == 200
    assert isinstance(location, StockLocation)
    types = client.get(reverse("core:audit_list")).context["form"].fields["record_type"].queryset
    assert {"inventory", "contracts", "billing", "rma", "returns"} <= {ct.app_label for ct in types}
