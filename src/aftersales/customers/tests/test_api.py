"""Contract tests of the customers API: CRUD of the installed base, scoping, If-Match, errors, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.testing import make_customer, make_equipment, make_model, make_site, region_city
from aftersales.customers import services

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"type", "title", "status", "code", "detail", "errors"} <= set(body)
    if code:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize("path", ["customers", "sites", "contacts", "product-models", "equipment"])
def test_anonymous_401(api_client, path):
    assert_problem(api_client().get(f"{API}/{path}"), 401, "not_authenticated")


def test_create_and_patch_the_installed_base(users, api_client, city):
    agent = api_client(users["agent"])
    customer = agent.post(f"{API}/customers", {"name": "武汉卓成机电", "phone": "027-8765 4321", "code": "C-1"},
                          content_type=JSON)
    assert customer.status_code == 201, customer.content
    cid = customer.json()["id"]
    assert agent.get(f"{API}/customers", {"q": "whzc"}).json()["results"][0]["id"] == cid
    assert_problem(agent.post(f"{API}/customers", {"name": "重复", "code": "C-1"}, content_type=JSON), 422,
                   "code_taken")
    site = agent.post(f"{API}/sites", {"customer_id": cid, "name": "卓成大厦", "address": "珞喻路 1 号",
                                       "city_id": city.pk}, content_type=JSON)
    assert site.status_code == 201, site.content
    assert site.json()["province"]["id"] == city.parent_id
    assert_problem(agent.post(f"{API}/sites", {"customer_id": cid, "name": "x", "address": "y",
                                               "city_id": city.parent_id}, content_type=JSON), 422, "city_required")
    sid = site.json()["id"]
    contact = agent.post(f"{API}/contacts", {"customer_id": cid, "site_id": sid, "name": "张经理",
                                             "phone": "138 0027 1234"}, content_type=JSON)
    assert contact.status_code == 201, contact.content
    model = agent.post(f"{API}/product-models", {"code": "LSBLG-1", "name": "螺杆式冷水机组", "warranty_months": 24},
                       content_type=JSON)
    assert model.status_code == 201, model.content
    unit = agent.post(f"{API}/equipment", {"product_model_id": model.json()["id"], "serial": "SN1", "site_id": sid,
                                           "commissioning_date": "2026-01-01"}, content_type=JSON)
    assert unit.status_code == 201, unit.content
    assert unit.json()["warranty_end"] == "2027-12-31"
    assert_problem(agent.post(f"{API}/equipment", {"product_model_id": model.json()["id"], "serial": "SN1",
                                                   "site_id": sid}, content_type=JSON), 422, "duplicate_serial")
    assert_problem(agent.post(f"{API}/equipment", {"product_model_id": model.json()["id"], "serial": "SN2",
                                                   "site_id": sid, "warranty_start": "2026-02-01",
                                                   "warranty_end": "2026-01-01"}, content_type=JSON), 422)
    uid = unit.json()["id"]
    assert_problem(agent.patch(f"{API}/equipment/{uid}", {"warranty_end": "2020-01-01"}, content_type=JSON), 422,
                   "warranty_end_before_start")
    patched = agent.patch(f"{API}/equipment/{uid}", {"location": "B2 机房"}, content_type=JSON,
                          HTTP_IF_MATCH=unit["ETag"])
    assert patched.status_code == 200 and patched["ETag"] == '"2"'
    assert_problem(agent.patch(f"{API}/equipment/{uid}", {"location": "B3"}, content_type=JSON,
                               HTTP_IF_MATCH=unit["ETag"]), 412, "stale_version")
    assert_problem(agent.patch(f"{API}/customers/{cid}", {"name": None}, content_type=JSON), 422)
    assert agent.patch(f"{API}/customers/{cid}", {"name": "武汉卓成"}, content_type=JSON).json()["name"] == "武汉卓成"
    assert agent.patch(f"{API}/contacts/{contact.json()['id']}", {"site_id": None},
                       content_type=JSON).json()["site"] is None


def test_roles_and_regions(users, api_client):
    other_city = region_city("440100", "广州市", "440000", "广东省")
    mine = make_site(city=users["lead"].region.children.first())
    theirs = make_site(city=other_city)
    lead = api_client(users["lead"])
    assert [c["id"] for c in lead.get(f"{API}/customers").json()["results"]] == [mine.customer_id]
    assert_problem(lead.get(f"{API}/customers/{theirs.customer_id}"), 404)
    assert_problem(lead.get(f"{API}/sites/{theirs.pk}"), 404)
    assert_problem(lead.post(f"{API}/customers", {"name": "x"}, content_type=JSON), 403, "permission_denied")
    assert_problem(api_client(users["engineer"]).get(f"{API}/customers"), 403)
    assert_problem(api_client(users["dispatcher"]).patch(f"{API}/sites/{mine.pk}", {"name": "y"},
                                                         content_type=JSON), 403)


def test_bad_input(users, api_client):
    agent = api_client(users["agent"])
    assert_problem(agent.post(f"{API}/customers", {"name": "x" * 121}, content_type=JSON), 422, "validation_failed")
    assert_problem(agent.post(f"{API}/customers", {"name": "a", "email": "nope"}, content_type=JSON), 422)
    assert_problem(agent.post(f"{API}/customers", {"name": "a\u0000b"}, content_type=JSON), 422)
    assert_problem(agent.post(f"{API}/customers", {"name": "a", "kind": "robot"}, content_type=JSON), 422)
    assert_problem(agent.get(f"{API}/customers/99999999999999999999"), 422)
    assert_problem(agent.get(f"{API}/customers/123456"), 404, "not_found")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_query_counts_do_not_grow(users, api_client, city):
    agent = api_client(users["agent"])
    urls = [f"{API}/{p}" for p in ("customers", "sites", "contacts", "product-models", "equipment")]

    def add_one():
        unit = make_equipment()
        services.contact_create(actor=users["agent"], customer=unit.customer, site=unit.site, name="李工",
                                phone="13800000000")

    add_one()
    one = [_count(agent, u) for u in urls]
    for _ in range(9):
        add_one()
    assert [_count(agent, u) for u in urls] == one
    assert make_customer and make_model


def test_lists_sort_by_documented_keys_only(users, api_client):
    from aftersales.core.testing import make_customer

    for name in ("乙公司", "甲公司", "丙公司"):
        make_customer(name=name, actor=users["admin"])
    client = api_client(users["agent"])
    ascending = [c["name"] for c in client.get("/api/v1/customers?sort=name").json()["results"]]
    descending = [c["name"] for c in client.get("/api/v1/customers?sort=-name").json()["results"]]
    assert descending == ascending[::-1] and len(ascending) == 3
    newest = client.get("/api/v1/customers?sort=-created").json()["results"][0]["name"]
    assert newest == "丙公司"
    refused = client.get("/api/v1/customers?sort=phone_digits")
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][-1] == "sort"
    assert api_client(users["manager"]).get("/api/v1/complaints?sort=-number").status_code == 200
