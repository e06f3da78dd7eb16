"""Warranty and contracts in a real browser: the manager records and activates a maintenance contract, the
dispatcher sees the work order's class on his phone and overrides it with a reason, the agent looks a serial up.

Screenshots go to test-artifacts/contracts-*.png.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def _seed() -> dict[str, Any]:
    from aftersales.core.testing import (
        make_customer,
        make_equipment,
        make_model,
        make_site,
        make_user,
        region_city,
    )
    from aftersales.servicedesk import services as desk

    city = region_city()
    admin = make_user("admin", "admin", is_staff=True, is_superuser=True)
    users = {
        "manager": make_user("manager", "manager", display_name="陈经理"),
        "dispatcher": make_user("dispatcher", "dispatcher", display_name="赵调度"),
        "agent": make_user("agent", "agent", display_name="李客服"),
    }
    customer = make_customer("武汉卓成置业光谷国际大厦物业管理处", actor=admin)
    site = make_site(customer=customer, city=city, actor=admin, name="光谷国际大厦（写字楼）")
    model = make_model("LSBLG-1160", actor=admin, name="螺杆式冷水机组", warranty_months=24)
    old = timezone.localdate() - dt.timedelta(days=1200)
    units = [make_equipment(site=site, product_model=model, actor=admin, serial=f"LS2301{n:04d}",
                            commissioning_date=old, location=f"B2 冷冻机房 {n} 号机") for n in (1, 2, 3)]
    request = desk.request_create(actor=users["agent"], customer=customer, equipment=units[0],
                                  summary="1 号机高压报警停机", symptom="开机 10 分钟后高压报警")
    desk.request_triage(actor=users["dispatcher"], request=request, severity="important")
    return {"users": users, "customer": customer, "units": units, "request": request}


def test_contract_lifecycle_and_service_class(new_page, live_server):
    seed = _seed()
    base = live_server.url
    today = timezone.localdate()

    # The manager records the contract: choose the customer, fill the form, save, activate.
    page = new_page("manager", "zh-CN")
    page.goto(f"{base}/contracts/new/?q=光谷")
    page.click("text=武汉卓成置业光谷国际大厦物业管理处")
    page.fill("input[name=title]", "光谷国际大厦中央空调冷水机组年度维保")
    page.fill("input[name=start_date]", (today - dt.timedelta(days=30)).isoformat())
    page.fill("input[name=end_date]", (today + dt.timedelta(days=45)).isoformat())
    for unit in seed["units"][:2]:
        page.check(f"input[name=equipment][value='{unit.pk}']")
    page.fill("input[name=response_hours]", "4")
    page.fill("input[name=resolution_hours]", "24")
    page.fill("input[name=included_visits_per_year]", "8")
    page.fill("input[name=price]", "186000")
    shot(page, "contracts-form")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "/contracts/" in page.url
    page.click("form.inline button.primary")  # activate
    page.wait_for_load_state("networkidle")
    from aftersales.contracts.models import Contract

    contract = Contract.objects.get()
    assert contract.state == "active" and contract.equipment.count() == 2
    assert contract.number in page.content()
    assert page.locator(".badge.contract-active").count() >= 1
    assert page.locator(".msg-warning").count() >= 1  # ends within 60 days
    shot(page, "contracts-detail")
    page.goto(f"{base}/contracts/")
    assert contract.number in page.content()
    shot(page, "contracts-list")
    assert not page.js_errors, page.js_errors

    # A work order on a covered unit is class B; the dispatcher, on his phone, sets it to D with a reason.
    from aftersales.fieldservice import services as fs

    wo = fs.work_order_create(actor=seed["users"]["dispatcher"], request=seed["request"])
    assert wo.service_class == "B" and wo.contract_id == contract.pk
    phone = new_page("dispatcher", "zh-CN", width=390, height=844)
    phone.goto(f"{base}{_wo_url(wo.pk)}")
    assert phone.locator(".wo-service-class .badge.class-B").count() == 1
    phone.click(".service-class-override summary")
    phone.select_option("select[name=service_class]", "D")
    phone.fill("input[name=reason]", "公司自用设备，内部维修")
    shot(phone, "contracts-work-order-phone")
    phone.click(".service-class-override button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".wo-service-class .badge.class-D").count() == 1
    assert "公司自用设备" in phone.content()
    wo.refresh_from_db()
    assert (wo.service_class, wo.service_class_overridden) == ("D", True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the work order page scrolls sideways on a phone ({width}px)"
    assert not phone.js_errors, phone.js_errors

    # The agent looks the third unit (not covered, out of warranty) and the first (covered) up by serial.
    agent = new_page("agent", "en")  # the user's own language (Chinese) wins over the browser's
    agent.goto(f"{base}/contracts/warranty/?serial={seed['units'][0].serial}")
    assert "B · 合同" in agent.content() and contract.number in agent.content()
    agent.goto(f"{base}/contracts/warranty/?serial={seed['units'][2].serial}")
    assert "A · 有费" in agent.content() and agent.locator(".badge.warranty-expired").count() == 1
    shot(agent, "contracts-warranty")
    assert not agent.js_errors, agent.js_errors


def _wo_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("fieldservice:detail", args=[pk])
