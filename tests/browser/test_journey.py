"""The service loop in a real browser: a hotline agent, a dispatcher, a field engineer and the manager walk steps 2–6
of the journey (intake → triage → dispatch → field work with photo and signature → callback → complaint), and every
page of it renders in English and in Chinese.

Runs against pytest-django's live server with Debian's Chromium (see conftest.py); screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

LOCALE_MO = Path(__file__).resolve().parents[2] / "src/aftersales/locale/zh_Hans/LC_MESSAGES/django.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------------------------------------------------
# Seed data


def _seed_base() -> dict[str, Any]:
    """The four journey users, a Wuhan customer (武汉卓成机电) with a site, a unit in warranty and a fault category."""
    from aftersales.core.testing import (
        make_customer,
        make_equipment,
        make_model,
        make_site,
        make_user,
        region_city,
    )
    from aftersales.customers import services as customers
    from aftersales.servicedesk import services as desk

    city = region_city()
    users = {
        "agent": make_user("agent", "agent", display_name="李客服"),
        "dispatcher": make_user("dispatcher", "dispatcher", display_name="赵调度"),
        "engineer": make_user("engineer", "engineer", region=city, display_name="王工"),
        "manager": make_user("manager", "manager", display_name="陈经理"),
    }
    admin = make_user("admin", "admin", is_staff=True, is_superuser=True)
    customer = make_customer("武汉卓成机电", actor=admin)
    site = make_site(customer=customer, city=city, actor=admin, name="卓成机电总部大楼",
                     address="武汉市东湖新技术开发区光谷大道 77 号")
    customers.contact_create(actor=admin, customer=customer, site=site, name="张经理", phone="139 0718 1234",
                             title="设备科", is_primary=True)
    model = make_model("LSBLG-380", actor=admin, name="螺杆式冷水机组", warranty_months=24)
    unit = make_equipment(site=site, product_model=model, actor=admin, serial="ZC2025-0042",
                          commissioning_date=timezone.localdate() - dt.timedelta(days=200))
    parent = desk.fault_category_create(actor=admin, code="refrigeration", name="制冷系统", name_en="Refrigeration")
    category = desk.fault_category_create(actor=admin, code="refrigeration-high-pressure", name="高压报警",
                                          name_en="High-pressure alarm", parent=parent)
    return {**users, "admin": admin, "city": city, "customer": customer, "site": site, "unit": unit,
            "category": category}


@pytest.fixture
def journey(transactional_db) -> dict[str, Any]:
    return _seed_base()


def _no_js_errors(page: Any) -> None:
    errors = [e for e in page.js_errors if "favicon" not in e]
    assert not errors, f"JavaScript errors on {page.url}: {errors}"


def _image_loaded(page: Any, img: Any) -> None:
    """Wait until an <img> has loaded a real picture (a broken or refused image never gets a natural width)."""
    img.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=5_000)


def _success(page: Any) -> str:
    msg = page.locator(".messages .msg-success")
    msg.first.wait_for()
    return msg.first.inner_text()


# ---------------------------------------------------------------------------------------------------------------
# The journey


def test_service_loop_journey(new_page, live_server, journey, tmp_path):
    """Steps 2–6 of the service loop as the four roles, asserting what each one sees."""
    from aftersales.feedback.models import Callback, Complaint
    from aftersales.fieldservice.models import ServiceReceipt, WorkOrder
    from aftersales.servicedesk.models import ServiceRequest

    url = live_server.url
    unit, engineer = journey["unit"], journey["engineer"]

    # 1. Agent: intake by pinyin initials, pick the unit, warranty badge, record; then triage. -----------------
    agent = new_page("agent", language="zh-CN")
    agent.goto(f"{url}/requests/intake/")
    assert agent.locator("html").get_attribute("lang") == "zh-Hans"
    agent.fill("#intake-q", "whzc")
    pick = agent.locator("#intake-results a.pick", has_text=f"#{unit.serial}")
    pick.wait_for()
    assert "武汉卓成机电" in agent.locator("#intake-results").inner_text()
    assert agent.locator("#intake-results .badge.warranty-in_warranty").count() >= 1
    pick.click()
    agent.locator("#selection input[name=customer]").wait_for(state="attached")
    assert agent.locator("#sel-equipment").input_value() == str(unit.pk)
    agent.locator("#selection .badge.warranty-in_warranty").wait_for()
    agent.fill("#id_summary", "冷水机组高压报警停机")
    agent.fill("#id_symptom", "开机约 10 分钟后高压报警，压缩机停机；<script>alert(1)</script>")
    agent.fill("#id_usage_scenario", "办公楼中央空调，夏季满负荷运行")
    shot(agent, "journey-01-intake")
    agent.click("#intake-form button[type=submit]")
    agent.wait_for_url(re.compile(r"/requests/\d+/$"))
    sr = ServiceRequest.objects.get()
    assert re.fullmatch(r"SR-\d{4}-\d{6}", sr.number)
    assert sr.number in _success(agent)
    assert sr.number in agent.locator("h1").inner_text()
    agent.locator("h1 .badge.state-new").wait_for()
    # The symptom typed by the customer is shown as text, never run.
    assert "<script>alert(1)</script>" in agent.locator(".symptom").inner_text()
    shot(agent, "journey-02-request-new")

    agent.locator("details:has(form[action$='/actions/triage/']) > summary").click()
    triage = agent.locator("form[action$='/actions/triage/']")
    triage.locator("select[name=triage-severity]").select_option("important")
    triage.locator("select[name=triage-fault_category]").select_option(str(journey["category"].pk))
    triage.locator("button[type=submit]").click()
    agent.wait_for_url(re.compile(r"/requests/\d+/$"))
    _success(agent)
    agent.locator("h1 .badge.state-triaged").wait_for()
    agent.locator("h1 .badge.severity-important").wait_for()
    assert "高压报警" in agent.locator("table.kv").first.inner_text()
    shot(agent, "journey-03-request-triaged")
    _no_js_errors(agent)

    # 2. Dispatcher: work order, ranked engineers, assign with appointment, board lane. ------------------------
    dispatcher = new_page("dispatcher", language="zh-CN")
    dispatcher.goto(f"{url}/requests/{sr.pk}/")
    dispatcher.locator("details:has(form[action$='/work-orders/new/']) > summary").click()
    dispatcher.locator("form[action$='/work-orders/new/'] button[type=submit]").click()
    dispatcher.wait_for_url(re.compile(r"/work/\d+/assign/$"))
    wo = WorkOrder.objects.get()
    assert wo.number in _success(dispatcher)
    ranking = dispatcher.locator("table.rank tbody tr")
    assert ranking.count() >= 1
    assert engineer.display_name in ranking.first.inner_text()  # the only engineer, in the same city
    dispatcher.check(f"#eng-{engineer.pk}")
    today = timezone.localdate()
    dispatcher.fill("input[name=a-appointment_start]", f"{today:%Y-%m-%d}T15:00")
    dispatcher.fill("input[name=a-appointment_end]", f"{today:%Y-%m-%d}T17:00")
    dispatcher.fill("input[name=a-appointment_note]", "张经理电话确认")
    shot(dispatcher, "journey-04-assign")
    dispatcher.locator("form:has(input[name=action][value=assign]) button[type=submit]").click()
    dispatcher.wait_for_url(re.compile(rf"/work/{wo.pk}/$"))
    assert wo.number in _success(dispatcher)
    dispatcher.locator("h1 .badge.state-assigned").wait_for()
    dispatcher.locator(".badge.state-dispatched").first.wait_for()  # the request moved on with its work order
    assert engineer.display_name in dispatcher.locator("main").inner_text()
    shot(dispatcher, "journey-05-work-order-assigned")
    dispatcher.goto(f"{url}/work/board/")
    lane = dispatcher.locator(".lanes .lane", has=dispatcher.locator(".lane-head", has_text=engineer.display_name))
    card = lane.locator(".wo-card", has_text=sr.number)
    card.wait_for()
    assert "15:00" in card.inner_text()
    assert dispatcher.locator(".lane.unassigned .wo-card", has_text=sr.number).count() == 0
    shot(dispatcher, "journey-06-board")
    _no_js_errors(dispatcher)

    # 3. Engineer on a phone: accept, arrive, report, part, photo, depart, signature, PDF, complete. ------------
    phone = new_page("engineer", language="zh-CN", width=390, height=844)
    phone.goto(f"{url}/work/my/")
    job = phone.locator("a.job-link", has_text=wo.number)
    job.wait_for()
    assert "武汉卓成机电" in job.inner_text()
    shot(phone, "journey-07-my-work")
    job.click()
    phone.wait_for_url(re.compile(rf"/work/{wo.pk}/field/$"))
    phone.locator(".badge.state-assigned").wait_for()
    phone.click("form[action$='/field/accept/'] button[type=submit]")
    _success(phone)
    phone.locator(".badge.state-accepted").wait_for()
    shot(phone, "journey-08-field-accepted")

    phone.click("form[action$='/field/arrive/'] button[type=submit]")
    _success(phone)
    phone.locator(".badge.state-on_site").wait_for()
    shot(phone, "journey-09-field-arrived")

    report = phone.locator("form[action$='/field/record/']")
    report.locator("textarea[name=v-diagnosis]").fill("冷凝器翅片积灰严重，冷却水流量偏低")
    report.locator("textarea[name=v-fault_cause]").fill("冷却塔过滤器堵塞")
    report.locator("textarea[name=v-actions_taken]").fill("清洗冷凝器和过滤器，更换高压开关，试机 2 小时正常")
    report.locator("input[name=v-outcome][value=fixed]").check()
    report.locator("[data-part-add]").click()
    row = report.locator("[data-parts] [data-part-row]").last
    row.locator("input[name=part_description]").fill("高压开关 HPS-30")
    row.locator("input[name=part_quantity]").fill("1")
    row.locator("input[name=part_unit]").fill("个")
    shot(phone, "journey-10-field-report")
    report.locator("button[type=submit]").click()
    _success(phone)
    assert phone.locator("input[name=part_description]").first.input_value() == "高压开关 HPS-30"

    photo = _png(tmp_path / "condenser.png")
    phone.set_input_files("input[name=p-photos]", str(photo))
    phone.fill("input[name=p-caption]", "清洗后的冷凝器")
    phone.click("form[action$='/field/photo/'] button[type=submit]")
    _success(phone)
    img = phone.locator(".photos img").first
    img.wait_for()
    _image_loaded(phone, img)
    shot(phone, "journey-11-field-photo")

    phone.click("form[action$='/field/depart/'] button[type=submit]")
    _success(phone)
    sign = phone.locator("form[data-signature-form]")
    sign.wait_for()
    shot(phone, "journey-12-field-departed")
    sign.locator("input[name=s-signer_name]").fill("张经理")
    canvas = sign.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, box
    _draw_signature(phone, box)
    shot(phone, "journey-13-field-signature")
    sign.locator("button[type=submit]").click()
    _success(phone)
    pdf_link = phone.locator("a[href$='receipt.pdf']").first
    pdf_link.wait_for()
    _image_loaded(phone, phone.locator("img.sig").first)
    shot(phone, "journey-14-field-signed")
    pdf = phone.request.get(url + pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:5] == b"%PDF-"
    _rasterise(pdf.body(), "journey-14b-receipt-pdf")

    phone.click("form[action$='/field/complete/'] button[type=submit]")
    phone.wait_for_url(re.compile(r"/work/my/$"))
    assert wo.number in _success(phone)
    assert phone.locator("a.job-link", has_text=wo.number).count() == 0
    shot(phone, "journey-15-my-work-done")
    _no_js_errors(phone)
    wo.refresh_from_db()
    sr.refresh_from_db()
    assert wo.state == "completed"
    assert sr.state == "resolved"

    # 4. Agent: the callback, reached, satisfaction 2 → a complaint for the manager. ---------------------------
    agent.goto(f"{url}/feedback/callbacks/")
    row = agent.locator("table.callbacks tbody tr", has_text=sr.number)
    row.wait_for()
    shot(agent, "journey-16-callbacks")
    row.locator("a.btn").click()
    agent.wait_for_url(re.compile(r"/feedback/callbacks/\d+/$"))
    form = agent.locator("form.callback-form")
    form.locator("input[name=result][value=reached]").check()
    form.locator("input[name=satisfaction][value='2']").check()
    form.locator("textarea[name=comment]").fill("客户反映等待时间太长，<b>不满意</b>")
    shot(agent, "journey-17-callback-form")
    form.locator("button[type=submit]").click()
    agent.wait_for_url(re.compile(r"/feedback/callbacks/(\?.*)?$"))
    complaint = Complaint.objects.get()
    assert complaint.request_id == sr.pk
    warning = agent.locator(".messages .msg-warning")
    warning.wait_for()
    assert complaint.number in warning.inner_text()
    assert Callback.objects.get().state == "done"
    shot(agent, "journey-18-callback-recorded")
    _no_js_errors(agent)

    # 5. Manager: the complaint in the list, and the request's timeline with every step. ----------------------
    manager = new_page("manager", language="zh-CN")
    manager.goto(f"{url}/feedback/complaints/")
    crow = manager.locator("tbody tr", has_text=complaint.number)
    crow.wait_for()
    assert sr.number in crow.inner_text()
    assert crow.locator(".badge.state-open").count() == 1
    shot(manager, "journey-19-complaints")
    manager.goto(f"{url}/requests/{sr.pk}/")
    timeline = manager.locator("ol.timeline")
    timeline.wait_for()
    text = timeline.inner_text()
    manager.locator("h1 .badge.state-resolved").wait_for()
    receipt = ServiceReceipt.objects.get()
    for expected in (sr.number, wo.number, receipt.number, complaint.number, "清洗后的冷凝器"):
        assert expected in text, f"{expected} missing from the request's timeline:\n{text}"
    # created, triaged, WO created/assigned, dispatched, accepted, on site, visit, in progress, report, photo,
    # departed, receipt, WO completed, resolved, callback created/recorded, complaint: one line each at least.
    assert manager.locator("ol.timeline > li").count() >= 18, text
    # The customer's comment from the callback is shown escaped.
    assert "<b>不满意</b>" in manager.locator("main").inner_text()
    shot(manager, "journey-20-request-timeline")
    _no_js_errors(manager)


def _png(path: Path) -> Path:
    """A small real photo-like PNG made with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), (210, 225, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 140, 100), outline=(40, 60, 90), width=4)
    for x in range(30, 135, 12):
        draw.line((x, 25, x, 95), fill=(90, 110, 140), width=2)
    image.save(path, format="PNG")
    return path


