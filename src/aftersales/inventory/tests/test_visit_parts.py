"""Parts used on a visit come from the catalogue and issue stock from the engineer's van or a chosen location."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.testing import make_assigned_work_order, make_user, region_city
from aftersales.fieldservice import services as field
from aftersales.fieldservice.error_codes import NotYourWorkOrder
from aftersales.fieldservice.models import PartUsage

from ..error_codes import InsufficientStock, InvalidQuantity, LocationNotAllowed, NoVan
from ..models import StockBalance, StockMove
from .factories import make_location, make_part, make_van, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def job():
    engineer = make_user("engineer", region=region_city())
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    van = make_van(engineer)
    part = make_part()
    stock(part, van, 3)
    return engineer, wo, visit, van, part


def _on_hand(part, location):
    return StockBalance.objects.get(part=part, location=location).on_hand


def test_using_a_part_issues_it_from_the_van_to_the_work_order(job):
    engineer, wo, visit, van, part = job
    usage = field.visit_use_part(actor=engineer, visit=visit, part=part, quantity="2")
    assert usage.part == part and usage.stock_move.kind == "issue" and usage.stock_move.work_order == wo
    assert usage.stock_move.from_location == van and _on_hand(part, van) == Decimal(1)


def test_removing_the_usage_returns_the_stock(job):
    engineer, wo, visit, van, part = job
    usage = field.visit_use_part(actor=engineer, visit=visit, part=part, quantity="2")
    field.visit_remove_part(actor=engineer, usage=usage)
    assert not PartUsage.objects.exists() and _on_hand(part, van) == Decimal(3)
    assert list(StockMove.objects.filter(part=part).values_list("kind", flat=True).order_by("id")) == [
        "receive", "issue", "return"]


def test_using_more_than_the_van_holds_is_refused_and_nothing_saved(job):
    engineer, wo, visit, van, part = job
    with pytest.raises(InsufficientStock):
        field.visit_use_part(actor=engineer, visit=visit, part=part, quantity="4")
    with pytest.raises(InvalidQuantity):
        field.visit_use_part(actor=engineer, visit=visit, part=part, quantity="-1")
    assert not PartUsage.objects.exists() and _on_hand(part, van) == Decimal(3)
    assert StockMove.objects.count() == 1


def test_a_chosen_service_point_but_not_another_engineers_van(job):
    engineer, wo, visit, van, part = job
    point = make_location("service_point", name="宜昌服务站")
    stock(part, point, 5)
    field.visit_use_part(actor=engineer, visit=visit, part=part, quantity=1, location=point)
    assert _on_hand(part, point) == Decimal(4)
    other_van = make_van(make_user("engineer"))
    stock(part, other_van, 5)
    with pytest.raises(LocationNotAllowed):
        field.visit_use_part(actor=engineer, visit=visit, part=part, quantity=1, location=other_van)
    assert _on_hand(part, other_van) == Decimal(5)


def test_an_engineer_without_a_van_must_choose_a_location():
    engineer = make_user("engineer", region=region_city())
    wo = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    with pytest.raises(NoVan):
        field.visit_use_part(actor=engineer, visit=visit, part=make_part(), quantity=1)


def test_only_the_assigned_engineer(job):
    engineer, wo, visit, van, part = job
    with pytest.raises(NotYourWorkOrder):
        field.visit_use_part(actor=make_user("engineer"), visit=visit, part=part, quantity=1)
    assert _on_hand(part, van) == Decimal(3)


def test_free_text_lines_do_not_touch_catalogue_usages(job):
    engineer, wo, visit, van, part = job
    field.visit_use_part(actor=engineer, visit=visit, part=part, quantity=1)
    field.visit_record(actor=engineer, visit=visit, values={"diagnosis": "x"},
                       parts=[{"description": "扎带", "quantity": 5}])
    field.visit_record(actor=engineer, visit=visit, values={}, parts=[])
    assert list(visit.parts.values_list("part_id", flat=True)) == [part.pk]
    assert _on_hand(part, van) == Decimal(2)
