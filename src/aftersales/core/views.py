"""Helpers for server-rendered views: permission decorator, domain errors to messages, safe file serving."""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

from .errors import DomainError, StaleVersion
from .permissions import has_perm


def pk_url(name: str) -> Callable[[int], str]:
    """The URL of a route taking one `pk`, reversed once per process and filled per row (a list of 25–50 rows
    would otherwise resolve it 25–50 times): `url = pk_url("servicedesk:detail"); url(sr.pk)`."""
    return _pk_url(name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=256)
def _pk_url(name: str, _prefix: str, _urlconf: Any) -> Callable[[int], str]:
    head, _sep, tail = reverse(name, args=[0]).rpartition("/0/")
    return lambda pk: f"{head}/{int(pk)}/{tail}"


def permission_required(perm: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed in and holding `perm`, else the sign-in page or a 403 page in the user's language."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_perm(request.user, perm):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm  # type: ignore[attr-defined]  # read by the permission-matrix test
        return wrapped

    return decorator


def error_text(exc: DomainError) -> str:
    return str(exc.message)


def conflict_text(exc: DomainError) -> str:
    """A refusal as a page message; a stale form says what to do about it."""
    if isinstance(exc, StaleVersion):
        return _("This record was changed by someone else since you opened it. Reload the page and try again.")
    return str(exc)


def page_number(request: HttpRequest, limit: int = 10_000) -> int:
    """The `page` query parameter, clamped to 1…limit; anything else is page 1."""
    try:
        return max(1, min(int(request.GET.get("page", 1)), limit))
    except (TypeError, ValueError):
        return 1


def positive_int(value: Any) -> int | None:
    """An id from a form or query string, or None when it is not a positive integer a database key can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def serve_file(name: str, *, download_name: str, inline: bool = False) -> FileResponse:
    """Stream a stored upload. Callers check access first; `nosniff` stops browsers guessing a type."""
    if not name or ".." in name or name.startswith("/"):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=not inline, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
