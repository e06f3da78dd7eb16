"""Back office for commitments: working-time calendars (with the year's holiday notice), SLA policies, and the
clocks as read-only evidence.

Calendar writes go through `sla.calendar_services` (audited, versioned, running clocks recomputed).  Policies,
targets and escalation steps are edited here as reference data through `AuditedAdmin`; their effect on clocks
already running is S2's `clock_recompute` (clocks keep the target they started with until recomputed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin
from aftersales.core.calendars import missing_schedule_year
from aftersales.core.errors import DomainError

from . import calendar_services as cal
from .forms import (
    NoticeConfirmForm,
    NoticeForm,
    WorkCalendarForm,
    describe_errors,
    holiday_formset,
    years_to_text,
)
from .models import (
    CalendarDay,
    ClockEvent,
    EscalationStep,
    ProgressReport,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    WorkCalendar,
)

# The admin index shows the missing-holiday-schedule warning (admin/sla/index.html extends admin/index.html).
admin.site.index_template = "admin/sla/index.html"


# -- calendars ----------------------------------------------------------------------------------------------------

def _selected_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 1901 <= year <= 9998 else timezone.localdate().year


class CalendarDayInline(admin.TabularInline):
    """The dates of one year that differ from the weekly hours (the year is chosen above the table)."""

    model = CalendarDay
    fields = ("date", "is_workday", "name", "source")
    readonly_fields = ("source",)
    extra = 1
    ordering = ("date",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(date__year=_selected_year(request))


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    """Weekly hours, time zone, official years, and a year's table of days; plus the holiday-notice entry page."""

    form = WorkCalendarForm
    list_display = ("name", "time_zone", "is_default", "official_years_display", "days_count", "version")
    search_fields = ("name",)
    inlines = [CalendarDayInline]
    change_form_template = "admin/sla/workcalendar/change_form.html"
    readonly_fields = ("version",)

    def get_fieldsets(self, request: HttpRequest, obj: WorkCalendar | None = None) -> Any:
        return [
            (None, {"fields": ["name", "time_zone", "is_default", "official_years_text"]}),
            (_("Working hours"), {"fields": [f"hours_{wd}" for wd in range(7)],
                                  "description": _("Each weekday's working intervals in the calendar's local time. "
                                                   "Make-up workdays use Monday's hours.")}),
        ]

    @admin.display(description=_("years with official data"))
    def official_years_display(self, obj: WorkCalendar) -> str:
        return years_to_text(obj.official_years) or "—"

    @admin.display(description=_("dates in the table"))
    def days_count(self, obj: WorkCalendar) -> int:
        return obj.days.count()

    def has_delete_permission(self, request: HttpRequest, obj: WorkCalendar | None = None) -> bool:
        if obj is not None and obj.is_default:
            return False  # clocks fall back to it; make another calendar the default first
        return super().has_delete_permission(request, obj)

    # -- writes through the services --

    def save_model(self, request: HttpRequest, obj: WorkCalendar, form: WorkCalendarForm, change: bool) -> None:
        values = form.service_values()
        try:
            if change:
                current = WorkCalendar.objects.get(pk=obj.pk)
                cal.calendar_update(actor=request.user, calendar=current, values=values)
                created = current
            else:
                created = cal.calendar_create(actor=request.user, **values)
        except DomainError as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        for name in ("pk", "id", "version", "created_at", "updated_at", "hours", "official_years", "is_default"):
            setattr(obj, name, getattr(created, name))
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CalendarDay:
            super().save_formset(request, form, formset, change)
            return
        upserts: list[cal.DayRow] = []
        deletes: list[dt.date] = []
        for day_form in formset.forms:
            if not day_form.has_changed() and day_form.instance.pk is None:
                continue
            data = day_form.cleaned_data
            if not data:
                continue
            original = day_form.instance.pk and CalendarDay.objects.filter(pk=day_form.instance.pk).first()
            if data.get("DELETE"):
                if original:
                    deletes.append(original.date)
                continue
            if not day_form.has_changed():
                continue
            if original and original.date != data["date"]:
                deletes.append(original.date)
            upserts.append(cal.DayRow(data["date"], bool(data.get("is_workday")), data.get("name", "")))
        calendar = WorkCalendar.objects.get(pk=form.instance.pk)
        cal.calendar_edit_days(actor=request.user, calendar=calendar, upserts=upserts, deletes=deletes)
        # The admin's own history message reads these (formset.save() would set them); the change log has details.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: WorkCalendar) -> None:
        from aftersales.core import audit
        from aftersales.core.models import AuditEntry

        audit.record(actor=request.user, instance=obj, action=AuditEntry.Action.DELETE, verb="deleted_in_admin",
                     changes=audit.snapshot(obj))
        super().delete_model(request, obj)

    # -- pages --

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            years = set(obj.days.annotate(y=ExtractYear("date")).values_list("y", flat=True).distinct())
            years |= set(obj.official_years)
            selected = _selected_year(request)
            years.add(selected)
            context.update(day_years=sorted(years), selected_year=selected,
                           missing_year=missing_schedule_year(obj.official_years, timezone.localdate())
                           if obj.official_years else None)
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/notice/", self.admin_site.admin_view(self.notice_view),
                 name="{}_{}_notice".format(*info)),
            *super().get_urls(),
        ]

    def notice_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Enter a year's State Council holiday notice: paragraphs or a CSV file → preview → confirm."""
        calendar = get_object_or_404(WorkCalendar, pk=object_id)
        if not self.has_change_permission(request, calendar):
            raise DjangoPermissionDenied
        change_url = reverse("admin:sla_workcalendar_change", args=[calendar.pk])
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": calendar,
            "calendar": calendar,
            "change_url": change_url,
            "title": gettext("Enter a year's holiday notice"),
            "errors": [],
        }
        if request.method == "POST" and request.POST.get("step") == "confirm":
            confirm = NoticeConfirmForm(request.POST)
            if confirm.is_valid():
                year = confirm.cleaned_data["year"]
                try:
                    result = cal.calendar_import_year(
                        actor=request.user, calendar=calendar, year=year, rows=confirm.rows(),
                        mark_official=confirm.cleaned_data["mark_official"],
                        source=confirm.cleaned_data["source"],
                        expected_version=confirm.cleaned_data["expected_version"])
                except cal.CalendarImportInvalid as exc:
                    context["errors"] = describe_errors(exc)
                except DomainError as exc:
                    context["errors"] = [str(exc)]
                else:
                    message = gettext("%(year)s saved: %(added)s dates added, %(changed)s changed, %(removed)s "
                                      "removed.") % {"year": year, "added": result.added, "changed": result.changed,
                                                     "removed": result.removed}
                    if result.clocks_recomputed:
                        message += " " + gettext("%(n)s running deadlines were recomputed.") % {
                            "n": result.clocks_recomputed}
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(f"{change_url}?year={year}")
            else:
                context["errors"] = [gettext("The preview could not be read; enter the notice again.")]
            form = NoticeForm(initial={"year": request.POST.get("year")})
            context.update(form=form, formset=holiday_formset())
            return TemplateResponse(request, "admin/sla/workcalendar/notice.html", context)
        if request.method == "POST":
            form = NoticeForm(request.POST, request.FILES)
            formset = holiday_formset(request.POST)
            context.update(form=form, formset=formset)
            if form.is_valid() and formset.is_valid():
                year = form.cleaned_data["year"]
                try:
                    upload = form.cleaned_data.get("csv_file")
                    if upload is not None:
                        rows = cal.parse_csv(upload.read(), year)
                        source = CalendarDay.Source.IMPORT
                    else:
                        ranges = [r for r in (f.to_range(year) for f in formset.forms) if r is not None]
                        if not formset.is_valid():
                            return TemplateResponse(request, "admin/sla/workcalendar/notice.html", context)
                        rows = cal.rows_from_ranges(year, ranges)
                        source = CalendarDay.Source.ADMIN
                    if not rows:
                        raise cal.CalendarImportInvalid(gettext("Enter at least one holiday, or choose a file."))
                    preview = cal.calendar_import_preview(calendar=calendar, year=year, rows=rows)
                except cal.CalendarImportInvalid as exc:
                    context["errors"] = describe_errors(exc) or [str(exc)]
                else:
                    context.update(
                        preview=preview,
                        confirm=NoticeConfirmForm(initial={
                            "year": year, "payload": cal.rows_to_csv(rows), "expected_version": calendar.version,
                            "mark_official": True, "source": source}),
                        title=gettext("Check the holidays of %(year)s") % {"year": year})
                    return TemplateResponse(request, "admin/sla/workcalendar/notice_preview.html", context)
            return TemplateResponse(request, "admin/sla/workcalendar/notice.html", context)
        today = timezone.localdate()
        year = (missing_schedule_year(calendar.official_years, today) if calendar.official_years else None) \
            or today.year + 1
        context.update(form=NoticeForm(initial={"year": year}), formset=holiday_formset())
        return TemplateResponse(request, "admin/sla/workcalendar/notice.html", context)


