"""Billing in a real browser: the engineer makes a quote on his phone and the customer signs it; the work is then
recorded; the manager computes and issues the bill (and cannot record its payment); finance finds it in the bills
list and records the payment into a designated account. Both languages; screenshots in test-artifacts/billing-*.
"""

from __future__ import annotations

import pytest

from .conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def _seed(language: str):
    from aftersales.billing.tests.factories import make_account, make_work_order
    from aftersales.core.testing import make_user, region_city

    engineer = make_user("engineer", "engineer", region=region_city(), grade=3, display_name="王工", language=language)
    make_user("manager", "manager", display_name="陈经理", language=language)
    make_user("finance", "finance", display_name="钱会计", language=language)
    make_account("bank")
    make_account("qr")
    wo = make_work_order(engineer=engineer)
    request = wo.request
    request.contact_name = "张经理"
    request.save(update_fields=["contact_name"])
    return wo


def _sign(page):
    canvas = page.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 18, box["y"] + box["height"] / 2 + (12 if i % 2 else -12))
    page.mouse.up()


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_quote_bill_and_payment_journey(new_page, live_server, language):
    from aftersales.billing.models import Bill, Quote
    from aftersales.billing.tests.factories import complete

    wo = _seed("en" if language == "en" else "zh-hans")
    tag = "zh" if language.startswith("zh") else "en"

    # The engineer, on his phone: make a quote and have the customer sign it.
    phone = new_page("engineer", language, width=390, height=844)
    phone.goto(f"{live_server.url}/work/{wo.pk}/field/")
    shot(phone, f"billing-field-phone-{tag}")
    with phone.expect_navigation():
        phone.locator("section.field-quote button[type=submit]").first.click()
    shot(phone, f"billing-after-quote-{tag}")
    assert "/billing/quotes/" in phone.url, phone.url
    assert phone.locator("canvas[data-signature-pad]").is_visible()
    shot(phone, f"billing-quote-phone-{tag}")
    _sign(phone)
    with phone.expect_navigation():
        phone.locator("form[data-quote-signature-form] button[type=submit]").click()
    quote = Quote.objects.get(work_order=wo)
    assert quote.state == "approved" and quote.approval_method == "signature" and quote.approver_name == "张经理"
    assert phone.locator("img.sig").is_visible()
    shot(phone, f"billing-quote-approved-phone-{tag}")
    assert not phone.js_errors, phone.js_errors
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 392, scroll_width

    complete(wo, minutes=100)

    # The manager computes the bill and issues it; he has no payment button.
    desk = new_page("manager", language)
    desk.goto(f"{live_server.url}/work/{wo.pk}/")
    desk.locator("section.billing-charges form button[type=submit]").last.click()
    desk.wait_for_url("**/billing/*/")
    bill = Bill.objects.get(work_order=wo)
    assert bill.state == "draft"
    shot(desk, f"billing-bill-draft-{tag}")
    desk.locator(".page-head form[action$='/issue/'] button").click()
    desk.wait_for_load_state("networkidle")
    bill.refresh_from_db()
    assert bill.state == "issued"
    assert desk.locator("details.pay").count() == 0
    assert not desk.js_errors, desk.js_errors

    # Finance finds it among the unpaid bills and records the bank transfer.
    finance = new_page("finance", language)
    finance.goto(f"{live_server.url}/billing/?payment_status=unpaid")
    shot(finance, f"billing-list-{tag}")
    finance.click(f"text={bill.number}")
    finance.locator("details.pay > summary").click()
    finance.select_option("select[name=p-account]", index=1)
    finance.select_option("select[name=p-method]", "bank_transfer")
    finance.fill("input[name=p-reference]", "招行流水 2026112500017")
    with finance.expect_navigation():
        finance.locator("details.pay button[type=submit]").click()
    bill.refresh_from_db()
    if bill.payment_status != "paid":
        shot(finance, f"billing-pay-error-{tag}")
    assert bill.payment_status == "paid" and bill.payments.get().reference == "招行流水 2026112500017"
    shot(finance, f"billing-bill-paid-{tag}")
    response = finance.request.get(f"{live_server.url}/billing/{bill.pk}/receipt.pdf")
    assert response.ok and response.body()[:4] == b"%PDF"
    assert not finance.js_errors, finance.js_errors
