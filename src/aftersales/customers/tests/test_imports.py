"""CSV/XLSX import: every kind of bad row found with its reason, nothing written before confirmation,
all-or-nothing confirmation with audit entries, file checks by content, the API, and 10,000 rows in time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from aftersales.core import audit
from aftersales.core.errors import DomainError
from aftersales.core.models import AuditEntry
from aftersales.core.testing import (
    make_customer,
    make_equipment,
    make_model,
    make_site,
    make_user,
    region_city,
)
from aftersales.customers import imports
from aftersales.customers.models import Contact, Customer, Equipment, ImportBatch, Site

EQUIPMENT_HEADER_EN = ["Customer name", "Customer code", "Site", "Model", "Serial number", "Location",
                       "Install date", "Commissioning date", "Warranty start", "Warranty end"]
EQUIPMENT_HEADER_ZH = ["客户名称", "客户编码", "站点", "型号", "序列号", "安装位置", "安装日期", "调试日期",
                       "保修开始", "保修结束"]
CUSTOMER_HEADER_ZH = ["客户名称", "客户编码", "客户类型", "站点", "地址", "城市", "联系人", "电话"]


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def base(db, users, city):
    """A customer with a site in Wuhan, a product model, and one unit already registered."""
    actor = users["admin"]
    customer = make_customer(name="武汉卓成机电有限公司", code="C-WHZC", actor=actor)
    site = make_site(customer=customer, city=city, name="总部大楼", actor=actor)
    model = make_model(code="LSBLG-420", warranty_months=24, actor=actor)
    make_equipment(site=site, product_model=model, serial="TAKEN-1", actor=actor)
    return {"customer": customer, "site": site, "model": model, "actor": users["agent"]}


def equipment_file(header: list[str]) -> bytes:
    return csv_bytes([
        header,
        ["武汉卓成机电有限公司", "", "总部大楼", "LSBLG-420", "OK-1", "B2", "2024-03-10", "2024-04-01", "", ""],  # 2 ok
        ["武汉卓成机电有限公司", "", "总部大楼", "LSBLG-420", "", "", "", "", "", ""],  # 3 serial missing
        ["武汉卓成机电有限公司", "", "总部大楼", "NO-SUCH", "X-1", "", "", "", "", ""],  # 4 unknown model
        ["", "C-WHZC", "总部大楼", "LSBLG-420", "X-2", "", "2024-13-45", "", "", ""],  # 5 bad date
        ["", "C-WHZC", "总部大楼", "LSBLG-420", "X-3", "", "", "", "2025-01-01", "2024-01-01"],  # 6 end < start
        ["", "C-WHZC", "总部大楼", "LSBLG-420", "OK-1", "", "", "", "", ""],  # 7 duplicate of row 2
        ["", "C-WHZC", "总部大楼", "LSBLG-420", "TAKEN-1", "", "", "", "", ""],  # 8 duplicate in DB
        ["不存在的客户", "", "总部大楼", "LSBLG-420", "X-4", "", "", "", "", ""],  # 9 unknown customer
        ["", "C-WHZC", "不存在的站点", "LSBLG-420", "X-5", "", "", "", "", ""],  # 10 unknown site
        ["", "", "", "", "", "", "", "", "", ""],  # blank: skipped, not counted
        ["武汉卓成机电有限公司", "", "总部大楼", "lsblg-420", "OK-2", "", "2024/03/10", "2024年4月1日",
         "2024-04-01", "2026-03-31"],  # 12 ok (model code case-insensitive, other date forms)
    ])


EXPECTED_EQUIPMENT_ERRORS = {
    3: ("serial", "required"),
    4: ("model_code", "unknown_model"),
    5: ("install_date", "bad_date"),
    6: ("warranty_end", "warranty_order"),
    7: ("serial", "duplicate_serial_file"),
    8: ("serial", "duplicate_serial_db"),
    9: ("customer_name", "unknown_customer"),
    10: ("site_name", "unknown_site"),
}


@pytest.mark.parametrize("language,header", [("en", EQUIPMENT_HEADER_EN), ("zh-hans", EQUIPMENT_HEADER_ZH)])
def test_equipment_preview_finds_each_bad_row_and_writes_nothing(base, language, header):
    before = (Equipment.objects.count(), AuditEntry.objects.exclude(content_type__model="importbatch").count())
    with translation.override(language):
        batch = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(equipment_file(header)))
    assert (Equipment.objects.count(), AuditEntry.objects.exclude(content_type__model="importbatch").count()) == before
    assert batch.total_rows == 10
    assert [r["row"] for r in batch.valid_rows] == [2, 12]
    found = {e["row"]: (e["key"], e["code"]) for e in batch.errors}
    assert found == EXPECTED_EQUIPMENT_ERRORS
    by_row = {e["row"]: e for e in batch.errors}
    assert by_row[8]["column"] == header[4]  # the header as written in the file, English or Chinese
    assert by_row[7]["params"]["first"] == 2
    with translation.override(language):
        rendered = {e["row"]: e["reason"] for e in imports.error_rows(batch)}
        assert rendered[4] == translation.gettext("Unknown product model “%(value)s”.") % {"value": "NO-SUCH"}
        assert rendered[6] == translation.gettext("The warranty ends (%(end)s) before it starts (%(start)s).") % {
            "start": "2025-01-01", "end": "2024-01-01"}
    # Warranty defaulted from the model (24 months from commissioning) when left blank.
    first = batch.valid_rows[0]
    assert (first["warranty_start"], first["warranty_end"]) == ("2024-04-01", "2026-03-31")
    assert batch.valid_rows[1]["commissioning_date"] == "2024-04-01"


def test_reasons_are_rendered_in_the_readers_language(base, monkeypatch):
    """A reason is stored as a code and translated when shown: the same batch reads in each user's language."""
    batch = imports.import_preview(actor=base["actor"], kind="equipment",
                                   upload=upload(equipment_file(EQUIPMENT_HEADER_EN)))
    monkeypatch.setattr(imports, "gettext", lambda text: f"[{translation.get_language()}] {text}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            reasons = [e["reason"] for e in imports.error_rows(batch)]
        assert all(r.startswith(f"[{language}] ") for r in reasons)
    # and the column name inside a "required" reason is the translated label
    with translation.override("en"):
        required = next(e for e in imports.error_rows(batch) if e["code"] == "required")
    assert "Serial number is required." in required["reason"]


def test_customers_preview_reasons_and_confirm(base, city):
    other = region_city(code="430100", name="长沙市", province_code="430000", province_name="湖南省")
    data = xlsx_bytes([
        CUSTOMER_HEADER_ZH + ["邮箱"],
        ["湖南长沙湘江物业", "C-XJWY", "公司", "湘江大厦", "长沙市岳麓区 1 号", "长沙", "周敏", "13800000001", ""],
        ["湖南长沙湘江物业", "C-XJWY", "公司", "湘江大厦", "长沙市岳麓区 1 号", "长沙", "吴刚", 13800000002, ""],
        ["", "", "公司", "某站点", "某地址", "武汉市", "", "", ""],  # 4 name missing
        ["新客户", "", "公司", "站点", "地址", "火星市", "", "", ""],  # 5 unknown city
        ["新客户二", "", "外星人", "", "", "", "", "", ""],  # 6 bad kind
        ["新客户三", "", "", "", "", "", "赵六", "", ""],  # 7 contact without phone
        ["新客户四", "", "", "", "", "", "", "", "not-an-email"],  # 8 bad email
        ["武汉卓成机电有限公司", "C-WHZC", "", "总部大楼", "", "", "孙七", "027-1234 5678", ""],  # 9 existing cust+site
        ["个人客户", "", "个人", "", "", "", "", "", ""],  # 10 customer only
    ])
    batch = imports.import_preview(actor=base["actor"], kind="customers", upload=upload(data, "list.xlsx"))
    assert {e["row"]: e["code"] for e in batch.errors} == {
        4: "required", 5: "unknown_city", 6: "bad_kind", 7: "contact_incomplete", 8: "bad_email"}
    assert imports.batch_summary(batch) == {"rows": 9, "valid": 4, "errors": 5, "new_customers": 2,
                                            "existing_customers": 1, "new_sites": 1, "new_contacts": 3}
    counts = (Customer.objects.count(), Site.objects.count(), Contact.objects.count())

    batch = imports.import_confirm(actor=base["actor"], batch=batch)
    assert batch.state == "applied" and batch.applied_rows == 4
    assert (Customer.objects.count(), Site.objects.count(), Contact.objects.count()) == (
        counts[0] + 2, counts[1] + 1, counts[2] + 3)
    xj = Customer.objects.get(code="C-XJWY")
    assert xj.search_initials == "hncsxjwy"
    site = xj.sites.get()
    assert (site.city_id, site.province_id) == (other.pk, other.parent_id)
    assert sorted(c.phone for c in xj.contacts.all()) == ["13800000001", "13800000002"]
    assert set(xj.contacts.values_list("site_id", flat=True)) == {site.pk}
    existing = base["customer"].contacts.get()
    assert (existing.name, existing.site_id, existing.phone_digits) == ("孙七", base["site"].pk, "02712345678")
    assert Customer.objects.get(name="个人客户").kind == "person"
    # every created record has an audit entry whose hash chain verifies; children are filed under the customer
    for record in (xj, site, *xj.contacts.all(), existing):
        entry = AuditEntry.objects.get(content_type__model=record._meta.model_name, object_id=record.pk)
        assert entry.actor_id == base["actor"].pk and entry.verb == "imported"
        assert audit.verify_chain(record)
    assert audit.timeline(xj).count() == 4
    # importing the same file again adds no contact twice
    again = imports.import_preview(actor=base["actor"], kind="customers", upload=upload(data, "list.xlsx"))
    assert imports.batch_summary(again)["new_contacts"] == 0


def test_confirm_writes_only_valid_rows_with_audit(base):
    batch = imports.import_preview(actor=base["actor"], kind="equipment",
                                   upload=upload(equipment_file(EQUIPMENT_HEADER_ZH), "设备.csv"))
    imports.import_confirm(actor=base["actor"], batch=batch)
    units = Equipment.objects.filter(serial__in=["OK-1", "OK-2"]).order_by("serial")
    assert [u.serial for u in units] == ["OK-1", "OK-2"]
    assert not Equipment.objects.filter(serial__startswith="X-").exists()
    unit = units[0]
    assert (unit.customer_id, unit.site_id, unit.location) == (base["customer"].pk, base["site"].pk, "B2")
    assert unit.warranty_end == dt.date(2026, 3, 31)
    assert audit.verify_chain(unit)
    assert AuditEntry.objects.filter(content_type__model="equipment", object_id=unit.pk,
                                     parent_id=base["customer"].pk).exists()
    entries = AuditEntry.objects.filter(content_type__model="importbatch", object_id=batch.pk).order_by("id")
    assert [e.action for e in entries] == ["create", "transition"]
    assert entries[1].changes["equipment"] == [0, 2]


def test_failure_mid_apply_writes_nothing(base, monkeypatch):
    data = csv_bytes([CUSTOMER_HEADER_ZH, ["新客户甲", "", "", "站点甲", "地址甲", "武汉市", "钱八", "13900000000"]])
    batch = imports.import_preview(actor=base["actor"], kind="customers", upload=upload(data))
    counts = (Customer.objects.count(), Site.objects.count(), Contact.objects.count(), AuditEntry.objects.count())

    def explode(**kwargs):  # customers, sites and contacts are inserted by now
        assert Contact.objects.filter(name="钱八").exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports.audit, "record_create_bulk", explode)
    with pytest.raises(RuntimeError):
        imports.import_confirm(actor=base["actor"], batch=batch)
    assert (Customer.objects.count(), Site.objects.count(), Contact.objects.count(),
            AuditEntry.objects.count()) == counts
    batch.refresh_from_db()
    assert batch.state == "preview" and batch.applied_rows == 0


