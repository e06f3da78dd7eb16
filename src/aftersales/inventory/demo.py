"""Demo spare parts of the Wuhan after-sales centre: suppliers, a catalogue of about 60 parts for the demo's product
models, the central warehouse in Wuhan, service points in Yichang, Xiangyang, Changsha and Zhengzhou, a van per
engineer, a year of receipts and transfers, reorder points (one of them crossed, so a purchase request is open for
purchasing), an ordered request partly received and a closed one; `after` uses catalogue parts on the visits still
open, so their stock moves show against those work orders.

Everything goes through the inventory services and the ledger, as a storekeeper and a buyer would do it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aftersales.core.errors import DomainError
from aftersales.core.models import Region
from aftersales.customers.models import ProductModel
from aftersales.suppliers.models import Supplier

from . import ledger, selectors, services
from .choices import LocationKind
from .models import Part, StockLocation

DAY = dt.timedelta(days=1)

# code, name, contact, phone, address
SUPPLIERS = [
    ("SUP-HZ", "上海汉钟精机股份有限公司", "陈经理", "021-5760 1888", "上海市金山区枫泾镇建贡路 38 号"),
    ("SUP-DF", "丹佛斯（天津）有限公司武汉办事处", "刘工", "027-8555 2100", "武汉市江汉区建设大道 568 号"),
    ("SUP-SH", "浙江三花智能控制股份有限公司", "方经理", "0575-8602 1111", "浙江省绍兴市新昌县七星街道"),
    ("SUP-SN", "施耐德电气（中国）有限公司武汉分公司", "周经理", "027-8548 9000", "武汉市江岸区中山大道 1628 号"),
    ("SUP-JH", "浙江巨化股份有限公司氟化厂", "徐经理", "0570-309 1234", "浙江省衢州市柯城区"),
    ("SUP-YC", "广西玉柴机器股份有限公司配件营销部", "覃经理", "0775-328 8123", "广西玉林市玉柴大道 1 号"),
    ("SUP-WF", "无锡威孚高科技集团股份有限公司", "钱工", "0510-8171 9999", "江苏省无锡市新吴区华山路 5 号"),
    ("SUP-FL", "上海弗列加滤清器有限公司", "吴经理", "021-6434 8888", "上海市闵行区春东路 508 号"),
    ("SUP-KY", "快意电梯股份有限公司配件中心", "黎工", "0769-8851 6666", "广东省东莞市清溪镇"),
    ("SUP-KH", "科华数据股份有限公司", "黄经理", "0592-516 0888", "厦门市火炬高新区马垄路 457 号"),
    ("SUP-LS", "江苏理士电池有限公司", "孙经理", "0511-8611 8888", "江苏省镇江市丹阳市经济开发区"),
    ("SUP-KQ", "上海凯泉泵业（集团）有限公司", "蒋工", "021-5956 6666", "上海市嘉定区曹安公路 4255 号"),
    ("SUP-ZT", "浙江正泰电器股份有限公司", "林经理", "0577-6287 7777", "浙江省乐清市北白象镇正泰工业园"),
    ("SUP-GW", "海湾安全技术有限公司", "马工", "0335-342 0888", "河北省秦皇岛市经济技术开发区"),
]

CHILLERS = ("LSBLG-1160", "LSBLG-580", "LXL-1800")
ENGINES = ("YC6MK-420", "YC6L-330", "YC4S-160")
ELEVATORS = ("TKJ-1000", "THJ-2000")
SWITCHGEAR = ("KYN28-12", "GGD-400")

# number, name, English name, unit, models, supplier, cost, list price, warehouse stock
PARTS: list[tuple[Any, ...]] = [
    ("CH-CT-3210", "压缩机交流接触器 LC1D115", "Compressor contactor LC1D115", "个", CHILLERS, "SUP-SN", "420", "680", 24),
    ("CH-CT-3211", "风机交流接触器 LC1D32", "Fan contactor LC1D32", "个", (*CHILLERS, "CTA-300T", "ZK-40"), "SUP-SN", "96", "168", 40),
    ("CH-FD-0830", "干燥过滤器 DML 083", "Filter drier DML 083", "个", CHILLERS, "SUP-DF", "96", "160", 36),
    ("CH-FD-1650", "干燥过滤器芯 48-DU", "Filter drier core 48-DU", "个", CHILLERS, "SUP-DF", "138", "230", 30),
    ("CH-OF-1160", "压缩机油过滤器", "Compressor oil filter", "个", CHILLERS, "SUP-HZ", "268", "450", 20),
    ("CH-OIL-B5", "冷冻油 HBR-B05（5 L）", "Refrigeration oil HBR-B05 5 L", "桶", CHILLERS, "SUP-HZ", "560", "880", 18),
    ("CH-R134A", "制冷剂 R134a", "Refrigerant R134a", "kg", (*CHILLERS, "CRAC-80"), "SUP-JH", "38", "65", 300),
    ("CH-R410A", "制冷剂 R410A", "Refrigerant R410A", "kg", ("CRAC-80",), "SUP-JH", "46", "78", 120),
    ("CH-EXV-25", "电子膨胀阀 DPF(T04)2.5C", "Electronic expansion valve 2.5C", "个", CHILLERS, "SUP-SH", "620", "980", 8),
    ("CH-SV-12", "电磁阀 MDF-A12", "Solenoid valve MDF-A12", "个", (*CHILLERS, "CRAC-80"), "SUP-SH", "185", "300", 16),
    ("CH-PS-HP", "高压压力开关 P30", "High-pressure switch P30", "个", (*CHILLERS, "CRAC-80"), "SUP-DF", "240", "390", 14),
    ("CH-TS-NTC", "温度传感器 NTC 10K", "Temperature sensor NTC 10K", "个", (*CHILLERS, "ZK-40", "CRAC-80"), "SUP-SH", "45", "85", 60),
    ("CH-FS-100", "水流开关 FS-100", "Water flow switch FS-100", "个", (*CHILLERS, "KQW150-315"), "SUP-DF", "210", "360", 12),
    ("CH-BRG-6312", "压缩机轴承 6312", "Compressor bearing 6312", "套", CHILLERS, "SUP-HZ", "1150", "1850", 6),
    ("CH-SEAL-KIT", "压缩机密封件包", "Compressor seal kit", "套", CHILLERS, "SUP-HZ", "880", "1380", 10),
    ("CT-FILL-1200", "冷却塔填料 1200 型", "Cooling tower fill 1200", "m³", ("CTA-300T",), "SUP-KQ", "420", "680", 20),
    ("CT-BELT-B90", "冷却塔风机皮带 B90", "Tower fan belt B90", "根", ("CTA-300T", "ZK-40"), "SUP-KQ", "58", "98", 30),
    ("AHU-FLT-G4", "初效过滤器 G4 592×592", "G4 panel filter 592×592", "个", ("ZK-40",), "SUP-DF", "65", "115", 80),
    ("AHU-FLT-F7", "中效袋式过滤器 F7", "F7 bag filter", "个", ("ZK-40",), "SUP-DF", "145", "240", 60),
    ("PU-MS-45", "水泵机械密封 45 mm", "Pump mechanical seal 45 mm", "套", ("KQW150-315",), "SUP-KQ", "320", "520", 12),
    ("PU-BRG-6309", "水泵轴承 6309", "Pump bearing 6309", "套", ("KQW150-315", "XBD-40"), "SUP-KQ", "95", "160", 20),
    ("DS-FF-YC6", "柴油滤清器 YC6", "Diesel fuel filter YC6", "个", ENGINES[:2] + ("GF-500",), "SUP-FL", "48", "85", 120),
    ("DS-FF-YC4", "柴油滤清器 YC4", "Diesel fuel filter YC4", "个", ("YC4S-160",), "SUP-FL", "36", "65", 60),
    ("DS-WS-YC6", "油水分离器滤芯", "Fuel-water separator element", "个", ENGINES + ("GF-500",), "SUP-FL", "68", "120", 80),
    ("DS-OF-YC6", "机油滤清器 YC6", "Oil filter YC6", "个", ENGINES[:2] + ("GF-500",), "SUP-FL", "42", "75", 120),
    ("DS-AF-YC6", "空气滤清器总成", "Air filter assembly", "个", ENGINES + ("GF-500",), "SUP-FL", "210", "350", 30),
    ("DS-INJ-YC6", "高压共轨喷油器 YC6MK", "Common-rail injector YC6MK", "个", ENGINES[:2], "SUP-WF", "1680", "2600", 12),
    ("DS-INJ-YC4", "高压共轨喷油器 YC4S", "Common-rail injector YC4S", "个", ("YC4S-160",), "SUP-WF", "1280", "2000", 8),
    ("DS-PUMP-CP", "高压油泵 CP2.2", "High-pressure pump CP2.2", "台", ENGINES, "SUP-WF", "4800", "7200", 3),
    ("DS-BELT-8PK", "发动机多楔带 8PK1780", "Engine belt 8PK1780", "根", ENGINES, "SUP-YC", "128", "210", 24),
    ("DS-TS-WT", "水温传感器", "Coolant temperature sensor", "个", ENGINES + ("GF-500",), "SUP-YC", "88", "150", 30),
    ("DS-TURBO-6", "涡轮增压器 YC6L", "Turbocharger YC6L", "台", ("YC6L-330",), "SUP-YC", "5200", "7800", 2),
    ("DS-GSK-HD", "缸盖垫片", "Cylinder head gasket", "片", ENGINES, "SUP-YC", "260", "420", 16),
    ("GS-AVR-500", "发电机自动调压板 AVR", "Generator AVR board", "块", ("GF-500",), "SUP-YC", "1450", "2300", 4),
    ("GS-BAT-12V", "启动蓄电池 12V 200Ah", "Starter battery 12 V 200 Ah", "只", ("GF-500",), "SUP-LS", "980", "1500", 8),
    ("EV-DR-ROL", "厅门挂板滚轮 φ60", "Landing door hanger roller φ60", "个", ELEVATORS, "SUP-KY", "35", "68", 100),
    ("EV-CR-ROL", "轿门滚轮组件", "Car door roller assembly", "套", ELEVATORS, "SUP-KY", "160", "280", 30),
    ("EV-DOOR-SLD", "门滑块（尼龙）", "Door gib (nylon)", "个", ELEVATORS, "SUP-KY", "12", "25", 200),
    ("EV-LC-PHOTO", "光幕 QM-917", "Light curtain QM-917", "套", ELEVATORS, "SUP-KY", "480", "780", 8),
    ("EV-BRK-PAD", "曳引机制动闸瓦", "Brake shoe", "副", ELEVATORS, "SUP-KY", "650", "1050", 6),
    ("EV-ROPE-10", "曳引钢丝绳 φ10", "Hoist rope φ10", "m", ELEVATORS, "SUP-KY", "28", "48", 400),
    ("EV-BTN-CAR", "轿内操纵盘按钮", "Car operating panel button", "个", ELEVATORS, "SUP-KY", "45", "85", 50),
    ("EV-INV-11", "门机变频器", "Door operator inverter", "台", ELEVATORS, "SUP-KY", "1380", "2100", 4),
    ("UPS-BAT-12100", "UPS 蓄电池 12V 100Ah", "UPS battery 12 V 100 Ah", "只", ("UPS-200K",), "SUP-LS", "760", "1180", 80),
    ("UPS-BAT-1265", "UPS 蓄电池 12V 65Ah", "UPS battery 12 V 65 Ah", "只", ("UPS-200K",), "SUP-LS", "520", "820", 40),
    ("UPS-FAN-120", "UPS 模块风扇 120 mm", "UPS module fan 120 mm", "个", ("UPS-200K",), "SUP-KH", "120", "210", 30),
    ("UPS-CAP-DC", "直流母线电容 450V 4700µF", "DC bus capacitor 450 V 4700 µF", "个", ("UPS-200K",), "SUP-KH", "260", "420", 20),
    ("UPS-MOD-50", "UPS 功率模块 50kVA", "UPS power module 50 kVA", "台", ("UPS-200K",), "SUP-KH", "16800", "23800", 2),
    ("UPS-MON-BD", "UPS 监控模块", "UPS monitoring module", "块", ("UPS-200K",), "SUP-KH", "2400", "3600", 3),
    ("CR-FLT-PRE", "精密空调过滤网", "Precision AC filter", "片", ("CRAC-80",), "SUP-DF", "85", "150", 40),
    ("CR-HUM-CYL", "加湿罐", "Humidifier cylinder", "个", ("CRAC-80",), "SUP-DF", "720", "1150", 8),
    ("FP-MS-55", "消防泵机械密封 55 mm", "Fire pump mechanical seal 55 mm", "套", ("XBD-40",), "SUP-KQ", "380", "620", 10),
    ("FP-PG-16", "压力表 0–1.6 MPa", "Pressure gauge 0–1.6 MPa", "个", ("XBD-40", "KQW150-315"), "SUP-KQ", "45", "80", 30),
    ("FP-PS-ZK", "消防泵压力开关", "Fire pump pressure switch", "个", ("XBD-40",), "SUP-KQ", "260", "420", 10),
    ("FA-DET-SMK", "点型光电感烟探测器 JTY-GD", "Photoelectric smoke detector", "个", ("JB-QB-5000",), "SUP-GW", "68", "120", 100),
    ("FA-MOD-IO", "输入输出模块", "Input/output module", "个", ("JB-QB-5000",), "SUP-GW", "145", "240", 40),
    ("FA-BAT-12V", "控制器备用电池 12V 7Ah", "Panel backup battery 12 V 7 Ah", "只", ("JB-QB-5000",), "SUP-LS", "65", "110", 30),
    ("EL-VCB-COIL", "真空断路器合闸线圈", "VCB closing coil", "个", SWITCHGEAR[:1], "SUP-ZT", "380", "620", 6),
    ("EL-CT-400", "电流互感器 400/5", "Current transformer 400/5", "个", SWITCHGEAR, "SUP-ZT", "160", "260", 12),
    ("EL-MCCB-250", "塑壳断路器 NM1-250", "MCCB NM1-250", "个", ("GGD-400",), "SUP-ZT", "420", "680", 10),
    ("EL-FAN-TR", "干变温控风机", "Transformer cooling fan", "台", ("SCB13-1250",), "SUP-ZT", "320", "520", 6),
    ("EL-TEMP-BW", "干变温控器 BWDK", "Transformer temperature controller", "台", ("SCB13-1250",), "SUP-ZT", "680", "1080", 4),
]

# code, name, region code
POINTS = [
    ("SP-YC", "宜昌服务站", "420500"),
    ("SP-XY", "襄阳服务站", "420600"),
    ("SP-CS", "长沙服务站", "430100"),
    ("SP-ZZ", "郑州服务站", "410100"),
]

# Reorder points: (part number, location code, minimum, reorder quantity)
REORDER = [
    ("CH-R134A", "WH-WH", 120, 200), ("CH-FD-0830", "WH-WH", 10, 30), ("DS-FF-YC6", "WH-WH", 40, 100),
    ("DS-OF-YC6", "WH-WH", 40, 100), ("EV-DR-ROL", "WH-WH", 40, 100), ("UPS-BAT-12100", "WH-WH", 24, 48),
    ("AHU-FLT-G4", "WH-WH", 30, 80), ("FA-DET-SMK", "WH-WH", 30, 60), ("DS-INJ-YC6", "WH-WH", 4, 8),
    ("DS-FF-YC6", "SP-XY", 10, 20), ("UPS-BAT-12100", "SP-ZZ", 12, 24), ("EV-DR-ROL", "SP-CS", 10, 30),
]


def _at(builder: Any, days_ago: float, hour: float = 10.0) -> None:
    builder.at(builder.local(builder.today - dt.timedelta(days=int(days_ago)), hour))


def setup(builder: Any) -> None:
    keeper, buyer = builder.users["storekeeper"], builder.users["purchasing"]
    admin = builder.users["admin"]
    _at(builder, 330, 9)
    suppliers = {}
    for code, name, contact, phone, address in SUPPLIERS:
        suppliers[code] = Supplier.objects.filter(code=code).first() or Supplier.objects.create(
            code=code, name=name, contact_name=contact, phone=phone, address=address)
    models = {m.code: m for m in ProductModel.objects.all()}
    parts: dict[str, Part] = {}
    for number, name, name_en, unit, codes, supplier, cost, price, _ in PARTS:
        parts[number] = Part.objects.filter(number=number).first() or services.part_create(
            actor=admin, number=number, name=name, name_en=name_en, unit=unit, supplier=suppliers[supplier],
            cost_price=Decimal(cost), list_price=Decimal(price),
            compatible_models=[models[c] for c in codes if c in models])
    wuhan = Region.objects.get(code="420100")

    def location(code: str, name: str, kind: str, region: Any, engineer: Any = None) -> StockLocation:
        return StockLocation.objects.filter(code=code).first() or services.location_create(
            actor=admin, code=code, name=name, kind=kind, region=region, engineer=engineer)

    warehouse = location("WH-WH", "武汉中心仓", LocationKind.WAREHOUSE, wuhan)
    points = {code: location(code, name, LocationKind.SERVICE_POINT, Region.objects.get(code=region))
              for code, name, region in POINTS}
    vans = {}
    for engineer in builder.engineers:
        vans[engineer.username] = location(f"VAN-{engineer.username.upper()}", f"{engineer.display_name} 服务车",
                                           LocationKind.VAN, engineer.region, engineer)
    if warehouse.balances.exists():
        return  # already loaded
    builder.demo_vans = vans
    rng = builder.rng
    # The opening stock arrives from the suppliers over two weeks.
    for i, (number, *_rest, stock) in enumerate(PARTS):
        _at(builder, 320 - i // 5, 9 + (i % 5))
        ledger.receive(actor=keeper, part=parts[number], quantity=stock, location=warehouse,
                       reference=f"DN-{builder.today.year - 1}-{1000 + i}", reason="期初入库")
    # Each service point and van gets what its equipment needs; the warehouse keeps at least a quarter.
    def send(number: str, quantity: int, target: StockLocation, reason: str) -> None:
        part = parts[number]
        opening = next(p[-1] for p in PARTS if p[0] == number)
        if selectors.availability(part, warehouse) - quantity >= opening // 4:
            ledger.transfer(actor=keeper, part=part, quantity=quantity, source=warehouse, target=target,
                            reason=reason)

    for point in points.values():
        _at(builder, 300, 14)
        for number, *_rest, stock in PARTS:
            if stock >= 20 and rng.random() < 0.6:
                send(number, max(2, stock // 8), point, f"{point.name}备货")
    for username, van in vans.items():
        _at(builder, 290, 16)
        skills = builder.engineer_skills.get(builder.users[username].pk, set())
        fitting = {code for code, m in builder.models.items() if builder.model_kind[m.pk][1] in skills}
        for number, _name, _en, _unit, codes, *_rest, stock in PARTS:
            if set(codes) & fitting and stock >= 8:
                send(number, 2 if stock < 60 else 4, van, "随车备件")
    # Reorder points; the refrigerant then falls below its minimum (summer season): a request is raised.
    _at(builder, 60, 10)
    locations = {"WH-WH": warehouse, **points}
    for number, code, minimum, quantity in REORDER:
        services.reorder_point_set(actor=keeper, part=parts[number], location=locations[code], min_level=minimum,
                                   reorder_quantity=quantity)
    # A closed request: UPS batteries ordered 50 days ago, received in two deliveries.
    _at(builder, 50, 11)
    closed = services.purchase_request_create(actor=buyer, part=parts["UPS-BAT-1265"], location=warehouse,
                                              quantity=40, reason="郑州中原云数据中心电池组更换项目")
    services.purchase_request_order(actor=buyer, request=closed, supplier=suppliers["SUP-LS"],
                                    expected_on=builder.today - dt.timedelta(days=40))
    _at(builder, 41, 15)
    services.purchase_request_receive(actor=keeper, request=closed, quantity=24)
    _at(builder, 36, 10)
    services.purchase_request_receive(actor=keeper, request=closed, quantity=16)
    # An ordered request, partly received: injectors from WeiFu.
    _at(builder, 12, 10)
    injectors = services.purchase_request_create(actor=buyer, part=parts["DS-INJ-YC4"], location=warehouse,
                                                 quantity=10, reason="顺达物流车队喷油器批量更换")
    services.purchase_request_order(actor=buyer, request=injectors, supplier=suppliers["SUP-WF"],
                                    expected_on=builder.today + dt.timedelta(days=5))
    _at(builder, 4, 14)
    services.purchase_request_receive(actor=keeper, request=injectors, quantity=4)
    # The summer refrigerant top-ups empty the warehouse below its reorder point: an open request for purchasing.
    _at(builder, 2, 9)
    refrigerant = parts["CH-R134A"]
    surplus = selectors.availability(refrigerant, warehouse) - 100
    for code in ("SP-YC", "SP-CS", "SP-ZZ"):
        if surplus >= 3:
            ledger.transfer(actor=keeper, part=refrigerant, quantity=surplus // 3, source=warehouse,
                            target=points[code], reason="夏季制冷剂补充")
    _at(builder, 1, 16)
    ledger.scrap(actor=keeper, part=parts["EV-DOOR-SLD"], quantity=6, location=warehouse, reason="来料尺寸不符")
    ledger.adjust(actor=keeper, part=parts["EV-BTN-CAR"], delta=-2, location=warehouse, reason="月度盘点少 2 个")


def after(builder: Any) -> None:
    """Catalogue parts on the visits still open: issued from the engineer's van to his work order."""
    from aftersales.fieldservice import services as field
    from aftersales.fieldservice.choices import WorkOrderState
    from aftersales.fieldservice.models import Visit

    visits = (Visit.objects.filter(work_order__state=WorkOrderState.ON_SITE, receipt__isnull=True)
              .select_related("work_order__request__equipment", "work_order__engineer").order_by("arrived_at"))
    for visit in visits[:12]:
        engineer = visit.work_order.engineer
        unit = visit.work_order.request.equipment
        if unit is None or engineer is None:
            continue
        van = services.van_of(engineer)
        part = (Part.objects.filter(compatible_models=unit.product_model_id, balances__location=van,
                                    balances__on_hand__gt=0).order_by("number").first() if van else None)
        if part is None:
            continue
        # After whatever the engineer already recorded on the visit, so its history reads in time order.
        builder.at(max(visit.arrived_at + dt.timedelta(minutes=40), visit.updated_at + dt.timedelta(minutes=2),
                       builder.now - 3 * DAY))
        try:
            field.visit_use_part(actor=engineer, visit=visit, part=part, quantity=1)
        except DomainError:
            continue  # a class-A job without an approved quote, or an empty van: the engineer waits
