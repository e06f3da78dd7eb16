"""The demo company's tables: skills, the fault tree, product models, staff, customers and the stories of their calls.

Everything here is invented but shaped like the seeds: an M&E contractor's after-sales centre in Wuhan that
maintains central air-conditioning, diesel engines, power supply, elevators and fire systems for customers in
Hubei and a few other provinces. Content is Chinese (it is what the customers said); reference names carry an
English name as well.
"""

from __future__ import annotations

from typing import Any

SERVICE_CENTER = {"code": "wuhan", "name": "武汉售后服务中心", "city": "420100", "phone": "400-027-8800"}

# code, name, English name
SKILLS: list[tuple[str, str, str]] = [
    ("hvac", "中央空调/冷水机组", "Chillers and central air-conditioning"),
    ("diesel", "柴油发动机", "Diesel engines"),
    ("genset", "柴油发电机组", "Diesel generator sets"),
    ("electrical", "电气与供配电", "Electrical and power supply"),
    ("elevator", "电梯", "Elevators"),
    ("fire", "消防系统", "Fire systems"),
    ("ups", "UPS 与精密空调", "UPS and precision cooling"),
    ("controls", "楼宇自控", "Building automation and controls"),
]

# (code, name, English name, children)
FAULT_TREE: list[tuple[str, str, str, list[Any]]] = [
    ("refrig", "制冷系统", "Refrigeration system", [
        ("refrig-comp", "压缩机", "Compressor", [
            ("refrig-comp-overheat", "过热", "Overheating", []),
            ("refrig-comp-noise", "异响", "Abnormal noise", []),
            ("refrig-comp-oil", "油压低", "Low oil pressure", []),
        ]),
        ("refrig-cond", "冷凝器", "Condenser", [
            ("refrig-cond-hp", "高压报警", "High-pressure alarm", []),
            ("refrig-cond-scale", "结垢", "Fouling", []),
        ]),
        ("refrig-evap", "蒸发器", "Evaporator", [
            ("refrig-evap-lp", "低压报警", "Low-pressure alarm", []),
            ("refrig-evap-freeze", "防冻保护", "Freeze protection", []),
        ]),
        ("refrig-leak", "制冷剂泄漏", "Refrigerant leak", []),
        ("refrig-ctrl", "控制器故障", "Controller fault", []),
    ]),
    ("water", "水系统", "Water system", [
        ("water-pump", "水泵", "Pump", [
            ("water-pump-seal", "机械密封漏水", "Mechanical seal leak", []),
            ("water-pump-bearing", "轴承损坏", "Bearing failure", []),
        ]),
        ("water-tower", "冷却塔", "Cooling tower", [
            ("water-tower-fan", "风机故障", "Fan fault", []),
            ("water-tower-fill", "填料结垢", "Fouled fill", []),
        ]),
        ("water-leak", "管路漏水", "Pipe leak", []),
    ]),
    ("air", "风系统", "Air side", [
        ("air-fan", "风机故障", "Fan fault", []),
        ("air-filter", "过滤网堵塞", "Clogged filter", []),
        ("air-valve", "水阀/风阀故障", "Valve or damper fault", []),
    ]),
    ("engine", "发动机", "Engine", [
        ("engine-fuel", "燃油系统", "Fuel system", [
            ("engine-fuel-injector", "喷油器故障", "Injector fault", []),
            ("engine-fuel-filter", "燃油滤清器堵塞", "Clogged fuel filter", []),
            ("engine-fuel-pump", "高压油泵故障", "High-pressure pump fault", []),
        ]),
        ("engine-air", "进排气系统", "Intake and exhaust", [
            ("engine-air-turbo", "增压器故障", "Turbocharger fault", []),
            ("engine-air-dpf", "后处理堵塞", "Aftertreatment blocked", []),
        ]),
        ("engine-cool", "冷却系统", "Cooling system", [
            ("engine-cool-hot", "水温高", "High coolant temperature", []),
        ]),
        ("engine-lube", "润滑系统", "Lubrication", [
            ("engine-lube-press", "机油压力低", "Low oil pressure", []),
        ]),
        ("engine-ecu", "电控系统", "Electronic control", [
            ("engine-ecu-code", "故障码报警", "Fault code", []),
        ]),
        ("engine-start", "启动困难", "Hard starting", []),
    ]),
    ("genset", "发电机组", "Generator set", [
        ("genset-start", "无法启动", "Fails to start", []),
        ("genset-volt", "电压不稳", "Unstable voltage", []),
    ]),
    ("elec", "电气", "Electrical", [
        ("elec-switch", "开关柜", "Switchgear", [
            ("elec-switch-trip", "断路器跳闸", "Breaker trip", []),
            ("elec-switch-heat", "接头发热", "Hot connection", []),
        ]),
        ("elec-trans", "变压器", "Transformer", [
            ("elec-trans-temp", "温升过高", "Excessive temperature rise", []),
        ]),
        ("elec-ctrl", "控制回路", "Control circuit", []),
        ("elec-ups", "UPS", "UPS", [
            ("elec-ups-battery", "电池老化", "Aged batteries", []),
            ("elec-ups-bypass", "转旁路", "Transfer to bypass", []),
        ]),
    ]),
    ("lift", "电梯", "Elevator", [
        ("lift-door", "门系统故障", "Door system fault", []),
        ("lift-trap", "困人", "Passengers trapped", []),
        ("lift-traction", "曳引系统", "Traction system", []),
        ("lift-ctrl", "控制系统", "Control system", []),
    ]),
    ("fire", "消防系统", "Fire systems", [
        ("fire-alarm", "误报警", "False alarm", []),
        ("fire-pump", "消防泵", "Fire pump", []),
        ("fire-sprinkler", "喷淋系统", "Sprinkler system", []),
    ]),
    ("other", "其他", "Other", [
        ("other-install", "安装调试", "Installation and commissioning", []),
        ("other-usage", "使用咨询", "Usage question", []),
        ("other-service", "服务质量", "Service quality", []),
    ]),
]