# -- policies, targets and escalation steps -----------------------------------------------------------------------

class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    fields = ("clock", "minutes", "basis", "calendar", "recurring", "pauses_while_waiting")
    extra = 0
    show_change_link = True  # escalation steps are edited on the target's own page


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    fields = ("trigger", "value", "recipient")
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    """A policy and its targets; the most specific active policy matching a request applies to it."""

    list_display = ("name", "is_active", "request_type", "severity", "region_class", "customer", "version")
    list_filter = ("is_active", "request_type", "severity", "region_class")
    search_fields = ("name", "description")
    raw_id_fields = ("customer",)
    inlines = [SlaTargetInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(AuditedAdmin):
    """One promise of a policy, with its escalation ladder."""

    list_display = ("policy", "clock", "minutes", "basis", "recurring", "pauses_while_waiting")
    list_filter = ("clock", "basis", "policy")
    list_select_related = ("policy",)
    inlines = [EscalationStepInline]


# -- clocks: evidence, read only ----------------------------------------------------------------------------------

class ReadOnlyAdmin(admin.ModelAdmin):
    """Clocks and their events are written by the SLA services only; the admin shows them as evidence."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockEventInline(admin.TabularInline):
    model = ClockEvent
    fields = ("kind", "at", "reason", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = ("request", "kind", "sequence", "state", "started_at", "due_at", "estimated", "next_check_at")
    list_filter = ("kind", "state", "estimated", "basis")
    search_fields = ("request__number",)
    date_hierarchy = "started_at"
    list_select_related = ("request",)
    inlines = [ClockEventInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("request", "reported_at", "author")
    search_fields = ("request__number", "text")
    list_select_related = ("request", "author")
