"""Demo RMA cases of the Wuhan after-sales centre: one or more in every state, a history of returned and scrapped
items that gives the vendors their turnaround figures, an item away more than 14 days (with its agent task to
tell the customer) and an exchange whose reminder to chase the vendor is due today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.core import services as core
from aftersales.core.demo.signature import scribble_data_url
from aftersales.customers.models import Equipment
from aftersales.inventory.choices import LocationKind
from aftersales.inventory.models import Part, StockLocation
from aftersales.suppliers.models import Supplier

from . import services

DAY = dt.timedelta(days=1)

VENDORS = [
    ("RMA-KH", "科华数据股份有限公司（厦门返修中心）", "黄工", "0592-5160 888", "厦门市火炬高新区马垄路 457 号"),
    ("RMA-YC", "广西玉柴机器股份有限公司售后服务部", "覃工", "0775-3288 000", "广西玉林市玉柴大道 1 号"),
    ("RMA-ZC", "卓成机电制造厂维修站", "刘师傅", "027-8490 6611", "武汉市东西湖区走马岭工业园 8 号"),
]

# (model codes, item, fault, kind, vendor index, brought by, story)
# story: list of (days ago, action, args) applied in order.
CASES: list[tuple[Any, ...]] = [
    # History: back and returned, for the vendors' turnaround figures.
    (("UPS-200K",), "UPS 功率模块 50kVA", "模块告警“逆变器故障”，无法并机", "warranty", 0, "工程师带回",
     [(170, "register"), (169, "test"), (168, "ship"), (150, "receive"), (149, "retest"), (147, "return")]),
    (("UPS-200K",), "UPS 监控模块", "触摸屏黑屏，无法通讯", "exchange", 0, "客户自送",
     [(120, "register"), (120, "test"), (119, "ship"), (111, "receive"), (110, "retest"), (109, "return")]),
    (("YC6L-330", "YC6MK-420"), "高压共轨喷油器", "喷油量偏差超限，冒黑烟", "warranty", 1, "张伟（工程师）",
     [(140, "register"), (139, "test"), (138, "ship"), (112, "receive"), (111, "retest"), (110, "return")]),
    (("YC6L-330", "YC6MK-420"), "ECU 电控单元", "无法与诊断仪通讯，发动机无法启动", "exchange", 1, "张伟（工程师）",
     [(90, "register"), (90, "test"), (89, "ship"), (80, "receive"), (79, "retest"), (79, "return")]),
    (("LSBLG-1160", "LSBLG-580"), "压缩机控制板", "上电无显示，指示灯不亮", "warranty", 2, "王建国（工程师）",
     [(75, "register"), (74, "test"), (73, "ship"), (60, "receive"), (59, "retest"), (58, "return")]),
    (("LSBLG-1160", "LSBLG-580"), "电子膨胀阀驱动器", "阀门开度不受控，频繁低压报警", "warranty", 2, "王建国（工程师）",
     [(60, "register"), (59, "test"), (58, "ship"), (30, "receive"), (29, "retest_failed"), (28, "scrap_dispose")]),
    (("CRAC-80",), "精密空调风机调速模块", "风机转速不可调，高温告警", "paid", 2, "客户自送",
     [(50, "register"), (49, "test_misuse_paid"), (48, "ship"), (36, "receive"), (35, "retest"), (34, "return")]),
    # Open cases, one or more in every state.
    (("UPS-200K",), "UPS 旁路静态开关模块", "切换旁路时掉电", "warranty", 0, "李志强（工程师）",
     [(24, "register"), (23, "test"), (22, "ship_leftovers")]),  # away > 14 days: the customer is told
    (("YC6L-330", "YC6MK-420"), "涡轮增压器", "增压压力不足，动力下降", "exchange", 1, "张伟（工程师）",
     [(4, "register"), (3, "test"), (2, "ship")]),  # an exchange: its reminder is due today
    (("LSBLG-1160", "LSBLG-580"), "油压差传感器", "油压差报警，读数跳变", "warranty", 2, "王建国（工程师）",
     [(12, "register"), (11, "test"), (10, "ship")]),
    (("CRAC-80",), "压缩机驱动板", "压缩机不启动", "warranty", 2, "客户自送",
     [(16, "register"), (15, "test"), (14, "ship"), (1, "receive")]),
    (("UPS-200K",), "电池巡检仪", "单体电压采集异常", "exchange", 0, "客户自送",
     [(20, "register"), (19, "test"), (18, "ship"), (3, "receive"), (2, "retest")]),
    (("YC4S-160",), "发电机调压板 AVR", "输出电压波动大", "warranty", 2, "赵刚（工程师）",
     [(3, "register"), (2, "test"), (2, "hand_over")]),
    (("GF-500",), "发电机组控制器", "屏幕进水，按键失灵", "warranty", 2, "客户自送",
     [(2, "register"), (1, "test_misuse_as_is")]),
    (("KYN28-12",), "综合保护装置", "跳闸后无法复位", "warranty", 2, "陈明（工程师）",
     [(1, "register")]),
]


def _vendors(builder: Any) -> list[Supplier]:
    result = []
    for code, name, contact, phone, address in VENDORS:
        vendor = Supplier.objects.filter(code=code).first() or core.create(
            Supplier, actor=builder.users["purchasing"], code=code, name=name, contact_name=contact, phone=phone,
            address=address, repairs_items=True)
        result.append(vendor)
    return result


def _shelf(builder: Any) -> StockLocation:
    from aftersales.inventory import services as stock

    shelf = StockLocation.objects.filter(kind=LocationKind.RMA, is_active=True).order_by("id").first()
    return shelf or stock.location_create(actor=builder.users["storekeeper"], code="RMA-WH", name="返修件货架（武汉）",
                                          kind=LocationKind.RMA)


def _leftover_parts(builder: Any) -> list[Part]:
    from aftersales.inventory import services as stock

    parts = list(Part.objects.filter(is_active=True).order_by("id")[:1])
    if parts:
        return parts
    return [stock.part_create(actor=builder.users["purchasing"], number="RMA-FAN-120", name="UPS 模块散热风扇",
                              unit="pcs")]


def _unit(models: tuple[str, ...], used: set[int]) -> Equipment | None:
    qs = Equipment.objects.filter(product_model__code__in=models).exclude(pk__in=used).select_related(
        "customer", "site").order_by("id")
    return qs.first() or Equipment.objects.filter(product_model__code__in=models).order_by("id").first()


def after(builder: Any) -> None:
    clerk = builder.users["rma_clerk"]
    agent = builder.users["agent"]
    vendors = _vendors(builder)
    builder.at(builder.now - 180 * DAY)
    shelf = _shelf(builder)
    parts = _leftover_parts(builder)
    used: set[int] = set()
    carriers = ["顺丰速运", "德邦快递", "中通快运"]
    for i, (models, item, fault, kind, vendor_index, brought_by, story) in enumerate(CASES):
        unit = _unit(models, used)
        if unit is None:
            continue
        used.add(unit.pk)
        case = None
        for days_ago, action in story:
            day = builder.today - days_ago * DAY
            builder.at(builder.local(day, 9.5 + (i % 5) * 0.7 + (0.5 if action != "register" else 0)))
            today = day
            if action == "register":
                case = services.rma_register(actor=agent if i % 3 else clerk, customer=unit.customer, equipment=unit,
                                             serial="", item_description=item, fault=fault, kind=kind,
                                             brought_by=brought_by)
            elif action == "test":
                services.rma_test(actor=clerk, case=case, result="product_fault", notes="复测故障现象与描述一致")
            elif action == "test_misuse_paid":
                services.rma_test(actor=clerk, case=case, result="misuse", misuse_decision="paid_repair",
                                  notes="积尘严重导致过热，客户同意付费维修")
            elif action == "test_misuse_as_is":
                services.rma_test(actor=clerk, case=case, result="misuse", misuse_decision="return_as_is",
                                  notes="外壳有进水痕迹，不在保修范围；客户不维修，原样退回")
            elif action in ("ship", "ship_leftovers", "hand_over"):
                services.rma_hand_over(actor=clerk, case=case)
                if action == "hand_over":
                    continue
                leftovers = []
                if action == "ship_leftovers":
                    leftovers = [{"part": parts[0], "quantity": 2}, {"description": "模块安装导轨及螺丝一袋",
                                                                     "quantity": 1}]
                services.rma_ship(actor=clerk, case=case, vendor=vendors[vendor_index], carrier=carriers[i % 3],
                                  tracking_number=f"SF{1400000000 + i * 7919}", shipped_on=today,
                                  leftovers=leftovers, location=shelf)
            elif action == "receive":
                services.rma_receive(actor=clerk, case=case, received_on=today,
                                     vendor_report="已更换故障器件，出厂老化测试 24 小时合格")
            elif action == "retest":
                services.rma_retest(actor=clerk, case=case, result="repaired", notes="上机测试正常")
            elif action == "retest_failed":
                services.rma_retest(actor=clerk, case=case, result="failed", notes="仍有低压报警，厂家判定无维修价值")
            elif action == "return":
                services.rma_return(actor=clerk, case=case, signer_name=unit.customer.contacts.values_list(
                    "name", flat=True).first() or "客户代表", signature_data_url=scribble_data_url(9000 + i))
            elif action == "scrap_dispose":
                services.rma_scrap(actor=clerk, case=case, choice="company_disposes", notes="客户同意由公司报废处理")
    builder.at(builder.now - dt.timedelta(minutes=5))
    services.rma_reminder_sweep(today=builder.today)
    # The clerk already chased the long-away UPS switch today; the exchange's reminder stays open for the demo.
    away = [c for c in _open_at_vendor() if c.kind == "warranty"]
    for case in away:
        services.rma_chase(actor=clerk, case=case, note="厂家答复：备件在途，预计下周寄回")


def _open_at_vendor() -> list[Any]:
    from .models import RmaCase

    return list(RmaCase.objects.filter(state="at_vendor").order_by("first_shipped_on"))