# code, name, category, manufacturer, warranty months, story kind, skill code
PRODUCT_MODELS: list[tuple[str, str, str, str, int, str, str]] = [
    ("LSBLG-1160", "螺杆式冷水机组 1160kW", "冷水机组", "卓成机电", 24, "chiller", "hvac"),
    ("LSBLG-580", "螺杆式冷水机组 580kW", "冷水机组", "卓成机电", 24, "chiller", "hvac"),
    ("LXL-1800", "离心式冷水机组 1800kW", "冷水机组", "卓成机电", 24, "chiller", "hvac"),
    ("CTA-300T", "横流式冷却塔 300t/h", "冷却塔", "卓成机电", 12, "tower", "hvac"),
    ("ZK-40", "组合式空气处理机组 40000m³/h", "空气处理机组", "卓成机电", 12, "ahu", "hvac"),
    ("KQW150-315", "卧式离心水泵 150-315", "水泵", "凯泉", 12, "pump", "hvac"),
    ("YC6MK-420", "YC6MK 柴油发动机 420马力", "柴油发动机", "玉柴", 24, "engine", "diesel"),
    ("YC6L-330", "YC6L 柴油发动机 330马力", "柴油发动机", "玉柴", 24, "engine", "diesel"),
    ("YC4S-160", "YC4S 柴油发动机 160马力", "柴油发动机", "玉柴", 24, "engine", "diesel"),
    ("GF-500", "500kW 柴油发电机组", "发电机组", "卓成机电", 12, "genset", "genset"),
    ("KYN28-12", "KYN28-12 高压开关柜", "供配电", "正泰", 18, "power", "electrical"),
    ("SCB13-1250", "SCB13-1250 干式变压器", "供配电", "正泰", 18, "power", "electrical"),
    ("GGD-400", "GGD 低压配电柜", "供配电", "正泰", 18, "power", "electrical"),
    ("TKJ-1000", "TKJ-1000 乘客电梯", "电梯", "快意", 12, "elevator", "elevator"),
    ("THJ-2000", "THJ-2000 载货电梯", "电梯", "快意", 12, "elevator", "elevator"),
    ("JB-QB-5000", "JB-QB-5000 火灾报警控制器", "消防", "海湾", 12, "fire", "fire"),
    ("XBD-40", "XBD 消防泵组", "消防", "凯泉", 12, "fire", "fire"),
    ("UPS-200K", "200kVA 模块化 UPS", "UPS", "科华", 36, "ups", "ups"),
    ("CRAC-80", "80kW 机房精密空调", "精密空调", "依米康", 24, "ups", "ups"),
]

# username, role, display name, region code, skills, grade, mobile
STAFF: list[tuple[str, str, str, str, list[str], int, str]] = [
    ("admin", "admin", "系统管理员", "420100", [], 1, "139-7100-0001"),
    ("manager", "manager", "周慧敏", "420100", [], 1, "139-7100-0002"),
    ("lead", "lead", "何振华", "420000", [], 1, "139-7100-0003"),
    ("dispatcher", "dispatcher", "孙丽娟", "420100", [], 1, "139-7100-0004"),
    ("agent", "agent", "李静", "420100", [], 1, "139-7100-0005"),
    ("agent2", "agent", "吴晓燕", "420100", [], 1, "139-7100-0006"),
    ("finance", "finance", "钱晓梅", "420100", [], 1, "139-7100-0007"),
    ("purchasing", "purchasing", "冯建军", "420100", [], 1, "139-7100-0008"),
    ("storekeeper", "storekeeper", "马春生", "420100", [], 1, "139-7100-0009"),
    ("rma_clerk", "rma_clerk", "邓丽", "420100", [], 1, "139-7100-0010"),
    ("engineer", "engineer", "王建国", "420100", ["hvac", "controls", "electrical"], 4, "138-7101-2201"),
    ("engineer2", "engineer", "李志强", "420100", ["hvac", "ups", "controls"], 3, "138-7101-2202"),
    ("engineer3", "engineer", "张伟", "420100", ["diesel", "genset"], 3, "138-7101-2203"),
    ("engineer4", "engineer", "陈明", "420100", ["elevator", "fire"], 2, "138-7101-2204"),
    ("engineer5", "engineer", "刘洋", "420500", ["hvac", "genset", "electrical"], 3, "138-7101-2205"),
    ("engineer6", "engineer", "赵刚", "420600", ["diesel", "genset", "electrical"], 4, "138-7101-2206"),
    ("engineer7", "engineer", "黄海涛", "430100", ["hvac", "diesel", "elevator"], 3, "138-7101-2207"),
    ("engineer8", "engineer", "郭志勇", "410100", ["ups", "electrical", "genset", "fire"], 5, "138-7101-2208"),
]

