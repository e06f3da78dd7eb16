"""The ledger and the storekeeper's moves: balances follow the moves, bad input is refused and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from aftersales.core.errors import PermissionDenied
from aftersales.core.testing import make_user

from .. import ledger, selectors, services
from ..error_codes import InsufficientStock, InvalidMove, InvalidQuantity, ReasonRequired, UnknownPart
from ..models import StockBalance, StockMove
from .factories import make_location, make_part, stock

pytestmark = pytest.mark.django_db


def _balance(part, location):
    row = StockBalance.objects.filter(part=part, location=location).first()
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))


def test_every_kind_of_move_changes_the_balances_as_the_ledger_says():
    keeper = make_user("storekeeper")
    part = make_part(actor=keeper)
    wh, sp = make_location(actor=keeper), make_location("service_point", actor=keeper, name="宜昌服务站")
    services.stock_move(actor=keeper, kind="receive", part=part, quantity="10", location=wh)
    services.stock_move(actor=keeper, kind="transfer", part=part, quantity="4", location=wh, target=sp)
    services.stock_move(actor=keeper, kind="reserve", part=part, quantity="3", location=sp)
    services.stock_move(actor=keeper, kind="release", part=part, quantity="1", location=sp)
    services.stock_move(actor=keeper, kind="issue", part=part, quantity="1", location=sp)
    services.stock_move(actor=keeper, kind="return", part=part, quantity="1", location=wh)
    services.stock_move(actor=keeper, kind="scrap", part=part, quantity="2", location=wh, reason="包装破损")
    services.stock_move(actor=keeper, kind="adjust", part=part, quantity="-1", location=wh, reason="盘点少 1")
    assert _balance(part, wh) == (Decimal(4), Decimal(0))
    assert _balance(part, sp) == (Decimal(3), Decimal(2))
    assert selectors.availability(part, sp) == Decimal(1)
    totals = selectors.part_totals(part)
    assert totals == {"on_hand": Decimal(7), "reserved": Decimal(2), "available": Decimal(5)}
    assert StockMove.objects.filter(part=part).count() == 8


def test_balances_equal_the_sum_of_the_ledger():
    keeper = make_user("storekeeper")
    part = make_part(actor=keeper)
    wh, sp = make_location(actor=keeper), make_location("service_point", actor=keeper)
    stock(part, wh, 9, keeper)
    ledger.transfer(actor=keeper, part=part, quantity=5, source=wh, target=sp)
    ledger.issue(actor=keeper, part=part, quantity=2, location=sp)
    ledger.adjust(actor=keeper, part=part, delta=1, location=wh, reason="盘点多 1")
    for loc in (wh, sp):
        incoming = StockMove.objects.filter(part=part, to_location=loc).aggregate(s=Sum("quantity"))["s"] or 0
        outgoing = StockMove.objects.filter(part=part, from_location=loc).exclude(
            kind__in=["reserve", "release"]).aggregate(s=Sum("quantity"))["s"] or 0
        assert _balance(part, loc)[0] == incoming - outgoing


@pytest.mark.parametrize("quantity", ["-1", "0", "abc", "1.234", "NaN", "Infinity", ""])
def test_bad_quantities_are_refused_and_nothing_is_saved(quantity):
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    with pytest.raises(InvalidQuantity) as exc:
        services.stock_move(actor=keeper, kind="receive", part=part, quantity=quantity, location=wh)
    assert exc.value.code == "invalid_quantity" and exc.value.status == 422
    assert not StockMove.objects.exists() and not StockBalance.objects.exists()


def test_issuing_more_than_available_is_refused_with_409_and_nothing_saved():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    stock(part, wh, 2, keeper)
    ledger.reserve(actor=keeper, part=part, quantity=1, location=wh)
    moves = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as exc:
        services.stock_move(actor=keeper, kind="issue", part=part, quantity="2", location=wh)
    assert exc.value.code == "insufficient_stock" and exc.value.status == 409
    assert exc.value.params["available"] == "1.00"
    assert _balance(part, wh) == (Decimal(2), Decimal(1)) and StockMove.objects.count() == moves


def test_reserving_more_than_available_and_releasing_more_than_reserved_are_refused():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    stock(part, wh, 2, keeper)
    with pytest.raises(InsufficientStock):
        ledger.reserve(actor=keeper, part=part, quantity=3, location=wh)
    with pytest.raises(InsufficientStock):
        ledger.release(actor=keeper, part=part, quantity=1, location=wh)
    with pytest.raises(InsufficientStock):
        ledger.transfer(actor=keeper, part=part, quantity=3, source=wh, target=make_location(actor=keeper))
    assert _balance(part, wh) == (Decimal(2), Decimal(0))


def test_issuing_from_a_location_without_stock_is_refused():
    keeper = make_user("storekeeper")
    with pytest.raises(InsufficientStock):
        ledger.issue(actor=keeper, part=make_part(actor=keeper), quantity=1, location=make_location(actor=keeper))
    assert not StockMove.objects.exists()


def test_unknown_part_and_incomplete_moves_are_refused():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    with pytest.raises(UnknownPart):
        services.stock_move(actor=keeper, kind="receive", part=None, quantity=1, location=wh)
    with pytest.raises(InvalidMove):
        services.stock_move(actor=keeper, kind="transfer", part=part, quantity=1, location=wh)
    with pytest.raises(InvalidMove):
        services.stock_move(actor=keeper, kind="transfer", part=part, quantity=1, location=wh, target=wh)
    with pytest.raises(InvalidMove):
        services.stock_move(actor=keeper, kind="teleport", part=part, quantity=1, location=wh)
    with pytest.raises(ReasonRequired):
        services.stock_move(actor=keeper, kind="scrap", part=part, quantity=1, location=wh)
    assert not StockMove.objects.exists()


def test_only_the_storekeeper_roles_move_stock():
    part, wh = make_part(), make_location()
    for role in ("engineer", "purchasing", "agent", "finance"):
        with pytest.raises(PermissionDenied):
            services.stock_move(actor=make_user(role), kind="receive", part=part, quantity=1, location=wh)
    services.stock_move(actor=make_user("manager"), kind="receive", part=part, quantity=1, location=wh)
    assert StockMove.objects.count() == 1


def test_inactive_parts_cannot_move():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    services.part_update(actor=keeper, part=part, values={"is_active": False})
    with pytest.raises(Exception) as exc:
        stock(part, wh, 1, keeper)
    assert exc.value.code == "inactive_part"


def test_valuation_is_on_hand_times_cost_by_location():
    keeper = make_user("storekeeper")
    a = make_part(actor=keeper, cost_price=Decimal("12.50"))
    b = make_part(actor=keeper, cost_price=Decimal("3.33"))
    wh, sp = make_location(actor=keeper), make_location("service_point", actor=keeper)
    stock(a, wh, 4, keeper)
    stock(b, wh, 3, keeper)
    stock(b, sp, "1.5", keeper)
    report = selectors.valuation()
    values = {r["location"].pk: r["value"] for r in report["rows"]}
    assert values == {wh.pk: Decimal("59.99"), sp.pk: Decimal("5.00")}
    assert report["total"] == Decimal("64.99")


def test_the_ledger_list_narrowed_to_a_location_pages_like_the_or_query():
    from django.db.models import Q

    keeper = make_user("storekeeper")
    part, wh, sp = make_part(actor=keeper), make_location(actor=keeper), make_location("service_point", actor=keeper)
    for i in range(7):
        stock(part, wh, 3, keeper)
        ledger.transfer(actor=keeper, part=part, quantity=1, source=wh, target=sp)
        ledger.issue(actor=keeper, part=part, quantity=1, location=sp)
    expected = list(StockMove.objects.filter(Q(from_location=sp) | Q(to_location=sp)).order_by("-created_at", "-id")
                    .values_list("id", flat=True))
    got = []
    for page_no in (1, 2, 3, 4):
        page = selectors.move_page(selectors.moves_for(keeper), page=page_no, page_size=4, location=sp)
        assert page["count"] == 14 and page["pages"] == 4
        got += [m.pk for m in page["results"]]
    assert got == expected
    narrowed = selectors.move_page(selectors.moves_for(keeper), page=1, page_size=50, location=sp, kind="issue")
    assert narrowed["count"] == 7 and all(m.kind == "issue" for m in narrowed["results"])


def test_issue_from_a_reservation_for_a_work_order():
    keeper = make_user("storekeeper")
    part, wh = make_part(actor=keeper), make_location(actor=keeper)
    stock(part, wh, 3, keeper)
    services.stock_move(actor=keeper, kind="reserve", part=part, quantity=2, location=wh)
    with pytest.raises(InsufficientStock):  # only 1 is free: the other 2 are held for the job
        services.stock_move(actor=keeper, kind="issue", part=part, quantity=2, location=wh)
    services.stock_move(actor=keeper, kind="issue", part=part, quantity=2, location=wh, from_reservation=True)
    assert _balance(part, wh) == (Decimal(1), Decimal(0))
    with pytest.raises(InvalidMove):
        services.stock_move(actor=keeper, kind="scrap", part=part, quantity=1, location=wh, reason="x",
                            from_reservation=True)
