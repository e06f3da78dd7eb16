"""Return for repair in a real browser: the RMA clerk registers an item, tests it, ships it to a vendor with a
leftover part kept on the RMA shelf, chases the vendor, receives it back, retests it and returns it with the
customer's signature (on a phone); an agent marks the customer notice of a long-away item as sent. Both languages;
screenshots in test-artifacts/rma-*."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def _seed():
    import time_machine
    from django.utils import timezone

    from aftersales.core.testing import make_equipment, make_user
    from aftersales.rma import services
    from aftersales.rma.tests.factories import make_case, make_part, make_rma_shelf, make_vendor

    clerk = make_user("rma_clerk", "rma_clerk", display_name="邓丽")
    make_user("agent", "agent", display_name="李静")
    make_rma_shelf()
    make_part(number="UPS-FAN-120", name="UPS 模块散热风扇")
    vendor = make_vendor("科华数据返修中心")
    unit = make_equipment(serial="UPS200K-2024-0418")
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        away = make_case(actor=clerk, item="旁路静态开关模块", fault="切换旁路时掉电")
        services.rma_test(actor=clerk, case=away, result="product_fault")
        services.rma_hand_over(actor=clerk, case=away)
        services.rma_ship(actor=clerk, case=away, vendor=vendor, carrier="顺丰速运", tracking_number="SF100",
                          shipped_on=timezone.localdate())
    services.rma_reminder_sweep()
    return unit, away


def _sign(page):
    page.locator("canvas[data-signature-pad]").scroll_into_view_if_needed()
    box = page.locator("canvas[data-signature-pad]").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 18, box["y"] + box["height"] / 2 + (12 if i % 2 else -12))
    page.mouse.up()


def _act(page, action):
    page.locator(f"#action-{action} button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_rma_journey(new_page, live_server, language):
    from aftersales.inventory.models import StockMove
    from aftersales.rma.models import CustomerNotice, RmaCase

    unit, away = _seed()
    tag = "zh" if language.startswith("zh") else "en"
    page = new_page("rma_clerk", language)
    page.goto(f"{live_server.url}/rma/new/?customer={unit.customer_id}")
    page.select_option("select[name=equipment]", str(unit.pk))
    page.fill("input[name=item_description]", "UPS 功率模块 50kVA")
    page.fill("textarea[name=fault]", "模块告警“逆变器故障”，无法并机")
    page.check("input[name=kind][value=exchange]")
    page.fill("input[name=brought_by]", "李志强（工程师）")
    shot(page, f"rma-register-{tag}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/rma/*/")
    case = RmaCase.objects.exclude(pk=away.pk).get()
    assert case.serial == "UPS200K-2024-0418"

    page.check("#action-test input[name=result][value=product_fault]")
    page.fill("#action-test textarea[name=notes]", "上电复测故障重现")
    _act(page, "test")
    _act(page, "hand_over")
    page.select_option("#action-ship select[name=vendor]", index=1)
    page.fill("#action-ship input[name=carrier]", "顺丰速运")
    page.fill("#action-ship input[name=tracking_number]", "SF1400123456789")
    page.fill("#action-ship input[name=left_part_0]", "ups-fan-120")
    page.fill("#action-ship input[name=left_qty_0]", "2")
    page.fill("#action-ship input[name=left_desc_1]", "模块安装导轨")
    shot(page, f"rma-ship-{tag}")
    _act(page, "ship")
    case.refresh_from_db()
    assert case.state == "at_vendor" and case.leftovers.count() == 2
    assert StockMove.objects.get(reference=case.number).kind == "return"
    page.fill("#action-chase textarea[name=note]", "厂家答复：下周三寄回")
    _act(page, "chase")
    assert case.chases.get().note == "厂家答复：下周三寄回"
    shot(page, f"rma-at-vendor-{tag}")
    response = page.request.get(f"{live_server.url}/rma/{case.pk}/packing-list.pdf?lang=zh-hans")
    assert response.ok and response.body().startswith(b"%PDF")
    _act(page, "receive")
    page.check("#action-retest input[name=result][value=repaired]")
    _act(page, "retest")

    # The customer signs for it on the clerk's phone.
    phone = new_page("rma_clerk", language, width=390, height=844)
    phone.goto(f"{live_server.url}/rma/{case.pk}/")
    phone.fill("#action-return input[name=signer_name]", "王经理")
    _sign(phone)
    shot(phone, f"rma-return-phone-{tag}")
    _act(phone, "return")
    case.refresh_from_db()
    assert case.state == "returned" and case.signature
    phone.locator("img.sig").wait_for(state="visible")  # the stored signature is shown (once loaded)
    assert StockMove.objects.filter(reference=case.number, kind="issue").count() == 1

    page.goto(f"{live_server.url}/rma/?state=")
    assert case.number in page.content() and away.number in page.content()
    shot(page, f"rma-list-{tag}")
    page.goto(f"{live_server.url}/rma/vendors/")
    shot(page, f"rma-vendors-{tag}")

    agent = new_page("agent", language)
    agent.goto(f"{live_server.url}/rma/notices/")
    assert away.number in agent.content()
    shot(agent, f"rma-notices-{tag}")
    agent.fill("input[name=note]", "电话告知王经理")
    agent.locator("form button[type=submit]").last.click()
    agent.wait_for_load_state("networkidle")
    assert CustomerNotice.objects.get(case=away).sent_at is not None
    for p in (page, phone, agent):
        assert not p.js_errors, p.js_errors