ROLE_LABELS = {"admin": "管理员", "manager": "售后经理", "lead": "区域负责人", "dispatcher": "调度员",
               "agent": "客服专员", "engineer": "服务工程师", "finance": "财务", "purchasing": "采购员",
               "storekeeper": "库管员", "rma_clerk": "返修专员"}

# Each customer: its sites (city code, equipment as (model code, count, where)) and contacts.
CUSTOMERS: list[dict[str, Any]] = [
    {
        "name": "武汉卓成置业光谷国际大厦物业管理处", "kind": "company", "code": "KH-0001", "phone": "027-8765 4321",
        "notes": "甲级写字楼，中央空调机房在 B2 层，维保合同客户。",
        "sites": [{
            "name": "光谷国际大厦（写字楼）", "address": "武汉市洪山区珞喻路 889 号光谷国际大厦", "city": "420100",
            "equipment": [("LSBLG-1160", 3, "B2 冷冻机房 {n} 号机"), ("LXL-1800", 1, "B2 冷冻机房 {n} 号离心机"),
                          ("CTA-300T", 4, "裙楼屋面 {n} 号冷却塔"), ("ZK-40", 6, "{n}F 空调机房"),
                          ("KQW150-315", 4, "B2 水泵房 {n} 号冷冻泵"), ("TKJ-1000", 4, "{n} 号客梯"),
                          ("JB-QB-5000", 1, "一层消防控制室")],
        }],
        "contacts": [("张建华", "工程部经理", "139-0710-3388", 0, True), ("刘芳", "物业客服主管", "136-2718-6620", 0, False)],
    },
    {
        "name": "湖北顺达物流有限公司", "kind": "company", "code": "KH-0002", "phone": "027-8345 6600",
        "notes": "干线物流车队，牵引车 60 余台，发动机维修以就近服务站为主。",
        "sites": [
            {"name": "东西湖物流园车队", "address": "武汉市东西湖区走马岭革新大道 168 号", "city": "420100",
             "equipment": [("YC6MK-420", 8, "鄂A·{n:02d}8T5 牵引车"), ("YC6L-330", 4, "鄂A·{n:02d}3L7 载货车")]},
            {"name": "襄阳分拨中心", "address": "襄阳市襄州区航空路 66 号", "city": "420600",
             "equipment": [("YC6MK-420", 4, "鄂F·{n:02d}6K2 牵引车"), ("YC4S-160", 3, "鄂F·{n:02d}1D9 配送车")]},
            {"name": "长沙分公司车队", "address": "长沙市望城区银星路 12 号", "city": "430100",
             "equipment": [("YC6L-330", 3, "湘A·{n:02d}7Q1 载货车")]},
        ],
        "contacts": [("陈志伟", "车队队长", "137-0712-5566", 0, True), ("马涛", "襄阳站站长", "135-9734-2210", 1, False),
                     ("罗斌", "长沙车队调度", "138-7481-0923", 2, False)],
    },
    {
        "name": "武汉临空港工业园运营管理有限公司", "kind": "company", "code": "KH-0003", "phone": "027-8390 1200",
        "notes": "园区 12 栋标准厂房，供配电、电梯、消防由我司维保。",
        "sites": [{
            "name": "临空港工业园（厂房 A 区）", "address": "武汉市东西湖区临空港大道 2 号", "city": "420100",
            "equipment": [("KYN28-12", 3, "1 号变配电所 {n} 号柜"), ("SCB13-1250", 2, "1 号变配电所 {n} 号变压器"),
                          ("GGD-400", 2, "A{n} 栋低压配电室"), ("THJ-2000", 3, "A{n} 栋货梯"),
                          ("XBD-40", 1, "消防泵房"), ("JB-QB-5000", 1, "园区消防控制中心"), ("GF-500", 1, "备用发电机房")],
        }],
        "contacts": [("杨光明", "设备动力部主管", "139-8620-1177", 0, True), ("徐丽", "园区客服", "155-2716-8890", 0, False)],
    },
    {
        # A foreign-invested plant whose engineering staff read English: its receipts and bills are in English.
        "name": "Hanse Precision Components (Wuhan) Co., Ltd.", "kind": "company", "code": "KH-0012",
        "phone": "027-8470 2100", "language": "en",
        "notes": "德资精密零部件工厂，恒温车间空调与变配电由我司维保；客户工程部以英文沟通，回执与收据出具英文版。",
        "sites": [{
            "name": "Plant 1 (沌口开发区厂区)", "address": "武汉市汉南区沌口经济开发区全力三路 18 号", "city": "420100",
            "equipment": [("LSBLG-1160", 2, "Chiller room, unit {n}"), ("ZK-40", 2, "Clean room AHU {n}"),
                          ("KYN28-12", 2, "Substation, panel {n}")],
        }],
        "contacts": [("Thomas Becker", "Facility Manager", "186-0271-4455", 0, True),
                     ("王磊", "设备工程师", "139-7123-0981", 0, False)],
    },
    {
        "name": "宜昌仁和医院", "kind": "company", "code": "KH-0004", "phone": "0717-688 1120",
        "notes": "三级医院，手术室与 ICU 空调、备用电源为重点保障对象，故障一律按紧急处理。",
        "sites": [{
            "name": "宜昌仁和医院（住院部）", "address": "宜昌市西陵区夷陵大道 135 号", "city": "420500",
            "equipment": [("LSBLG-580", 2, "动力中心 {n} 号机"), ("ZK-40", 2, "手术部 {n} 号净化机组"),
                          ("GF-500", 1, "动力中心发电机房"), ("TKJ-1000", 2, "住院部 {n} 号病床梯"),
                          ("UPS-200K", 1, "信息中心机房")],
        }],
        "contacts": [("黄文斌", "后勤保障科科长", "133-0717-6612", 0, True)],
    },
    {
        "name": "襄阳汉江广场购物中心", "kind": "company", "code": "KH-0005", "phone": "0710-356 8800",
        "notes": "营业时间 10:00–22:00，维修尽量安排在闭店后。",
        "sites": [{
            "name": "汉江广场购物中心", "address": "襄阳市樊城区人民广场路 1 号", "city": "420600",
            "equipment": [("LSBLG-1160", 2, "B1 冷站 {n} 号机"), ("CTA-300T", 2, "屋面 {n} 号冷却塔"),
                          ("ZK-40", 3, "{n}F 商场空调机房"), ("TKJ-1000", 3, "{n} 号观光梯"), ("XBD-40", 1, "消防泵房")],
        }],
        "contacts": [("吴俊", "工程部主管", "186-0710-4455", 0, True), ("彭婷", "运营部经理", "151-7262-3018", 0, False)],
    },
    {
        "name": "郑州中原云数据中心有限公司", "kind": "company", "code": "KH-0006", "phone": "0371-6608 9900",
        "notes": "T3 等级数据中心，要求 2 小时内到场。",
        "sites": [{
            "name": "中原云数据中心（航空港）", "address": "郑州市航空港区云港路 18 号", "city": "410100",
            "equipment": [("UPS-200K", 4, "{n} 号 UPS 间"), ("CRAC-80", 6, "模块机房 {n} 号精密空调"),
                          ("GF-500", 2, "柴发机房 {n} 号机组"), ("SCB13-1250", 2, "{n} 号变压器")],
        }],
        "contacts": [("赵鹏", "运维总监", "139-3711-8008", 0, True), ("孟凡", "值班长", "176-0371-2266", 0, False)],
    },
    {
        "name": "长沙湘江金融中心物业服务有限公司", "kind": "company", "code": "KH-0007", "phone": "0731-8566 7788",
        "sites": [{
            "name": "湘江金融中心 T2 写字楼", "address": "长沙市岳麓区滨江路 53 号", "city": "430100",
            "equipment": [("LSBLG-1160", 2, "B3 冷冻站 {n} 号机"), ("ZK-40", 4, "{n}F 空调机房"),
                          ("KQW150-315", 2, "B3 冷却泵 {n} 号")],
        }],
        "contacts": [("唐伟", "机电主管", "138-7310-5520", 0, True)],
    },
    {
        "name": "广州白云商务酒店", "kind": "company", "code": "KH-0008", "phone": "020-3622 1888",
        "sites": [{
            "name": "白云商务酒店", "address": "广州市白云区机场路 1318 号", "city": "440100",
            "equipment": [("LSBLG-580", 2, "地下机房 {n} 号机"), ("TKJ-1000", 2, "{n} 号客梯")],
        }],
        "contacts": [("梁志明", "工程经理", "137-2200-6189", 0, True)],
    },
    {
        "name": "荆州长江冷链仓储有限公司", "kind": "company", "code": "KH-0009", "phone": "0716-822 3456",
        "sites": [{
            "name": "荆州冷链仓储基地", "address": "荆州市沙市区江津东路 99 号", "city": "421000",
            "equipment": [("LSBLG-580", 2, "{n} 号冷库机组"), ("GF-500", 1, "发电机房"), ("GGD-400", 1, "配电室")],
        }],
        "contacts": [("郑国强", "设备经理", "135-0716-7788", 0, True)],
    },
    {
        "name": "陈国平", "kind": "person", "phone": "138-7165-2314", "notes": "个体运输户，自有牵引车一台。",
        "sites": [{"name": "陈国平（个人车辆）", "address": "荆州市荆州区荆北路 21 号", "city": "421000",
                   "equipment": [("YC6MK-420", 1, "鄂D·6G213 牵引车")]}],
        "contacts": [("陈国平", "车主", "138-7165-2314", 0, True)],
    },
    {
        "name": "黄志勇", "kind": "person", "phone": "139-9786-5501", "notes": "自卸车车主，常跑十堰—襄阳。",
        "sites": [{"name": "黄志勇（个人车辆）", "address": "十堰市张湾区车城路 77 号", "city": "420300",
                   "equipment": [("YC6L-330", 1, "鄂C·2H557 自卸车")]}],
        "contacts": [("黄志勇", "车主", "139-9786-5501", 0, True)],
    },
    {
        "name": "李春梅", "kind": "person", "phone": "151-0735-8642", "notes": "农家乐业主，备用发电机组一台。",
        "sites": [{"name": "李春梅（农家乐）", "address": "郴州市苏仙区飞天山镇 6 组", "city": "431000",
                   "equipment": [("YC4S-160", 1, "后院发电机房")]}],
        "contacts": [("李春梅", "业主", "151-0735-8642", 0, True)],
    },
]

