"""Commitments as clocks: working-time calendars, SLA policies and their targets, and the clocks on requests.

A clock's state is derived from its stored events (start, pause, resume, stop) and its calendar, so it can always
be recomputed; `due_at` and `next_check_at` are cached results of that computation (docs/decisions/0005).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import (
    ClockEventKind,
    ClockKind,
    ClockState,
    EscalationTrigger,
    Recipient,
    RegionClass,
    TimeBasis,
)


class WorkCalendar(VersionedModel):
    """Working hours per weekday, a time zone, and a per-date table of holidays and make-up workdays."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    # {"0": [["08:30", "12:00"], ["13:30", "18:00"]], ..., "6": []} — 0 is Monday; "24:00" ends a day.
    hours = models.JSONField(_("working hours"), default=dict)
    # Years whose holiday table is official (the State Council notice was entered); others are estimated.
    official_years = models.JSONField(_("years with official data"), default=list, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working-time calendar")
        verbose_name_plural = _("working-time calendars")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """One date that differs from the weekly pattern: a holiday (not working) or a make-up workday (调休上班)."""

    class Source(models.TextChoices):
        SEED = "seed", _("Seeded from chinesecalendar")
        ADMIN = "admin", _("Entered by an administrator")
        IMPORT = "import", _("Imported from a file")

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        ordering = ["calendar_id", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(VersionedModel):
    """A set of targets applying to requests that match it; the most specific active policy wins."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # What it applies to: blank means "any".
    request_type = models.CharField(_("request type"), max_length=14, blank=True)
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    region_class = models.CharField(_("region class"), max_length=16, choices=RegionClass.choices, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="sla_policies", verbose_name=_("customer"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One promise of a policy: e.g. on site within 6 hours of calendar time, or a progress report every 2 hours."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    basis = models.CharField(_("time basis"), max_length=10, choices=TimeBasis.choices, default=TimeBasis.CALENDAR)
    calendar = models.ForeignKey(WorkCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("calendar"), help_text=_("Working-time targets; blank: the default."))
    recurring = models.BooleanField(_("recurring"), default=False,
                                    help_text=_("Repeats after each report until the request is resolved."))
    pauses_while_waiting = models.BooleanField(_("pauses while waiting on the customer"), default=False)

    class Meta:
        ordering = ["policy_id", "clock"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["policy", "clock"], name="sla_target_one_per_clock")]

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_clock_display()} {self.minutes} min"


class EscalationStep(models.Model):
    """Who is told when: at 75 % warn the assignee, at breach the lead, 30 minutes after breach the manager."""

    target = models.ForeignKey(SlaTarget, on_delete=models.CASCADE, related_name="escalations")
    trigger = models.CharField(_("when"), max_length=14, choices=EscalationTrigger.choices)
    value = models.PositiveIntegerField(_("value"), help_text=_("Percent elapsed, or minutes after the breach."))
    recipient = models.CharField(_("notify"), max_length=12, choices=Recipient.choices)

    class Meta:
        ordering = ["target_id", "trigger", "value"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"{self.target}: {self.get_trigger_display()} {self.value} → {self.get_recipient_display()}"


class SlaClock(models.Model):
    """One commitment running on one request; `due_at`, `state` and `next_check_at` derive from its events."""

    request = models.ForeignKey("servicedesk.ServiceRequest", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    sequence = models.PositiveSmallIntegerField(_("number"), default=1, help_text=_("The nth recurring report."))
    target = models.ForeignKey(SlaTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks")
    explanation = models.CharField(_("why this policy"), max_length=300, blank=True)
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    basis = models.CharField(_("time basis"), max_length=10, choices=TimeBasis.choices)
    calendar = models.ForeignKey(WorkCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    # The month of the stop in the company's time zone, so the compliance report groups without converting
    # every row's time zone.
    stopped_month = models.DateField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("time paused (s)"), default=0)
    estimated = models.BooleanField(_("estimated"), default=False,
                                    help_text=_("The deadline uses a year without an official holiday table."))
    # When the sweep must look at this clock next (an escalation threshold, the deadline); null when finished.
    next_check_at = models.DateTimeField(null=True, blank=True)
    escalations_done = models.JSONField(default=list, blank=True)
    # Copied from the request (and kept in step on re-triage and site change) so the compliance report groups
    # finished clocks without joining a million requests.
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    province = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 db_index=False)

    class Meta:
        ordering = ["request_id", "kind", "sequence"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            models.Index(fields=["next_check_at"], name="clock_due_idx",
                         condition=models.Q(next_check_at__isnull=False)),
            models.Index(fields=["request", "kind"], name="clock_request_idx"),
            models.Index(fields=["state", "due_at"], name="clock_state_due_idx"),
            models.Index(fields=["stopped_at"], name="clock_finished_idx",
                         condition=models.Q(state__in=["met", "breached"])),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "sequence"], name="clock_unique_per_request"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.kind}#{self.sequence}"


class ClockEvent(models.Model):
    """Evidence: each start, pause, resume, stop and recomputation of a clock, with its time and reason."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=ClockEventKind.choices)
    at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        ordering = ["clock_id", "at", "id"]
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")

    def __str__(self) -> str:
        return f"{self.clock} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ProgressReport(TimeStampedModel):
    """A progress report to the customer on an important problem (every 2 hours until solved)."""

    request = models.ForeignKey("servicedesk.ServiceRequest", on_delete=models.CASCADE,
                                related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported"))
    text = models.TextField(_("report"))

    class Meta:
        ordering = ["request_id", "reported_at"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.request_id} @ {self.reported_at:%Y-%m-%d %H:%M}"
