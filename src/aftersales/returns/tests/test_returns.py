"""The approval chain of returns and exchanges (C9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.billing.models import Bill
from aftersales.core.errors import PermissionDenied, StaleVersion
from aftersales.core.testing import make_customer, make_equipment, make_user
from aftersales.inventory import ledger
from aftersales.inventory.error_codes import InsufficientStock
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.returns import error_codes as E
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnApproval, ReturnRequest

from .factories import chain_users, make_location, make_part, make_return

pytestmark = pytest.mark.django_db


def _walk_to(request, users, upto: str, **materials):
    for step, role in (("agent", "agent"), ("dispatcher", "dispatcher"), ("assessment", "engineer"),
                       ("materials", "storekeeper"), ("manager", "manager")):
        if step == upto:
            return
        extra = materials if step == "materials" else {}
        if step == "dispatcher":
            extra = {"assessor": users["engineer"]}
        services.return_decide(actor=users[role], request=request, decision="approve", reason="同意", **extra)
        request.refresh_from_db()


def test_create_needs_an_item_a_reason_and_a_sane_refund():
    agent = make_user("agent")
    customer = make_customer("某客户")
    with pytest.raises(E.ItemRequired):
        services.return_request_create(actor=agent, customer=customer, kind="return", reason="坏了")
    with pytest.raises(E.ReasonRequired):
        services.return_request_create(actor=agent, customer=customer, kind="return", reason=" ", part=make_part())
    with pytest.raises(E.RefundInvalid):
        services.return_request_create(actor=agent, customer=customer, kind="return", reason="坏", part=make_part(),
                                       refund_amount="-5")
    with pytest.raises(E.NotOfCustomer):
        services.return_request_create(actor=agent, customer=customer, kind="return", reason="坏",
                                       equipment=make_equipment())
    with pytest.raises(PermissionDenied):
        make_return(actor=make_user("storekeeper"))
    assert not ReturnRequest.objects.exists()


def test_full_chain_of_a_return_produces_stock_and_refund_in_one_go():
    users = chain_users()
    part = make_part()
    shelf = make_location()
    request = make_return(actor=users["agent"], part=part, quantity="2", refund="1234.50")
    assert request.number.startswith("RT-") and request.current_step == "agent"
    _walk_to(request, users, "manager", return_location=shelf)
    services.return_decide(actor=users["manager"], request=request, decision="approve", reason="批准退货")
    request.refresh_from_db()
    assert request.state == "approved" and request.current_step == ""
    assert StockBalance.objects.get(part=part, location=shelf).on_hand == Decimal("2")
    assert request.return_move.reference == request.number
    bill = request.bill
    assert bill.reference == request.number and bill.total == Decimal("-1234.50")
    assert bill.lines.get().kind == "refund"
    steps = list(request.approvals.values_list("step", "decision", "decided_by__role"))
    assert steps == [("agent", "approve", "agent"), ("dispatcher", "approve", "dispatcher"),
                     ("assessment", "approve", "engineer"), ("materials", "approve", "storekeeper"),
                     ("manager", "approve", "manager")]


def test_exchange_issues_the_replacement_and_rolls_back_when_stock_is_short():
    users = chain_users()
    part = make_part()
    back_shelf, stock = make_location(name="退货区"), make_location()
    request = make_return(actor=users["agent"], kind="exchange", part=part, refund=None)
    _walk_to(request, users, "manager", return_location=back_shelf, replacement_location=stock)
    with pytest.raises(InsufficientStock):
        services.return_decide(actor=users["manager"], request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "in_approval" and request.current_step == "manager"
    assert not request.approvals.filter(step="manager").exists() and not StockMove.objects.exists()
    ledger.receive(actor=users["storekeeper"], part=part, quantity=5, location=stock)
    services.return_decide(actor=users["manager"], request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "approved" and request.bill is None
    assert StockBalance.objects.get(part=part, location=stock).on_hand == Decimal("4")
    assert StockBalance.objects.get(part=part, location=back_shelf).on_hand == Decimal("1")


def test_out_of_order_is_409_and_wrong_role_is_403_and_nothing_saved():
    users = chain_users()
    request = make_return(actor=users["agent"])
    with pytest.raises(E.OutOfOrder) as exc:
        services.return_decide(actor=users["manager"], request=request, decision="approve")
    assert exc.value.status == 409
    with pytest.raises(E.OutOfOrder):
        services.return_decide(actor=users["dispatcher"], request=request, decision="approve")
    with pytest.raises(E.WrongRole) as exc:
        services.return_decide(actor=users["dispatcher"], request=request, decision="approve", step="agent")
    assert exc.value.status == 403
    with pytest.raises(PermissionDenied):
        services.return_decide(actor=make_user("finance"), request=request, decision="approve")
    with pytest.raises(E.WrongRole):
        services.return_decide(actor=make_user("admin"), request=request, decision="approve")
    assert not ReturnApproval.objects.exists()
    request.refresh_from_db()
    assert request.version == 1 and request.current_step == "agent"


def test_a_rejection_ends_the_chain_and_needs_a_reason():
    users = chain_users()
    request = make_return(actor=users["agent"])
    _walk_to(request, users, "assessment")
    with pytest.raises(E.ReasonRequired):
        services.return_decide(actor=users["engineer"], request=request, decision="reject")
    services.return_decide(actor=users["engineer"], request=request, decision="reject", reason="人为损坏，不予退货")
    request.refresh_from_db()
    assert request.state == "rejected" and request.current_step == ""
    with pytest.raises(E.ChainClosed):
        services.return_decide(actor=users["storekeeper"], request=request, decision="approve")
    assert not Bill.objects.exists()


def test_only_the_chosen_engineer_assesses():
    users = chain_users()
    request = make_return(actor=users["agent"])
    _walk_to(request, users, "assessment")
    with pytest.raises(E.NotTheAssessor):
        services.return_decide(actor=make_user("engineer"), request=request, decision="approve")
    with pytest.raises(E.AssessorInvalid):
        other = make_return(actor=users["agent"])
        services.return_decide(actor=users["agent"], request=other, decision="approve")
        services.return_decide(actor=users["dispatcher"], request=other, decision="approve", assessor=users["agent"])


def test_materials_must_choose_locations_for_a_part():
    users = chain_users()
    request = make_return(actor=users["agent"], kind="exchange", part=make_part())
    _walk_to(request, users, "materials")
    with pytest.raises(E.LocationRequired):
        services.return_decide(actor=users["storekeeper"], request=request, decision="approve",
                               return_location=make_location())


def test_stale_version_is_refused():
    users = chain_users()
    request = make_return(actor=users["agent"])
    with pytest.raises(StaleVersion):
        services.return_decide(actor=users["agent"], request=request, decision="approve", expected_version=7)


def test_scoping_engineer_sees_what_he_assesses():
    users = chain_users()
    request = make_return(actor=users["agent"])
    other = make_return(actor=users["agent"])
    _walk_to(request, users, "assessment")
    assert list(selectors.returns_for(users["engineer"])) == [request]
    assert list(selectors.return_list(users["engineer"], mine=True)) == [request]
    assert list(selectors.return_list(users["agent"], mine=True)) == [other]
    assert selectors.returns_for(make_user("purchasing")).count() == 0