# Repair stories per kind of equipment: what the customer said, and what the engineer found and did.
REPAIRS: dict[str, list[dict[str, Any]]] = {
    "chiller": [
        {"summary": "冷水机组高压报警停机", "symptom": "开机约 10 分钟后高压报警停机，复位后再次报警。",
         "usage": "夏季满负荷运行，出水温度设定 7℃。", "fault": "refrig-cond-hp",
         "diagnosis": "冷凝压力 1.45MPa 偏高，冷却水进出水温差仅 2℃。", "cause": "冷凝器铜管结垢严重，换热效率下降。",
         "actions": "化学清洗冷凝器，冲洗冷却水管路，复测冷凝压力恢复 0.95MPa。",
         "parts": [("冷凝器清洗剂", 2, "桶"), ("端盖密封垫", 2, "件")]},
        {"summary": "压缩机排气温度过高", "symptom": "压缩机排气温度超过 95℃，机组自动卸载。",
         "usage": "过渡季节部分负荷运行。", "fault": "refrig-comp-overheat",
         "diagnosis": "吸气过热度 12K，制冷剂充注量不足。", "cause": "蒸发器端盖处慢漏导致制冷剂不足。",
         "actions": "检漏补焊，抽真空后补充 R134a 制冷剂 45kg，运行 2 小时正常。",
         "parts": [("R134a 制冷剂", 45, "kg"), ("干燥过滤器滤芯", 1, "个")]},
        {"summary": "机组运行异响", "symptom": "压缩机运行时有明显金属撞击声，振动大。",
         "usage": "24 小时连续运行。", "fault": "refrig-comp-noise",
         "diagnosis": "压缩机轴承磨损，振动值 7.1mm/s 超标。", "cause": "轴承达到使用寿命，润滑油劣化。",
         "actions": "更换压缩机轴承及润滑油，做动平衡检测，振动降至 2.3mm/s。",
         "parts": [("压缩机轴承组件", 1, "套"), ("冷冻机油", 20, "L")]},
        {"summary": "蒸发器低压报警", "symptom": "夜间低负荷时频繁低压报警。", "usage": "夜间仅保留数据机房供冷。",
         "fault": "refrig-evap-lp", "diagnosis": "冷冻水流量偏低，水流开关动作值偏高。",
         "cause": "冷冻水管路 Y 型过滤器堵塞。", "actions": "清洗过滤器，调整水流开关，优化低负荷运行策略。",
         "parts": [("Y 型过滤器滤网", 1, "个")]},
        {"summary": "控制屏黑屏无法开机", "symptom": "控制屏无显示，机组无法启动。", "usage": "春季首次开机。",
         "fault": "refrig-ctrl", "diagnosis": "控制电源模块输出 0V。", "cause": "控制电源模块受潮烧毁。",
         "actions": "更换电源模块并做防潮处理，恢复运行。", "parts": [("控制电源模块 24V", 1, "个")]},
    ],
    "tower": [
        {"summary": "冷却塔风机不转", "symptom": "3 号冷却塔风机不运转，出水温度偏高。", "usage": "夏季高温运行。",
         "fault": "water-tower-fan", "diagnosis": "电机绕组绝缘电阻为 0。", "cause": "电机进水导致绕组烧毁。",
         "actions": "更换风机电机，加装防雨罩。", "parts": [("冷却塔风机电机 7.5kW", 1, "台"), ("防雨罩", 1, "个")]},
        {"summary": "冷却塔飘水严重", "symptom": "冷却塔周边地面大量积水，补水量明显增加。", "usage": "满负荷运行。",
         "fault": "water-tower-fill", "diagnosis": "收水器变形脱落，填料局部结垢。", "cause": "长期未清洗，填料老化。",
         "actions": "更换收水器，清洗填料。", "parts": [("收水器", 6, "片")]},
    ],
    "ahu": [
        {"summary": "空调机组送风量不足", "symptom": "楼层反映出风口风量小，室内偏热。", "usage": "办公层工作日运行。",
         "fault": "air-filter", "diagnosis": "初效过滤网严重堵塞，压差 280Pa。", "cause": "过滤网超期未更换。",
         "actions": "更换初效、中效过滤网，清洗表冷器。", "parts": [("初效过滤网", 8, "片"), ("中效袋式过滤器", 4, "个")]},
        {"summary": "空调机组皮带异响", "symptom": "机组启动时有尖锐摩擦声。", "usage": "每日 7:00 启动。",
         "fault": "air-fan", "diagnosis": "风机皮带松弛打滑。", "cause": "皮带老化伸长。",
         "actions": "更换皮带并调整张紧度。", "parts": [("风机皮带 B-2000", 2, "条")]},
        {"summary": "水阀不动作温度失控", "symptom": "手术室温度持续偏高，设定无效。", "usage": "手术部 24 小时运行。",
         "fault": "air-valve", "diagnosis": "电动二通阀执行器无动作。", "cause": "执行器电机损坏。",
         "actions": "更换电动阀执行器并校准。", "parts": [("电动阀执行器", 1, "个")]},
    ],
    "pump": [
        {"summary": "冷冻水泵漏水", "symptom": "2 号冷冻泵机封处持续滴水。", "usage": "连续运行。",
         "fault": "water-pump-seal", "diagnosis": "机械密封动静环磨损。", "cause": "机封老化。",
         "actions": "更换机械密封，试运行 1 小时无渗漏。", "parts": [("机械密封 φ55", 1, "套")]},
        {"summary": "水泵振动大噪音大", "symptom": "水泵运行振动明显，噪音比平时大。", "usage": "夏季满负荷。",
         "fault": "water-pump-bearing", "diagnosis": "电机前端轴承损坏。", "cause": "轴承缺油。",
         "actions": "更换轴承，重新对中。", "parts": [("轴承 6312", 2, "个")]},
    ],
    "engine": [
        {"summary": "发动机冒黑烟、动力不足", "symptom": "重载爬坡时冒黑烟，动力明显不足。", "usage": "干线运输，满载 49 吨。",
         "fault": "engine-fuel-injector", "diagnosis": "3、5 缸喷油器雾化不良，回油量超标。", "cause": "燃油品质差导致喷油器积碳。",
         "actions": "更换 2 支喷油器，清洗燃油系统，路试正常。",
         "parts": [("喷油器总成", 2, "支"), ("燃油滤清器", 1, "个")]},
        {"summary": "发动机水温高报警", "symptom": "高速行驶约 1 小时后水温报警 105℃。", "usage": "夏季高温长途运输。",
         "fault": "engine-cool-hot", "diagnosis": "节温器不能完全打开，散热器外部堵塞。", "cause": "节温器失效。",
         "actions": "更换节温器，清洗散热器，更换冷却液。", "parts": [("节温器", 1, "个"), ("长效冷却液", 20, "L")]},
        {"summary": "增压器漏油、排气冒蓝烟", "symptom": "排气冒蓝烟，机油消耗快。", "usage": "城市配送，频繁启停。",
         "fault": "engine-air-turbo", "diagnosis": "增压器轴向间隙超标，压气端漏油。", "cause": "增压器轴承磨损。",
         "actions": "更换增压器总成，更换机油机滤。", "parts": [("增压器总成", 1, "台"), ("机油", 24, "L"), ("机油滤清器", 1, "个")]},
        {"summary": "仪表报故障码、限扭", "symptom": "仪表亮发动机故障灯，车辆限速 60km/h。", "usage": "国六车辆，高速运输。",
         "fault": "engine-ecu-code", "diagnosis": "读取故障码 P20EE，SCR 转化效率低。", "cause": "尿素品质不合格，喷嘴结晶。",
         "actions": "清洗尿素喷嘴，更换尿素滤芯，刷写标定，清除故障码。", "parts": [("尿素滤芯", 1, "个")]},
        {"summary": "冷车启动困难", "symptom": "早上冷车要打好几次才能着车。", "usage": "冬季户外停放。",
         "fault": "engine-start", "diagnosis": "进气预热装置不工作。", "cause": "预热继电器损坏。",
         "actions": "更换预热继电器，检查蓄电池。", "parts": [("预热继电器", 1, "个")]},
        {"summary": "机油压力低报警", "symptom": "怠速时机油压力报警。", "usage": "运行 30 万公里。",
         "fault": "engine-lube-press", "diagnosis": "机油压力 0.08MPa，机油泵磨损。", "cause": "机油泵磨损、机油粘度下降。",
         "actions": "更换机油泵，更换机油及滤清器。", "parts": [("机油泵", 1, "个"), ("机油", 24, "L")]},
    ],
    "genset": [
        {"summary": "发电机组无法启动", "symptom": "月度试机时无法启动，启动电机有声无力。", "usage": "备用电源，每月试机一次。",
         "fault": "genset-start", "diagnosis": "启动蓄电池电压 21.5V，内阻大。", "cause": "蓄电池老化。",
         "actions": "更换启动蓄电池，试机带载 30 分钟正常。", "parts": [("启动蓄电池 12V 200Ah", 2, "块")]},
        {"summary": "发电机组输出电压波动", "symptom": "带载后电压在 360–420V 间波动。", "usage": "停电演练。",
         "fault": "genset-volt", "diagnosis": "AVR 调压板输出不稳。", "cause": "AVR 调压板故障。",
         "actions": "更换 AVR 调压板并整定。", "parts": [("AVR 调压板", 1, "块")]},
    ],
    "power": [
        {"summary": "高压柜断路器跳闸", "symptom": "2 号进线柜断路器跳闸，部分厂房停电。", "usage": "生产旺季满负荷。",
         "fault": "elec-switch-trip", "diagnosis": "综保装置记录过流 II 段动作，负荷侧电缆头放电。",
         "cause": "电缆头制作工艺不良，受潮击穿。", "actions": "重新制作电缆头，耐压试验合格后送电。",
         "parts": [("10kV 冷缩电缆终端", 3, "套")]},
        {"summary": "变压器温度高报警", "symptom": "干变温控器报警 130℃，风机常转。", "usage": "夏季负荷高峰。",
         "fault": "elec-trans-temp", "diagnosis": "两台冷却风机损坏，B 相温度最高。", "cause": "冷却风机老化。",
         "actions": "更换冷却风机，清扫变压器。", "parts": [("变压器冷却风机", 2, "台")]},
        {"summary": "配电柜母排接头发热", "symptom": "红外测温发现母排接头温度 85℃。", "usage": "例行巡检发现。",
         "fault": "elec-switch-heat", "diagnosis": "母排连接螺栓松动。", "cause": "长期热胀冷缩导致紧固力矩下降。",
         "actions": "停电紧固并更换碟形垫圈，复测温度 42℃。", "parts": [("碟形垫圈 M12", 20, "个")]},
    ],
    "elevator": [
        {"summary": "电梯困人", "symptom": "电梯停在 8-9 层之间，轿厢内困 2 人。", "usage": "早高峰。",
         "fault": "lift-trap", "diagnosis": "门锁回路接触不良导致急停。", "cause": "厅门门锁触点氧化。",
         "actions": "解救被困人员，更换门锁触点，试运行 20 次正常。", "parts": [("门锁触点", 2, "副")]},
        {"summary": "电梯门反复开关", "symptom": "电梯门关到一半又打开，反复多次。", "usage": "客流高峰。",
         "fault": "lift-door", "diagnosis": "光幕信号间歇遮挡。", "cause": "光幕接收器损坏。",
         "actions": "更换光幕，调整门机参数。", "parts": [("电梯光幕", 1, "套")]},
        {"summary": "电梯运行抖动", "symptom": "运行中有明显抖动和异响。", "usage": "使用 5 年。",
         "fault": "lift-traction", "diagnosis": "导靴衬磨损，导轨润滑不足。", "cause": "导靴衬磨损。",
         "actions": "更换导靴衬，导轨清洁润滑。", "parts": [("导靴衬", 8, "个"), ("导轨油", 2, "L")]},
    ],
    "fire": [
        {"summary": "消防主机频繁误报", "symptom": "夜间频繁出现烟感报警，现场无烟无火。", "usage": "地下车库区域。",
         "fault": "fire-alarm", "diagnosis": "车库 12 只烟感探测器灰尘积聚。", "cause": "探测器污染、环境潮湿。",
         "actions": "清洗及更换探测器，调整灵敏度。", "parts": [("点型光电感烟探测器", 6, "只")]},
        {"summary": "消防泵无法自动启动", "symptom": "联动测试时消防泵不能自动启动。", "usage": "季度消防联动测试。",
         "fault": "fire-pump", "diagnosis": "控制柜中间继电器触点烧蚀。", "cause": "继电器老化。",
         "actions": "更换中间继电器，联动测试合格。", "parts": [("中间继电器", 2, "个")]},
    ],
    "ups": [
        {"summary": "UPS 转旁路运行", "symptom": "UPS 告警转旁路，逆变器故障。", "usage": "数据中心核心机房。",
         "fault": "elec-ups-bypass", "diagnosis": "2 号功率模块 IGBT 损坏。", "cause": "模块散热风扇失效导致过温。",
         "actions": "热插拔更换功率模块及风扇，恢复逆变供电。", "parts": [("UPS 功率模块 50kVA", 1, "个"), ("散热风扇", 2, "个")]},
        {"summary": "UPS 电池放电时间不足", "symptom": "放电测试仅维持 6 分钟，设计 15 分钟。", "usage": "年度放电测试。",
         "fault": "elec-ups-battery", "diagnosis": "电池组内阻普遍偏高，8 节电池鼓包。", "cause": "电池超过 5 年使用寿命。",
         "actions": "更换整组蓄电池，放电测试 16 分钟合格。", "parts": [("12V 100Ah 蓄电池", 32, "节")]},
        {"summary": "精密空调高压告警", "symptom": "精密空调高压告警停机，机房温度上升。", "usage": "24 小时运行。",
         "fault": "refrig-cond-hp", "diagnosis": "室外冷凝器翅片脏堵。", "cause": "周边施工扬尘。",
         "actions": "清洗冷凝器翅片，检查风机。", "parts": []},
    ],
}

