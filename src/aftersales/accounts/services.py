"""Sign-in, API tokens and a user's preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aftersales.core import services as core
from aftersales.core.errors import ValidationFailed

from .choices import Language
from .models import ApiToken


@transaction.atomic
def token_issue(*, user: Any) -> tuple[ApiToken, str]:
    """A new bearer token for the user; the raw value is returned once and only its hash is kept."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash(raw), prefix=raw[3:11],
        expires_at=timezone.now() + dt.timedelta(days=settings.AFTERSALES_API_TOKEN_DAYS),
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# A token's last use is kept to this precision: an API client calling many times a second would otherwise write the
# token row on every call (and on SQLite take the writer lock for a read).
TOKEN_USE_PRECISION = dt.timedelta(minutes=5)


def token_mark_used(*, token: ApiToken, at: dt.datetime | None = None) -> bool:
    """Record that the token authenticated a call (shown to administrators, e.g. to find tokens no one uses).
    Bookkeeping, not a change of the token's meaning: not audited, and written at most once per
    TOKEN_USE_PRECISION. Returns whether it wrote."""
    at = at or timezone.now()
    if token.last_used_at is not None and at - token.last_used_at < TOKEN_USE_PRECISION:
        return False
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    token.last_used_at = at
    return True


@transaction.atomic
def user_set_language(*, actor: Any, user: Any, language: str) -> Any:
    if language not in Language.values:
        raise ValidationFailed(code="language_invalid")
    before = {"language": user.language}
    user.language = language
    user.save(update_fields=["language"])
    from aftersales.core import audit

    audit.record_update(actor=actor, instance=user, before=before, verb="language")
    return user


__all__ = ["token_issue", "token_revoke", "user_set_language", "core"]
