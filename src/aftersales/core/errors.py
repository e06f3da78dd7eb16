"""Domain errors: values with a stable code, raised by services, mapped to 4xx by the API and to messages by the UI."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the operation. `code` is stable and machine-readable; `message` is translated."""

    status = 400
    code = "invalid"
    default_message: str | Promise = _("The operation is not allowed.")

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None,
                 errors: list[dict[str, Any]] | None = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.errors = errors or []
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = _("Some fields are not valid.")


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    default_message = _("This action is not allowed in the record's current state.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("Someone else changed this record at the same time.")


class StaleVersion(DomainError):
    """The record changed since the client read it (optimistic concurrency)."""

    status = 412
    code = "stale_version"
    default_message = _("This record was changed by someone else since you opened it. Reload and try again.")


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")
