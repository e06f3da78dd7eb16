"""Load a benchmark database: N service requests with a realistic spread, and everything they hang on.

What it writes (defaults for 1,000,000 requests): 5,000 customers, 10,000 sites, ~8,000 contacts, 30,000 equipment
units, 60 engineers across Hubei, Hunan and Henan, one user per role (agent, dispatcher, engineer, lead, manager,
admin) plus more agents and dispatchers, and for every request its work orders, assignments, visits, parts,
callback, the audit entries the services would have written (≈ 15 per closed repair) and its SLA clocks with their
events (≈ 4 clocks per request, under the migrated default policies; deadlines, states and escalation schedules
derived by the product's own `aftersales.sla.services._refresh`).

The spread: created_at over the last 3 years with growth and office hours; ~2 % open in the various open states
and ~1 % resolved awaiting the callback, all of them recent; the rest closed; severities 70/22/8 %; types mostly
repair; provinces weighted to Hubei.

The audit hash chain is computed exactly as `aftersales.core.audit` does (per record, sha256 over the same
payload), so `audit.verify_chain` holds for generated records.

Speed: tables are written directly, PostgreSQL with `COPY` (psycopg 3 `cursor.copy`), SQLite with `executemany`,
in one transaction per chunk, with secondary indexes dropped during the load and rebuilt after it (the exact
definitions the migrations created) and foreign-key checks off while loading (the generator writes consistent
ids). Afterwards it resets the id and numbering sequences so that new requests continue the numbering, and runs
ANALYZE.

Usage (from the project root):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench .venv/bin/python bench/generate.py --reset
    .venv/bin/python bench/generate.py --reset                       # SQLite var/bench.sqlite3, 100,000 requests
Options: --requests N, --customers, --sites, --equipment, --engineers, --seed, --chunk, --reset.
The role users' password is AFTERSALES_DEMO_PASSWORD, or "bench-password".
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from itertools import accumulate
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT / 'var' / 'bench.sqlite3'}"
UTC = dt.UTC
LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no DST: the year of a number is the local year

# ----------------------------------------------------------------------------------------------------------------
# Reference vocabulary (Chinese content, as the demo data; the UI translates labels, not data).

PROVINCES: list[tuple[str, str, str, float, list[tuple[str, str, str, float]]]] = [
    # code, name, English name, weight of sites, cities (code, name, English name, weight in province)
    ("420000", "湖北省", "Hubei", 0.60, [
        ("420100", "武汉市", "Wuhan", 0.55), ("420500", "宜昌市", "Yichang", 0.10), ("420600", "襄阳市", "Xiangyang", 0.10),
        ("420300", "十堰市", "Shiyan", 0.08), ("421000", "荆州市", "Jingzhou", 0.07), ("420200", "黄石市", "Huangshi", 0.05),
        ("420900", "孝感市", "Xiaogan", 0.05)]),
    ("430000", "湖南省", "Hunan", 0.12, [
        ("430100", "长沙市", "Changsha", 0.6), ("430200", "株洲市", "Zhuzhou", 0.2), ("430600", "岳阳市", "Yueyang", 0.2)]),
    ("410000", "河南省", "Henan", 0.10, [
        ("410100", "郑州市", "Zhengzhou", 0.6), ("410300", "洛阳市", "Luoyang", 0.25), ("411500", "信阳市", "Xinyang", 0.15)]),
    ("360000", "江西省", "Jiangxi", 0.05, [("360100", "南昌市", "Nanchang", 0.7), ("360400", "九江市", "Jiujiang", 0.3)]),
    ("340000", "安徽省", "Anhui", 0.05, [("340100", "合肥市", "Hefei", 1.0)]),
    ("440000", "广东省", "Guangdong", 0.04, [("440100", "广州市", "Guangzhou", 0.5), ("440300", "深圳市", "Shenzhen", 0.5)]),
    ("510000", "四川省", "Sichuan", 0.02, [("510100", "成都市", "Chengdu", 1.0)]),
    ("500000", "重庆市", "Chongqing", 0.02, [("500100", "重庆市区", "Chongqing urban", 1.0)]),
]
ENGINEER_PROVINCES = {"420000": 40, "430000": 10, "410000": 10}  # of 60; scaled with --engineers

SKILLS = [("chiller", "冷水机组", "Chillers"), ("diesel", "柴油发动机", "Diesel engines"),
          ("genset", "发电机组", "Generator sets"), ("hvac", "空调末端", "Air handling"),
          ("electrical", "电气", "Electrical"), ("boiler", "锅炉", "Boilers")]

PRODUCT_FAMILIES = [
    # skill, category, name, code prefix, manufacturer, warranty months, symptoms
    ("chiller", "冷水机组", "螺杆式冷水机组", "LSBLG", "武汉新世界制冷", 24,
     ["高压报警停机", "低压报警", "出水温度偏高", "压缩机异响", "油位过低报警", "冷凝器结垢", "电流过载跳闸"]),
    ("chiller", "冷水机组", "离心式冷水机组", "LXJZ", "武汉新世界制冷", 24,
     ["喘振", "启动失败", "冷媒泄漏", "轴承温度高", "控制屏黑屏"]),
    ("diesel", "柴油发动机", "重型柴油发动机", "YC6K", "东风康明斯", 12,
     ["冒黑烟", "启动困难", "机油压力低", "水温过高", "功率不足", "异响", "漏油"]),
    ("diesel", "柴油发动机", "中型柴油发动机", "ISD", "东风康明斯", 12,
     ["怠速不稳", "油耗偏高", "涡轮增压器漏油", "故障灯常亮"]),
    ("genset", "发电机组", "柴油发电机组", "GF", "泰豪科技", 12,
     ["无法自启动", "输出电压不稳", "频率波动", "蓄电池亏电", "ATS 切换失败"]),
    ("hvac", "空调末端", "组合式空调机组", "ZK", "武汉新世界制冷", 12,
     ["风机不转", "过滤网堵塞", "冷凝水外溢", "噪音大"]),
    ("electrical", "配电设备", "低压配电柜", "GGD", "正泰电气", 18,
     ["断路器频繁跳闸", "接触器烧蚀", "电容补偿失效", "温升过高"]),
    ("boiler", "锅炉", "燃气热水锅炉", "WNS", "郑锅股份", 12,
     ["点火失败", "熄火保护", "水压低", "排烟温度高"]),
]

FAULT_TREE = [
    ("mech", "机械", "Mechanical", [("mech-vib", "振动异响", "Vibration and noise"), ("mech-leak", "泄漏", "Leaks"),
                                    ("mech-wear", "磨损", "Wear")]),
    ("elec", "电气", "Electrical", [("elec-trip", "跳闸", "Tripping"), ("elec-ctrl", "控制系统", "Controls"),
                                    ("elec-sensor", "传感器", "Sensors")]),
    ("refr", "制冷", "Refrigeration", [("refr-press", "压力异常", "Pressure faults"),
                                       ("refr-temp", "温度异常", "Temperature faults")]),
    ("engine", "发动机", "Engine", [("engine-start", "启动", "Starting"), ("engine-smoke", "排放", "Emissions"),
                                    ("engine-power", "动力", "Power")]),
    ("use", "使用与维护", "Use and upkeep", [("use-operation", "操作不当", "Operation"),
                                             ("use-upkeep", "保养不足", "Upkeep")]),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建林波宁斌浩凯鑫宇欣晨阳佳琪志峰亮红梅"
COMPANY_HEAD = ["卓成", "华鑫", "长江", "楚天", "汉江", "东湖", "光谷", "九州", "恒通", "瑞丰", "宏达", "中南", "天河",
                "金桥", "新城", "明珠", "盛世", "鸿运", "宝丰", "德润", "安泰", "永鑫", "博远", "联创", "信达", "海川"]
COMPANY_TRADE = ["机电", "物业", "置业", "物流", "运输", "实业", "制造", "酒店", "医院", "商业广场", "数据中心", "汽车",
                 "食品", "化工", "建设", "钢构", "冷链", "水务", "科技", "电子"]
COMPANY_TAIL = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
SITE_KINDS = ["总部大楼", "一号厂房", "二号厂房", "冷站机房", "配电房", "物流园", "车队停车场", "数据中心机房", "写字楼",
              "商场", "门诊楼", "宿舍区", "仓库", "锅炉房"]
STREETS = ["珞喻路", "解放大道", "中山大道", "建设大道", "雄楚大道", "光谷大道", "高新大道", "五一大道", "人民路",
           "长江路", "和平大道", "友谊大道", "东风大道", "车城路", "文化路"]
DIAGNOSES = ["传感器失效", "接线端子松动", "滤网堵塞", "冷媒不足", "轴承磨损", "控制板故障", "密封件老化",
             "油路堵塞", "喷油器积碳", "蓄电池老化", "参数设置不当"]
ACTIONS = ["更换传感器并校准", "紧固接线，测试正常", "清洗滤网", "补充冷媒至额定压力", "更换轴承", "更换控制板",
           "更换密封件", "清洗油路", "清洗喷油器", "更换蓄电池", "恢复出厂参数并调试"]
PARTS = [("温度传感器", "pcs"), ("高压开关", "pcs"), ("密封圈", "pcs"), ("机油滤清器", "pcs"), ("R134a 冷媒", "kg"),
         ("轴承 6308", "pcs"), ("蓄电池 12V", "pcs"), ("接触器", "pcs")]
SCENARIOS = ["夏季高负荷连续运行", "夜间无人值守", "车队长途运输", "备用电源每月试机", "冬季低温启动", "生产线三班倒"]
WAIT_REASONS = ["等待客户确认配件报价", "客户现场停产，约定下周进场", "等待客户开通门禁", "客户要求更换时间"]
DECLINE_REASONS = ["当天已排满", "缺少所需备件", "休假"]

TYPE_WEIGHTS = [("repair", 0.74), ("installation", 0.06), ("inquiry", 0.08), ("complaint", 0.05),
                ("return", 0.04), ("suggestion", 0.03)]
CHANNEL_WEIGHTS = [("hotline", 0.60), ("web", 0.14), ("email", 0.05), ("field", 0.11), ("api", 0.10)]
SEVERITY_WEIGHTS = [("general", 0.70), ("important", 0.22), ("urgent", 0.08)]
OPEN_WEIGHTS_YOUNG = [("new", 0.35), ("triaged", 0.35), ("dispatched", 0.30)]
OPEN_WEIGHTS = [("triaged", 0.15), ("dispatched", 0.30), ("in_progress", 0.35), ("waiting_customer", 0.20)]
SATISFACTION_WEIGHTS = [(5, 0.60), (4, 0.28), (3, 0.08), (2, 0.03), (1, 0.01)]
WORK_TYPES = {"repair", "installation", "return", "complaint"}  # these usually need someone on site


def chooser(pairs: list[tuple[Any, float]], rng: random.Random) -> Callable[[], Any]:
    """A fast weighted choice over fixed weights."""
    values = [v for v, _ in pairs]
    cum = list(accumulate(w for _, w in pairs))
    total = cum[-1]
    r = rng.random
    return lambda: values[bisect(cum, r() * total)]


# ----------------------------------------------------------------------------------------------------------------
# Database plumbing


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_HTTPS", "0")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()


def reset_database(url: str) -> None:
    """Start from an empty schema (PostgreSQL) or an absent file (SQLite)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")
    else:
        connection.close()
        name = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(name) + suffix).unlink(missing_ok=True)