def test_confirm_refuses_when_data_changed_since_preview(base):
    batch = imports.import_preview(actor=base["actor"], kind="equipment",
                                   upload=upload(equipment_file(EQUIPMENT_HEADER_EN)))
    make_equipment(site=base["site"], product_model=base["model"], serial="OK-2")  # someone registers it meanwhile
    with pytest.raises(imports.ImportOutdated) as info:
        imports.import_confirm(actor=base["actor"], batch=batch)
    assert [e["row"] for e in info.value.errors] == [12]
    assert not Equipment.objects.filter(serial="OK-1").exists()
    batch.refresh_from_db()
    assert batch.state == "preview"


def test_confirm_and_discard_happen_once(base):
    data = equipment_file(EQUIPMENT_HEADER_EN)
    batch = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(data))
    imports.import_confirm(actor=base["actor"], batch=batch)
    with pytest.raises(imports.ImportNotPending):
        imports.import_confirm(actor=base["actor"], batch=batch)
    with pytest.raises(imports.ImportNotPending):
        imports.import_discard(actor=base["actor"], batch=batch)
    other = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(data))
    imports.import_discard(actor=base["actor"], batch=other)
    with pytest.raises(imports.ImportNotPending):
        imports.import_confirm(actor=base["actor"], batch=other)
    assert Equipment.objects.filter(serial="OK-1").count() == 1


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gb18030", False)])
def test_csv_encodings(base, encoding, bom):
    data = csv_bytes([EQUIPMENT_HEADER_ZH, ["武汉卓成机电有限公司", "", "总部大楼", "LSBLG-420", "编码-1"]],
                     encoding=encoding, bom=bom)
    batch = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(data))
    assert batch.errors == [] and batch.valid_rows[0]["serial"] == "编码-1"


