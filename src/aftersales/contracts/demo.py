"""Demo maintenance contracts (维保合同) of the Wuhan after-sales centre.

`setup` runs after the customers exist and before the historical jobs, so those jobs get realistic service
classes (B on contract units, C in warranty, A otherwise). The office tower's chiller contract ends in about 45
days and the truck fleet's in about 20, so their renewal reminders show; the data centre's ended ten days ago
(expired by the daily check in `after`, its renewal waiting as a draft); the shopping mall ended its elevator
contract early; the Changsha tower's contract is still a draft awaiting signature.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aftersales.customers.models import Customer

from . import services

DAY = dt.timedelta(days=1)

# (customer code, title, model codes covered (None: all units), start offset, end offset (days from today),
#  visits per year, response h, resolution h, covers (labour, parts, travel), price, notes, final state)
CONTRACTS: list[tuple[Any, ...]] = [
    ("KH-0001", "光谷国际大厦中央空调冷水机组及水系统年度维保", ("LSBLG-1160", "LXL-1800", "CTA-300T", "KQW150-315"),
     -320, 45, 48, 4, 24, (True, False, True), "186000.00", "12 台主机及水系统每季度巡检一次；冷媒、润滑油按实结算。", "active"),
    ("KH-0001", "光谷国际大厦客梯维保（月保）", ("TKJ-1000",), -200, 165, 48, 2, 8, (True, True, True), "57600.00",
     "每月保养一次，困人故障 30 分钟内响应。", "active"),
    ("KH-0002", "顺达物流牵引车及载货车发动机保养维修服务合同", ("YC6MK-420", "YC6L-330", "YC4S-160"), -345, 20, 60, 8, 48,
     (True, True, False), "240000.00", "含定期保养工时与常用滤芯、皮带；大修件另计。", "active"),
    ("KH-0003", "临空港工业园供配电与电梯综合维保", ("KYN28-12", "SCB13-1250", "GGD-400", "THJ-2000"), -300, 65, 24,
     4, 24, (True, False, True), "98000.00", "高压预试每年一次，停电计划提前一周通知。", "active"),
    ("KH-0004", "仁和医院手术部净化空调与备用电源保障合同", ("ZK-40", "GF-500", "UPS-200K"), -100, 265, 12, 2, 8,
     (True, True, True), "132000.00", "手术部、ICU 故障一律按紧急处理。", "active"),
    ("KH-0006", "中原云数据中心 UPS 与精密空调 7×24 维保", ("UPS-200K", "CRAC-80"), -374, -10, 24, 2, 8,
     (True, True, True), "420000.00", "T3 机房，2 小时到场；续签合同审批中。", "expired"),
    ("KH-0005", "汉江广场观光梯维保", ("TKJ-1000",), -330, 35, 12, 4, 24, (True, False, True), "36000.00", "",
     "terminated"),
    ("KH-0007", "湘江金融中心 T2 冷冻站年度维保", ("LSBLG-1160", "KQW150-315"), 10, 374, 4, 4, 24,
     (True, False, True), "88000.00", "报价已发，待客户盖章回传。", "draft"),
]


def _units(customer: Customer, models: tuple[str, ...] | None) -> list[Any]:
    qs = customer.equipment.select_related("product_model").order_by("id")
    if models:
        qs = qs.filter(product_model__code__in=models)
    return list(qs)


def setup(builder: Any) -> None:
    manager = builder.users["manager"]
    today = builder.today
    builder.demo_contracts = {}
    for (code, title, models, start, end, visits, response, resolution, (labour, parts, travel), price, notes,
         final) in CONTRACTS:
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            continue
        builder.at(builder.now - (329 if start < 0 else 20) * DAY)  # signed (backdated when the period began earlier)
        contract = services.contract_create(
            actor=manager, customer=customer, title=title, start_date=today + start * DAY,
            end_date=today + end * DAY, equipment=_units(customer, models), included_visits_per_year=visits,
            response_hours=response, resolution_hours=resolution, covers_labour=labour, covers_parts=parts,
            covers_travel=travel, price=Decimal(price), currency="CNY", notes=notes)
        if final != "draft":
            services.contract_activate(actor=manager, contract=contract)
        if final == "terminated":
            builder.at(builder.now - 150 * DAY)
            services.contract_terminate(actor=manager, contract=contract,
                                        reason="商场更换电梯维保单位，双方协商提前终止，按月结清。")
        builder.demo_contracts[title] = contract


def after(builder: Any) -> None:
    """Today's daily check: renewal reminders for the contracts ending soon, expiry of the data centre's; its
    renewal is then drafted."""
    builder.at(builder.now - dt.timedelta(minutes=2))
    services.contracts_daily()
    from .models import Contract

    expired = Contract.objects.filter(state="expired", renewal__isnull=True).order_by("id").first()
    if expired is not None:
        services.contract_renew(actor=builder.users["manager"], contract=expired)