class Table:
    """One table written directly: its columns in order and a default for every column not given."""

    def __init__(self, model: Any) -> None:
        from django.db import models

        self.model = model
        self.name = model._meta.db_table
        fields = model._meta.concrete_fields
        self.cols = [f.column for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.defaults: list[Any] = []
        self.datetime_cols: list[int] = []
        self.date_cols: list[int] = []
        self.decimal_cols: list[int] = []
        missing = object()
        for i, f in enumerate(fields):
            if f.has_default():
                default = f.get_default()
                if isinstance(f, models.JSONField):
                    default = json.dumps(default)
            elif f.null:
                default = None
            elif isinstance(f, models.CharField | models.TextField):
                default = ""
            else:
                default = missing
            self.defaults.append(default)
            if isinstance(f, models.DateTimeField):
                self.datetime_cols.append(i)
            elif isinstance(f, models.DateField):
                self.date_cols.append(i)
            elif isinstance(f, models.DecimalField):
                self.decimal_cols.append(i)
        self._missing = missing
        self.rows: list[list[Any]] = []
        self.count = 0

    def add(self, **values: Any) -> None:
        row = self.defaults.copy()
        index = self.index
        for key, value in values.items():
            row[index[key]] = value
        self.rows.append(row)

    def check(self) -> None:
        for row in self.rows[:1]:
            for col, value in zip(self.cols, row, strict=True):
                if value is self._missing:
                    raise ValueError(f"{self.name}.{col} has no value and no default")


class Sink:
    """Writes Table rows in bulk: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection

    def begin_load(self) -> None:
        if self.vendor == "postgresql":
            self.raw.autocommit = False
            with self.raw.cursor() as cur:
                cur.execute("SET synchronous_commit = off")
                cur.execute("SET session_replication_role = replica")  # no FK triggers while bulk loading
            self.raw.commit()
        else:
            self.raw.isolation_level = None
            self.raw.execute("PRAGMA foreign_keys = OFF")
            self.raw.execute("PRAGMA synchronous = OFF")
            self.raw.execute("PRAGMA cache_size = -262144")

    def end_load(self) -> None:
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                cur.execute("SET session_replication_role = origin")
            self.raw.commit()
            self.raw.autocommit = True
        else:
            self.raw.execute("PRAGMA foreign_keys = ON")
            self.raw.execute("PRAGMA synchronous = NORMAL")

    def flush(self, tables: Iterable[Table]) -> None:
        tables = [t for t in tables if t.rows]
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                for t in tables:
                    t.check()
                    with cur.copy(f'COPY "{t.name}" ({", ".join(chr(34) + c + chr(34) for c in t.cols)}) FROM STDIN') as cp:
                        write = cp.write_row
                        for row in t.rows:
                            write(row)
                    t.count += len(t.rows)
                    t.rows = []
            self.raw.commit()
        else:
            self.raw.execute("BEGIN")
            for t in tables:
                t.check()
                for row in t.rows:
                    for i in t.datetime_cols:
                        v = row[i]
                        if v is not None:
                            row[i] = str(v.astimezone(UTC).replace(tzinfo=None))
                    for i in t.date_cols:
                        v = row[i]
                        if v is not None:
                            row[i] = v.isoformat()
                    for i in t.decimal_cols:
                        v = row[i]
                        if v is not None:
                            row[i] = str(v)
                marks = ", ".join("?" * len(t.cols))
                cols = ", ".join(f'"{c}"' for c in t.cols)
                self.raw.executemany(f'INSERT INTO "{t.name}" ({cols}) VALUES ({marks})', t.rows)  # noqa: S608
                t.count += len(t.rows)
                t.rows = []
            self.raw.execute("COMMIT")

    def secondary_indexes(self, table_names: list[str]) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the plain indexes on these tables: not primary keys or unique constraints."""
        with self.connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    """SELECT i.indexname, i.indexdef FROM pg_indexes i
                       JOIN pg_class c ON c.relname = i.indexname
                       JOIN pg_index x ON x.indexrelid = c.oid
                       WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
                         AND NOT x.indisprimary AND NOT x.indisunique""",
                    [table_names],
                )
            else:
                marks = ", ".join("?" * len(table_names))
                cur.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                    f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({marks})",
                    table_names,
                )
            return list(cur.fetchall())

    def drop_indexes(self, indexes: list[tuple[str, str]]) -> None:
        with self.connection.cursor() as cur:
            for name, _sql in indexes:
                cur.execute(f'DROP INDEX "{name}"')

    def create_indexes(self, indexes: list[tuple[str, str]]) -> None:
        with self.connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in indexes:
                cur.execute(sql)


