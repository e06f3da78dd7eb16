"""The RMA screens and API: thin layers over the services, checked end to end."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import PNG_1PX, make_equipment, make_user
from aftersales.rma import services
from aftersales.rma.models import RmaCase

from .factories import make_case, make_part, make_rma_shelf, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_user("rma_clerk", "rma_clerk")


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_screens_walk_a_case_to_the_vendor_and_back(clerk):
    make_rma_shelf()
    part = make_part()
    vendor = make_vendor()
    unit = make_equipment()
    client = _client(clerk)
    response = client.get(reverse("rma:new"), {"customer": unit.customer_id})
    assert response.status_code == 200
    response = client.post(reverse("rma:new"), {
        "customer": unit.customer_id, "equipment": unit.pk, "serial": "", "item_description": "控制板",
        "fault": "不开机", "kind": "exchange", "brought_by": "客户自送"})
    assert response.status_code == 302
    case = RmaCase.objects.get()
    assert case.serial == unit.serial
    url = lambda action: reverse("rma:action", args=[case.pk, action])  # noqa: E731
    assert client.post(url("test"), {"version": 1, "result": "misuse"}).status_code == 400
    assert client.post(url("test"), {"version": 1, "result": "product_fault"}).status_code == 302
    assert client.post(url("hand_over"), {"version": 2}).status_code == 302
    response = client.post(url("ship"), {"version": 3, "vendor": vendor.pk, "carrier": "顺丰", "tracking_number": "SF9",
                                         "shipped_on": timezone.localdate().isoformat(), "left_part_0": part.number,
                                         "left_qty_0": "1", "left_desc_1": "电源线"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == "at_vendor" and case.leftovers.count() == 2
    page = client.get(reverse("rma:detail", args=[case.pk]))
    assert page.status_code == 200 and "Record a chase of the vendor" in page.content.decode()
    for lang in ("en", "zh-hans"):
        pdf = client.get(reverse("rma:packing_list", args=[case.pk]), {"lang": lang})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listing = client.get(reverse("rma:list"))
    assert case.number in listing.content.decode()
    assert client.get(reverse("rma:vendor_stats")).status_code == 200
    assert client.post(url("chase"), {"note": "厂家说周五发"}).status_code == 302
    # A stale form is refused with a message, nothing changes.
    stale = client.post(url("receive"), {"version": 1, "received_on": timezone.localdate().isoformat()})
    assert stale.status_code == 412
    case.refresh_from_db()
    assert case.state == "at_vendor"


def test_screens_in_chinese(clerk):
    make_case(actor=clerk)
    page = _client(clerk, "zh-hans").get(reverse("rma:list"))
    assert page.status_code == 200


def test_api_register_act_and_refuse_out_of_order(clerk, api_client):
    unit = make_equipment()
    client = api_client(clerk)
    response = client.post("/api/v1/rma-cases", {"customer_id": unit.customer_id, "equipment_id": unit.pk,
                                                 "item_description": "主板", "fault": "不开机", "kind": "warranty",
                                                 "brought_by": "张工"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("RMA-") and body["allowed_actions"] == ["test"]
    case_id = body["id"]
    response = client.post(f"/api/v1/rma-cases/{case_id}/receive", {"received_on": timezone.localdate().isoformat()},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = client.post(f"/api/v1/rma-cases/{case_id}/test", {"result": "misuse", "misuse_decision":
                                                                 "return_as_is"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "tested"
    response = client.post(f"/api/v1/rma-cases/{case_id}/return", {"signer_name": "王", "signature": PNG_1PX},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert client.get("/api/v1/rma-cases?state=returned").json()["count"] == 1
    assert client.get(f"/api/v1/rma-cases/{case_id}/packing-list.pdf").status_code == 409


def test_api_packing_list_and_stats(clerk, api_client):
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="product_fault")
    services.rma_hand_over(actor=clerk, case=case)
    services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="SF",
                      shipped_on=timezone.localdate())
    client = api_client(clerk)
    pdf = client.get(f"/api/v1/rma-cases/{case.pk}/packing-list.pdf?lang=zh-hans")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    stats = client.get("/api/v1/rma-vendor-stats").json()["results"]
    assert stats[0]["shipped"] == 1 and stats[0]["away_now"] == 1
    response = client.post(f"/api/v1/rma-cases/{case.pk}/chase", {"note": "已催"}, content_type="application/json")
    assert response.status_code == 201


def test_engineer_registers_what_his_visit_took_back(api_client):
    from aftersales.core.testing import make_assigned_work_order, region_city

    engineer = make_user("engineer", region=region_city())
    work_order = make_assigned_work_order(engineer=engineer)
    other = make_assigned_work_order()
    client = _client(engineer)
    page = client.get(reverse("rma:new"), {"work_order": work_order.pk})
    assert page.status_code == 200 and work_order.number in page.content.decode()
    unit = work_order.request.equipment
    response = client.post(reverse("rma:new") + f"?work_order={work_order.pk}", {
        "customer": unit.customer_id, "source_work_order": work_order.pk, "equipment": unit.pk,
        "item_description": "控制板", "fault": "不开机", "kind": "warranty", "brought_by": "工程师"})
    assert response.status_code == 302
    case = RmaCase.objects.get()
    assert case.source_work_order == work_order and case.registered_by == engineer
    assert client.get(reverse("rma:detail", args=[case.pk])).status_code == 200
    # Through the API, another engineer's work order (or a customer he cannot see) is refused.
    api = api_client(engineer)
    response = api.post("/api/v1/rma-cases", {"customer_id": other.request.customer_id,
                                              "source_work_order_id": other.pk, "item_description": "板",
                                              "fault": "坏", "kind": "warranty", "brought_by": "我"},
                        content_type="application/json")
    assert response.status_code == 422 and RmaCase.objects.count() == 1
    response = api.post("/api/v1/rma-cases", {"customer_id": other.request.customer_id, "serial": "X1",
                                              "item_description": "板", "fault": "坏", "kind": "warranty",
                                              "brought_by": "我"}, content_type="application/json")
    assert response.status_code == 422 and RmaCase.objects.count() == 1


def test_rma_list_does_not_grow_queries_with_rows(clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(clerk)
    make_case(actor=clerk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("rma:list"), {"state": ""}).status_code == 200
        return len(ctx.captured_queries)

    first = count()
    for _ in range(4):
        make_case(actor=clerk)
    assert count() == first


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def test_signed_return_receipt_pdf_in_both_languages(clerk, api_client):
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="misuse", misuse_decision="return_as_is")
    client = Client()
    client.force_login(clerk)
    url = reverse("rma:return_receipt", args=[case.pk])
    assert client.get(url).status_code == 404  # not signed for yet
    assert api_client(clerk).get(f"/api/v1/rma-cases/{case.pk}/return-receipt.pdf").status_code == 409
    services.rma_return(actor=clerk, case=case, signer_name="王经理", signature_data_url=PNG_1PX)
    chinese = _pdf_text(client.get(url, {"lang": "zh-hans"}).content)
    assert "返修件交还回执" in chinese and "王经理" in chinese and case.number in chinese
    english = _pdf_text(client.get(url, {"lang": "en"}).content)
    assert "Return receipt" in english and case.serial in english
    answer = api_client(clerk).get(f"/api/v1/rma-cases/{case.pk}/return-receipt.pdf?lang=en")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_work_order_page_offers_rma_registration_for_a_taken_back_item(clerk):
    from aftersales.core.testing import make_assigned_work_order
    from aftersales.fieldservice import services as field

    engineer = make_user("engineer")
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    field.visit_record(actor=engineer, visit=visit, values={
        "diagnosis": "主板烧毁", "outcome": "taken_back", "takeback_item": "控制主板", "takeback_serial": "MB-1"})
    link = f"{reverse('rma:new')}?work_order={wo.pk}"
    for user, shown in ((clerk, True), (make_user("dispatcher"), False)):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("fieldservice:detail", args=[wo.pk])).content.decode()
        assert (link in page) is shown, user.role
    client = Client()
    client.force_login(clerk)
    form = client.get(link).content.decode()
    assert "控制主板" in form and "MB-1" in form  # pre-filled from the visit's take-back details
