"""Suppliers: created and edited by the parts roles, unique codes, listed through the API."""

from __future__ import annotations

import pytest

from aftersales.core.errors import PermissionDenied
from aftersales.core.testing import make_user
from aftersales.suppliers import services
from aftersales.suppliers.models import Supplier

pytestmark = pytest.mark.django_db


def test_create_update_and_refusals():
    keeper = make_user("storekeeper")
    supplier = services.supplier_create(actor=keeper, code="SUP-LS", name="江苏理士电池有限公司")
    with pytest.raises(Exception) as exc:
        services.supplier_create(actor=keeper, code="sup-ls", name="重复")
    assert exc.value.code == "code_taken"
    with pytest.raises(PermissionDenied):
        services.supplier_create(actor=make_user("engineer"), code="X", name="X")
    services.supplier_update(actor=keeper, supplier=supplier, values={"repairs_items": True}, expected_version=1)
    assert Supplier.objects.get().repairs_items and Supplier.objects.count() == 1


def test_api_lists_and_filters(api_client):
    keeper = make_user("storekeeper")
    services.supplier_create(actor=keeper, code="SUP-KH", name="科华数据股份有限公司", repairs_items=True)
    services.supplier_create(actor=keeper, code="SUP-HZ", name="上海汉钟精机股份有限公司")
    client = api_client(make_user("engineer"))
    assert client.get("/api/v1/suppliers").json()["count"] == 2
    assert client.get("/api/v1/suppliers", {"repairs_items": "true"}).json()["results"][0]["code"] == "SUP-KH"
    assert client.post("/api/v1/suppliers", {"code": "A", "name": "B"}, content_type="application/json").status_code == 403
    created = api_client(keeper).post("/api/v1/suppliers", {"code": "SUP-FL", "name": "上海弗列加滤清器有限公司"},
                                      content_type="application/json")
    assert created.status_code == 201 and created["ETag"] == '"1"'
