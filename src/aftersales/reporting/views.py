"""The home page: one dashboard per role, each read by a selector in a few bounded queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from aftersales.accounts.choices import Role

from .selectors import DASHBOARDS

WORK_LIST_HOMES = {
    Role.FINANCE: lambda: reverse("billing:list") + "?payment_status=unpaid",
    Role.PURCHASING: lambda: reverse("inventory:purchases"),
    Role.STOREKEEPER: lambda: reverse("inventory:parts"),
    Role.RMA_CLERK: lambda: reverse("rma:list"),
}


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user the dashboard of his role; an engineer's own work list is his dashboard."""
    role = getattr(request.user, "role", "")
    if role == Role.ENGINEER:
        return HttpResponseRedirect(reverse("fieldservice:my"))
    if role in WORK_LIST_HOMES:  # roles whose day is one work list start on it
        return HttpResponseRedirect(WORK_LIST_HOMES[role]())
    entry = DASHBOARDS.get(role)
    if entry is None:
        return render(request, "reporting/none.html")
    template, build = entry
    return render(request, template, build(request.user))
