"""Sign-in, sign-out and language choice."""

from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .choices import Language
from .services import user_set_language


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("home"))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.login(request, user)
        request.session["language"] = user.language
        return HttpResponseRedirect(_safe_next(request, reverse("home")))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")},
                  status=status)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this when a username is locked after repeated failures."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        from aftersales.core.api import problem

        return problem(429, "locked_out", _("Too many failed sign-ins. Wait a few minutes and try again."))
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "locked": True}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    language = request.session.get("language")
    auth.logout(request)
    if language:
        request.session["language"] = language
    return HttpResponseRedirect(reverse("login"))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in Language.values:
        request.session["language"] = language
        if request.user.is_authenticated and request.user.language != language:
            user_set_language(actor=request.user, user=request.user, language=language)
    return HttpResponseRedirect(_safe_next(request, reverse("home")))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