# Requests that are not repairs: how they are answered without a visit.
OTHER_REQUESTS: dict[str, list[dict[str, str]]] = {
    "inquiry": [
        {"summary": "咨询冷水机组保养周期", "symptom": "想了解冷水机组年度保养包含哪些项目、多久做一次。",
         "usage": "", "fault": "other-usage", "resolution": "已电话说明年度保养内容（换油、清洗冷凝器、电气检查），并发送保养计划表。"},
        {"summary": "询问发动机质保期限", "symptom": "车辆购买两年，询问发动机是否还在质保期内。",
         "usage": "", "fault": "other-usage", "resolution": "已按序列号查询质保到期日并告知客户，同时说明质保范围。"},
        {"summary": "咨询 UPS 电池更换周期", "symptom": "询问 UPS 蓄电池一般几年更换。", "usage": "",
         "fault": "other-usage", "resolution": "已说明 5 年更换建议及年度放电测试要求。"},
        {"summary": "咨询冬季停机防冻措施", "symptom": "冬季停机期间冷却塔和管路要做哪些防冻措施？", "usage": "",
         "fault": "other-usage", "resolution": "已发送冬季停机防冻作业指导书，并约定停机前上门检查。"},
    ],
    "suggestion": [
        {"summary": "建议开通夜间值班电话", "symptom": "希望晚上 10 点后也能直接联系到值班工程师。", "usage": "",
         "fault": "other-service", "resolution": "已反馈服务中心，400 热线已开通 24 小时值班转接。"},
        {"summary": "建议维修后提供电子回执", "symptom": "纸质回执容易丢，希望能收到电子版。", "usage": "",
         "fault": "other-service", "resolution": "已采纳，现场签字后系统自动生成电子回执。"},
    ],
    "complaint": [
        {"summary": "投诉工程师未按约定时间到场", "symptom": "约好上午 9 点到，11 点才到，影响商场开业。", "usage": "",
         "fault": "other-service", "resolution": "已向客户致歉，调整该区域排班并对工程师进行考核。"},
        {"summary": "投诉维修后同一故障再次出现", "symptom": "上周刚修好的机组又报同样的故障。", "usage": "",
         "fault": "other-service", "resolution": "已安排高级工程师复查并彻底处理，客户认可处理结果。"},
        {"summary": "投诉配件价格过高", "symptom": "更换的配件报价比市场价高很多。", "usage": "",
         "fault": "other-service", "resolution": "已提供配件价格明细和原厂证明，并按合同优惠 10%。"},
    ],
}

