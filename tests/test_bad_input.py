"""Bad input answers 4xx with the error body, never 500, and saves nothing: the cases a review found that did
(NUL characters on PostgreSQL, dates and amounts past what arithmetic holds, damaged images, oversized versions,
paths and methods the API does not have). Runs on SQLite and on PostgreSQL, where NUL is fatal to a query."""

from __future__ import annotations

import io
import json
import zlib

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from aftersales.core.testing import make_assigned_work_order, make_customer, make_request

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


API_READS = ["/api/v1/customers", "/api/v1/sites", "/api/v1/contacts", "/api/v1/product-models", "/api/v1/equipment",
             "/api/v1/service-requests", "/api/v1/regions", "/api/v1/engineers", "/api/v1/intake/search",
             "/api/v1/contracts", "/api/v1/parts", "/api/v1/suppliers", "/api/v1/rma-cases", "/api/v1/warranty"]
WEB_READS = ["customers:list", "customers:models", "servicedesk:list", "servicedesk:intake", "servicedesk:intake_search",
             "feedback:complaint_customer_search", "contracts:list", "inventory:parts", "rma:list", "rma:new"]


@pytest.mark.parametrize("path", API_READS)
def test_nul_in_a_query_string_is_refused_by_the_api(users, api_client, path):
    response = api_client(users["manager"]).get(f"{path}?q=a%00b&serial=a%00b")
    assert response.status_code == 400 and response.json()["code"] == "nul_character"


@pytest.mark.parametrize("name", WEB_READS)
def test_nul_in_a_query_string_is_refused_by_the_pages(users, name):
    response = login(users["manager"]).get(reverse(name) + "?q=a%00b")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_refused_and_nothing_is_saved(users):
    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    from aftersales.fieldservice import services

    services.work_order_accept(actor=users["engineer"], work_order=wo)
    visit = services.visit_arrive(actor=users["engineer"], work_order=wo)
    response = login(users["engineer"]).post(reverse("fieldservice:field_action", args=[wo.pk, "record"]), {
        "v-diagnosis": "主板损坏", "v-outcome": "fixed", "part_description": ["a\x00b"], "part_quantity": ["1"],
        "part_unit": ["个"]})
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.diagnosis == "" and not visit.parts.exists()


def test_nul_in_the_sign_in_name_is_a_validation_error(api_client):
    response = api_client().post("/api/v1/auth/token", json.dumps({"username": "agent\x00", "password": "x"}),
                                 content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "username"


def test_dates_beyond_arithmetic_are_refused_or_ignored(users, api_client):
    client = api_client(users["dispatcher"])
    for query in ("created_to=9999-12-31", "created_from=0001-01-01"):
        response = client.get(f"/api/v1/service-requests?{query}")
        assert response.status_code == 422, query
    pages = login(users["dispatcher"])
    for url in (reverse("servicedesk:list") + "?created_to=9999-12-31",
                reverse("servicedesk:list") + "?created_from=0001-01-01",
                reverse("fieldservice:board") + "?day=9999-12-31", reverse("fieldservice:board") + "?day=0001-01-01"):
        assert pages.get(url).status_code == 200, url  # the filter is shown as invalid, the page still answers


def test_amounts_beyond_arithmetic_are_refused(users, api_client):
    from aftersales.inventory import services as inventory

    part = inventory.part_create(actor=users["admin"], number="CH-CT-3211", name="风机交流接触器")
    location = inventory.location_create(actor=users["admin"], code="WH-01", name="中心仓库", kind="warehouse")
    from aftersales.core.testing import make_user

    keeper = make_user("storekeeper")
    for quantity in ("1e30", "sNaN", "Infinity", "-1e30"):
        response = api_client(keeper).post("/api/v1/stock-moves", json.dumps({
            "kind": "receive", "part_id": part.pk, "quantity": quantity, "location_id": location.pk}),
            content_type="application/json")
        assert response.status_code == 422, (quantity, response.status_code)
    from aftersales.core.money import money

    for value in ("1e30", "sNaN", "NaN"):
        with pytest.raises(ValueError):
            money(value)


def test_an_oversized_if_match_is_a_precondition_failure(users, api_client):
    request = make_request(actor=users["agent"])
    response = api_client(users["agent"]).patch(f"/api/v1/service-requests/{request.pk}",
                                                json.dumps({"summary": "改"}), content_type="application/json",
                                                HTTP_IF_MATCH='"' + "9" * 5000 + '"')
    assert response.status_code == 412


def _damaged_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    crc_at = idat + 4 + length
    data[crc_at:crc_at + 4] = (zlib.crc32(b"wrong") & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(data)


def test_a_damaged_image_is_refused_and_a_batch_with_one_is_refused_whole(users):
    from aftersales.fieldservice import services
    from aftersales.fieldservice.models import Photo

    wo = make_assigned_work_order(engineer=users["engineer"], dispatcher=users["dispatcher"])
    services.work_order_accept(actor=users["engineer"], work_order=wo)
    services.visit_arrive(actor=users["engineer"], work_order=wo)
    good = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(good, format="PNG")
    good.seek(0)
    good.name = "good.png"
    bad = io.BytesIO(_damaged_png())
    bad.name = "bad.png"
    response = login(users["engineer"]).post(reverse("fieldservice:field_action", args=[wo.pk, "photo"]),
                                             {"p-photos": [good, bad]})
    assert response.status_code in (200, 302, 400, 422)
    assert Photo.objects.count() == 0


def test_api_paths_and_methods_it_does_not_have_answer_the_problem_body(users, api_client):
    client = api_client(users["agent"])
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"
    customer = make_customer(actor=users["admin"])
    wrong = client.delete(f"/api/v1/customers/{customer.pk}")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
