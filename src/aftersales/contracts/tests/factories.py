"""Factories of the contracts tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aftersales.core.testing import make_equipment, make_user


def make_contract(*, customer: Any = None, equipment: list[Any] | None = None, actor: Any = None,
                  active: bool = True, start: dt.date | None = None, end: dt.date | None = None,
                  **values: Any) -> Any:
    from aftersales.contracts import services

    actor = actor or make_user("manager")
    if equipment is None:
        equipment = [make_equipment(commissioning_date=timezone.localdate() - dt.timedelta(days=1000))]
    customer = customer or equipment[0].customer
    today = timezone.localdate()
    start = start or today - dt.timedelta(days=100)
    end = end or start + dt.timedelta(days=364)
    values.setdefault("price", Decimal("36000.00"))
    values.setdefault("included_visits_per_year", 4)
    contract = services.contract_create(actor=actor, customer=customer, title=values.pop("title", "冷水机组年度维保"),
                                        start_date=start, end_date=end, equipment=equipment, **values)
    if active:
        services.contract_activate(actor=actor, contract=contract, today=min(today, end))
    return contract
