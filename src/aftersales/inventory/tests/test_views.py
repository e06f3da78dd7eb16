"""The spare-parts screens: lists paginate and search, forms refuse bad input in the user's language and save
nothing, the engineer's field page uses and removes catalogue parts, the valuation CSV adds up."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from aftersales.core.testing import make_assigned_work_order, make_model, make_user, region_city
from aftersales.fieldservice import services as field
from aftersales.fieldservice.models import PartUsage
from aftersales.suppliers.models import Supplier

from .. import services
from ..models import Part, PurchaseRequest, StockBalance, StockMove
from .factories import make_location, make_part, make_van, stock

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_part_list_search_and_page():
    keeper = make_user("storekeeper")
    model = make_model(code="YC6MK-420", name="YC6MK 柴油发动机")
    make_part(actor=keeper, number="DS-FF-YC6", name="柴油滤清器", compatible_models=[model])
    for i in range(30):
        make_part(actor=keeper, number=f"EV-{i:03d}", name="门滑块")
    client = _client(keeper)
    assert "DS-FF-YC6" in client.get("/parts/?q=YC6MK").content.decode()
    assert "DS-FF-YC6" in client.get("/parts/?q=柴油").content.decode()
    body = client.get("/parts/?q=EV-").content.decode()
    assert "EV-000" in body and "EV-029" not in body and "Page 1 of 2" in body


def test_move_form_refuses_and_saves_nothing():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    client = _client(keeper)
    response = client.post("/parts/moves/new/", {"kind": "issue", "part": part.number, "quantity": "1",
                                                  "location": wh.pk})
    assert response.status_code == 409 and "Only 0.00" in response.content.decode()
    response = client.post("/parts/moves/new/", {"kind": "receive", "part": "NOPE", "quantity": "1",
                                                  "location": wh.pk})
    assert response.status_code == 400 and "no such part" in response.content.decode()
    response = client.post("/parts/moves/new/", {"kind": "receive", "part": part.number, "quantity": "-3",
                                                  "location": wh.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and "positive number" in response.content.decode()
    assert not StockMove.objects.exists()
    ok = client.post("/parts/moves/new/", {"kind": "receive", "part": part.number.lower(), "quantity": "2.5",
                                            "location": wh.pk})
    assert ok.status_code == 302 and StockBalance.objects.get().on_hand == Decimal("2.5")
    assert "RECEIVE" in client.get(f"/parts/moves/?location={wh.pk}").content.decode().upper()


def test_part_create_and_edit_forms():
    keeper = make_user("storekeeper")
    client = _client(keeper)
    data = {"number": "CH-CT-1", "name": "接触器", "unit": "个", "list_price": "10", "cost_price": "6",
            "currency": "CNY", "is_active": "on"}
    assert client.post("/parts/new/", data).status_code == 302
    again = client.post("/parts/new/", data)
    assert again.status_code == 422 and Part.objects.count() == 1
    part = Part.objects.get()
    edited = client.post(f"/parts/{part.pk}/edit/", {**data, "name": "接触器 3TF46", "version": part.version})
    assert edited.status_code == 302
    part.refresh_from_db()
    assert part.name == "接触器 3TF46" and part.version == 2


def test_engineer_uses_and_removes_a_part_on_the_field_page():
    engineer = make_user("engineer", region=region_city())
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    van, part = make_van(engineer), make_part(compatible_models=[wo.request.equipment.product_model])
    stock(part, van, 2)
    client = _client(engineer)
    page = client.get(f"/work/{wo.pk}/field/").content.decode()
    assert "Parts from stock" in page and part.number in page and "fits this unit" in page
    picker = client.get("/parts/pick/", {"q": part.number[:3], "model": "99999999999999999999"})
    assert picker.status_code == 200 and part.number in picker.content.decode()
    too_many = client.post(f"/work/{wo.pk}/field/use_part/", {"part": part.pk, "quantity": "3"}, follow=True)
    assert "Only 2.00" in too_many.content.decode() and not PartUsage.objects.exists()
    client.post(f"/work/{wo.pk}/field/use_part/", {"part": part.pk, "quantity": "1"})
    usage = PartUsage.objects.get()
    assert usage.visit == visit and StockBalance.objects.get(location=van).on_hand == 1
    client.post(f"/work/{wo.pk}/field/remove_part/", {"usage": usage.pk})
    assert not PartUsage.objects.exists() and StockBalance.objects.get(location=van).on_hand == 2


def test_purchase_pages_order_receive_and_cancel():
    keeper, buyer = make_user("storekeeper"), make_user("purchasing")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    supplier = Supplier.objects.create(code="S", name="武汉冷联机电设备有限公司")
    pr = services.purchase_request_create(actor=buyer, part=part, location=wh, quantity=5)
    b = _client(buyer)
    assert pr.number in b.get("/parts/purchases/").content.decode()
    assert b.post(f"/parts/purchases/{pr.pk}/order/", {"version": pr.version}).status_code == 400
    b.post(f"/parts/purchases/{pr.pk}/order/", {"supplier": supplier.pk, "version": pr.version})
    pr.refresh_from_db()
    assert pr.state == "ordered"
    k = _client(keeper)
    assert k.post(f"/parts/purchases/{pr.pk}/order/", {"supplier": supplier.pk}).status_code == 403
    bad = k.post(f"/parts/purchases/{pr.pk}/receive/", {"quantity": "0"})
    assert bad.status_code == 422
    k.post(f"/parts/purchases/{pr.pk}/receive/", {"quantity": "5"})
    pr.refresh_from_db()
    assert pr.state == "received" and StockBalance.objects.get().on_hand == 5
    assert PurchaseRequest.objects.count() == 1


def test_valuation_csv_adds_up():
    keeper = make_user("storekeeper")
    wh = make_location(actor=keeper, code="WH-WH", name="武汉中心仓")
    stock(make_part(actor=keeper, cost_price=Decimal("12.50")), wh, 4, keeper)
    stock(make_part(actor=keeper, cost_price=Decimal("0.35")), wh, 3, keeper)
    response = _client(make_user("finance")).get("/parts/valuation.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "WH-WH" and rows[1][-1] == "51.05" and rows[-1][-1] == "51.05"
