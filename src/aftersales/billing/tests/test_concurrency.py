"""Two finance clerks settle the same bill at the same moment: exactly one payment is recorded (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.billing import services
from aftersales.billing.models import Bill, Payment
from aftersales.core.errors import InvalidTransition
from aftersales.core.testing import make_user, race

from .factories import approve_by_phone, complete, make_account, make_work_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_pay_and_waive_the_same_bill_one_wins():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    agent = make_user("agent")
    bill_id = services.bill_issue(actor=agent, bill=services.bill_for_work_order(actor=agent, work_order=wo)).pk
    account = make_account()
    f1, f2 = make_user("finance"), make_user("finance")

    def read():
        return Bill.objects.get(pk=bill_id)

    def pay(bill):
        return services.bill_pay(actor=f1, bill=bill, account=account, method="bank_transfer", amount=bill.total,
                                 reference="TX-1", received_on=timezone.localdate())

    def waive(bill):
        return services.bill_waive(actor=f2, bill=bill, reason="免收")

    results = race((read, pay), (read, waive))  # both see the bill unpaid before either acts
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(losses) == 1, results
    bill = Bill.objects.get(pk=bill_id)
    assert (bill.payment_status == "paid") == (Payment.objects.count() == 1)
    assert bill.payment_status in ("paid", "waived")