def _rasterise(pdf: bytes, name: str) -> None:
    """Keep the receipt's first page as a PNG next to the screenshots, to look at its Chinese text."""
    try:
        import pypdfium2
    except ImportError:  # an optional test dependency: the PDF content type was checked already
        return
    from .conftest import ARTIFACTS

    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"{name}.png")
    finally:
        document.close()


def _draw_signature(page: Any, box: dict[str, float]) -> None:
    """A hand-written-looking stroke or two on the signature canvas, with real mouse moves."""
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    strokes = [
        [(0.10, 0.60), (0.18, 0.30), (0.25, 0.70), (0.33, 0.35), (0.42, 0.65), (0.50, 0.40)],
        [(0.55, 0.55), (0.62, 0.30), (0.70, 0.62), (0.80, 0.38), (0.90, 0.58)],
    ]
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0] * w, y0 + stroke[0][1] * h)
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + fx * w, y0 + fy * h, steps=8)
        page.mouse.up()


# ---------------------------------------------------------------------------------------------------------------
# Both languages on every page of the journey


@pytest.fixture
def pages_data(transactional_db) -> dict[str, Any]:
    """One record in each state the journey's pages need: an unassigned and an assigned work order, a pending
    callback on a resolved request, and an open complaint."""
    from aftersales.core.testing import make_request
    from aftersales.feedback import services as feedback
    from aftersales.fieldservice import services as field
    from aftersales.servicedesk import services as desk

    base = _seed_base()
    dispatcher, engineer, manager = base["dispatcher"], base["engineer"], base["manager"]
    first = make_request(actor=base["agent"], equipment=base["unit"], customer=base["customer"])
    first = desk.request_triage(actor=dispatcher, request=first, severity="important")
    open_wo = field.work_order_create(actor=dispatcher, request=first)
    second = make_request(actor=base["agent"], customer=base["customer"], summary="冷却塔风机异响")
    second = desk.request_triage(actor=dispatcher, request=second, severity="urgent")
    mine = field.work_order_create(actor=dispatcher, request=second)
    mine = field.work_order_assign(actor=dispatcher, work_order=mine, engineer=engineer)
    callback = feedback.callback_schedule(request=first, actor=dispatcher)
    complaint = feedback.complaint_open(actor=manager, customer=base["customer"], request=first,
                                        description="维修后一周内再次报警")
    return {**base, "sr": first, "open_wo": open_wo, "mine": mine, "callback": callback, "complaint": complaint}


