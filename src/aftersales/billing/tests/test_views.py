"""Billing screens: the list with filters, the bill page, payment by finance only (403 for managers and admins,
nothing saved), the quote page with its approvals, and the charges shown on the work order pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.billing import services
from aftersales.billing.models import Bill, Payment, Quote
from aftersales.core.testing import PNG_1PX, make_user

from .factories import approve_by_phone, complete, make_account, make_work_order

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _issued():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    agent = make_user("agent")
    return services.bill_issue(actor=agent, bill=services.bill_for_work_order(actor=agent, work_order=wo))


def _pay_data(bill, account):
    return {"p-account": account.pk, "p-method": "bank_transfer", "p-amount": str(bill.total), "p-reference": "TX-9",
            "p-received_on": timezone.localdate().isoformat(), "version": bill.version}


@pytest.mark.parametrize("role", ["manager", "admin", "agent"])
def test_non_finance_roles_are_refused_payment_in_the_ui(role):
    bill = _issued()
    account = make_account()
    client = client_for(make_user(role, is_staff=role == "admin", is_superuser=role == "admin"))
    assert client.post(reverse("billing:pay", args=[bill.pk]), _pay_data(bill, account)).status_code == 403
    assert client.post(reverse("billing:waive", args=[bill.pk]), {"w-reason": "x"}).status_code == 403
    bill.refresh_from_db()
    assert bill.payment_status == "unpaid" and not Payment.objects.exists()
    page = client.get(reverse("billing:detail", args=[bill.pk]))
    assert page.status_code == 200 and b"Record payment" not in page.content


def test_finance_pays_and_waives_in_the_ui():
    bill = _issued()
    account = make_account()
    finance = client_for(make_user("finance"))
    page = finance.get(reverse("billing:detail", args=[bill.pk]))
    assert b"Record payment" in page.content
    bad = finance.post(reverse("billing:pay", args=[bill.pk]), {**_pay_data(bill, account), "p-reference": ""})
    assert bad.status_code == 422 and not Payment.objects.exists()
    r = finance.post(reverse("billing:pay", args=[bill.pk]), _pay_data(bill, account))
    assert r.status_code == 302
    bill.refresh_from_db()
    assert bill.payment_status == "paid" and Payment.objects.get().reference == "TX-9"

    other = _issued()
    assert finance.post(reverse("billing:waive", args=[other.pk]), {"w-reason": ""}).status_code == 422
    r = finance.post(reverse("billing:waive", args=[other.pk]), {"w-reason": "客户投诉后免收", "version": other.version})
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.payment_status == "waived"


def test_list_filters_and_paginates():
    bills = [_issued() for _ in range(2)]
    services.bill_waive(actor=make_user("finance"), bill=bills[0], reason="x")
    client = client_for(make_user("finance"))
    page = client.get(reverse("billing:list"))
    assert page.status_code == 200 and bills[0].number.encode() in page.content
    page = client.get(reverse("billing:list"), {"payment_status": "unpaid"})
    assert bills[1].number.encode() in page.content and bills[0].number.encode() not in page.content
    assert client.get(reverse("billing:list"), {"page": "x", "service_class": "Z"}).status_code == 200


def test_draft_lines_edit_in_the_ui_and_price_pending():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo, parts=[{"description": "非标铜管", "quantity": "2", "unit": "m"}])
    bill = services.bill_for_work_order(actor=wo.engineer, work_order=wo)
    client = client_for(make_user("agent"))
    page = client.get(reverse("billing:detail", args=[bill.pk]))
    assert b"Enter the price" in page.content
    assert client.post(reverse("billing:issue", args=[bill.pk])).status_code == 422
    rows = list(bill.lines.all())
    data = {"line_kind": [r.kind for r in rows] + ["other"],
            "line_description": [r.description for r in rows] + ["加急费"],
            "line_quantity": [str(r.quantity) for r in rows] + ["1"],
            "line_unit_price": [("" if r.price_pending else str(r.unit_price)) for r in rows] + ["100"],
            "line_covered": ["0"] * (len(rows) + 1), "line_part": [""] * (len(rows) + 1)}
    r = client.post(reverse("billing:lines", args=[bill.pk]), data)
    assert r.status_code == 302
    assert bill.lines.filter(price_pending=True).count() == 1 and bill.lines.filter(description="加急费").exists()
    data["line_unit_price"] = [("12.50" if r.price_pending else str(r.unit_price)) for r in rows] + ["100"]
    client.post(reverse("billing:lines", args=[bill.pk]), data)
    assert client.post(reverse("billing:issue", args=[bill.pk])).status_code == 302
    bill.refresh_from_db()
    assert bill.state == "issued" and bill.total == sum(line.amount for line in bill.lines.all())


def test_quote_flow_on_the_engineers_pages():
    wo = make_work_order()
    client = client_for(wo.engineer)
    field = client.get(reverse("fieldservice:field", args=[wo.pk]))
    assert b"Make a quote" in field.content
    r = client.post(reverse("billing:work_order_quote", args=[wo.pk]), {"hours": "1.5"})
    quote = Quote.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("billing:quote", args=[quote.pk])
    page = client.get(r["Location"])
    assert page.status_code == 200 and b"data-quote-signature-form" in page.content
    r = client.post(reverse("billing:quote_approve", args=[quote.pk]),
                    {"method": "signature", "sg-approver_name": "", "sg-signature": PNG_1PX})
    assert r.status_code == 422
    r = client.post(reverse("billing:quote_approve", args=[quote.pk]),
                    {"method": "signature", "sg-approver_name": "张经理", "sg-signature": PNG_1PX})
    assert r.status_code == 302
    quote.refresh_from_db()
    assert quote.state == "approved" and quote.recorded_by == wo.engineer and quote.signature
    assert client.get(reverse("billing:quote_signature", args=[quote.pk])).status_code == 200
    assert b"Show the quote" in client.get(reverse("fieldservice:field", args=[wo.pk])).content


def test_phone_approval_by_an_agent_and_the_work_order_page():
    wo = make_work_order()
    agent = make_user("agent")
    quote = services.quote_create(actor=agent, work_order=wo)
    client = client_for(agent)
    r = client.post(reverse("billing:quote_approve", args=[quote.pk]),
                    {"method": "phone", "ph-approver_name": "王总", "ph-approver_phone": "139", "ph-note": ""})
    assert r.status_code == 422
    r = client.post(reverse("billing:quote_approve", args=[quote.pk]),
                    {"method": "phone", "ph-approver_name": "王总", "ph-approver_phone": "139", "ph-note": "同意"})
    assert r.status_code == 302
    page = client.get(reverse("fieldservice:detail", args=[wo.pk]))
    assert quote.number.encode() in page.content and b"Approved by phone" in page.content


def test_class_c_work_order_page_says_no_charge_and_bill_button_refuses():
    wo = complete(make_work_order(service_class="C"))
    client = client_for(make_user("manager"))
    page = client.get(reverse("fieldservice:detail", args=[wo.pk]))
    assert b"No charge" in page.content and b"Compute the bill" not in page.content
    r = client.post(reverse("billing:work_order_bill", args=[wo.pk]), follow=True)
    assert b"not charged" in r.content and not Bill.objects.exists()


def test_admin_edits_rates_audited_and_bills_are_read_only():
    from aftersales.billing.models import LabourRate
    from aftersales.core.models import AuditEntry

    admin = make_user("admin", is_staff=True, is_superuser=True)
    client = client_for(admin)
    rate = LabourRate.objects.get(grade=3)
    url = reverse("admin:billing_labourrate_change", args=[rate.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"grade": 3, "hourly_rate": "130.00", "currency": "CNY"})
    assert r.status_code == 302
    rate.refresh_from_db()
    assert rate.hourly_rate == 130 and rate.version == 2
    assert AuditEntry.objects.filter(object_id=rate.pk, verb="updated_in_admin").exists()
    bill = _issued()
    assert client.post(reverse("admin:billing_bill_change", args=[bill.pk]), {"payment_status": "paid"}).status_code == 403
    bill.refresh_from_db()
    assert bill.payment_status == "unpaid"