def test_type_is_decided_by_content_not_name(base):
    rows = [EQUIPMENT_HEADER_EN, ["", "C-WHZC", "总部大楼", "LSBLG-420", 20240001, "",
                                  dt.date(2024, 3, 1), dt.datetime(2024, 3, 2), None, None]]
    batch = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(xlsx_bytes(rows), "a.csv"))
    assert batch.errors == []
    assert batch.valid_rows[0]["serial"] == "20240001"
    assert batch.valid_rows[0]["commissioning_date"] == "2024-03-02"
    batch = imports.import_preview(actor=base["actor"], kind="equipment",
                                   upload=upload(csv_bytes(rows[:1] + [["", "C-WHZC", "总部大楼", "LSBLG-420", "S9"]]),
                                                 "b.xlsx"))
    assert batch.errors == []


@pytest.mark.parametrize("data,code", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "import_file_rejected"),
    (b"%PDF-1.4\n" + b"x" * 64, "import_file_rejected"),
    (b"PK\x03\x04" + b"not really a zip", "import_file_rejected"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "import_file_xls"),
    (b"\xff\xfe" + "客户名称".encode("utf-16-le"), "import_file_rejected"),
    (b"", "import_file_empty"),
    (b"Foo,Bar\n1,2\n", "import_columns_missing"),
    (b"Customer name,Site,Model,Serial number\n", "import_file_empty"),
])
def test_bad_files_are_refused_and_nothing_is_stored(base, data, code):
    with pytest.raises(DomainError) as info:
        imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(data, "looks-fine.csv"))
    assert info.value.code == code
    assert str(info.value)
    assert not ImportBatch.objects.exists()


