"""People who sign in, what they can do, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import LocalizedNameMixin

from .choices import Language, Role


class Skill(LocalizedNameMixin, models.Model):
    """A competence an engineer has (chiller repair, diesel engines, electrical) and work orders ask for."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.label


class ServiceCenter(models.Model):
    """An after-sales centre that serves customers; region class (same city / province / other) is relative to it."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    city = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: staff of the after-sales department (and, later, customers and partners)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT, db_index=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    region = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"),
                               help_text=_("An engineer's base, or the province a regional lead is responsible for."))
    service_center = models.ForeignKey(ServiceCenter, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="staff", verbose_name=_("service centre"))
    skills = models.ManyToManyField(Skill, blank=True, related_name="engineers", verbose_name=_("skills"))
    grade = models.PositiveSmallIntegerField(_("grade"), default=1, help_text=_("Engineer grade, 1 (junior) to 5."))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active_idx")]

    # The columns __str__ reads: load `.only("id", *User.LABEL_FIELDS)` where a list shows names only.
    LABEL_FIELDS = ("display_name", "first_name", "last_name", "username")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(expires_at__gt=timezone.now(), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def new_raw() -> str:
        return "as_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)
