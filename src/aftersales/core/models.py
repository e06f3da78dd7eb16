"""Shared building blocks: timestamps and versions, the change log, numbering and geography."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalizedNameMixin:
    """Reference data named in Chinese with an English name beside it: shown in the user's language."""

    name: str
    name_en: str

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record that two people may edit at once: every write bumps `version` (optimistic locking)."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class Region(LocalizedNameMixin, models.Model):
    """A province or a city; sites, engineers and regional leads are placed in them."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("province"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.label

    @property
    def province(self) -> Region:
        return self.parent if self.kind == self.Kind.CITY and self.parent_id else self


_REGIONS: dict[str, Any] = {"at": 0.0, "rows": {}}
REGION_CACHE_SECONDS = 600


def regions_by_id() -> dict[int, Region]:
    """All regions (a few hundred rows of reference data), loaded once per process and refreshed every 10 minutes:
    pages and API answers name provinces and cities without a query each."""
    import time

    now = time.monotonic()
    if now - _REGIONS["at"] > REGION_CACHE_SECONDS or not _REGIONS["rows"]:
        _REGIONS["rows"] = {r.pk: r for r in Region.objects.all()}
        _REGIONS["at"] = now
    return _REGIONS["rows"]


class AuditEntry(models.Model):
    """One change to one record: who, when, what it was before and after. Append-only and hash-chained."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        TRANSITION = "transition", _("State changed")
        DELETE = "delete", _("Deleted")
        EVENT = "event", _("Event")

    at = models.DateTimeField(_("time"), db_index=False)
    # Append-only and the largest table: only the composite indexes in Meta, none per foreign key.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"), db_index=False)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    verb = models.CharField(_("what"), max_length=48, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200, blank=True)
    # The record this one belongs under (a work order's request), so a request's timeline is one indexed query.
    parent_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    parent_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["parent_type", "parent_id", "id"], name="audit_parent_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_repr} {self.verb or self.action}"


class Sequence(models.Model):
    """A counter for readable numbers (SR-2026-000123) on databases without native sequences."""

    key = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
