"""Stock can never go negative: two engineers taking the last unit at the same moment, exactly one succeeds.
Proven with two real PostgreSQL connections (skipped on SQLite, which has one writer anyway)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.testing import make_assigned_work_order, make_user, race, region_city
from aftersales.fieldservice import services as field
from aftersales.fieldservice.models import PartUsage, Visit

from .. import ledger, services
from ..error_codes import InsufficientStock
from ..models import PurchaseRequest, StockBalance, StockMove
from .factories import make_location, make_part, stock


def _on_site(engineer):
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    return field.visit_arrive(actor=engineer, work_order=wo).pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_engineers_issue_the_last_unit_one_wins():
    city = region_city()
    e1, e2 = make_user("engineer", region=city), make_user("engineer", region=city)
    point = make_location("service_point", name="宜昌服务站")
    part = make_part()
    stock(part, point, 1)
    visits = [_on_site(e1), _on_site(e2)]

    def use(engineer, visit_id):
        return (lambda: Visit.objects.select_related("work_order__request").get(pk=visit_id),
                lambda visit: field.visit_use_part(actor=engineer, visit=visit, part=part, quantity=1, location=point))

    results = race(use(e1, visits[0]), use(e2, visits[1]))
    wins = [r for r in results if isinstance(r, PartUsage)]
    losses = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert StockBalance.objects.get(part=part, location=point).on_hand == 0
    assert StockMove.objects.filter(part=part, kind="issue").count() == 1
    assert PartUsage.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reservations_of_the_last_unit_one_wins():
    keeper1, keeper2 = make_user("storekeeper"), make_user("storekeeper")
    wh, part = make_location(), make_part()
    stock(part, wh, 1)

    def reserve(keeper):
        return lambda: services.stock_move(actor=keeper, kind="reserve", part=part, quantity=1, location=wh)

    results = race(reserve(keeper1), reserve(keeper2))
    assert sum(isinstance(r, StockMove) for r in results) == 1, results
    assert sum(isinstance(r, InsufficientStock) for r in results) == 1, results
    balance = StockBalance.objects.get(part=part, location=wh)
    assert (balance.on_hand, balance.reserved) == (Decimal(1), Decimal(1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moves_crossing_the_reorder_point_raise_one_purchase_request():
    keeper1, keeper2 = make_user("storekeeper"), make_user("storekeeper")
    wh, part = make_location(), make_part()
    stock(part, wh, 4)
    services.reorder_point_set(actor=keeper1, part=part, location=wh, min_level=3, reorder_quantity=10)

    def issue(keeper):
        return lambda: ledger.issue(actor=keeper, part=part, quantity=1, location=wh)

    results = race(issue(keeper1), issue(keeper2))
    assert all(isinstance(r, StockMove) for r in results), results
    assert PurchaseRequest.objects.filter(part=part, location=wh).count() == 1
