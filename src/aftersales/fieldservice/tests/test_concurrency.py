"""Races that must have exactly one winner, proven with two real database connections."""

from __future__ import annotations

import pytest

from aftersales.core.errors import StaleVersion
from aftersales.core.testing import make_request, make_triaged_request, make_user, race, region_city
from aftersales.fieldservice import services as field
from aftersales.fieldservice.error_codes import AlreadyAssigned
from aftersales.fieldservice.models import Assignment, WorkOrder
from aftersales.servicedesk import services as desk
from aftersales.servicedesk.models import ServiceRequest


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assign_the_same_work_order_one_wins():
    city = region_city()
    d1, d2 = make_user("dispatcher"), make_user("dispatcher")
    e1, e2 = make_user("engineer", region=city), make_user("engineer", region=city)
    request = make_triaged_request()
    wo_id = field.work_order_create(actor=d1, request=request).pk

    def assign(dispatcher, engineer):
        # Both read it unassigned (the race waits for both reads) before either writes.
        return (lambda: WorkOrder.objects.get(pk=wo_id),
                lambda wo: field.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer))

    results = race(assign(d1, e1), assign(d2, e2))
    wins = [r for r in results if isinstance(r, WorkOrder)]
    losses = [r for r in results if isinstance(r, AlreadyAssigned)]
    assert len(wins) == 1 and len(losses) == 1, results
    wo = WorkOrder.objects.get(pk=wo_id)
    assert wo.engineer_id == wins[0].engineer_id
    assert Assignment.objects.filter(work_order_id=wo_id).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_save_the_same_version_second_is_refused_on_postgres():
    agent1, agent2 = make_user("agent"), make_user("agent")
    request_id = make_request(actor=agent1).pk

    def edit(agent, text):
        # Both read version 1 before either saves.
        return (lambda: ServiceRequest.objects.get(pk=request_id),
                lambda sr: desk.request_update(actor=agent, request=sr, values={"summary": text},
                                               expected_version=sr.version))

    results = race(edit(agent1, "first"), edit(agent2, "second"))
    assert sum(isinstance(r, ServiceRequest) for r in results) == 1, results
    assert sum(isinstance(r, StaleVersion) for r in results) == 1, results
    sr = ServiceRequest.objects.get(pk=request_id)
    assert sr.version == 2 and sr.summary in {"first", "second"}


@pytest.mark.django_db
def test_second_save_from_the_same_version_is_refused():
    """Works on SQLite as on PostgreSQL: the write is a compare-and-swap on the version column."""
    agent1, agent2 = make_user("agent"), make_user("agent")
    request = make_request(actor=agent1)
    copy_a = ServiceRequest.objects.get(pk=request.pk)
    copy_b = ServiceRequest.objects.get(pk=request.pk)
    desk.request_update(actor=agent1, request=copy_a, values={"summary": "A"}, expected_version=copy_a.version)
    with pytest.raises(StaleVersion):
        desk.request_update(actor=agent2, request=copy_b, values={"summary": "B"}, expected_version=copy_b.version)
    assert ServiceRequest.objects.get(pk=request.pk).summary == "A"


@pytest.mark.django_db
def test_assigning_an_assigned_work_order_is_a_conflict():
    city = region_city()
    dispatcher = make_user("dispatcher")
    wo = field.work_order_create(actor=dispatcher, request=make_triaged_request())
    stale = WorkOrder.objects.get(pk=wo.pk)
    field.work_order_assign(actor=dispatcher, work_order=wo, engineer=make_user("engineer", region=city))
    with pytest.raises(AlreadyAssigned):
        field.work_order_assign(actor=dispatcher, work_order=stale, engineer=make_user("engineer", region=city))
