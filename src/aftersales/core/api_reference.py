"""Reference data for API clients: regions, the fault-category tree, engineers to dispatch to, and intake search."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from aftersales.core.api import Page, needs, paginate
from aftersales.core.api_support import actor, page_no, page_size, query_id, responses
from aftersales.core.models import Region
from aftersales.core.permissions import DISPATCH, VIEW_CUSTOMERS, VIEW_REQUESTS
from aftersales.customers.schemas import CustomerRef, EquipmentRef, RegionRef, SiteRef
from aftersales.servicedesk.models import FaultCategory

router = Router(tags=["reference"])


class RegionOut(Schema):
    """A province or a city."""

    id: int
    code: str = Field(examples=["420100"])
    name: str = Field(examples=["武汉市"])
    name_en: str = Field(examples=["Wuhan"])
    kind: str = Field(examples=["city"])
    parent_id: int | None = None


class FaultCategoryOut(Schema):
    """A node of the fault tree."""

    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None = None
    is_active: bool
    sort: int


class SkillOut(Schema):
    id: int
    code: str
    name: str


class EngineerOut(Schema):
    """A field engineer as the dispatcher picks him: base region, grade and skills."""

    id: int
    username: str
    name: str
    phone: str
    grade: int
    region: RegionRef | None = None
    skills: list[SkillOut]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return list(obj.skills.all())


class IntakeContactOut(Schema):
    id: int
    name: str
    phone: str
    title: str


class IntakeUnitOut(EquipmentRef):
    site_id: int
    location: str
    matched: bool = Field(description="True for the unit whose serial matched the query.")
    install_date: dt.date | None = None

    @staticmethod
    def resolve_matched(obj: Any) -> bool:
        return bool(getattr(obj, "matched", False))


class IntakeMatchOut(Schema):
    """One customer found at intake, with its sites, contacts and equipment (and warranty status)."""

    customer: CustomerRef
    reasons: list[str] = Field(examples=[["name"]], description="What matched: serial, phone or name.")
    sites: list[SiteRef]
    contacts: list[IntakeContactOut]
    equipment: list[IntakeUnitOut]

    @staticmethod
    def resolve_reasons(obj: Any) -> list[str]:
        return sorted(obj.reasons)


@router.get("/regions", auth=needs(VIEW_REQUESTS), response=responses(200, Page[RegionOut]), summary="List regions",
            description="Provinces and cities, by code; filter by `kind` and by `parent` (a province's cities).")
def region_list(request: HttpRequest, kind: Literal["province", "city"] = Query(None, description="province or city"),
                parent: int = query_id("Parent province id"), q: str = Query("", max_length=64),
                page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_REQUESTS)
    qs = Region.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent_id=parent)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(name_en__icontains=q.strip()) | Q(code__startswith=q.strip()))
    return paginate(qs.order_by("code"), page, page_size)


@router.get("/fault-categories", auth=needs(VIEW_REQUESTS), response=responses(200, Page[FaultCategoryOut]), summary="List fault categories",
            description="The editable fault tree as a flat list in display order; `parent` gives one node's "
                        "children, `active=false` includes retired nodes.")
def fault_category_list(request: HttpRequest, parent: int = query_id("Parent category id"),
                        active: bool = Query(True, description="Only active categories"),
                        page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_REQUESTS)
    qs = FaultCategory.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if active:
        qs = qs.filter(is_active=True)
    return paginate(qs.order_by("sort", "code", "id"), page, page_size)


@router.get("/engineers", auth=needs(DISPATCH), response=responses(200, Page[EngineerOut]), summary="List engineers",
            description="Active field engineers with region and skills, for dispatch roles only. Filter by "
                        "`region` (a city, or a province and its cities) and `skill`.")
def engineer_list(request: HttpRequest, region: int = query_id("Region id"), skill: int = query_id("Skill id"),
                  q: str = Query("", max_length=60),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, DISPATCH)
    qs = (get_user_model().objects.filter(role="engineer", is_active=True)
          .select_related("region").prefetch_related("skills"))
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
    if skill:
        qs = qs.filter(skills__id=skill)
    if q.strip():
        qs = qs.filter(Q(username__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    return paginate(qs.order_by("username", "id"), page, page_size)


@router.get("/intake/search", auth=needs(VIEW_CUSTOMERS), response=responses(200, list[IntakeMatchOut]), summary="Intake search",
            description="What a hotline agent types: a phone number, a serial number, a name or its pinyin "
                        "initials (`whzc` for 武汉卓成). Answers up to 8 customers with their sites, contacts and "
                        "equipment and its warranty status; fewer than 2 characters answer an empty list.")
def intake_search(request: HttpRequest, q: str = Query(..., max_length=100, description="Phone, serial or name",
                                                       examples=["whzc"])) -> list[Any]:
    from aftersales.customers.selectors import intake_search as search

    user = actor(request, VIEW_CUSTOMERS)
    return search(user, q)



