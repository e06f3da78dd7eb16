"""Returns, exchanges and recalls in a real browser: an agent records an exchange, each role of the chain decides
its step (the engineer on his phone), the manager's approval moves the stock; the manager then previews and
launches a recall for a production batch and records compensation, and the regional lead follows its progress.
Both languages; screenshots in test-artifacts/returns-*."""

from __future__ import annotations

import pytest

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def _seed():
    from aftersales.core.testing import make_equipment, make_model, make_site, make_user, region_city
    from aftersales.customers.services import equipment_update
    from aftersales.inventory import ledger
    from aftersales.returns.tests.factories import make_location, make_part

    wuhan = region_city()
    users = {"agent": make_user("agent", "agent", display_name="李静"),
             "dispatcher": make_user("dispatcher", "dispatcher", display_name="孙丽娟"),
             "engineer": make_user("engineer", "engineer", region=wuhan, display_name="李志强"),
             "storekeeper": make_user("storekeeper", "storekeeper", display_name="马春生"),
             "manager": make_user("manager", "manager", display_name="周慧敏"),
             "lead": make_user("lead", "lead", region=wuhan.province, display_name="何振华")}
    admin = make_user("admin")
    warehouse = make_location(name="武汉中心仓")
    part = make_part("UPS 功率模块 50kVA")
    ledger.receive(actor=users["storekeeper"], part=part, quantity=3, location=warehouse)
    model = make_model("LSBLG-1160", name="螺杆式冷水机组 1160kW", actor=admin)
    site = make_site(city=wuhan, actor=admin)
    units = []
    for n in range(3):
        unit = make_equipment(site=site, product_model=model, serial=f"LS1160-2024-{n + 100}", actor=admin)
        units.append(equipment_update(actor=admin, equipment=unit, values={"production_batch": "2024-11B"}))
    return users, part, warehouse, units


def _decide(page, url, **fields):
    page.goto(url)
    for name, value in fields.items():
        page.select_option(f"select[name={name}]", value)
    page.check("input[name=decision][value=approve]")
    page.locator("form[action$='/decide/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_exchange_chain_and_recall(new_page, live_server, language):
    from aftersales.inventory.models import StockBalance
    from aftersales.returns.models import RecallCampaign, ReturnRequest

    users, part, warehouse, units = _seed()
    tag = "zh" if language.startswith("zh") else "en"
    agent = new_page("agent", language)
    agent.goto(f"{live_server.url}/returns/new/?customer={units[0].customer_id}")
    agent.check("input[name=kind][value=exchange]")
    agent.fill("input[name=part]", part.number)
    agent.fill("textarea[name=reason]", "功率模块投运一周即报逆变器故障，客户要求换新")
    shot(agent, f"returns-new-{tag}")
    agent.locator("form[method=post] button[type=submit]").click()
    agent.wait_for_url("**/returns/*/")
    obj = ReturnRequest.objects.get()
    url = f"{live_server.url}/returns/{obj.pk}/"

    # The dispatcher may not decide before the agent: no form for him yet.
    dispatcher = new_page("dispatcher", language)
    dispatcher.goto(url)
    assert dispatcher.locator("form[action$='/decide/']").count() == 0
    _decide(agent, url)
    _decide(dispatcher, url, assessor=str(users["engineer"].pk))
    phone = new_page("engineer", language, width=390, height=844)
    phone.goto(f"{live_server.url}/returns/")
    assert obj.number in phone.content()
    _decide(phone, url)
    shot(phone, f"returns-assessment-phone-{tag}")
    store = new_page("storekeeper", language)
    _decide(store, url, return_location=str(warehouse.pk), replacement_location=str(warehouse.pk))
    manager = new_page("manager", language)
    _decide(manager, url)
    obj.refresh_from_db()
    assert obj.state == "approved" and obj.approvals.count() == 5
    assert StockBalance.objects.get(part=part, location=warehouse).on_hand == 3  # one back, one out
    shot(manager, f"returns-approved-{tag}")
    manager.goto(f"{live_server.url}/returns/?tab=all")
    shot(manager, f"returns-list-{tag}")

    # A recall of a production batch.
    manager.goto(f"{live_server.url}/returns/recalls/new/")
    manager.fill("input[name=title]", "压缩机接线端子松动隐患召回")
    manager.select_option("select[name=product_model]", str(units[0].product_model_id))
    manager.fill("input[name=production_batch]", "2024-11B")
    manager.fill("textarea[name=description]", "断电后复紧压缩机电源端子")
    manager.locator("form[method=post] button[type=submit]").click()
    manager.wait_for_url("**/preview/")
    shot(manager, f"returns-recall-preview-{tag}")
    manager.locator("form[action$='/launch/'] button[type=submit]").click()
    manager.wait_for_url("**/recalls/*/")
    campaign = RecallCampaign.objects.get()
    assert campaign.state == "launched" and campaign.units.count() == 3
    manager.locator("main details summary").first.click()
    manager.select_option("details[open] select[name=kind]", "money")
    manager.fill("details[open] input[name=amount]", "800")
    manager.fill("details[open] input[name=description]", "停机损失补偿")
    manager.locator("details[open] button[type=submit]").click()
    manager.wait_for_load_state("networkidle")
    assert campaign.units.first().compensations.get().bill.total == -800
    shot(manager, f"returns-recall-{tag}")
    lead = new_page("lead", language)
    lead.goto(f"{live_server.url}/returns/recalls/{campaign.pk}/")
    assert "0.0%" in lead.content()
    shot(lead, f"returns-recall-lead-{tag}")
    for p in (agent, dispatcher, phone, store, manager, lead):
        assert not p.js_errors, p.js_errors
