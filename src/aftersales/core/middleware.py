"""Per-user language and time zone: a signed-in user's choice wins over the browser's Accept-Language."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


class UserLanguageMiddleware:
    """Activates the user's language, else the browser's (zh-CN → 简体中文, en-US → English)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = None
        # The session user is not loaded yet; the language is cached in the session at login and on change.
        chosen = request.session.get("language") if hasattr(request, "session") else None
        if chosen in self.supported:
            language = chosen
        if language is None:
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response


class UserTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tz_name = getattr(user, "time_zone", None) if user is not None and user.is_authenticated else None
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WritePlansMiddleware:
    """On PostgreSQL, requests that change data run with `core.plans.generic_plans()`: their statements are key
    lookups and inserts, whose plans never depend on the values (see that module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from .plans import enabled

        self.get_response = get_response
        self.active = enabled()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.active or request.method not in WRITE_METHODS:
            return self.get_response(request)
        from .plans import generic_plans

        with generic_plans():
            return self.get_response(request)
