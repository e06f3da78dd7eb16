"""The billing API contract: computing, editing and issuing a bill, quotes and their approval, payment by finance
only (managers and administrators get 403, nothing saved), scoping and problem bodies."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from aftersales.billing import services
from aftersales.billing.models import Bill, Payment, Quote
from aftersales.core.testing import PNG_1PX, make_user, region_city

from .factories import approve_by_phone, complete, make_account, make_work_order

pytestmark = pytest.mark.django_db


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_quote_then_work_then_bill_then_pay_through_the_api(api_client):
    wo = make_work_order()
    engineer = wo.engineer
    eng = api_client(engineer)
    status = eng.get(f"/api/v1/work-orders/{wo.pk}/quote").json()
    assert status == {"needed": True, "approved": False, "service_class": "A", "quote": None}
    r = post(eng, f"/api/v1/work-orders/{wo.pk}/quote", {"hours": "2", "note": "预计两小时"})
    assert r.status_code == 201, r.content
    quote = r.json()
    assert quote["total"] == "290.00" and quote["state"] == "draft"
    r = post(eng, f"/api/v1/quotes/{quote['id']}/approve", {"method": "signature", "approver_name": "张经理",
                                                             "signature": PNG_1PX})
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["signed"]
    complete(wo)
    r = post(eng, f"/api/v1/work-orders/{wo.pk}/bill")
    assert r.status_code == 201, r.content
    bill = r.json()
    assert bill["state"] == "draft" and bill["total"] == bill["lines_total"]
    r = eng.put(f"/api/v1/bills/{bill['id']}/lines", json.dumps({"lines": [
        {"kind": "labour", "description": "人工", "quantity": "2", "unit_price": "120.00"},
        {"kind": "travel", "description": "上门费", "quantity": "1", "unit_price": "50.00", "covered": True}]}),
        content_type="application/json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 200, r.content
    assert r.json()["total"] == "240.00" and r["ETag"] == '"2"'
    r = post(eng, f"/api/v1/bills/{bill['id']}/issue", HTTP_IF_MATCH='"1"')
    assert r.status_code == 412 and r.json()["code"] == "stale_version"
    r = post(eng, f"/api/v1/bills/{bill['id']}/issue")
    assert r.status_code == 200 and r.json()["state"] == "issued"
    account = make_account()
    body = {"account_id": account.pk, "method": "bank_transfer", "amount": "240.00", "reference": "TX-1",
            "received_on": timezone.localdate().isoformat()}
    for role in ("manager", "admin", "agent"):
        r = post(api_client(make_user(role)), f"/api/v1/bills/{bill['id']}/pay", body)
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert post(eng, f"/api/v1/bills/{bill['id']}/pay", body).status_code == 403
    assert not Payment.objects.exists() and Bill.objects.get().payment_status == "unpaid"
    finance = api_client(make_user("finance"))
    r = post(finance, f"/api/v1/bills/{bill['id']}/pay", {**body, "amount": "1.00"})
    assert r.status_code == 422 and r.json()["code"] == "amount_mismatch"
    r = post(finance, f"/api/v1/bills/{bill['id']}/pay", body)
    assert r.status_code == 201, r.content
    assert r.json()["account"]["id"] == account.pk
    got = finance.get(f"/api/v1/bills/{bill['id']}").json()
    assert got["payment_status"] == "paid" and got["payments"][0]["reference"] == "TX-1"


def test_waive_is_finance_only_and_needs_a_reason(api_client):
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    agent = make_user("agent")
    bill = services.bill_issue(actor=agent, bill=services.bill_for_work_order(actor=agent, work_order=wo))
    for role in ("manager", "admin"):
        r = post(api_client(make_user(role)), f"/api/v1/bills/{bill.pk}/waive", {"reason": "x"})
        assert r.status_code == 403
    finance = api_client(make_user("finance"))
    assert post(finance, f"/api/v1/bills/{bill.pk}/waive", {"reason": " "}).status_code == 422
    bill.refresh_from_db()
    assert bill.payment_status == "unpaid"
    r = post(finance, f"/api/v1/bills/{bill.pk}/waive", {"reason": "保修期刚过，经理批准免收"})
    assert r.status_code == 200 and r.json()["payment_status"] == "waived"


def test_class_c_bill_is_refused_with_a_clear_code(api_client):
    wo = complete(make_work_order(service_class="C"))
    r = post(api_client(make_user("agent"), language="zh-hans"), f"/api/v1/work-orders/{wo.pk}/bill")
    assert r.status_code == 409 and r.json()["code"] == "no_charge_for_class"
    assert not Bill.objects.exists()


def test_visit_patch_is_gated_by_the_quote(api_client):
    from aftersales.fieldservice import services as fs

    wo = make_work_order()
    visit = fs.visit_arrive(actor=wo.engineer, work_order=wo)
    client = api_client(wo.engineer)
    r = client.patch(f"/api/v1/visits/{visit.pk}", json.dumps({"actions_taken": "更换", "outcome": "fixed"}),
                     content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "quote_not_approved"


def test_lists_filter_and_scope(api_client):
    engineer = make_user("engineer", region=region_city(), grade=2)
    mine = make_work_order(engineer=engineer)
    approve_by_phone(mine)
    complete(mine)
    other = make_work_order()
    approve_by_phone(other)
    complete(other)
    agent = make_user("agent")
    b1 = services.bill_for_work_order(actor=agent, work_order=mine)
    b2 = services.bill_issue(actor=agent, bill=services.bill_for_work_order(actor=agent, work_order=other))
    rows = api_client(engineer).get("/api/v1/bills").json()
    assert [r["id"] for r in rows["results"]] == [b1.pk]
    assert api_client(engineer).get(f"/api/v1/bills/{b2.pk}").status_code == 404
    finance = api_client(make_user("finance"))
    assert finance.get("/api/v1/bills?state=issued").json()["count"] == 1
    assert finance.get("/api/v1/bills?payment_status=unpaid&service_class=A").json()["count"] == 2
    assert finance.get(f"/api/v1/bills?customer={mine.request.customer_id}").json()["count"] == 1
    assert finance.get("/api/v1/bills?payment_status=bogus").status_code == 422


def test_receipt_pdf_download(api_client):
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    bill = services.bill_for_work_order(actor=make_user("agent"), work_order=wo)
    r = api_client(make_user("finance")).get(f"/api/v1/bills/{bill.pk}/receipt.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_phone_approval_through_the_api_records_who(api_client):
    wo = make_work_order()
    agent = make_user("agent")
    quote = services.quote_create(actor=agent, work_order=wo)
    r = post(api_client(agent), f"/api/v1/quotes/{quote.pk}/approve", {"method": "phone", "approver_name": "王总"})
    assert r.status_code == 422 and r.json()["code"] == "phone_approval_note_required"
    r = post(api_client(agent), f"/api/v1/quotes/{quote.pk}/approve",
             {"method": "phone", "approver_name": "王总", "approver_phone": "13900000000", "note": "同意"})
    assert r.status_code == 200
    data = r.json()
    assert data["recorded_by"]["id"] == agent.pk and data["approval_method"] == "phone" and data["approved_at"]
    assert Quote.objects.get().state == "approved"