def _journey_pages(d: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Per role: (path, CSS selector of a known label, its English text)."""
    return {
        "agent": [
            ("/requests/intake/", "h1", "New service request"),
            (f"/requests/{d['sr'].pk}/", "section.card h2", "Symptom"),
            ("/feedback/callbacks/", "h1", "Callbacks"),
            (f"/feedback/callbacks/{d['callback'].pk}/", "h2", "Customer and job"),
        ],
        "dispatcher": [
            (f"/work/{d['open_wo'].pk}/assign/", "h2", "Engineers, best match first"),
            ("/work/board/", "h1", "Dispatch board"),
            (f"/work/{d['mine'].pk}/", "h2", "Assignments"),
        ],
        "engineer": [
            ("/work/my/", "h1", "My work"),
            (f"/work/{d['mine'].pk}/field/", "h2", "New assignment"),
        ],
        "manager": [
            ("/feedback/complaints/", "h1", "Complaints"),
            (f"/feedback/complaints/{d['complaint'].pk}/", "h2", "What the customer complains about"),
            (f"/requests/{d['sr'].pk}/", "h2", "History"),
        ],
    }


def _label(page: Any, selector: str) -> str:
    """The texts of every element the selector matches, where the known label must be."""
    return " | ".join(t.strip() for t in page.locator(selector).all_inner_texts())


def test_journey_pages_in_english_and_chinese(new_page, live_server, pages_data):
    """Accept-Language picks the language before sign-in; the header's button switches a signed-in user's pages.
    Every journey page answers with the right <html lang> and a known label in that language."""
    url = live_server.url
    zh_problems: list[str] = []

    # Before sign-in the browser's language decides.
    for language, lang_attr, english in (("en-US", "en", True), ("zh-CN", "zh-Hans", False)):
        page = new_page(None, language=language)
        page.goto(f"{url}/login/")
        assert page.locator("html").get_attribute("lang") == lang_attr
        title = page.locator("h1").inner_text()
        if english:
            assert title == "After-sales service management"
        elif title == "After-sales service management" or not CJK.search(title):
            zh_problems.append(f"/login/ h1 is {title!r}")
        _no_js_errors(page)

    # Signed in: the user's language (Chinese by default), then English through the header's button.
    for role, pages in _journey_pages(pages_data).items():
        width = 390 if role == "engineer" else 1366
        page = new_page(role, language="zh-CN", width=width)
        for path, selector, english in pages:
            page.goto(url + path)
            assert page.locator("html").get_attribute("lang") == "zh-Hans", path
            text = _label(page, selector)
            if english in text or not CJK.search(text):
                zh_problems.append(f"{path} {selector}: {text!r}")
        if role == "engineer":
            page.click("[data-toggle=nav]")  # the header folds into a menu at phone width
        page.locator("button[name=language][value=en]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.url.endswith(pages[-1][0]), "the language switch returns to the same page"
        for path, selector, english in pages:
            page.goto(url + path)
            assert page.locator("html").get_attribute("lang") == "en", path
            assert english in _label(page, selector), path
        _no_js_errors(page)
        shot(page, f"journey-lang-{role}-en")

    if zh_problems:
        if not LOCALE_MO.exists():
            pytest.xfail("the zh_Hans catalogue is not compiled yet (src/aftersales/locale/zh_Hans/LC_MESSAGES/"
                         f"django.mo missing), so Chinese labels show their English msgids: {zh_problems[:3]}")
        pytest.fail("labels not in Chinese: " + "; ".join(zh_problems))
