"""Username and password sign-in (Django's ModelBackend), with the per-page user lookup prepared (decision 0009)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from aftersales.core.prepared import PreparedQuery

from .models import User

_USER_BY_ID = PreparedQuery(lambda shape, pk: User._default_manager.filter(pk=pk)[:1])


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        if type(user_id) is not int:
            return super().get_user(user_id)
        rows = _USER_BY_ID("id", user_id)
        return rows[0] if rows and self.user_can_authenticate(rows[0]) else None
