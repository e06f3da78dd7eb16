"""REST endpoints of returns, exchanges and recalls (C9); thin: scope with the selectors, call a service, shape."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_errors import field_error
from aftersales.core.api_support import (
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    responses,
)
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import (
    APPROVE_RETURNS,
    MANAGE_RECALLS,
    REQUEST_RETURNS,
    VIEW_RECALLS,
    VIEW_RETURNS,
)
from aftersales.customers.models import ProductModel
from aftersales.customers.selectors import customers_for, equipment_for
from aftersales.fieldservice.selectors import work_orders_for
from aftersales.inventory.models import Part, StockLocation
from aftersales.servicedesk.selectors import requests_for

from . import selectors, services
from .models import RecallCampaign, RecallUnit, ReturnRequest
from .schemas import (
    CampaignIn,
    CampaignOut,
    CompensationIn,
    CompensationOut,
    DecideIn,
    KindName,
    PreviewOut,
    ReturnCreateIn,
    ReturnOut,
    StateName,
    UnitOut,
)

router = Router(tags=["returns"])


def _ref(source: Any, pk: int | None, field: str) -> Any:
    """The record `pk` from a model or a (scoped) queryset, or a 422 naming the field."""
    if not pk:
        return None
    qs = source.objects.all() if hasattr(source, "objects") else source
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(errors=[field_error(field, _("Unknown, or not yours to use."), "unknown")])
    return obj


@router.get("/return-requests", auth=needs(VIEW_RETURNS), response=responses(200, Page[ReturnOut]),
            summary="List return and exchange requests",
            description="Newest first; `mine=true` lists those waiting for the caller's step of the chain.")
def return_list(request: HttpRequest, state: StateName = Query(None), kind: KindName = Query(None),
                mine: bool = Query(False), page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.return_list(actor(request), state=state or "", kind=kind or "", mine=mine)
    return paginate(qs, page, page_size)


@router.post("/return-requests", auth=needs(REQUEST_RETURNS), response=responses(201, ReturnOut, write=True),
             summary="Request a return or an exchange",
             description="A customer's return (refund) or exchange of a unit or a part. It then waits for the "
                         "chain: agent → dispatcher → on-site assessment → materials → manager.",
             openapi_extra=body_example({"customer_id": 12, "kind": "exchange", "part_id": 7, "quantity": "1",
                                         "reason": "电池模块鼓包", "refund_amount": None}))
def return_create(request: HttpRequest, body: ReturnCreateIn) -> Status:
    user = actor(request, REQUEST_RETURNS)
    customer = _ref(customers_for(user), body.customer_id, "customer_id")
    created = services.return_request_create(
        actor=user, customer=customer, kind=body.kind, reason=body.reason,
        equipment=_ref(equipment_for(user).filter(customer=customer), body.equipment_id, "equipment_id"),
        part=_ref(Part.objects.filter(is_active=True), body.part_id, "part_id"), quantity=body.quantity,
        source_request=_ref(requests_for(user), body.source_request_id, "source_request_id"),
        source_work_order=_ref(work_orders_for(user).select_related("request"), body.source_work_order_id,
                               "source_work_order_id"),
        refund_amount=body.refund_amount)
    return Status(201, get_or_404(selectors.with_relations(ReturnRequest.objects.all()), created.pk))


@router.get("/return-requests/{id}", auth=needs(VIEW_RETURNS), response=responses(200, ReturnOut),
            summary="Get a return request", description="With every decision of its chain; `ETag` carries its version.")
def return_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> ReturnRequest:  # noqa: A002
    obj = get_or_404(selectors.with_relations(selectors.returns_for(actor(request))), id)
    etag(response, obj)
    return obj


@router.post("/return-requests/{id}/decide", auth=needs(APPROVE_RETURNS), response=responses(200, ReturnOut,
                                                                                              write=True),
             summary="Decide the current step",
             description="Approve or reject the step waiting now. Only its role decides it (403 "
                         "`return_wrong_role`); another step than the current one is 409 `return_out_of_order`; a "
                         "rejection (with a reason) ends the chain. The dispatcher may name the assessing engineer, "
                         "the storekeeper chooses the stock locations. The manager's approval writes the stock "
                         "moves and the refund bill in the same transaction (409 `insufficient_stock` and nothing "
                         "saved when the replacement is not in stock). Honours `If-Match`.",
             openapi_extra=body_example({"decision": "approve", "reason": "现场确认属质量问题"}))
def return_decide(request: HttpRequest, response: HttpResponse, body: DecideIn,
                  id: int = path_id()) -> ReturnRequest:  # noqa: A002
    user = actor(request)
    obj = get_or_404(selectors.returns_for(user), id)
    services.return_decide(
        actor=user, request=obj, decision=body.decision, reason=body.reason, step=body.step,
        assessor=_ref(get_user_model(), body.assessor_id, "assessor_id"),
        return_location=_ref(StockLocation, body.return_location_id, "return_location_id"),
        replacement_location=_ref(StockLocation, body.replacement_location_id, "replacement_location_id"),
        expected_version=if_match(request))
    fresh = get_or_404(selectors.with_relations(selectors.returns_for(user)), id)
    etag(response, fresh)
    return fresh


@router.get("/recall-campaigns", auth=needs(VIEW_RECALLS), response=responses(200, Page[CampaignOut]),
            summary="List recall campaigns", description="Newest first, each with its progress.")
def campaign_list(request: HttpRequest, page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request)
    result = paginate(selectors.campaigns_for(user).order_by("-created_at", "-id"), page, page_size)
    progress = selectors.progress_of(user, result["results"])
    for campaign in result["results"]:
        campaign.progress = progress[campaign.pk]
    return result


@router.post("/recall-campaigns", auth=needs(MANAGE_RECALLS), response=responses(201, CampaignOut, write=True),
             summary="Create a recall campaign",
             description="A draft campaign: a product model and a serial range (compared with numbers as numbers: "
                         "A-99 < A-100) and/or a production batch. Preview it, then launch it.",
             openapi_extra=body_example({"title": "UPS-20K 电池模块过热召回", "product_model_id": 5,
                                         "production_batch": "2024-07B", "description": "更换连接片"}))
def campaign_create(request: HttpRequest, body: CampaignIn) -> Status:
    user = actor(request, MANAGE_RECALLS)
    campaign = services.campaign_create(
        actor=user, title=body.title, product_model=_ref(ProductModel, body.product_model_id, "product_model_id"),
        serial_from=body.serial_from, serial_to=body.serial_to, production_batch=body.production_batch,
        description=body.description)
    return Status(201, get_or_404(selectors.campaigns_for(user), campaign.pk))


@router.get("/recall-campaigns/{id}", auth=needs(VIEW_RECALLS), response=responses(200, CampaignOut),
            summary="Get a recall campaign",
            description="With its progress: % of units whose work order is completed, overall and by province.")
def campaign_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> RecallCampaign:  # noqa: A002
    campaign = get_or_404(selectors.campaigns_for(actor(request)), id)
    etag(response, campaign)
    return campaign


@router.get("/recall-campaigns/{id}/preview", auth=needs(VIEW_RECALLS), response=responses(200, PreviewOut),
            summary="Preview a campaign's units",
            description="The units the selection covers now, with their customers and sites (first 500 units).")
def campaign_preview(request: HttpRequest, id: int = path_id()) -> dict[str, Any]:  # noqa: A002
    campaign = get_or_404(selectors.campaigns_for(actor(request)), id)
    result = selectors.preview(campaign)
    result["units"] = result["units"][:500]
    return result


@router.post("/recall-campaigns/{id}/launch", auth=needs(MANAGE_RECALLS), response=responses(200, CampaignOut,
                                                                                              write=True),
             summary="Launch a campaign",
             description="One service request (the campaign number and title in its summary), triaged, and one "
                         "work order per unit, in one transaction. 409 `recall_not_draft` when already launched, "
                         "409 `recall_empty` when nothing matches. Honours `If-Match`.")
def campaign_launch(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> RecallCampaign:  # noqa: A002
    user = actor(request)
    campaign = get_or_404(selectors.campaigns_for(user), id)
    services.campaign_launch(actor=user, campaign=campaign, expected_version=if_match(request))
    fresh = get_or_404(selectors.campaigns_for(user), id)
    etag(response, fresh)
    return fresh


@router.get("/recall-campaigns/{id}/units", auth=needs(VIEW_RECALLS), response=responses(200, Page[UnitOut]),
            summary="List a campaign's units",
            description="Each unit with its work order's state and the compensation given; a lead sees his "
                        "province's. `done=true|false` filters.")
def campaign_units(request: HttpRequest, id: int = path_id(), done: bool | None = Query(None),  # noqa: A002
                   page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request)
    campaign = get_or_404(selectors.campaigns_for(user), id)
    qs = selectors.units_for(user, campaign)
    if done is not None:
        qs = qs.filter(work_order__state="completed") if done else qs.exclude(work_order__state="completed")
    return paginate(qs, page, page_size)


@router.post("/recall-units/{id}/compensations", auth=needs(MANAGE_RECALLS),
             response=responses(201, CompensationOut, write=True), summary="Record compensation for a unit",
             description="Money becomes a bill with a COMPENSATION line (negative unit price) referencing the "
                         "campaign; other kinds (free parts, extended warranty, a gift) are described.",
             openapi_extra=body_example({"kind": "money", "amount": "300.00", "description": "停机损失补偿"}))
def unit_compensate(request: HttpRequest, body: CompensationIn, id: int = path_id()) -> Status:  # noqa: A002
    user = actor(request)
    unit = get_or_404(RecallUnit.objects.select_related("campaign", "customer", "work_order").filter(
        campaign__in=selectors.campaigns_for(user)), id)
    return Status(201, services.compensation_record(actor=user, unit=unit, kind=body.kind, amount=body.amount,
                                                    description=body.description))