# ----------------------------------------------------------------------------------------------------------------
# The generator


def digest(prev: str, payload: dict[str, Any]) -> str:
    """The same digest as aftersales.core.audit._digest, so that verify_chain holds."""
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


class Generator:
    """Builds the rows; ids are assigned here so that related rows can point at each other without a round trip."""

    def __init__(self, args: argparse.Namespace) -> None:
        from aftersales.accounts.models import User
        from aftersales.core.models import AuditEntry
        from aftersales.customers.models import Contact, Customer, Equipment, Site
        from aftersales.feedback.models import Callback
        from aftersales.fieldservice.models import Assignment, PartUsage, Visit, WorkOrder
        from aftersales.servicedesk.models import ServiceRequest
        from aftersales.sla.models import ClockEvent, SlaClock

        self.args = args
        self.rng = random.Random(args.seed)
        self.sink = Sink()
        self.t_customer = Table(Customer)
        self.t_site = Table(Site)
        self.t_contact = Table(Contact)
        self.t_equipment = Table(Equipment)
        self.t_request = Table(ServiceRequest)
        self.t_wo = Table(WorkOrder)
        self.t_assignment = Table(Assignment)
        self.t_visit = Table(Visit)
        self.t_part = Table(PartUsage)
        self.t_callback = Table(Callback)
        self.t_audit = Table(AuditEntry)
        self.t_clock = Table(SlaClock)
        self.t_clock_event = Table(ClockEvent)
        self.user_model = User
        self.tables = [self.t_customer, self.t_site, self.t_contact, self.t_equipment, self.t_request, self.t_wo,
                       self.t_assignment, self.t_visit, self.t_part, self.t_callback, self.t_audit, self.t_clock,
                       self.t_clock_event]
        self.next_id = {t.name: self._max_id(t) + 1 for t in self.tables}
        self.numbers: dict[tuple[str, int], int] = {}
        self.now = dt.datetime.now(UTC).replace(microsecond=0)

    def _max_id(self, table: Table) -> int:
        with self.sink.connection.cursor() as cur:
            cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"')  # noqa: S608
            return int(cur.fetchone()[0])

    def new_id(self, table: Table) -> int:
        value = self.next_id[table.name]
        self.next_id[table.name] = value + 1
        return value

    def number(self, prefix: str, at: dt.datetime) -> str:
        year = at.astimezone(LOCAL).year
        value = self.numbers.get((prefix, year), 0) + 1
        self.numbers[(prefix, year)] = value
        return f"{prefix}-{year}-{value:06d}"

    # -- the audit trail ------------------------------------------------------------------------------------------

    def audit(self, *, at: dt.datetime, actor: int | None, action: str, ct: int, obj: int, repr_: str,
              changes: dict[str, Any], verb: str, prev: str = "", parent: int | None = None, reason: str = "") -> str:
        payload = {"at": at.isoformat(), "actor": actor, "action": action, "verb": verb, "ct": ct, "id": obj,
                   "changes": changes, "reason": reason}
        h = digest(prev, payload)
        self.t_audit.add(id=self.new_id(self.t_audit), at=at, actor_id=actor, action=action, verb=verb,
                         content_type_id=ct, object_id=obj, object_repr=repr_[:200],
                         parent_type_id=self.ct_request if parent is not None else None, parent_id=parent,
                         changes=json.dumps(changes, ensure_ascii=False), reason=reason, prev_hash=prev, hash=h)
        return h

    # -- reference data through the ORM (small) -------------------------------------------------------------------

    def reference_data(self) -> None:
        from django.contrib.auth.hashers import make_password
        from django.contrib.contenttypes.models import ContentType

        from aftersales.accounts.models import ServiceCenter, Skill
        from aftersales.core.models import Region
        from aftersales.customers.models import Contact, Customer, Equipment, ProductModel, Site
        from aftersales.feedback.models import Callback
        from aftersales.fieldservice.models import Visit, WorkOrder
        from aftersales.servicedesk.models import FaultCategory, ServiceRequest

        ct = ContentType.objects.get_for_model
        self.ct_request, self.ct_wo, self.ct_visit = ct(ServiceRequest).pk, ct(WorkOrder).pk, ct(Visit).pk
        self.ct_callback, self.ct_customer, self.ct_site = ct(Callback).pk, ct(Customer).pk, ct(Site).pk
        self.ct_contact, self.ct_equipment = ct(Contact).pk, ct(Equipment).pk

        self.provinces: dict[str, Region] = {}
        self.cities: list[tuple[Region, Region, float]] = []  # city, province, weight
        for pcode, pname, pen, pweight, cities in PROVINCES:
            province, _ = Region.objects.get_or_create(code=pcode, defaults={"name": pname, "name_en": pen,
                                                                             "kind": Region.Kind.PROVINCE})
            self.provinces[pcode] = province
            for ccode, cname, cen, cweight in cities:
                city, _ = Region.objects.get_or_create(code=ccode, defaults={"name": cname, "name_en": cen,
                                                                             "kind": Region.Kind.CITY,
                                                                             "parent": province})
                self.cities.append((city, province, pweight * cweight))
        wuhan = Region.objects.get(code="420100")
        center, _ = ServiceCenter.objects.get_or_create(code="wuhan", defaults={"name": "武汉售后服务中心",
                                                                                "city": wuhan,
                                                                                "phone": "027-8888 6666"})
        skills = {}
        for code, name, name_en in SKILLS:
            skills[code], _ = Skill.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})

        self.leaf_categories: list[int] = []
        for sort, (code, name, name_en, children) in enumerate(FAULT_TREE):
            root, _ = FaultCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                               "sort": sort})
            for csort, (ccode, cname, cname_en) in enumerate(children):
                leaf, _ = FaultCategory.objects.get_or_create(code=ccode, defaults={"name": cname, "name_en": cname_en,
                                                                                    "parent": root, "sort": csort})
                self.leaf_categories.append(leaf.pk)

        # Product models: a few variants per family.
        self.models: list[tuple[int, str, str, int, list[str], int]] = []  # id, code, name, warranty, symptoms, skill
        for skill, category, name, prefix, maker, warranty, symptoms in PRODUCT_FAMILIES:
            for variant in ("100", "200", "300", "500", "800"):
                pm, _ = ProductModel.objects.get_or_create(
                    code=f"{prefix}-{variant}",
                    defaults={"name": name, "category": category, "manufacturer": maker, "warranty_months": warranty})
                pm.skills.add(skills[skill])
                self.models.append((pm.pk, pm.code, name, warranty, symptoms, skills[skill].pk))

        password = make_password(os.environ.get("AFTERSALES_DEMO_PASSWORD") or "bench-password")
        User = self.user_model
        existing = set(User.objects.values_list("username", flat=True))
        city_by_code = {c.code: c for c, _p, _w in self.cities}
        new_users: list[Any] = []

        def user(username: str, role: str, display: str, region: Any = None, **extra: Any) -> None:
            if username in existing:
                return
            new_users.append(User(username=username, password=password, role=role, display_name=display,
                                  region=region, service_center=center, is_active=True,
                                  email=f"{username}@bench.invalid", **extra))
            existing.add(username)

        rng = self.rng
        names = self._person_names(400)
        user("agent", "agent", "话务员 " + names[0])
        user("dispatcher", "dispatcher", "调度员 " + names[1])
        user("engineer", "engineer", "工程师 " + names[2], region=wuhan, grade=3)
        user("lead", "lead", "湖北区域主管 " + names[3], region=self.provinces["420000"])
        user("lead-hunan", "lead", "湖南区域主管 " + names[4], region=self.provinces["430000"])
        user("lead-henan", "lead", "河南区域主管 " + names[5], region=self.provinces["410000"])
        user("manager", "manager", "售后经理 " + names[6])
        user("admin", "admin", "系统管理员", is_staff=True, is_superuser=True)
        for i in range(2, 13):
            user(f"agent{i:02d}", "agent", "话务员 " + names[6 + i])
        for i in range(2, 5):
            user(f"dispatcher{i:02d}", "dispatcher", "调度员 " + names[20 + i])
        total = max(1, self.args.engineers)
        quota = {p: max(1, round(n * total / 60)) for p, n in ENGINEER_PROVINCES.items()}
        quota["420000"] -= 1  # the role user "engineer" is one of Hubei's
        k = 0
        for pcode, count in quota.items():
            pcities = [c for c, p, _w in self.cities if p.code == pcode]
            for j in range(count):
                k += 1
                city = pcities[0] if j < count // 2 else rng.choice(pcities)
                user(f"eng{k:03d}", "engineer", "工程师 " + names[40 + k], region=city, grade=rng.randint(1, 5))
        User.objects.bulk_create(new_users)
        for u in User.objects.filter(role="engineer"):
            wanted = [s.pk for s in rng.sample(list(skills.values()), k=rng.randint(1, 3))]
            u.skills.add(*wanted)

        users = list(User.objects.values_list("id", "role", "region_id"))
        self.agents = [u for u, r, _ in users if r == "agent"]
        self.dispatchers = [u for u, r, _ in users if r == "dispatcher"]
        province_of_city = {c.pk: p.code for c, p, _w in self.cities}
        province_of_city.update({p.pk: p.code for p in self.provinces.values()})
        self.engineers_by_province: dict[str, list[int]] = {}
        self.engineers_by_city: dict[int, list[int]] = {}
        for uid, role, region in users:
            if role == "engineer" and region:
                self.engineers_by_province.setdefault(province_of_city.get(region, "420000"), []).append(uid)
                self.engineers_by_city.setdefault(region, []).append(uid)
        self.hubei_engineers = self.engineers_by_province["420000"]
        self.admin_id = next(u for u, r, _ in users if r == "admin")
        self.city_by_code = city_by_code
        self.sla_setup(center)

    # -- SLA clocks: what the services would have started and stopped --------------------------------------------

    def sla_setup(self, center: Any) -> None:
        """The active policies as the request-create hook sees them (migrated defaults), matched per request with
        the product's own specificity rule; deadlines, states and schedules are derived by the product's own
        `_refresh`, so generated clocks are exactly what the services would have written."""
        from django.utils.translation import gettext as _

        from aftersales.sla import services as sla

        self.sla = sla
        self.sla_policies = sla._cached_policies()
        self.sla_ctx = sla._Ctx()
        self.centre_city = center.city_id
        self.centre_province = center.city.parent_id
        self.policy_memo: dict[tuple[str, str, str | None], tuple[Any, dict[str, Any], str]] = {}
        self.steps = {t.pk: list(t.escalations.all()) for _p, targets in self.sla_policies for t in targets.values()}
        # The reasons the hooks write, in the language of the install (as `_()` there would give).
        self.reasons = {"contacted": _("Customer contacted."), "triaged": _("Triaged."), "on_site": _("Engineer on site."), "resolved": _("Resolved."),
                        "reported": _("Progress reported."), "cancelled": _("Request cancelled."),
                        "callback": _("Callback made.")}

    def policy(self, rtype: str, severity: str, city: int, province: int) -> tuple[Any, dict[str, Any], str]:
        from aftersales.sla.choices import RegionClass

        region = (RegionClass.SAME_CITY if city == self.centre_city else RegionClass.SAME_PROVINCE
                  if province == self.centre_province else RegionClass.OTHER_PROVINCE)
        key = (rtype, severity, region)
        if key not in self.policy_memo:
            sla = self.sla
            candidates = [(p, t) for p, t in self.sla_policies if p.request_type in ("", rtype)
                          and p.severity in ("", severity) and p.customer_id is None
                          and (not p.region_class or p.region_class == region)]
            if not candidates:
                self.policy_memo[key] = (None, {}, "")
            else:
                policy, targets = min(candidates, key=lambda pt: (-sla._specificity(pt[0]), pt[0].pk))
                self.policy_memo[key] = (policy, targets, sla._explain(policy, rtype, severity, region))
        return self.policy_memo[key]

    def clocks(self, request: dict[str, Any], ms: dict[str, dt.datetime]) -> None:
        """The request's clocks and their events from its milestones (the verbs of its transitions, `arrive`,
        `callback_done`), following the hooks in `aftersales.sla.services`."""
        from aftersales.sla.choices import ClockEventKind as EK
        from aftersales.sla.choices import ClockKind as K
        from aftersales.sla.services import CREATION_KINDS

        rng, R = self.rng, self.reasons
        policy, targets, explanation = self.policy(request["type"], request["severity"], request["city_id"],
                                                   request["province_id"])
        if policy is None:
            return
        created, actor = request["created_at"], request["created_by_id"]
        resolved, cancelled = ms.get("resolve"), ms.get("cancel")
        ended = resolved or cancelled
        # The customer is first reached when the appointment is agreed (the assignment), on site, or when answered.
        contact = min((ms[k] for k in ("assign", "arrive", "resolve") if k in ms), default=None)
        plan: list[tuple[str, dt.datetime, list[tuple[str, dt.datetime, str]]]] = []
        for kind in CREATION_KINDS:
            target = targets.get(kind)
            if target is None or (kind == K.COMPLAINT_ANSWER and request["type"] != "complaint"):
                continue
            stops: list[tuple[str, dt.datetime, str]] = []
            if kind == K.TRIAGE and "triage" in ms:
                stops.append((EK.STOP, ms["triage"], R["triaged"]))
            elif kind == K.FIRST_CONTACT and contact:
                stops.append((EK.STOP, contact, R["on_site"] if contact == ms.get("arrive") else R["resolved"]
                              if contact == resolved else R["contacted"]))
            elif kind == K.ON_SITE and "arrive" in ms:
                stops.append((EK.STOP, ms["arrive"], R["on_site"]))
            elif kind in (K.RESOLUTION, K.COMPLAINT_ANSWER) and resolved:
                stops.append((EK.STOP, resolved, R["resolved"]))
            elif kind == K.PROGRESS_REPORT:
                reported = created + dt.timedelta(minutes=rng.randint(60, 180) * self.pace)
                if ended is None or reported < ended:
                    stops.append((EK.STOP, reported, R["reported"]))
                else:
                    stops.append((EK.CANCEL, ended, R["resolved"]))
            if not stops and cancelled is not None:
                stops.append((EK.CANCEL, cancelled, R["cancelled"]))
            plan.append((kind, created, stops))
        callback = targets.get(K.CALLBACK)
        if callback is not None and resolved is not None:
            done = ms.get("callback_done")
            plan.append((K.CALLBACK, resolved, [(EK.STOP, done, R["callback"])] if done else []))
        for kind, start, stops in plan:
            self.clock(request, policy, targets[kind], explanation, kind, start, actor, stops)

    def clock(self, request: dict[str, Any], policy: Any, target: Any, explanation: str, kind: str,
              start: dt.datetime, actor: int, stops: list[tuple[str, dt.datetime, str]]) -> None:
        from types import SimpleNamespace

        from aftersales.sla.choices import ClockEventKind as EK
        from aftersales.sla.choices import ClockState

        sla, now = self.sla, self.now
        calendar = self.sla_ctx.calendar_for(target)
        c = SimpleNamespace(kind=kind, minutes=target.minutes, basis=target.basis, calendar_id=getattr(
            calendar, "pk", None), calendar=calendar, started_at=start, state=ClockState.RUNNING, due_at=None,
            stopped_at=None, escalations_done=[], target_id=target.pk, target=target)
        engine = self.sla_ctx.engine(c)
        steps = self.steps[target.pk]
        events = [SimpleNamespace(kind=EK.START, at=start, pk=0, reason=explanation)]
        for ev_kind, at, reason in stops:
            if ev_kind == EK.CANCEL and kind != "progress_report":  # a breached clock is stopped, not cancelled
                sla._refresh(c, events, at, steps=[], engine=engine, engine_known=True)
                if c.state == ClockState.BREACHED:
                    ev_kind = EK.STOP
            events.append(SimpleNamespace(kind=ev_kind, at=at, pk=0, reason=reason))
        sla._refresh(c, events, now, steps=steps, engine=engine, engine_known=True)
        if c.next_check_at is not None and c.next_check_at <= now:
            # The sweep has run all along: the thresholds already passed are done, as `clock_check` records them.
            measure, add = sla._arith(c.basis, engine)
            c.escalations_done = [sla.step_key(s) for at, _o, s in sla._step_instants(c, steps, events, measure, add)
                                  if at <= now]
            sla._refresh(c, events, now, steps=steps, engine=engine, engine_known=True)
        cid = self.new_id(self.t_clock)
        self.t_clock.add(id=cid, request_id=request["id"], kind=kind, sequence=1, target_id=target.pk,
                         policy_id=policy.pk, explanation=explanation, minutes=c.minutes, basis=c.basis,
                         calendar_id=c.calendar_id, state=c.state, started_at=start, due_at=c.due_at,
                         stopped_at=c.stopped_at, stopped_month=c.stopped_month, paused_seconds=c.paused_seconds,
                         estimated=c.estimated, next_check_at=c.next_check_at,
                         escalations_done=json.dumps(c.escalations_done), severity=request["severity"] or "",
                         province_id=request["province_id"])
        for e in events:
            self.t_clock_event.add(id=self.new_id(self.t_clock_event), clock_id=cid, kind=e.kind, at=e.at,
                                   reason=e.reason[:300], actor_id=actor)

    def _person_names(self, count: int) -> list[str]:
        rng = self.rng
        return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                for _ in range(count)]

    # -- customers and installed base (direct writes, with their creation audit entries) ------------------------

    def installed_base(self) -> None:
        from aftersales.customers.services import phone_digits, pinyin_keys

        rng, args = self.rng, self.args
        start = self.now - dt.timedelta(days=365 * 3 + 200)
        city_pick = chooser([((c.pk, p.pk, c.name), w) for c, p, w in self.cities], rng)
        self.sites: list[tuple[int, int, int, int]] = []  # site id, customer id, city, province
        self.customer_sites: list[list[int]] = []  # index into self.sites per customer
        self.customer_contacts: dict[int, list[tuple[int, str, str]]] = {}
        names_used: set[str] = set()
        cust_ids: list[int] = []
        for i in range(args.customers):
            cid = self.new_id(self.t_customer)
            at = start + dt.timedelta(seconds=rng.randint(0, 200 * 86400))
            if rng.random() < 0.85:
                kind = "company"
                while True:
                    city = rng.choice(self.cities)[0].name[:2]
                    name = f"{city}{rng.choice(COMPANY_HEAD)}{rng.choice(COMPANY_TRADE)}{rng.choice(COMPANY_TAIL)}"
                    if name not in names_used:
                        break
                    name = f"{name[:-4]}{rng.randint(2, 99)}号{name[-4:]}"
                    if name not in names_used:
                        break
            else:
                kind = "person"
                name = self._person_names(1)[0] + f"（个人{i}）"
            names_used.add(name)
            phone = f"027-{rng.randint(8000_0000, 8999_9999)}" if kind == "company" else f"13{rng.randint(10**8, 10**9 - 1)}"
            initials, full = pinyin_keys(name)
            self.t_customer.add(id=cid, created_at=at, updated_at=at, version=1, kind=kind, name=name,
                                code=f"C{cid:06d}", phone=phone, language="zh-hans", search_initials=initials,
                                search_pinyin=full, phone_digits=phone_digits(phone))
            self.audit(at=at, actor=self.admin_id, action="create", ct=self.ct_customer, obj=cid, repr_=name,
                       verb="created", changes={"kind": [None, kind], "name": [None, name], "phone": [None, phone]})
            cust_ids.append(cid)
            self.customer_sites.append([])
        # Sites: every customer has one, the rest go to random customers (bigger customers get more).
        for n in range(args.sites):
            ci = n if n < len(cust_ids) else int(len(cust_ids) * rng.random() ** 2)
            cid = cust_ids[ci]
            city, province, city_name = city_pick()
            sid = self.new_id(self.t_site)
            at = start + dt.timedelta(seconds=rng.randint(200 * 86400, 260 * 86400))
            name = rng.choice(SITE_KINDS) if n >= len(cust_ids) else "总部"
            address = f"{city_name}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
            self.t_site.add(id=sid, created_at=at, updated_at=at, version=1, customer_id=cid, name=name,
                            address=address, city_id=city, province_id=province)
            self.audit(at=at, actor=self.admin_id, action="create", ct=self.ct_site, obj=sid, repr_=name,
                       verb="created", changes={"customer": [None, cid], "name": [None, name],
                                                "address": [None, address], "city": [None, city]})
            self.customer_sites[ci].append(len(self.sites))
            self.sites.append((sid, cid, city, province))
        # Contacts: one or two per customer.
        for ci, cid in enumerate(cust_ids):
            for k in range(1 if rng.random() < 0.4 else 2):
                if k and rng.random() < 0.6:
                    continue
                kid = self.new_id(self.t_contact)
                name = self._person_names(1)[0]
                phone = f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}"
                site = self.sites[self.customer_sites[ci][0]][0]
                at = start + dt.timedelta(seconds=rng.randint(200 * 86400, 260 * 86400))
                self.t_contact.add(id=kid, created_at=at, updated_at=at, version=1, customer_id=cid, site_id=site,
                                   name=name, title=rng.choice(["设备主管", "物业经理", "车队队长", "厂长", "运维工程师"]),
                                   phone=phone, phone_digits=phone, is_primary=k == 0)
                self.audit(at=at, actor=self.admin_id, action="create", ct=self.ct_contact, obj=kid, repr_=name,
                           verb="created", changes={"customer": [None, cid], "name": [None, name],
                                                    "phone": [None, phone]})
                self.customer_contacts.setdefault(cid, []).append((kid, name, phone))
        # Equipment: spread over sites, more on big customers' sites.
        self.equipment: list[tuple[int, int, int, int, int, int, str, list[str], int]] = []
        serial_seq = 0
        for n in range(args.equipment):
            si = n if n < len(self.sites) else int(len(self.sites) * rng.random() ** 1.5)
            sid, cid, city, province = self.sites[si]
            pm_id, pm_code, pm_name, warranty, symptoms, skill = rng.choice(self.models)
            serial_seq += 1
            serial = f"{pm_code[:3]}{rng.randint(18, 25)}{serial_seq:07d}"
            eid = self.new_id(self.t_equipment)
            installed = (self.now - dt.timedelta(days=rng.randint(30, 365 * 6))).date()
            commissioned = installed + dt.timedelta(days=rng.randint(0, 30))
            w_end = commissioned + dt.timedelta(days=int(warranty * 30.4))
            at = start + dt.timedelta(seconds=rng.randint(260 * 86400, 300 * 86400))
            self.t_equipment.add(id=eid, created_at=at, updated_at=at, version=1, product_model_id=pm_id,
                                 serial=serial, customer_id=cid, site_id=sid,
                                 location=rng.choice(["B1 冷站", "屋面", "一层机房", "车辆", "配电间", ""]),
                                 install_date=installed, commissioning_date=commissioned,
                                 warranty_start=commissioned, warranty_end=w_end)
            self.audit(at=at, actor=self.admin_id, action="create", ct=self.ct_equipment, obj=eid,
                       repr_=f"{pm_code} #{serial}", verb="created",
                       changes={"product_model": [None, pm_id], "serial": [None, serial], "customer": [None, cid],
                                "site": [None, sid], "commissioning_date": [None, commissioned.isoformat()],
                                "warranty_end": [None, w_end.isoformat()]})
            self.equipment.append((eid, cid, sid, city, province, pm_id, f"{pm_code} {pm_name}", symptoms, skill))
        self.sink.flush(self.tables)

    # -- service requests ----------------------------------------------------------------------------------------

    def created_times(self, n: int) -> list[dt.datetime]:
        """Sorted creation times over 3 years: growing volume, office hours, quieter weekends."""
        rng = self.rng
        span_days = 365 * 3
        origin = self.now - dt.timedelta(days=span_days)
        hours = list(range(24))
        hour_w = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 7, 8, 7, 4, 6, 7, 7, 6, 5, 3, 2, 1.5, 1, 0.6, 0.3]
        pick_hour = chooser(list(zip(hours, hour_w, strict=True)), rng)
        out: list[dt.datetime] = []
        while len(out) < n:
            x = math.sqrt(1 + 3 * rng.random()) - 1  # density grows linearly with time, 1:3 from first to last day
            day = int(x * span_days)
            local_day = (origin + dt.timedelta(days=day)).astimezone(LOCAL)
            if local_day.weekday() >= 5 and rng.random() < 0.55:
                continue
            local = local_day.replace(hour=pick_hour(), minute=rng.randint(0, 59), second=rng.randint(0, 59),
                                      microsecond=rng.randint(0, 999_999))
            at = local.astimezone(UTC)
            if at < self.now - dt.timedelta(minutes=5):
                out.append(at)
        out.sort()
        return out

    def requests(self) -> None:
        rng, args = self.rng, self.args
        n = args.requests
        t0 = time.monotonic()
        times = self.created_times(n)
        # States: the newest 6 % hold the open (2 %) and resolved (1 %) ones, likelier the newer they are.
        window = max(1, math.ceil(0.06 * n))
        pick_type, pick_channel = chooser(TYPE_WEIGHTS, rng), chooser(CHANNEL_WEIGHTS, rng)
        pick_sev, pick_sat = chooser(SEVERITY_WEIGHTS, rng), chooser(SATISFACTION_WEIGHTS, rng)
        pick_open_young, pick_open = chooser(OPEN_WEIGHTS_YOUNG, rng), chooser(OPEN_WEIGHTS, rng)
        chunk = args.chunk
        for i, created in enumerate(times):
            rank = n - 1 - i
            state = "closed"
            if rank < window:
                p_open = 0.667 * (1 - rank / window)
                p_res = 0.333 * (1 - rank / window)
                u = rng.random()
                if u < p_open:
                    state = pick_open_young() if rank < window * 0.05 else pick_open()
                elif u < p_open + p_res:
                    state = "resolved"
            self.one_request(created, state, pick_type(), pick_channel(), pick_sev(), pick_sat)
            if (i + 1) % chunk == 0 or i + 1 == n:
                self.sink.flush(self.tables)
                rate = (i + 1) / (time.monotonic() - t0)
                print(f"  {i + 1:>9,} requests  {rate:,.0f}/s  audit {self.t_audit.count:,}", flush=True)

    def one_request(self, created: dt.datetime, state: str, rtype: str, channel: str, severity: str,
                    pick_sat: Callable[[], int]) -> None:
        rng = self.rng
        self.ms: dict[str, dt.datetime] = {}  # milestones for the clocks: verb → first time
        # A young request's history is compressed so that none of its events lies in the future.
        age = (self.now - created).total_seconds()
        self.pace = min(1.0, age / (9 * 86400))
        minutes = dt.timedelta(minutes=self.pace)
        eq_index = int(len(self.equipment) * rng.random() ** 1.6)
        eid, cid, sid, city, province, pm_id, pm_label, symptoms, skill = self.equipment[eq_index]
        with_equipment = rtype != "suggestion" and (rtype != "inquiry" or rng.random() < 0.5)
        symptom = rng.choice(symptoms)
        summary = f"{pm_label.split(' ', 1)[1]}{symptom}" if rtype in WORK_TYPES else {
            "inquiry": "咨询保养周期与费用", "suggestion": "建议增加夜间服务热线", "complaint": "投诉上门不及时"}.get(
            rtype, symptom)
        contacts = self.customer_contacts.get(cid) or [(None, "", "")]
        contact_id, contact_name, contact_phone = contacts[0] if rng.random() < 0.8 else rng.choice(contacts)
        agent = rng.choice(self.agents)
        dispatcher = rng.choice(self.dispatchers)
        rid = self.new_id(self.t_request)
        number = self.number("SR", created)
        if state == "new":
            severity = ""
        fault = rng.choice(self.leaf_categories) if rtype in WORK_TYPES and state != "new" else None
        request: dict[str, Any] = {
            "id": rid, "created_at": created, "number": number, "channel": channel, "type": rtype, "state": state, "severity": severity,
            "fault_category_id": fault, "customer_id": cid, "site_id": sid, "equipment_id": eid if with_equipment else None,
            "product_model_id": pm_id if with_equipment else None, "contact_id": contact_id, "contact_name": contact_name,
            "contact_phone": contact_phone, "province_id": province, "city_id": city, "summary": summary,
            "symptom": f"{symptom}，{rng.choice(['已持续两天', '今早开机出现', '反复出现三次', '伴有报警代码 E0' + str(rng.randint(1, 9))])}",
            "usage_scenario": rng.choice(SCENARIOS) if rtype in WORK_TYPES else "", "created_by_id": agent,
        }
        prev = self.audit(at=created, actor=agent, action="create", ct=self.ct_request, obj=rid, repr_=number,
                          verb="created",
                          changes={"number": [None, number], "channel": [None, channel], "type": [None, rtype],
                                   "state": [None, "new"], "customer": [None, cid], "site": [None, sid],
                                   "summary": [None, summary], "created_by": [None, agent]})
        version, last = 1, created
        if state == "new":
            self.add_request(request, updated_at=last, version=version)
            return

        def move(at: dt.datetime, actor: int, frm: str, to: str, verb: str, extra: dict[str, Any] | None = None,
                 reason: str = "") -> None:
            nonlocal prev, version, last
            self.ms.setdefault(verb, at)
            changes: dict[str, Any] = {"state": [frm, to], **(extra or {})}
            prev = self.audit(at=at, actor=actor, action="transition", ct=self.ct_request, obj=rid, repr_=number,
                              changes=changes, verb=verb, prev=prev, reason=reason)
            version += 1
            last = at

        speed = {"urgent": 0.25, "important": 0.6}.get(severity, 1.0) * self.pace
        triaged = created + minutes * rng.randint(2, 55)
        move(triaged, dispatcher, "new", "triaged", "triage",
             {"severity": ["", severity], "fault_category": [None, fault], "triaged_at": [None, triaged.isoformat()]})
        request["triaged_at"] = triaged
        cur = "triaged"
        needs_visit = rtype in WORK_TYPES and (rtype != "complaint" or rng.random() < 0.3)
        if state in ("dispatched", "in_progress", "waiting_customer"):
            needs_visit = True  # these states exist only because of a work order
        if state == "closed" and rng.random() < 0.03:
            needs_visit = False  # a duplicate or mistaken call, cancelled
            at = triaged + minutes * rng.randint(5, 600)
            move(at, agent, "triaged", "closed", "cancel",
                 {"closed_at": [None, at.isoformat()], "resolution": ["", "重复报修，已合并"]}, reason="重复报修，已合并")
            request.update(closed_at=at, resolution="重复报修，已合并")
            self.add_request(request, updated_at=last, version=version)
            return
        if state == "triaged" and (not needs_visit or rng.random() < 0.6):
            self.add_request(request, updated_at=last, version=version)
            return

        engineers = self.engineers_by_city.get(city) or self.engineers_by_province.get(
            self.province_code(province)) or self.hubei_engineers
        outcome_time = triaged
        if needs_visit:
            two_orders = state in ("closed", "resolved") and rng.random() < 0.08
            orders = 2 if two_orders else 1
            for k in range(orders):
                wo_state = {"triaged": "unassigned", "dispatched": rng.choice(["assigned", "accepted"]),
                            "in_progress": "on_site", "waiting_customer": "on_site"}.get(state, "completed")
                if orders == 2 and k == 0:
                    wo_state = "completed"
                final = k == orders - 1
                outcome = "fixed" if final else "follow_up"
                if state == "waiting_customer":
                    outcome = "follow_up"
                outcome_time, cur = self.work_order(
                    rid=rid, number=number, request_state=cur, wo_state=wo_state, start=outcome_time, speed=speed,
                    dispatcher=dispatcher, engineers=engineers, skill=skill, outcome=outcome, move=move,
                    first=k == 0)
                if final and state == "waiting_customer":
                    reason = rng.choice(WAIT_REASONS)
                    move(outcome_time + minutes * 30, rng.choice([agent, dispatcher]), "in_progress",
                         "waiting_customer", "wait", reason=reason)
                    cur = "waiting_customer"
        if state in ("triaged", "dispatched", "in_progress", "waiting_customer"):
            self.add_request(request, updated_at=last, version=version)
            return
        # Resolved (by the engineer's completed work order, or by the agent on the phone).
        resolved = outcome_time if needs_visit else triaged + minutes * rng.randint(10, 60 * 24)
        resolver = self.last_engineer if needs_visit else agent
        resolution = self.last_action if needs_visit else "电话答复客户，客户认可"
        move(resolved, resolver, cur, "resolved", "resolve",
             {"resolution": ["", resolution], "resolved_at": [None, resolved.isoformat()]})
        request.update(resolved_at=resolved, resolution=resolution)
        cb_id = self.new_id(self.t_callback)
        due = resolved + dt.timedelta(hours=24)
        cb_prev = self.audit(at=resolved, actor=resolver, action="create", ct=self.ct_callback, obj=cb_id,
                             repr_=f"{number} (待回访)", verb="created", parent=rid,
                             changes={"request": [None, rid], "state": [None, "pending"], "due_at": [None, due.isoformat()],
                                      "method": [None, "phone"]})
        if state == "resolved":
            self.t_callback.add(id=cb_id, created_at=resolved, updated_at=resolved, version=1, request_id=rid,
                                state="pending", due_at=due, method="phone")
            self.add_request(request, updated_at=last, version=version)
            return
        done = resolved + minutes * rng.randint(60, 60 * 30)
        sat = pick_sat()
        self.ms["callback_done"] = done
        caller = rng.choice(self.agents)
        comment = {5: "非常满意", 4: "满意", 3: "一般", 2: "上门偏慢", 1: "问题反复出现"}[sat]
        self.audit(at=done, actor=caller, action="update", ct=self.ct_callback, obj=cb_id, repr_=f"{number} (已回访)",
                   verb="callback_done", parent=rid, prev=cb_prev,
                   changes={"state": ["pending", "done"], "result": ["", "reached"], "satisfaction": [None, sat],
                            "comment": ["", comment], "done_at": [None, done.isoformat()], "done_by": [None, caller],
                            "attempts": [0, 1]})
        self.t_callback.add(id=cb_id, created_at=resolved, updated_at=done, version=2, request_id=rid, state="done",
                            due_at=due, method="phone", result="reached", satisfaction=sat, comment=comment,
                            done_at=done, done_by_id=caller, attempts=1)
        closed = done + minutes * rng.randint(5, 60 * 24 * 3)
        move(closed, caller, "resolved", "closed", "close", {"closed_at": [None, closed.isoformat()]})
        request["closed_at"] = closed
        self.add_request(request, updated_at=last, version=version)

    def add_request(self, request: dict[str, Any], *, updated_at: dt.datetime, version: int) -> None:
        self.t_request.add(**request, updated_at=updated_at, version=version)
        self.clocks(request, self.ms)

    def province_code(self, province_id: int) -> str:
        for code, region in self.provinces.items():
            if region.pk == province_id:
                return code
        return "420000"

    def work_order(self, *, rid: int, number: str, request_state: str, wo_state: str, start: dt.datetime,
                   speed: float, dispatcher: int, engineers: list[int], skill: int, outcome: str,
                   move: Callable[..., None], first: bool) -> tuple[dt.datetime, str]:
        """One work order with its assignments, visit and audit entries; returns (time of its last event, request state)."""
        rng = self.rng
        minutes = dt.timedelta(minutes=self.pace)
        wid = self.new_id(self.t_wo)
        created = start + minutes * rng.randint(3, 50)
        wnumber = self.number("WO", created)
        instructions = "携带常用备件，到场后先电话联系客户" if rng.random() < 0.5 else ""
        prev = self.audit(at=created, actor=dispatcher, action="create", ct=self.ct_wo, obj=wid, repr_=wnumber,
                          verb="created", parent=rid,
                          changes={"number": [None, wnumber], "request": [None, rid], "state": [None, "unassigned"],
                                   "required_skill": [None, skill], "created_by": [None, dispatcher]})
        wo: dict[str, Any] = {"id": wid, "created_at": created, "number": wnumber, "request_id": rid, "state": wo_state,
                                  "required_skill_id": skill, "instructions": instructions, "created_by_id": dispatcher}
        version, last = 1, created

        def tr(at: dt.datetime, actor: int, frm: str, to: str, verb: str, extra: dict[str, Any] | None = None,
               reason: str = "") -> None:
            nonlocal prev, version, last
            prev = self.audit(at=at, actor=actor, action="transition", ct=self.ct_wo, obj=wid, repr_=wnumber,
                              changes={"state": [frm, to], **(extra or {})}, verb=verb, prev=prev, parent=rid,
                              reason=reason)
            version += 1
            last = at

        if wo_state == "unassigned":
            self.t_wo.add(**wo, updated_at=last, version=version)
            return last, request_state
        engineer = rng.choice(engineers)
        assigned = created + minutes * rng.randint(1, 40)
        if rng.random() < 0.05 and len(engineers) > 1:  # first choice declined
            declined_by = engineer
            engineer = rng.choice([e for e in engineers if e != declined_by])
            tr(assigned, dispatcher, "unassigned", "assigned", "assign",
               {"engineer": [None, declined_by], "assigned_at": [None, assigned.isoformat()]})
            if first and request_state == "triaged":
                move(assigned, dispatcher, "triaged", "dispatched", "dispatch")
                request_state = "dispatched"
            declined = assigned + minutes * rng.randint(5, 90)
            reason = rng.choice(DECLINE_REASONS)
            tr(declined, declined_by, "assigned", "unassigned", "decline",
               {"engineer": [declined_by, None], "assigned_at": [assigned.isoformat(), None]}, reason=reason)
            self.t_assignment.add(id=self.new_id(self.t_assignment), work_order_id=wid, engineer_id=declined_by,
                                  assigned_by_id=dispatcher, assigned_at=assigned, response="declined",
                                  responded_at=declined, reason=reason)
            assigned = declined + minutes * rng.randint(2, 30)
        appointment = assigned + dt.timedelta(hours=rng.uniform(0.5, 30) * speed)
        tr(assigned, dispatcher, "unassigned", "assigned", "assign",
           {"engineer": [None, engineer], "assigned_at": [None, assigned.isoformat()],
            "appointment_start": [None, appointment.isoformat()]})
        if request_state == "triaged":
            move(assigned, dispatcher, "triaged", "dispatched", "dispatch")
            request_state = "dispatched"
        self.ms.setdefault("assign", assigned)  # the appointment agreed with the customer: first contact
        wo.update(engineer_id=engineer, assigned_at=assigned, appointment_start=appointment,
                  appointment_end=appointment + dt.timedelta(hours=2), appointment_note="已与客户电话确认")
        assignment = {"id": self.new_id(self.t_assignment), "work_order_id": wid, "engineer_id": engineer,
                          "assigned_by_id": dispatcher, "assigned_at": assigned}
        if wo_state == "assigned":
            self.t_assignment.add(**assignment, response="pending")
            self.t_wo.add(**wo, updated_at=last, version=version)
            return last, request_state
        accepted = assigned + minutes * rng.randint(2, 60)
        tr(accepted, engineer, "assigned", "accepted", "accept", {"accepted_at": [None, accepted.isoformat()]})
        self.t_assignment.add(**assignment, response="accepted", responded_at=accepted)
        wo["accepted_at"] = accepted
        if wo_state == "accepted":
            self.t_wo.add(**wo, updated_at=last, version=version)
            return last, request_state
        arrived = max(accepted + minutes * 20, appointment + minutes * rng.randint(-20, 40))
        tr(arrived, engineer, "accepted", "on_site", "arrive")
        self.ms.setdefault("arrive", arrived)
        vid = self.new_id(self.t_visit)
        v_repr = f"{wnumber} @ {arrived.astimezone(LOCAL):%Y-%m-%d %H:%M}"
        v_prev = self.audit(at=arrived, actor=engineer, action="create", ct=self.ct_visit, obj=vid, repr_=v_repr,
                            verb="created", parent=rid,
                            changes={"work_order": [None, wid], "engineer": [None, engineer],
                                     "arrived_at": [None, arrived.isoformat()]})
        if request_state in ("dispatched", "triaged"):
            move(arrived, engineer, request_state, "in_progress", "start")
            request_state = "in_progress"
        visit: dict[str, Any] = {"id": vid, "created_at": arrived, "work_order_id": wid, "engineer_id": engineer,
                                     "arrived_at": arrived}
        if wo_state == "on_site" and outcome == "fixed":  # still on site
            self.t_visit.add(**visit, updated_at=arrived)
            self.t_wo.add(**wo, updated_at=last, version=version)
            return last, request_state
        departed = arrived + minutes * rng.randint(30, 300)
        k = rng.randrange(len(DIAGNOSES))
        diagnosis, action = DIAGNOSES[k], ACTIONS[k]
        v_prev = self.audit(at=departed, actor=engineer, action="update", ct=self.ct_visit, obj=vid, repr_=v_repr,
                            verb="visit_recorded", parent=rid, prev=v_prev,
                            changes={"diagnosis": ["", diagnosis], "actions_taken": ["", action],
                                     "outcome": ["", outcome]})
        self.audit(at=departed, actor=engineer, action="update", ct=self.ct_visit, obj=vid, repr_=v_repr,
                   verb="departed", parent=rid, prev=v_prev, changes={"departed_at": [None, departed.isoformat()]})
        visit.update(departed_at=departed, diagnosis=diagnosis, fault_cause=diagnosis, actions_taken=action,
                     outcome=outcome, updated_at=departed)
        self.t_visit.add(**visit)
        if rng.random() < 0.3:
            part, unit = rng.choice(PARTS)
            self.t_part.add(id=self.new_id(self.t_part), visit_id=vid, description=part,
                            quantity=rng.randint(1, 4), unit=unit)
        self.last_engineer, self.last_action = engineer, action
        if wo_state == "on_site":  # waiting on the customer after a first visit
            self.t_wo.add(**wo, updated_at=last, version=version)
            return departed, request_state
        completed = departed + minutes * rng.randint(1, 15)
        tr(completed, engineer, "on_site", "completed", "complete", {"completed_at": [None, completed.isoformat()]})
        wo["completed_at"] = completed
        self.t_wo.add(**wo, updated_at=last, version=version)
        return completed, request_state

    # -- after the load ------------------------------------------------------------------------------------------

    def finish(self) -> None:
        """Reset id sequences and the readable-number counters, so that new records continue after the generated."""
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        from aftersales.core.models import Sequence

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(apps.get_models())):
                cur.execute(sql)
            for (prefix, year), value in self.numbers.items():
                key = f"{prefix}_{year}"
                if connection.vendor == "postgresql":
                    name = f"numbering_{key.lower()}"
                    cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
                    cur.execute("SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM " + name + ")))",  # noqa: S608
                                [name, value])
                else:
                    Sequence.objects.update_or_create(key=key, defaults={"value": value})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=None,
                        help="service requests to load (default 1,000,000 on PostgreSQL, 100,000 on SQLite)")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--equipment", type=int, default=30000)
    parser.add_argument("--engineers", type=int, default=60)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--chunk", type=int, default=20000, help="requests per transaction")
    parser.add_argument("--reset", action="store_true", help="drop everything in the bench database first")
    parser.add_argument("--results", default=str(PROJECT / "bench" / "results"),
                        help="folder for the JSON summary of the run")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    if args.requests is None:
        args.requests = 1_000_000 if vendor == "postgresql" else 100_000
    started = time.monotonic()
    safe_url = url.split("@")[-1] if "@" in url else url
    print(f"bench database: {vendor} {safe_url}; {args.requests:,} requests", flush=True)
    if args.reset:
        reset_database(url)
    print("migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    from aftersales.servicedesk.models import ServiceRequest

    if ServiceRequest.objects.exists():
        print("the bench database already holds service requests; run with --reset to start again", file=sys.stderr)
        return 2

    gen = Generator(args)
    sink = gen.sink
    big = [t.name for t in gen.tables]
    indexes = sink.secondary_indexes(big)
    timings: dict[str, float] = {}
    mark = time.monotonic()
    gen.reference_data()
    sink.drop_indexes(indexes)
    sink.begin_load()
    try:
        print(f"installed base: {args.customers:,} customers, {args.sites:,} sites, {args.equipment:,} equipment",
              flush=True)
        gen.installed_base()
        timings["installed_base_s"] = time.monotonic() - mark
        mark = time.monotonic()
        print("service requests …", flush=True)
        gen.requests()
        timings["requests_s"] = time.monotonic() - mark
    finally:
        sink.end_load()
    mark = time.monotonic()
    print(f"rebuilding {len(indexes)} indexes …", flush=True)
    sink.create_indexes(indexes)
    timings["indexes_s"] = time.monotonic() - mark
    gen.finish()
    mark = time.monotonic()
    # VACUUM too: it sets the visibility map that index-only scans need (autovacuum may be off, or slow to come).
    print("VACUUM ANALYZE …", flush=True)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
        if vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyze_s"] = time.monotonic() - mark
    total = time.monotonic() - started
    counts = {t.name: t.count for t in gen.tables}
    print(f"done in {total / 60:.1f} min: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    summary = {
        "kind": "generate", "vendor": vendor, "database": safe_url, "requests": args.requests,
        "seed": args.seed, "finished_at": dt.datetime.now(UTC).isoformat(timespec="seconds"),
        "total_s": round(total, 1), "timings": {k: round(v, 1) for k, v in timings.items()}, "rows": counts,
        "cpus": os.cpu_count(), "password_from": "AFTERSALES_DEMO_PASSWORD" if os.environ.get(
            "AFTERSALES_DEMO_PASSWORD") else "default bench-password",
    }
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"generate-{vendor}-{args.requests}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
