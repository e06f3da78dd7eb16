"""Authentication endpoints: exchange a username and password for a bearer token."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from aftersales.core.api import Problem
from aftersales.core.errors import DomainError

from . import services
from .schemas import MeOut, TokenIn, TokenOut

router = Router(tags=["auth"])


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class LockedOut(DomainError):
    status = 429
    code = "locked_out"


def me_out(user) -> MeOut:  # noqa: ANN001
    return MeOut(id=user.pk, username=user.username, name=str(user), role=user.role, language=user.language,
                 time_zone=user.time_zone, region_id=user.region_id)


@router.post("/token", auth=None, response={200: TokenOut, 401: Problem, 422: Problem, 429: Problem},
             summary="Get a bearer token",
             description="Exchange a username and password for a bearer token valid for 30 days. Repeated "
                         "failures lock the username for a while (429 `locked_out`).",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "example": {"username": "dispatcher", "password": "…"}}}}})
def token(request: HttpRequest, body: TokenIn) -> TokenOut:
    try:
        user = authenticate(request=request, username=body.username, password=body.password)
    except AxesBackendPermissionDenied:
        raise LockedOut(_("Too many failed sign-ins. Wait a few minutes and try again."))
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(_("Too many failed sign-ins. Wait a few minutes and try again."))
    if user is None or not user.is_active:
        raise LoginFailed(_("Wrong username or password."))
    row, raw = services.token_issue(user=user)
    return TokenOut(token=raw, expires_at=row.expires_at, user=me_out(user))


@router.get("/me", response={200: MeOut, 401: Problem}, summary="Who am I",
            description="The user the bearer token belongs to, with role and preferences.")
def me(request: HttpRequest) -> MeOut:
    return me_out(request.auth)