def test_file_too_big(base):
    big = SimpleUploadedFile("big.csv", b"a" * (imports.MAX_FILE_BYTES + 1))
    with pytest.raises(imports.ImportFileTooLarge):
        imports.import_preview(actor=base["actor"], kind="equipment", upload=big)


def test_only_import_roles_may_import(base, users):
    for role in ("engineer", "lead", "dispatcher"):
        with pytest.raises(DomainError) as info:
            imports.import_preview(actor=users[role], kind="equipment",
                                   upload=upload(equipment_file(EQUIPMENT_HEADER_EN)))
        assert info.value.code == "permission_denied"


@pytest.mark.parametrize("name", sorted(imports.SAMPLE_FILES))
def test_sample_files_import_cleanly(db, users, city, name):
    actor = users["agent"]
    make_model(code="LSBLG-420", actor=actor)
    customers_name = name.replace("equipment", "customers")
    sample = (imports.SAMPLE_DIR / customers_name).read_bytes()
    batch = imports.import_preview(actor=actor, kind="customers", upload=upload(sample, customers_name))
    assert batch.errors == [] and batch.total_rows == 4
    if name.startswith("equipment"):
        imports.import_confirm(actor=actor, batch=batch)
        sample = (imports.SAMPLE_DIR / name).read_bytes()
        batch = imports.import_preview(actor=actor, kind="equipment", upload=upload(sample, name))
        assert batch.errors == [] and batch.total_rows == 3


# ---------------------------------------------------------------------------------------------------------------
# 10,000 rows: preview and confirm in bulk. The time is printed (see the report), not asserted.


@pytest.mark.slow
def test_ten_thousand_equipment_rows(base):
    rows = [EQUIPMENT_HEADER_ZH] + [
        ["武汉卓成机电有限公司", "", "总部大楼", "LSBLG-420", f"BULK-{i:06d}", f"机房 {i % 40}", "2024-03-10",
         "2024-04-01", "", ""] for i in range(10_000)
    ]
    data = csv_bytes(rows)
    started = time.perf_counter()
    batch = imports.import_preview(actor=base["actor"], kind="equipment", upload=upload(data, "10k.csv"))
    previewed = time.perf_counter()
    imports.import_confirm(actor=base["actor"], batch=batch)
    done = time.perf_counter()
    print(f"\n10,000 equipment rows: preview {previewed - started:.2f} s, confirm {done - previewed:.2f} s, "
          f"total {done - started:.2f} s")
    assert batch.total_rows == 10_000 and len(batch.valid_rows) == 10_000 and batch.errors == []
    assert Equipment.objects.filter(serial__startswith="BULK-").count() == 10_000
    assert AuditEntry.objects.filter(content_type__model="equipment", verb="imported").count() == 10_000