INSTALLATIONS = [
    {"summary": "新增冷却塔安装调试", "symptom": "新采购一台冷却塔，需安装调试并接入群控。", "usage": "扩容改造。",
     "fault": "other-install", "diagnosis": "现场基础、管路、电源已具备条件。", "cause": "",
     "actions": "完成吊装就位、管路连接、电气接线和单机调试，接入群控系统。", "parts": [("减震垫", 4, "块")]},
    {"summary": "精密空调安装调试", "symptom": "新机房需安装两台精密空调。", "usage": "数据中心扩容。",
     "fault": "other-install", "diagnosis": "机房环境满足安装条件。", "cause": "",
     "actions": "完成安装、充注制冷剂、调试并培训值班人员。", "parts": [("铜管 φ22", 30, "m")]},
]

RETURNS = [
    {"summary": "增压器返厂更换", "symptom": "更换的增压器三个月后再次漏油，要求换新。", "usage": "城市配送。",
     "fault": "engine-air-turbo", "diagnosis": "增压器压气端油封失效，属质量问题。", "cause": "零件质量问题。",
     "takeback": ("增压器总成", "TB{serial}", "外观完好，附进回油管各一根")},
    {"summary": "控制模块返厂检测", "symptom": "机组控制模块反复死机，要求返厂检测。", "usage": "24 小时运行。",
     "fault": "refrig-ctrl", "diagnosis": "控制模块偶发死机，现场无法复现。", "cause": "待返厂检测。",
     "takeback": ("机组主控模块", "MC{serial}", "外壳完好，附通讯线一根")},
]

