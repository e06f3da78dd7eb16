"""Demo returns, exchanges and a recall of the Wuhan after-sales centre: a return and an exchange mid-chain, one of
each completed (stock moved, refund billed), one rejected at the on-site assessment; and a recall of a production
batch of chillers, launched three weeks ago, with some units done and compensation recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aftersales.core.demo.signature import scribble_data_url
from aftersales.customers.models import Equipment
from aftersales.inventory import ledger
from aftersales.inventory.choices import LocationKind
from aftersales.inventory.models import Part, StockBalance, StockLocation

from . import services

DAY = dt.timedelta(days=1)
RECALL_MODELS = ("LSBLG-1160", "LSBLG-580")
RECALL_BATCH = "2024-11B"


def _location(builder: Any, kind: str, code: str, name: str) -> StockLocation:
    from aftersales.inventory import services as stock

    found = StockLocation.objects.filter(kind=kind, is_active=True).order_by("id").first()
    return found or stock.location_create(actor=builder.users["storekeeper"], code=code, name=name, kind=kind)


def _part(builder: Any, number: str, name: str, price: str) -> Part:
    from aftersales.inventory import services as stock

    return Part.objects.filter(number=number).first() or stock.part_create(
        actor=builder.users["purchasing"], number=number, name=name, unit="pcs", list_price=Decimal(price),
        cost_price=Decimal(price) * Decimal("0.6"))


def _decide(builder: Any, request: Any, step_role: str, when: dt.datetime, reason: str = "同意",
            decision: str = "approve", **extra: Any) -> None:
    builder.at(when)
    services.return_decide(actor=builder.users[step_role], request=request, decision=decision, reason=reason,
                           **extra)
    request.refresh_from_db()


def _returns(builder: Any) -> None:
    users = builder.users
    warehouse = _location(builder, LocationKind.WAREHOUSE, "RT-WH", "武汉中心仓")
    battery = _part(builder, "UPS-BAT-12V100", "UPS 蓄电池 12V100Ah", "1180.00")
    module = _part(builder, "UPS-PM-50K", "UPS 功率模块 50kVA", "18600.00")
    builder.at(builder.local(builder.today - 40 * DAY, 10))
    on_hand = StockBalance.objects.filter(part=module, location=warehouse).values_list("on_hand", flat=True).first()
    if not on_hand or on_hand < 3:
        ledger.receive(actor=users["storekeeper"], part=module, quantity=3, location=warehouse, reference="RT-DEMO",
                       reason="备件入库")
    ups = list(Equipment.objects.filter(product_model__code="UPS-200K").select_related("customer").order_by("id"))
    engines = list(Equipment.objects.filter(product_model__code__startswith="YC").select_related(
        "customer").order_by("id"))
    if not ups or not engines:
        return
    chain = [("agent", {}), ("dispatcher", {"assessor": users["engineer2"]}), ("engineer2", {}),
             ("storekeeper", {"return_location": warehouse}), ("manager", {})]

    def walk(request: Any, start: dt.datetime, steps: int) -> None:
        for n, (role, extra) in enumerate(chain[:steps]):
            extra = dict(extra)
            if role == "storekeeper" and request.kind == "exchange":
                extra["replacement_location"] = warehouse
            _decide(builder, request, role, start + (n + 1) * 5 * dt.timedelta(hours=1), **extra)

    # Completed: a return of batteries with a refund, and an exchange of a UPS power module.
    start = builder.local(builder.today - 30 * DAY, 9.5)
    builder.at(start)
    done_return = services.return_request_create(
        actor=users["agent"], customer=ups[0].customer, kind="return", part=battery, quantity=4,
        equipment=ups[0], refund_amount="4720.00", reason="新装蓄电池 4 节鼓包，客户要求退货退款")
    walk(done_return, start, 5)
    start = builder.local(builder.today - 21 * DAY, 10)
    builder.at(start)
    done_exchange = services.return_request_create(
        actor=users["agent"], customer=ups[-1].customer, kind="exchange", part=module, quantity=1,
        equipment=ups[-1], reason="功率模块投运一周即报逆变器故障，客户要求换新")
    walk(done_exchange, start, 5)
    # Mid-chain: a return waiting for the on-site assessment, an exchange waiting for materials.
    start = builder.local(builder.today - 3 * DAY, 14)
    builder.at(start)
    mid_return = services.return_request_create(
        actor=users["agent2"], customer=ups[min(1, len(ups) - 1)].customer, kind="return", part=battery,
        quantity=2, refund_amount="2360.00", reason="客户备用电池采购过量，未拆封，申请退货")
    walk(mid_return, start, 2)
    start = builder.local(builder.today - 2 * DAY, 9)
    builder.at(start)
    mid_exchange = services.return_request_create(
        actor=users["agent"], customer=ups[0].customer, kind="exchange", part=module, quantity=1,
        reason="功率模块风扇异响，客户要求换货")
    walk(mid_exchange, start, 3)
    # Rejected at the on-site assessment.
    start = builder.local(builder.today - 12 * DAY, 11)
    builder.at(start)
    rejected = services.return_request_create(
        actor=users["agent"], customer=engines[0].customer, kind="exchange", equipment=engines[0],
        reason="发动机动力不足，客户要求整机更换")
    walk(rejected, start, 2)
    _decide(builder, rejected, "engineer2", start + 2 * DAY, decision="reject",
            reason="现场检查为空滤堵塞、燃油品质差所致，非产品质量问题，已清洁保养，不予换机")


def _recall(builder: Any) -> None:
    from aftersales.customers.services import equipment_update
    from aftersales.fieldservice import services as field

    users = builder.users
    units = list(Equipment.objects.filter(product_model__code__in=RECALL_MODELS).order_by("id")[:12])
    if not units:
        return
    model = units[0].product_model
    units = [u for u in units if u.product_model_id == model.pk]
    builder.at(builder.local(builder.today - 25 * DAY, 9))
    for unit in units:
        equipment_update(actor=users["admin"], equipment=unit, values={"production_batch": RECALL_BATCH})
    campaign = services.campaign_create(
        actor=users["manager"], title=f"{model.code} 压缩机接线端子松动隐患召回", product_model=model,
        production_batch=RECALL_BATCH,
        description="批次 2024-11B 机组压缩机电源端子可能松动发热：断电后检查并按 12 N·m 复紧端子，更换变色端子，"
                    "测温记录附在回执。")
    builder.at(builder.local(builder.today - 21 * DAY, 10))
    services.campaign_launch(actor=users["manager"], campaign=campaign)
    done = 0
    for n, recall_unit in enumerate(campaign.units.select_related("work_order").order_by("id")):
        if n % 3 == 2:
            continue  # not yet visited
        day = builder.today - (18 - 2 * n) * DAY
        if day >= builder.today:
            continue
        engineer = users["engineer"] if n % 2 else users["engineer5"]
        wo = recall_unit.work_order
        builder.at(builder.local(day, 9))
        field.work_order_assign(actor=users["dispatcher"], work_order=wo, engineer=engineer)
        builder.at(builder.local(day, 9.3))
        field.work_order_accept(actor=engineer, work_order=wo)
        if n % 4 == 3:
            continue  # assigned, visit to come
        builder.at(builder.local(day, 14))
        visit = field.visit_arrive(actor=engineer, work_order=wo)
        field.visit_record(actor=engineer, visit=visit, values={
            "diagnosis": "压缩机电源端子 L2 轻微变色", "actions_taken": "断电复紧端子至 12 N·m，更换 L2 端子，运行 30 分钟测温正常",
            "outcome": "fixed"})
        builder.at(builder.local(day, 15.5))
        field.visit_depart(actor=engineer, visit=visit)
        field.receipt_sign(actor=engineer, visit=visit, signer_name="设备主管",
                           signature_data_url=scribble_data_url(7000 + n))
        field.work_order_complete(actor=engineer, work_order=wo)
        done += 1
        if done == 1:
            services.compensation_record(actor=users["manager"], unit=recall_unit, kind="money", amount="800.00",
                                         description="召回停机半天，补偿停机损失")
        elif done == 2:
            services.compensation_record(actor=users["manager"], unit=recall_unit, kind="extended_warranty",
                                         description="压缩机延保 12 个月")


def after(builder: Any) -> None:
    _returns(builder)
    _recall(builder)
