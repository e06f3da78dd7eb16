"""Callbacks after every job and the complaints they (or customers) raise."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import VersionedModel

from .choices import CallbackMethod, CallbackResult, CallbackState, ComplaintState


class Callback(VersionedModel):
    """A call back to the customer after a request is resolved, to check the result and their satisfaction."""

    request = models.ForeignKey("servicedesk.ServiceRequest", on_delete=models.PROTECT, related_name="callbacks",
                                verbose_name=_("service request"))
    state = models.CharField(_("state"), max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING)
    due_at = models.DateTimeField(_("due"))
    method = models.CharField(_("method"), max_length=14, choices=CallbackMethod.choices,
                              default=CallbackMethod.PHONE)
    result = models.CharField(_("result"), max_length=12, choices=CallbackResult.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("called by"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [
            models.Index(fields=["state", "due_at"], name="callback_queue_idx"),
            models.Index(fields=["state", "-done_at"], name="callback_done_idx"),
            # Manager dashboard: the latest low ratings (1-2), a small share of all callbacks.
            models.Index(fields=["state", "-done_at"], name="callback_low_idx", condition=models.Q(satisfaction__lte=2)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="callback_satisfaction_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} ({self.get_state_display()})"


class Complaint(VersionedModel):
    """A customer's complaint, handled until the customer is satisfied (ISO 10002 steps)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    request = models.ForeignKey("servicedesk.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="complaints", verbose_name=_("service request"))
    callback = models.ForeignKey(Callback, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("found in callback"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"))
    state = models.CharField(_("state"), max_length=14, choices=ComplaintState.choices, default=ComplaintState.OPEN)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner"))
    answer = models.TextField(_("answer to the customer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["state", "-created_at"], name="complaint_state_idx")]

    def __str__(self) -> str:
        return self.number