@pytest.mark.slow
def test_ten_thousand_customer_rows(db, users, city):
    rows = [CUSTOMER_HEADER_ZH] + [
        [f"批量客户{i // 2:05d}", f"B{i // 2:05d}", "公司", "总部", f"武汉市洪山区 {i} 号", "武汉市", f"联系人{i}",
         f"139{i:08d}"] for i in range(10_000)
    ]
    data = xlsx_bytes(rows)
    started = time.perf_counter()
    batch = imports.import_preview(actor=users["agent"], kind="customers", upload=upload(data, "10k.xlsx"))
    previewed = time.perf_counter()
    imports.import_confirm(actor=users["agent"], batch=batch)
    done = time.perf_counter()
    print(f"\n10,000 customer rows (XLSX): preview {previewed - started:.2f} s, confirm {done - previewed:.2f} s, "
          f"total {done - started:.2f} s")
    assert batch.total_rows == 10_000 and batch.errors == []
    assert Customer.objects.filter(code__startswith="B").count() == 5_000
    assert Site.objects.filter(customer__code__startswith="B").count() == 5_000
    assert Contact.objects.filter(customer__code__startswith="B").count() == 10_000
    assert AuditEntry.objects.filter(verb="imported").count() == 20_000


# ---------------------------------------------------------------------------------------------------------------
# API


def test_api_upload_preview_confirm(base, users, api_client):
    client = api_client(users["agent"], language="en")
    response = client.post("/api/v1/imports", {"kind": "equipment",
                                                "file": upload(equipment_file(EQUIPMENT_HEADER_ZH), "设备.csv")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "preview" and body["total_rows"] == 10 and body["valid_rows"] == 2
    assert {e["row"]: e["code"] for e in body["errors"]}[8] == "duplicate_serial_db"
    assert body["errors"][0]["reason"]
    assert body["summary"] == {"rows": 10, "valid": 2, "errors": 8, "new_equipment": 2}
    assert not Equipment.objects.filter(serial="OK-1").exists()

    got = client.get(f"/api/v1/imports/{body['id']}")
    assert got.status_code == 200 and got.json()["id"] == body["id"]
    confirmed = client.post(f"/api/v1/imports/{body['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "applied"
    assert Equipment.objects.filter(serial__in=["OK-1", "OK-2"]).count() == 2
    again = client.post(f"/api/v1/imports/{body['id']}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "import_not_pending"


def test_api_errors_and_permissions(base, users, api_client):
    data = equipment_file(EQUIPMENT_HEADER_EN)
    assert api_client(None).post("/api/v1/imports", {"kind": "equipment", "file": upload(data)}).status_code == 401
    denied = api_client(users["engineer"]).post("/api/v1/imports", {"kind": "equipment", "file": upload(data)})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    bad = api_client(users["agent"]).post("/api/v1/imports", {"kind": "equipment", "file": upload(b"\x89PNG\r\n\x1a\n")})
    assert bad.status_code == 422 and bad.json()["code"] == "import_file_rejected"
    wrong_kind = api_client(users["agent"]).post("/api/v1/imports", {"kind": "robots", "file": upload(data)})
    assert wrong_kind.status_code in (400, 422)

    mine = api_client(users["agent"]).post("/api/v1/imports", {"kind": "equipment", "file": upload(data)}).json()
    other_agent = make_user("agent")
    assert api_client(other_agent).get(f"/api/v1/imports/{mine['id']}").status_code == 404
    assert api_client(other_agent).post(f"/api/v1/imports/{mine['id']}/confirm").status_code == 404
    assert api_client(users["manager"]).get(f"/api/v1/imports/{mine['id']}").status_code == 200
    assert api_client(users["engineer"]).get(f"/api/v1/imports/{mine['id']}").status_code == 403
    discarded = api_client(users["agent"]).post(f"/api/v1/imports/{mine['id']}/discard")
    assert discarded.status_code == 200 and discarded.json()["state"] == "discarded"
    assert api_client(users["agent"]).get("/api/v1/imports/999999").status_code == 404
