"""The in-app inbox: every signed-in user sees only his own messages and marks them read. Thin views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.api import paginate
from aftersales.core.views import page_number

from . import selectors, services

PAGE_SIZE = 25


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's messages, newest first; `?unread=1` shows only the unread ones."""
    qs = selectors.notifications_for(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = paginate(qs, page_number(request), PAGE_SIZE)
    return render(request, "notifications/inbox.html", {
        "page": page, "only_unread": only_unread, "unread": selectors.unread_count(request.user),
    })


@require_POST
@login_required
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read; htmx gets the updated row back, a plain form goes back to the inbox."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.inbox_mark_read(user=request.user, notification=notification)
    if request.headers.get("HX-Request"):
        return render(request, "notifications/partials/row.html", {"n": notification})
    return HttpResponseRedirect(reverse("notifications:inbox"))


@require_POST
@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a message read and go to what it is about (only a link inside this site is followed)."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.inbox_mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
        target = reverse("notifications:inbox")
    return HttpResponseRedirect(target)


@require_POST
@login_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications:inbox"))
