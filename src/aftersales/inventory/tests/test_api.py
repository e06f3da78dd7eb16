"""The spare-parts API: the catalogue, moves with their refusals (code, status, nothing saved), purchase requests
and parts used on a visit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.testing import make_assigned_work_order, make_model, make_user, region_city
from aftersales.fieldservice import services as field
from aftersales.fieldservice.models import PartUsage
from aftersales.suppliers.models import Supplier

from ..models import Part, PurchaseRequest, StockBalance, StockMove
from .factories import make_location, make_part, make_van, stock

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_part_create_get_patch_and_search(api_client):
    keeper = make_user("storekeeper")
    client = api_client(keeper)
    model = make_model(code="LSBLG-1160")
    supplier = Supplier.objects.create(code="SUP1", name="上海汉钟精机股份有限公司")
    body = {"number": "CH-CT-1", "name": "压缩机接触器", "unit": "pcs", "compatible_model_ids": [model.pk],
            "supplier_id": supplier.pk, "list_price": "680.00", "cost_price": "420.5"}
    created = client.post("/api/v1/parts", body, content_type=JSON)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["compatible_models"][0]["code"] == "LSBLG-1160" and data["cost_price"] == "420.50"
    again = client.post("/api/v1/parts", body, content_type=JSON)
    assert again.status_code == 422 and again.json()["code"] == "code_taken"
    negative = client.post("/api/v1/parts", {**body, "number": "X2", "list_price": "-1"}, content_type=JSON)
    assert negative.status_code == 422
    pid = data["id"]
    got = client.get(f"/api/v1/parts/{pid}")
    assert got.status_code == 200 and got["ETag"] == '"1"'
    patched = client.patch(f"/api/v1/parts/{pid}", {"list_price": "700"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200 and patched.json()["list_price"] == "700.00"
    stale = client.patch(f"/api/v1/parts/{pid}", {"name": "x"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    for q in ("CH-CT", "接触器", "LSBLG"):
        assert client.get("/api/v1/parts", {"q": q}).json()["count"] == 1, q
    assert client.get("/api/v1/parts", {"q": "nothing"}).json()["count"] == 0


def test_moves_and_their_refusals(api_client):
    keeper = make_user("storekeeper")
    client = api_client(keeper)
    part, wh, sp = make_part(actor=keeper), make_location(actor=keeper), make_location("service_point", actor=keeper)

    def post(**body):
        return client.post("/api/v1/stock-moves", {"part_id": part.pk, "location_id": wh.pk, **body},
                           content_type=JSON)

    ok = post(kind="receive", quantity="10")
    assert ok.status_code == 201 and ok.json()["quantity"] == "10.00"
    assert post(kind="transfer", quantity=4, target_id=sp.pk).status_code == 201
    before = StockMove.objects.count()
    for body, status, code in [
        ({"kind": "issue", "quantity": "-1"}, 422, "invalid_quantity"),
        ({"kind": "issue", "quantity": "0"}, 422, "invalid_quantity"),
        ({"kind": "issue", "quantity": "1.001"}, 422, "invalid_quantity"),
        ({"kind": "issue", "quantity": "7"}, 409, "insufficient_stock"),
        ({"kind": "reserve", "quantity": "7"}, 409, "insufficient_stock"),
        ({"kind": "issue", "quantity": "1", "part_id": 999999}, 422, "unknown_part"),
        ({"kind": "issue", "quantity": "1", "location_id": 999999}, 422, "unknown_location"),
        ({"kind": "transfer", "quantity": "1"}, 422, "invalid_move"),
        ({"kind": "scrap", "quantity": "1"}, 422, "reason_required"),
    ]:
        response = post(**body)
        assert response.status_code == status and response.json()["code"] == code, (body, response.content)
    assert StockMove.objects.count() == before
    assert StockBalance.objects.get(part=part, location=wh).on_hand == Decimal(6)
    stock_answer = client.get(f"/api/v1/parts/{part.pk}/stock").json()
    assert stock_answer["on_hand"] == "10.00" and stock_answer["count"] == 2 and len(stock_answer["results"]) == 2
    first_page = client.get(f"/api/v1/parts/{part.pk}/stock", {"page_size": 1}).json()
    assert [first_page["count"], first_page["pages"], len(first_page["results"])] == [2, 2, 1]
    assert first_page["on_hand"] == "10.00"  # the totals cover every location, not the page
    assert client.get("/api/v1/stock-moves", {"part": part.pk, "kind": "transfer"}).json()["count"] == 1
    assert client.get(f"/api/v1/stock-locations/{sp.pk}/stock").json()["results"][0]["available"] == "4.00"
    valuation = client.get("/api/v1/stock-valuation").json()
    assert valuation["total"] == "800.00" and valuation["count"] == 2
    valuation = client.get("/api/v1/stock-valuation", {"page_size": 1, "page": 2}).json()
    assert len(valuation["results"]) == 1 and valuation["total"] == "800.00"


def test_an_engineer_cannot_move_stock_through_the_api(api_client):
    part, wh = make_part(), make_location()
    response = api_client(make_user("engineer")).post(
        "/api/v1/stock-moves", {"kind": "receive", "part_id": part.pk, "location_id": wh.pk, "quantity": 1},
        content_type=JSON)
    assert response.status_code == 403 and not StockMove.objects.exists()


def test_purchase_request_flow(api_client):
    keeper, buyer = make_user("storekeeper"), make_user("purchasing")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    supplier = Supplier.objects.create(code="SUP2", name="武汉冷联机电设备有限公司")
    point = api_client(keeper).post("/api/v1/reorder-points", {"part_id": part.pk, "location_id": wh.pk,
                                                               "min_level": "2", "reorder_quantity": "10"},
                                    content_type=JSON)
    assert point.status_code == 200
    pr = PurchaseRequest.objects.get()  # nothing in stock: raised at once
    b = api_client(buyer)
    assert b.post(f"/api/v1/purchase-requests/{pr.pk}/receive", {"quantity": 1},
                  content_type=JSON).json()["code"] == "invalid_transition"
    ordered = b.post(f"/api/v1/purchase-requests/{pr.pk}/order", {"supplier_id": supplier.pk,
                                                                  "expected_on": "2026-12-01"}, content_type=JSON)
    assert ordered.status_code == 200 and ordered.json()["state"] == "ordered"
    k = api_client(keeper)
    assert k.post(f"/api/v1/purchase-requests/{pr.pk}/receive", {"quantity": 4}, content_type=JSON).status_code == 201
    assert k.get(f"/api/v1/purchase-requests/{pr.pk}").json()["state"] == "ordered"
    assert k.post(f"/api/v1/purchase-requests/{pr.pk}/receive", {"quantity": 6}, content_type=JSON).status_code == 201
    assert k.get(f"/api/v1/purchase-requests/{pr.pk}").json()["received_quantity"] == "10.00"
    assert k.get("/api/v1/purchase-requests", {"state": "received"}).json()["count"] == 1
    assert k.post(f"/api/v1/purchase-requests/{pr.pk}/cancel", {"reason": "x"}, content_type=JSON).status_code == 403


def test_engineer_uses_and_removes_a_part_on_his_visit(api_client):
    engineer = make_user("engineer", region=region_city())
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    van, part = make_van(engineer), make_part()
    stock(part, van, 2)
    client = api_client(engineer)
    too_many = client.post(f"/api/v1/visits/{visit.pk}/parts", {"part_id": part.pk, "quantity": 3},
                           content_type=JSON)
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    unknown = client.post(f"/api/v1/visits/{visit.pk}/parts", {"part_id": 987654, "quantity": 1},
                          content_type=JSON)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_part"
    assert not PartUsage.objects.exists()
    used = client.post(f"/api/v1/visits/{visit.pk}/parts", {"part_id": part.pk, "quantity": 2}, content_type=JSON)
    assert used.status_code == 201 and used.json()["part_id"] == part.pk
    assert StockBalance.objects.get(part=part, location=van).on_hand == 0
    other = api_client(make_user("engineer"))
    assert other.delete(f"/api/v1/part-usages/{used.json()['id']}").status_code == 404
    assert client.delete(f"/api/v1/part-usages/{used.json()['id']}").status_code == 204
    assert StockBalance.objects.get(part=part, location=van).on_hand == 2
    assert Part.objects.count() == 1
