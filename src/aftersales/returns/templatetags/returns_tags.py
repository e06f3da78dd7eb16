from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from aftersales.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: Any = None) -> str:
    return "—" if amount is None else format_money(amount, currency or None)
