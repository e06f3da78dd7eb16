"""Two people deciding the same step at the same moment: exactly one decision is recorded (PostgreSQL, two
connections; skipped on SQLite). Also two clerks shipping the same RMA case at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.core.errors import DomainError
from aftersales.core.testing import make_user, race
from aftersales.returns import services
from aftersales.returns.models import ReturnApproval

from .factories import make_return


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_decide_the_same_step_one_wins():
    a1, a2 = make_user("agent"), make_user("agent")
    request = make_return(actor=a1)

    def decide(agent, decision):
        from aftersales.returns.models import ReturnRequest

        return (lambda: ReturnRequest.objects.get(pk=request.pk),
                lambda seen: services.return_decide(actor=agent, request=seen, decision=decision, reason="并发"))

    results = race(decide(a1, "approve"), decide(a2, "reject"))
    wins = [r for r in results if isinstance(r, ReturnApproval)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert ReturnApproval.objects.filter(request=request).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_ship_the_same_case_once():
    from aftersales.rma import services as rma
    from aftersales.rma.models import RmaCase
    from aftersales.rma.tests.factories import make_case, make_vendor

    c1, c2 = make_user("rma_clerk"), make_user("rma_clerk")
    case = make_case(actor=c1)
    rma.rma_test(actor=c1, case=case, result="product_fault")
    rma.rma_hand_over(actor=c1, case=case)
    vendor = make_vendor()

    def ship(clerk, tracking):
        return (lambda: RmaCase.objects.get(pk=case.pk),
                lambda seen: rma.rma_ship(actor=clerk, case=seen, vendor=vendor, carrier="顺丰",
                                          tracking_number=tracking, shipped_on=timezone.localdate()))

    results = race(ship(c1, "SF1"), ship(c2, "SF2"))
    assert len([r for r in results if isinstance(r, RmaCase)]) == 1, results
    assert len([r for r in results if isinstance(r, DomainError)]) == 1, results
