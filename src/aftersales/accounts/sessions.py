"""Database sessions whose lookup is a prepared query (decision 0009): every signed-in page reads its session."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from aftersales.core.prepared import PreparedQuery


def _session_by_key(shape: str, key: str) -> QuerySet[Session]:
    return Session.objects.filter(session_key=key)[:1]


_SESSION_BY_KEY = PreparedQuery(_session_by_key)


class SessionStore(db.SessionStore):
    """Django's database store; the expiry is compared here, not in SQL, so the statement never changes."""

    def _get_session_from_db(self) -> Any:
        rows = _SESSION_BY_KEY("key", self.session_key) if isinstance(self.session_key, str) else []
        if rows and rows[0].expire_date > timezone.now():
            return rows[0]
        self._session_key = None
        return None
