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

from .errors import DomainError
from .permissions import has_perm


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
