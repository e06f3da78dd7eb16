"""Spare parts in a real browser: the storekeeper adds a part, receives and transfers stock and sets a reorder
point; the engineer uses a part from his van on his phone and takes it off again; purchasing orders the request
the reorder point raised and the storekeeper books the goods in; the valuation report in English.

Screenshots go to test-artifacts/inventory-*.png.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def _seed() -> dict[str, Any]:
    from aftersales.core.testing import (
        make_assigned_work_order,
        make_equipment,
        make_model,
        make_user,
        region_city,
    )
    from aftersales.fieldservice import services as field
    from aftersales.inventory import services
    from aftersales.servicedesk import services as desk
    from aftersales.suppliers.models import Supplier

    city = region_city()
    admin = make_user("admin", "admin", is_staff=True, is_superuser=True)
    keeper = make_user("storekeeper", "storekeeper", display_name="马春生")
    make_user("purchasing", "purchasing", display_name="冯建军")
    engineer = make_user("engineer", "engineer", region=city, display_name="王建国")
    Supplier.objects.create(code="HZ", name="上海汉钟精机股份有限公司")
    model = make_model("LSBLG-1160", actor=admin, name="螺杆式冷水机组 1160kW")
    warehouse = services.location_create(actor=keeper, code="WH-WH", name="武汉中心仓", kind="warehouse", region=city)
    van = services.location_create(actor=keeper, code="VAN-E01", name="王建国 服务车", kind="van", engineer=engineer)
    filter_part = services.part_create(actor=keeper, number="CH-FD-080", name="干燥过滤器 DML 083", unit="个",
                                       cost_price=Decimal("96.00"), list_price=Decimal("160.00"),
                                       compatible_models=[model])
    services.stock_move(actor=keeper, kind="receive", part=filter_part, quantity=6, location=warehouse)
    unit = make_equipment(product_model=model, actor=admin, serial="LS23010001")
    request = desk.request_create(actor=make_user("agent"), customer=unit.customer, equipment=unit,
                                  summary="1 号机高压报警", symptom="开机 10 分钟后高压报警停机")
    desk.request_triage(actor=make_user("dispatcher"), request=request, severity="important")
    wo = make_assigned_work_order(engineer=engineer, request=request)
    field.work_order_accept(actor=engineer, work_order=wo)
    field.visit_arrive(actor=engineer, work_order=wo)
    return {"warehouse": warehouse, "van": van, "wo": wo, "filter": filter_part, "model": model}


def test_parts_stock_visit_and_purchase(new_page, live_server):
    from aftersales.inventory.models import PurchaseRequest, StockBalance

    seed = _seed()
    base = live_server.url

    # The storekeeper adds a contactor to the catalogue.
    page = new_page("storekeeper", "zh-CN")
    page.goto(f"{base}/parts/new/")
    page.fill("input[name=number]", "CH-CT-3210")
    page.fill("input[name=name]", "压缩机接触器 3TF46")
    page.fill("input[name=unit]", "个")
    page.select_option("select[name=compatible_models]", label="LSBLG-1160 螺杆式冷水机组 1160kW")
    page.fill("input[name=list_price]", "680")
    page.fill("input[name=cost_price]", "420")
    page.click("button[type=submit]")
    page.wait_for_url("**/parts/*/")
    assert "压缩机接触器 3TF46" in page.inner_text("h1")

    # Receives 4 into the warehouse and puts 2 on the engineer's van.
    for kind, quantity, target in (("receive", "4", None), ("transfer", "2", seed["van"])):
        page.click(".page-head a[href*='/parts/moves/new/']")
        page.select_option("select[name=kind]", kind)
        page.fill("input[name=quantity]", quantity)
        page.select_option("select[name=location]", str(seed["warehouse"].pk))
        if target:
            page.select_option("select[name=target]", str(target.pk))
        page.click("button[type=submit]")
        page.wait_for_url("**/parts/*/")
    # Asking for more than there is: refused on the form, nothing saved.
    page.click(".page-head a[href*='/parts/moves/new/']")
    page.select_option("select[name=kind]", "issue")
    page.fill("input[name=quantity]", "9")
    page.select_option("select[name=location]", str(seed["warehouse"].pk))
    page.click("button[type=submit]")
    assert page.locator(".msg-error").is_visible()
    page.goto(f"{base}/parts/?q=CH-CT")
    page.click("text=CH-CT-3210")
    assert "4" in page.inner_text(".stock-totals") and "VAN-E01" in page.inner_text("table.stock-by-location")
    shot(page, "inventory-part")

    # A reorder point at the warehouse for the filter: 6 on hand, minimum 5.
    page.goto(f"{base}/parts/locations/{seed['warehouse'].pk}/")
    page.fill(".reorder-form input[name=part]", "CH-FD-080")
    page.fill(".reorder-form input[name=min_level]", "5")
    page.fill(".reorder-form input[name=reorder_quantity]", "20")
    page.click(".reorder-form button[type=submit]")
    assert page.locator(".msg-success").is_visible()
    shot(page, "inventory-location")
    # Two filters leave the warehouse: below the reorder point, a purchase request is raised.
    page.goto(f"{base}/parts/moves/new/?part=CH-FD-080")
    page.select_option("select[name=kind]", "transfer")
    page.fill("input[name=quantity]", "2")
    page.select_option("select[name=location]", str(seed["warehouse"].pk))
    page.select_option("select[name=target]", str(seed["van"].pk))
    page.click("button[type=submit]")
    page.wait_for_url("**/parts/*/")
    pr = PurchaseRequest.objects.get()
    assert pr.state == "open" and pr.quantity == 20

    # The engineer on his phone: finds the contactor, uses one from his van.
    phone = new_page("engineer", "zh-CN", width=390, height=844)
    phone.goto(f"{base}/work/{seed['wo'].pk}/field/")
    assert phone.locator("#stock-parts").is_visible()
    phone.fill("#part-search", "接触器")
    phone.wait_for_selector(".part-pick:has-text('CH-CT-3210')")
    phone.check(".part-pick:has-text('CH-CT-3210') input")
    phone.fill("#part-qty", "1")
    phone.click(".use-part-form button[type=submit]")
    phone.wait_for_selector("ul.used-parts li")
    assert "CH-CT-3210" in phone.inner_text("ul.used-parts")
    shot(phone, "inventory-field-phone")
    part_id = seed["filter"].pk
    assert StockBalance.objects.get(part__number="CH-CT-3210", location=seed["van"]).on_hand == 1
    # More than the van holds: refused, with the reason.
    phone.fill("#part-search", "CH-CT")
    phone.wait_for_selector(".part-pick:has-text('CH-CT-3210')")
    phone.check(".part-pick:has-text('CH-CT-3210') input")
    phone.fill("#part-qty", "5")
    phone.click(".use-part-form button[type=submit]")
    assert phone.locator(".msg-error").is_visible()
    # Taken off again: the stock goes back to the van.
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("ul.used-parts button.remove")
    phone.wait_for_selector(".msg-success")
    assert StockBalance.objects.get(part__number="CH-CT-3210", location=seed["van"]).on_hand == 2
    assert not phone.js_errors, phone.js_errors
    assert part_id

    # Purchasing orders the request from the supplier.
    buyer = new_page("purchasing", "zh-CN")
    buyer.goto(f"{base}/parts/purchases/")
    buyer.click(f"text={pr.number}")
    buyer.select_option("select[name=supplier]", label="上海汉钟精机股份有限公司")
    buyer.click("form[action$='/order/'] button[type=submit]")
    buyer.wait_for_selector(".msg-success")
    shot(buyer, "inventory-purchase")
    # The storekeeper books in 12, then the remaining 8: the request closes.
    for quantity in ("12", "8"):
        page.goto(f"{base}/parts/purchases/{pr.pk}/")
        page.fill("input[name=quantity]", quantity)
        page.click("form[action$='/receive/'] button[type=submit]")
        page.wait_for_selector(".msg-success")
    pr.refresh_from_db()
    assert pr.state == "received" and pr.received_quantity == 20
    shot(page, "inventory-purchase-received")

    # The valuation report in English.
    get_user_model().objects.filter(username="storekeeper").update(language="en")  # his own language decides
    report = new_page("storekeeper", "en")
    report.goto(f"{base}/parts/valuation/")
    assert "Stock valuation" in report.inner_text("h1")
    assert "¥" in report.inner_text("table.valuation tfoot")
    shot(report, "inventory-valuation")
