"""Form fields shared by every context's forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The range of days a person can mean: outside it, date arithmetic and the databases overflow (9999-12-31 + 1 day).
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2200, 12, 31)


def _check_day(day: dt.date | None) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(_("Enter a date between %(first)s and %(last)s."), code="out_of_range",
                              params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})


class DayField(forms.DateField):
    """A date between 1990 and 2200."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        _check_day(value)


class MomentField(forms.DateTimeField):
    """A date and time between 1990 and 2200."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        _check_day(value.date() if value is not None else None)
