"""Money: Decimal end to end, one currency per amount (CNY by default), rounded by one rule.

Every amount the product stores or prints goes through `money()`: half-up to the currency's minor unit (fen for
CNY). Totals are sums of rounded lines, so a printed total always equals the sum of the printed lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

MINOR_UNITS = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "JPY": 0}
CURRENCIES = tuple(MINOR_UNITS)


def default_currency() -> str:
    return getattr(settings, "AFTERSALES_CURRENCY", "CNY")


def money(value: Any, currency: str | None = None) -> Decimal:
    """`value` as a Decimal rounded half-up to the currency's minor unit. Floats are refused: they are not exact."""
    if isinstance(value, float):
        raise TypeError("money amounts must not be floats; pass a Decimal, an int or a string")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or abs(amount) >= Decimal("1e15"):
        raise ValueError(f"not an amount: {value!r}")
    places = MINOR_UNITS.get(currency or default_currency(), 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str | None = None) -> Decimal:
    """A line's amount: quantity × unit price, rounded once."""
    return money(Decimal(quantity) * Decimal(unit_price), currency)


def total(amounts: Any, currency: str | None = None) -> Decimal:
    """The sum of already-rounded line amounts (rounding each line first keeps totals equal to their lines)."""
    return money(sum((money(a, currency) for a in amounts), Decimal(0)), currency)


def format_money(amount: Decimal, currency: str | None = None) -> str:
    currency = currency or default_currency()
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥"}.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(money(amount, currency)):,}"
