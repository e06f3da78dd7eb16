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


class BadInputMiddleware:
    """Two answers every path owes a client, decided before any view runs.

    - A NUL character in the query string or in a form field is refused with 400: no text field can hold it
      (PostgreSQL refuses it outright) and no legitimate client sends it. JSON bodies are checked by the API's
      input types (`core.api_support`).
    - Under /api/, an answer the API's own handlers did not produce (a method the path does not take, a path that
      does not exist) is turned into the API's problem body, so that every API error has one shape.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if self._has_nul(request):
            return self._refuse(api)
        response = self.get_response(request)
        if api and response.status_code in (404, 405) and not response.get("Content-Type", "").startswith(
                ("application/problem+json", "application/json")):
            return self._api_problem(response)
        return response

    def _has_nul(self, request: HttpRequest) -> bool:
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            try:
                values = request.POST.lists()
            except Exception:  # noqa: BLE001 - a malformed body: the view's own parsing answers it
                return False
            return any("\x00" in value for _key, items in values for value in items)
        return False

    @staticmethod
    def _refuse(api: bool) -> HttpResponse:
        from django.utils.translation import gettext as _

        message = _("The request contains a NUL character, which no field can hold.")
        if api:
            from .api import problem

            return problem(400, "nul_character", message)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _api_problem(response: HttpResponse) -> HttpResponse:
        from django.utils.translation import gettext as _

        from .api import problem

        if response.status_code == 405:
            answer = problem(405, "method_not_allowed", _("This method is not allowed on this path."))
            if response.get("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return problem(404, "not_found", _("Not found."))
