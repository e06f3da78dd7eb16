"""Test factories for billing: work orders of a given service class, carried through visits to completion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aftersales.core.testing import PNG_1PX, make_equipment, make_site, make_user, region_city

from .. import services
from ..models import CompanyAccount


def make_unit(*, site: Any = None, in_warranty: bool = False, actor: Any = None) -> Any:
    """A unit commissioned long ago (out of warranty, so its jobs are class A) or recently (class C)."""
    days = 100 if in_warranty else 2000
    return make_equipment(site=site, actor=actor, commissioning_date=timezone.localdate() - dt.timedelta(days=days))


def make_work_order(*, service_class: str = "A", engineer: Any = None, site: Any = None, contract: Any = None,
                    dispatcher: Any = None) -> Any:
    """An accepted work order of the given class (A derived from an out-of-warranty unit; B/D set on the row)."""
    from aftersales.fieldservice import services as fs
    from aftersales.fieldservice.models import WorkOrder
    from aftersales.servicedesk import services as sd

    dispatcher = dispatcher or make_user("dispatcher")
    engineer = engineer or make_user("engineer", region=region_city(), grade=3)
    unit = make_unit(site=site, in_warranty=service_class == "C")
    request = sd.request_create(actor=make_user("agent"), customer=unit.customer, equipment=unit, summary="机组报警",
                                site=unit.site)
    sd.request_triage(actor=dispatcher, request=request, severity="general")
    wo = fs.work_order_create(actor=dispatcher, request=request)
    if wo.service_class != service_class or contract is not None:
        WorkOrder.objects.filter(pk=wo.pk).update(service_class=service_class, contract=contract)
    fs.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer)
    fs.work_order_accept(actor=engineer, work_order=wo)
    wo.refresh_from_db()
    return wo


def approve_by_phone(work_order: Any, actor: Any = None) -> Any:
    actor = actor or make_user("agent")
    quote = services.quote_create(actor=actor, work_order=work_order, hours=2)
    return services.quote_approve(actor=actor, quote=quote, method="phone", approver_name="张经理",
                                  note="电话确认报价 ¥290，同意维修")


def complete(work_order: Any, *, minutes: int = 95, parts: list[dict[str, Any]] | None = None,
             catalogue: list[tuple[Any, Decimal]] | None = None) -> Any:
    """Arrive `minutes` ago, record the work (and parts), depart now, sign, complete."""
    from aftersales.fieldservice import services as fs
    from aftersales.fieldservice.models import PartUsage

    engineer = work_order.engineer
    now = timezone.now()
    visit = fs.visit_arrive(actor=engineer, work_order=work_order, at=now - dt.timedelta(minutes=minutes))
    fs.visit_record(actor=engineer, visit=visit, parts=parts,
                    values={"diagnosis": "冷凝器结垢", "actions_taken": "清洗冷凝器", "outcome": "fixed"})
    for part, quantity in catalogue or []:
        PartUsage.objects.create(visit=visit, description=part.name, quantity=quantity, unit=part.unit, part=part)
    fs.visit_depart(actor=engineer, visit=visit, at=now)
    fs.receipt_sign(actor=engineer, visit=visit, signer_name="张经理", signature_data_url=PNG_1PX)
    fs.work_order_complete(actor=engineer, work_order=work_order)
    work_order.refresh_from_db()
    return work_order


def make_part(number: str = "P-1001", price: str = "120.00", **kw: Any) -> Any:
    from aftersales.inventory.models import Part

    return Part.objects.create(number=number, name=kw.pop("name", "压缩机密封圈"), unit=kw.pop("unit", "pcs"),
                               list_price=Decimal(price), **kw)


def make_account(kind: str = "bank", **kw: Any) -> CompanyAccount:
    defaults = {"bank": ("招商银行武汉分行 对公账户", "招商银行武汉分行", "1279 0888 0010 888"),
                "qr": ("公司收款码（微信/支付宝）", "", "WX-AS-0001"),
                "pos": ("服务中心 POS 机", "银联商务", "POS-027-0001")}[kind]
    return CompanyAccount.objects.create(kind=kind, name=kw.pop("name", defaults[0]), bank_name=defaults[1],
                                         account_number=defaults[2], holder="武汉卓越售后服务有限公司", **kw)


def make_site_in(city: Any, actor: Any = None) -> Any:
    return make_site(city=city, actor=actor)
