"""Reorder points raise purchase requests for purchasing; receipts against a request close it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.errors import InvalidTransition, PermissionDenied
from aftersales.core.testing import make_user
from aftersales.notifications.models import OutboxMessage
from aftersales.suppliers.models import Supplier

from .. import ledger, services
from ..error_codes import PurchaseAlreadyOpen, ReceiptMismatch
from ..models import PurchaseRequest, StockBalance
from .factories import make_location, make_part, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    keeper, buyer = make_user("storekeeper"), make_user("purchasing", email="buyer@example.com")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    stock(part, wh, 10, keeper)
    services.reorder_point_set(actor=keeper, part=part, location=wh, min_level=5, reorder_quantity=20)
    supplier = Supplier.objects.create(code="S1", name="武汉冷联机电设备有限公司")
    return keeper, buyer, part, wh, supplier


def test_falling_below_the_reorder_point_raises_one_request_and_tells_purchasing(setup):
    keeper, buyer, part, wh, _ = setup
    ledger.issue(actor=keeper, part=part, quantity=5, location=wh)
    assert not PurchaseRequest.objects.exists()  # 5 available: not below 5
    ledger.issue(actor=keeper, part=part, quantity=1, location=wh)
    pr = PurchaseRequest.objects.get()
    assert (pr.part, pr.location, pr.quantity, pr.state) == (part, wh, Decimal(20), "open")
    assert pr.number.startswith("PR-") and pr.reorder_point is not None
    assert OutboxMessage.objects.filter(recipient=buyer, key__startswith=f"purchase_request:{pr.pk}:").count() == 2
    ledger.issue(actor=keeper, part=part, quantity=1, location=wh)
    ledger.reserve(actor=keeper, part=part, quantity=1, location=wh)
    assert PurchaseRequest.objects.count() == 1  # one open request per part and location


def test_reservations_and_transfers_count_as_decreases(setup):
    keeper, _, part, wh, _ = setup
    ledger.transfer(actor=keeper, part=part, quantity=3, source=wh, target=make_location(actor=keeper))
    ledger.reserve(actor=keeper, part=part, quantity=3, location=wh)
    assert PurchaseRequest.objects.filter(state="open").count() == 1


def test_a_failed_move_raises_nothing(setup):
    keeper, _, part, wh, _ = setup
    with pytest.raises(Exception):
        ledger.issue(actor=keeper, part=part, quantity=11, location=wh)
    assert not PurchaseRequest.objects.exists()


def test_order_then_partial_receipts_close_the_request(setup):
    keeper, buyer, part, wh, supplier = setup
    ledger.issue(actor=keeper, part=part, quantity=6, location=wh)
    pr = PurchaseRequest.objects.get()
    services.purchase_request_order(actor=buyer, request=pr, supplier=supplier, expected_on=None)
    assert pr.state == "ordered" and pr.supplier == supplier
    services.purchase_request_receive(actor=keeper, request=pr, quantity=8)
    pr.refresh_from_db()
    assert pr.state == "ordered" and pr.received_quantity == Decimal(8) and pr.outstanding == Decimal(12)
    # A receipt through the plain move form with the request's number as reference counts too.
    services.stock_move(actor=keeper, kind="receive", part=part, quantity=12, location=wh, reference=pr.number)
    pr.refresh_from_db()
    assert pr.state == "received" and pr.received_quantity == Decimal(20)
    assert StockBalance.objects.get(part=part, location=wh).on_hand == Decimal(24)
    with pytest.raises(InvalidTransition):
        services.purchase_request_receive(actor=keeper, request=pr, quantity=1)


def test_receipt_for_a_request_not_yet_ordered_or_of_another_part_is_refused(setup):
    keeper, buyer, part, wh, supplier = setup
    ledger.issue(actor=keeper, part=part, quantity=6, location=wh)
    pr = PurchaseRequest.objects.get()
    with pytest.raises(InvalidTransition):
        services.purchase_request_receive(actor=keeper, request=pr, quantity=1)
    services.purchase_request_order(actor=buyer, request=pr, supplier=supplier, expected_on=None)
    other = make_part(actor=keeper)
    with pytest.raises(ReceiptMismatch):
        ledger.receive(actor=keeper, part=other, quantity=1, location=wh, reference=pr.number)
    assert StockBalance.objects.filter(part=other).count() == 0
    pr.refresh_from_db()
    assert pr.received_quantity == 0


def test_cancel_needs_a_reason_and_purchasing(setup):
    keeper, buyer, part, wh, _ = setup
    pr = services.purchase_request_create(actor=buyer, part=part, location=wh, quantity=5, reason="备货")
    with pytest.raises(PurchaseAlreadyOpen):
        services.purchase_request_create(actor=buyer, part=part, location=wh, quantity=5)
    with pytest.raises(PermissionDenied):
        services.purchase_request_cancel(actor=keeper, request=pr, reason="x")
    with pytest.raises(Exception) as exc:
        services.purchase_request_cancel(actor=buyer, request=pr, reason=" ")
    assert exc.value.code == "reason_required"
    services.purchase_request_cancel(actor=buyer, request=pr, reason="供应商停产")
    assert pr.state == "cancelled"
    # Once cancelled, the reorder point may raise a new one.
    ledger.issue(actor=keeper, part=part, quantity=6, location=wh)
    assert PurchaseRequest.objects.filter(state="open").count() == 1


def test_order_needs_a_supplier(setup):
    keeper, buyer, part, wh, _ = setup
    pr = services.purchase_request_create(actor=buyer, part=part, location=wh, quantity=5)
    with pytest.raises(Exception) as exc:
        services.purchase_request_order(actor=buyer, request=pr, supplier=None, expected_on=None)
    assert exc.value.code == "supplier_required"
    pr.refresh_from_db()
    assert pr.state == "open"


def test_setting_a_reorder_point_above_the_stock_raises_a_request_at_once():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    stock(part, wh, 1, keeper)
    services.reorder_point_set(actor=keeper, part=part, location=wh, min_level=2, reorder_quantity=4)
    assert PurchaseRequest.objects.get().quantity == Decimal(4)