DECLINE_REASONS = ["当天在十堰处理紧急故障，无法按时到场。", "车辆年检，今天无法出车。", "缺少该型号专用检测仪，建议改派。",
                   "正在医院项目值守，无法离开。"]
REASSIGN_REASONS = ["客户要求改约，原工程师时间冲突。", "故障升级，改派高级工程师处理。", "就近原则改派。"]
PROGRESS_NOTES = ["已与客户工程部通报：工程师在途，预计按约定时间到场。", "现场排查中，已排除电源与控制回路原因。",
                  "故障部件已确定，备件正从中心库调拨，已告知客户预计完成时间。", "临时措施已生效，设备降负荷运行，客户确认可接受。",
                  "已向客户说明处理方案与停机窗口，等待客户安排。"]
WAIT_REASONS = ["等待客户确认更换压缩机报价。", "客户需申请停机窗口，待通知。", "等待客户采购部门审批配件费用。"]
FOLLOW_UP_NOTES = ["需更换主要部件，已报价，待客户确认后再次上门。", "配件需从厂家调货，约定到货后上门更换。"]
REOPEN_REASONS = ["客户来电反映同一故障再次出现。", "回访时客户反映问题未彻底解决。"]
CANCEL_REASONS = ["重复报修，已合并处理。", "客户自行排除故障，无需上门。"]
APPOINTMENT_NOTES = ["已与客户电话确认", "与现场值班人员确认", "客户要求闭店后到场", "已短信通知客户"]

