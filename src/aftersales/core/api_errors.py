"""Input errors of the API in the caller's language.

Pydantic reports each bad field with a stable `type` (`missing`, `string_too_long`, `int_parsing`, …), its
context (`max_length`, `ge`, …) and an English `msg`. The API keeps `type` and `loc` as the machine-readable part
and replaces `msg` with the same sentence in the caller's language. Messages of the project's own validators are
English msgids (`gettext_noop`) translated here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Pydantic error type → message; placeholders are filled from the error's context.
MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("The value does not have the expected form."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_max_digits": gettext_lazy("Enter at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("Enter at most %(decimal_places)s decimal places."),
    "decimal_whole_digits": gettext_lazy("Enter at most %(whole_digits)s digits before the decimal point."),
    "finite_number": gettext_lazy("Enter a finite number."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_type": gettext_lazy("Enter a date and time (ISO 8601, with its offset)."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601, with its offset)."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time (ISO 8601, with its offset)."),
    "timezone_aware": gettext_lazy("Give the time with its offset, e.g. 2026-03-01T09:30:00+08:00."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Enter a list."),
    "too_short": gettext_lazy("Enter at least %(min_length)s items."),
    "too_long": gettext_lazy("Enter at most %(max_length)s items."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "json_type": gettext_lazy("The body is not valid JSON."),
    "extra_forbidden": gettext_lazy("This field is not accepted here."),
    "url_parsing": gettext_lazy("Enter a valid URL."),
}
FALLBACK = gettext_lazy("This value is not valid.")


def _context(error: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (error.get("ctx") or {}).items() if not isinstance(value, Exception)}


def message(error: dict[str, Any]) -> str:
    """The error's message in the active language."""
    kind = error.get("type", "")
    if kind in ("value_error", "assertion_error"):
        exc = (error.get("ctx") or {}).get("error")
        text = str(exc) if exc is not None else str(error.get("msg", "")).split(", ", 1)[-1]
        return _(text) if text else str(FALLBACK)
    template = MESSAGES.get(kind)
    if template is None:
        return str(FALLBACK)
    try:
        return str(template) % _context(error)
    except (KeyError, ValueError, TypeError):
        return str(FALLBACK)


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's `errors` list: where (`loc`), what (`type`, stable) and why (`msg`, translated)."""
    return [{"loc": [str(p) for p in e.get("loc", [])], "msg": message(e), "type": e.get("type", "")} for e in errors]


def field_error(loc: str | list[str], msg: Any, type: str = "invalid", **extra: Any) -> dict[str, Any]:  # noqa: A002
    """One entry of a problem's `errors`, in the same shape as the input checks': where, what, why."""
    return {"loc": [loc] if isinstance(loc, str) else [str(p) for p in loc], "msg": str(msg), "type": type, **extra}
