"""The one REST API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from aftersales.core.api import BearerAuth, NotPermitted, problem
from aftersales.core.api_errors import field_errors
from aftersales.core.errors import DomainError

DESCRIPTION = """
The aftersales REST API: customers and their installed base, service requests, work orders, field visits,
receipts and callbacks.

* **Authentication** — `POST /api/v1/auth/token` with a username and password returns a bearer token; send it
  as `Authorization: Bearer <token>`. Calls without one get `401`.
* **Errors** — every error is `application/problem+json` (RFC 9457) with a stable `code` and a `title` in the
  caller's language (`Accept-Language: zh-Hans` or `en`, else the user's setting).
* **Lists** paginate with `page` and `page_size` (≤ 100), filter with the documented parameters only and sort
  with `sort` from the documented keys.
* **Concurrency** — reads return an `ETag`; send it back as `If-Match` on writes. A stale version answers
  `412 stale_version`, a lost race (two dispatchers assigning one work order) `409 already_assigned`.
* **Transitions** are actions: `POST /service-requests/{id}/triage`, `/resolve`, `/work-orders/{id}/assign`, …
  A transition that the state machine does not allow answers `409 invalid_transition`.
"""

class AftersalesAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document carries an example for every request body and success response."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        from aftersales.core.openapi_examples import add_examples

        return add_examples(super().get_openapi_schema(*args, **kwargs))


api = AftersalesAPI(
    title="aftersales API",
    version="1",
    description=DESCRIPTION,
    auth=[BearerAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    headers = {}
    return problem(exc.status, exc.code, str(exc.message), errors=exc.errors, headers=headers)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(422, "validation_failed", _("Some fields are not valid."), errors=field_errors(exc.errors))


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = [{"loc": [k], "msg": "; ".join(str(m) for m in v)} for k, v in getattr(exc, "message_dict", {}).items()]
    return problem(422, "validation_failed", _("Some fields are not valid."),
                   detail="" if errors else "; ".join(exc.messages), errors=errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(401, "not_authenticated", _("Sign in first: send a valid bearer token."),
                   headers={"WWW-Authenticate": 'Bearer realm="aftersales"'})


@api.exception_handler(NotPermitted)
def on_not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    return problem(403, "permission_denied", _("You are not allowed to do this."))


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, "permission_denied", _("You are not allowed to do this."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(413, "too_large", _("The request body is too large."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "not_found", _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "too_many_requests"}
    return problem(exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


def _register(api: NinjaAPI) -> None:
    from aftersales.accounts.api import router as auth_router
    from aftersales.billing.api import router as billing_router
    from aftersales.contracts.api import router as contracts_router
    from aftersales.core.api_reference import router as reference_router
    from aftersales.customers.api import router as customers_router
    from aftersales.customers.api_imports import router as imports_router
    from aftersales.feedback.api import router as feedback_router
    from aftersales.fieldservice.api import router as fieldservice_router
    from aftersales.inventory.api import router as inventory_router
    from aftersales.returns.api import router as returns_router
    from aftersales.rma.api import router as rma_router
    from aftersales.servicedesk.api import router as servicedesk_router
    from aftersales.sla.api import router as sla_router

    api.add_router("/auth", auth_router)
    api.add_router("/", customers_router)
    api.add_router("/", imports_router)
    api.add_router("/", servicedesk_router)
    api.add_router("/", fieldservice_router)
    api.add_router("/", feedback_router)
    api.add_router("/", reference_router)
    api.add_router("/", sla_router)
    api.add_router("/", contracts_router)
    api.add_router("/", billing_router)
    api.add_router("/", inventory_router)
    api.add_router("/", rma_router)
    api.add_router("/", returns_router)

    @api.get("/ping", auth=None, tags=["meta"], summary="Liveness probe",
             description="A tiny JSON answer, used by the benchmark as the framework's ceiling.")
    def ping(request: HttpRequest) -> dict[str, Any]:
        return {"ok": True}


_register(api)
