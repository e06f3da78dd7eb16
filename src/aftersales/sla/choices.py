"""The vocabulary of commitments: which clock, in which time, for which region class."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    TRIAGE = "triage", _("Triage")
    FIRST_CONTACT = "first_contact", _("First contact")
    ON_SITE = "on_site", _("On site")
    RESOLUTION = "resolution", _("Resolution")
    PROGRESS_REPORT = "progress_report", _("Progress report")
    CALLBACK = "callback", _("Callback")
    COMPLAINT_ANSWER = "complaint_answer", _("Complaint answer")


class TimeBasis(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time (24/7)")
    WORKING = "working", _("Working time")


class RegionClass(models.TextChoices):
    SAME_CITY = "same_city", _("Same city")
    SAME_PROVINCE = "same_province", _("Same province")
    OTHER_PROVINCE = "other_province", _("Other province")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CLOCK_STATES = frozenset({ClockState.RUNNING, ClockState.PAUSED})


class ClockEventKind(models.TextChoices):
    START = "start", _("Started")
    PAUSE = "pause", _("Paused")
    RESUME = "resume", _("Resumed")
    STOP = "stop", _("Stopped")
    RECOMPUTE = "recompute", _("Recomputed")
    CANCEL = "cancel", _("Cancelled")


class EscalationTrigger(models.TextChoices):
    PERCENT_ELAPSED = "percent", _("Share of the time elapsed (%)")
    AFTER_BREACH = "after_breach", _("Minutes after the breach")


class Recipient(models.TextChoices):
    ASSIGNEE = "assignee", _("The assigned engineer")
    DISPATCHER = "dispatcher", _("Dispatchers")
    LEAD = "lead", _("The regional lead")
    MANAGER = "manager", _("After-sales managers")