CALLBACK_COMMENTS = {
    5: ["工程师很专业，处理及时，非常满意。", "响应很快，问题彻底解决了。", "服务态度好，讲解清楚。"],
    4: ["整体满意，到场稍晚了一点。", "问题已解决，希望下次提前电话通知。", "满意。"],
    3: ["问题解决了，但等待时间较长。", "一般，配件等了好几天。"],
    2: ["到场太慢，影响了正常营业。", "修好后第二天又出现同样问题。"],
    1: ["非常不满意，工程师约好不来也没有通知。", "多次报修都没解决，要求换人处理。"],
}
COMPLAINT_ANSWERS = ["已向客户致歉，安排高级工程师复查并跟进至客户满意。", "已调整区域排班，承诺紧急故障 2 小时到场。"]
RESUME_NOTE = "客户已确认，安排再次上门。"
RETURN_RESOLUTION = "返厂检测维修完毕，已寄回并由客户确认安装使用正常。"
UNREACHABLE_NOTE = "无人接听"
TAKEBACK_ACTION = "拆下故障部件带回返厂检测，已向客户出具带回凭证。"
TAKEBACK_DEFAULT = ("故障部件", "TB{serial}", "外观完好")
RECEIPT_COMMENTS = ["", "", "工程师很专业。", "请尽快安排配件。"]
