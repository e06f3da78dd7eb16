"""Customer screens: search, the customer page, create/edit through the services with version checks,
the import pages, and who may open what (engineer 403, a lead only his province, another's object 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import (
    make_customer,
    make_equipment,
    make_model,
    make_request,
    make_site,
    region_city,
)
from aftersales.customers import services
from aftersales.customers.models import Contact, Customer, Equipment, ImportBatch, ProductModel, Site


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world(db, users, city):
    """A Hubei customer with site, contact, unit and request, and a Hunan customer the Hubei lead must not see."""
    admin = users["admin"]
    hubei = make_customer(name="武汉卓成机电有限公司", code="C-WHZC", actor=admin, phone="027-8765 4321")
    site = make_site(customer=hubei, city=city, name="总部大楼", actor=admin)
    services.contact_create(actor=admin, customer=hubei, name="张伟", phone="138 7123 4567", site=site)
    model = make_model(code="LSBLG-420", warranty_months=24, actor=admin)
    unit = make_equipment(site=site, product_model=model, serial="ZC-0001", actor=admin,
                          commissioning_date=timezone.localdate() - dt.timedelta(days=30))
    request = make_request(actor=users["agent"], equipment=unit)
    changsha = region_city(code="430100", name="长沙市", province_code="430000", province_name="湖南省")
    hunan = make_customer(name="长沙湘江物业", actor=admin, phone="0731-1234 5678")
    hunan_site = make_site(customer=hunan, city=changsha, name="湘江大厦", actor=admin)
    hunan_unit = make_equipment(site=hunan_site, product_model=model, serial="XJ-0001", actor=admin)
    return {"hubei": hubei, "site": site, "unit": unit, "model": model, "request": request, "hunan": hunan,
            "hunan_site": hunan_site, "hunan_unit": hunan_unit, "changsha": changsha}


# ---------------------------------------------------------------------------------------------------------------
# Permission matrix


def _urls(world) -> dict[str, str]:
    h = world["hubei"]
    contact = h.contacts.get()
    return {
        "list": reverse("customers:list"),
        "detail": reverse("customers:detail", args=[h.pk]),
        "create": reverse("customers:create"),
        "edit": reverse("customers:edit", args=[h.pk]),
        "site_create": reverse("customers:site_create", args=[h.pk]),
        "site_edit": reverse("customers:site_edit", args=[world["site"].pk]),
        "contact_create": reverse("customers:contact_create", args=[h.pk]),
        "contact_edit": reverse("customers:contact_edit", args=[contact.pk]),
        "equipment_create": reverse("customers:equipment_create", args=[h.pk]),
        "equipment_edit": reverse("customers:equipment_edit", args=[world["unit"].pk]),
        "models": reverse("customers:models"),
        "model_create": reverse("customers:model_create"),
        "model_edit": reverse("customers:model_edit", args=[world["model"].pk]),
        "import": reverse("customers:import"),
        "sample": reverse("customers:import_sample", args=["equipment-zh.xlsx"]),
    }


VIEW_PAGES = {"list", "detail", "models"}
IMPORT_PAGES = {"import", "sample"}
ALLOWED = {
    "agent": "all",
    "manager": "all",
    "admin": "all",
    "dispatcher": VIEW_PAGES,
    "lead": VIEW_PAGES,
    "engineer": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_permission_matrix(world, users, role):
    client = client_for(users[role])
    for name, url in _urls(world).items():
        allowed = ALLOWED[role] == "all" or name in ALLOWED[role]
        status = client.get(url).status_code
        assert status == (200 if allowed else 403), (role, name, status)


def test_anonymous_is_sent_to_sign_in(world):
    for url in _urls(world).values():
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_lead_sees_only_his_province(world, users):
    lead = client_for(users["lead"])
    page = lead.get(reverse("customers:list")).content.decode()
    assert "武汉卓成机电有限公司" in page and "长沙湘江物业" not in page
    assert lead.get(reverse("customers:detail", args=[world["hunan"].pk])).status_code == 404
    assert lead.get(reverse("customers:detail", args=[world["hubei"].pk])).status_code == 200
    # the agent (office role) sees both
    page = client_for(users["agent"]).get(reverse("customers:list")).content.decode()
    assert "长沙湘江物业" in page


def test_unknown_ids_are_404(world, users):
    agent = client_for(users["agent"])
    for name in ("customers:detail", "customers:edit", "customers:site_edit", "customers:equipment_edit",
                 "customers:contact_edit", "customers:model_edit", "customers:import_preview"):
        assert agent.get(reverse(name, args=[987654])).status_code == 404, name
    assert agent.get("/customers/import/samples/..%2F..%2Fconfig%2Fsettings.py").status_code == 404
    assert agent.get(reverse("customers:import_sample", args=["nope.csv"])).status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# List and customer page


@pytest.mark.parametrize("query", ["whzc", "WHZC", "卓成", "C-WHZC", "87654321", "13871234567", "wuhanzhuo"])
def test_search(world, users, query):
    page = client_for(users["agent"]).get(reverse("customers:list"), {"q": query}).content.decode()
    assert "武汉卓成机电有限公司" in page, query
    assert "长沙湘江物业" not in page, query


def test_list_query_count_does_not_grow(world, users, city, django_assert_max_num_queries):
    for i in range(30):
        customer = make_customer(name=f"客户{i:02d}", actor=users["admin"])
        make_site(customer=customer, city=city, actor=users["admin"])
    client = client_for(users["agent"])
    client.get(reverse("customers:list"))  # warm caches (content types, session)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers:list"), {"page": "2"})
    assert response.status_code == 200
    assert client.get(reverse("customers:list"), {"page": "abc"}).status_code == 200


def test_customer_page_shows_installed_base_requests_and_history(world, users):
    page = client_for(users["agent"]).get(reverse("customers:detail", args=[world["hubei"].pk])).content.decode()
    for text in ("总部大楼", "湖北省 · 武汉市", "张伟", "138 7123 4567", "LSBLG-420", "ZC-0001",
                 "warranty-in_warranty", world["request"].number,
                 reverse("servicedesk:detail", args=[world["request"].pk]), 'class="timeline"'):
        assert text in page, text


def test_customer_text_is_escaped(world, users):
    services.customer_update(actor=users["admin"], customer=world["hubei"],
                             values={"notes": "<script>alert(1)</script>", "name": "<b>卓成</b>"})
    client = client_for(users["agent"])
    for url in (reverse("customers:detail", args=[world["hubei"].pk]), reverse("customers:list")):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "<b>卓成</b>" not in page
        assert "&lt;b&gt;卓成&lt;/b&gt;" in page


# ---------------------------------------------------------------------------------------------------------------
# Create and edit


def test_create_customer_site_contact_equipment(world, users, city):
    client = client_for(users["agent"])
    response = client.post(reverse("customers:create"), {"kind": "company", "name": "武汉光谷物业", "code": "",
                                                          "phone": "027-5555 0000", "language": "zh-hans"})
    customer = Customer.objects.get(name="武汉光谷物业")
    assert response.status_code == 302 and response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.search_initials == "whggwy" and customer.code is None

    assert client.post(reverse("customers:site_create", args=[customer.pk]),
                       {"name": "一号楼", "address": "光谷大道 1 号", "city": city.pk}).status_code == 302
    site = Site.objects.get(customer=customer)
    assert site.province_id == city.parent_id
    assert client.post(reverse("customers:site_create", args=[customer.pk]),
                       {"name": "x", "address": "y", "city": city.parent_id}).status_code == 400  # a province

    assert client.post(reverse("customers:contact_create", args=[customer.pk]),
                       {"name": "周敏", "phone": "139-0000-1111", "site": site.pk}).status_code == 302
    assert Contact.objects.get(customer=customer).phone_digits == "13900001111"
    # a site of another customer is not offered
    other_site = world["site"]
    assert client.post(reverse("customers:contact_create", args=[customer.pk]),
                       {"name": "x", "phone": "1", "site": other_site.pk}).status_code == 400

    response = client.post(reverse("customers:equipment_create", args=[customer.pk]), {
        "site": site.pk, "product_model": world["model"].pk, "serial": " GG-1 ", "commissioning_date": "2025-01-10"})
    assert response.status_code == 302
    unit = Equipment.objects.get(serial="GG-1")
    assert (unit.warranty_start, unit.warranty_end) == (dt.date(2025, 1, 10), dt.date(2027, 1, 9))
    duplicate = client.post(reverse("customers:equipment_create", args=[customer.pk]), {
        "site": site.pk, "product_model": world["model"].pk, "serial": "GG-1"})
    assert duplicate.status_code == 422 and "serial" in duplicate.content.decode()
    backwards = client.post(reverse("customers:equipment_create", args=[customer.pk]), {
        "site": site.pk, "product_model": world["model"].pk, "serial": "GG-2",
        "warranty_start": "2025-01-10", "warranty_end": "2024-01-10"})
    assert backwards.status_code == 400 and not Equipment.objects.filter(serial="GG-2").exists()


def test_duplicate_customer_code_is_a_form_error(world, users):
    response = client_for(users["agent"]).post(reverse("customers:create"),
                                               {"kind": "company", "name": "X", "code": "C-WHZC",
                                                "language": "en"})
    assert response.status_code == 400
    assert Customer.objects.filter(code="C-WHZC").count() == 1


def test_edit_with_stale_version_is_a_conflict(world, users):
    customer = world["hubei"]
    url = reverse("customers:edit", args=[customer.pk])
    client = client_for(users["agent"])
    form = {"kind": "company", "name": "武汉卓成机电", "code": "C-WHZC", "phone": "", "email": "",
            "language": "zh-hans", "notes": "", "version": customer.version}
    assert client.post(url, form).status_code == 302
    customer.refresh_from_db()
    assert customer.name == "武汉卓成机电" and customer.version == form["version"] + 1
    stale = client.post(url, {**form, "name": "另一个名字"})  # same old version: somebody saved in between
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    customer.refresh_from_db()
    assert customer.name == "武汉卓成机电"


def test_edit_site_contact_equipment_and_models(world, users, city):
    client = client_for(users["manager"])
    site = world["site"]
    assert client.post(reverse("customers:site_edit", args=[site.pk]),
                       {"name": "总部大楼 A 座", "address": site.address, "city": city.pk,
                        "version": site.version}).status_code == 302
    site.refresh_from_db()
    assert site.name == "总部大楼 A 座"
    unit = world["unit"]
    assert client.post(reverse("customers:equipment_edit", args=[unit.pk]), {
        "site": site.pk, "product_model": unit.product_model_id, "serial": unit.serial, "location": "B2 机房",
        "warranty_start": "2024-01-01", "warranty_end": "2025-12-31", "version": unit.version}).status_code == 302
    unit.refresh_from_db()
    assert (unit.location, unit.warranty_end) == ("B2 机房", dt.date(2025, 12, 31))
    contact = world["hubei"].contacts.get()
    assert client.post(reverse("customers:contact_edit", args=[contact.pk]), {
        "name": "张伟", "phone": "13000000000", "is_primary": "on", "version": contact.version}).status_code == 302
    contact.refresh_from_db()
    assert contact.is_primary and contact.phone_digits == "13000000000"

    assert client.post(reverse("customers:model_create"), {"code": "YC6L", "name": "柴油发动机",
                                                           "warranty_months": 36}).status_code == 302
    model = ProductModel.objects.get(code="YC6L")
    assert client.post(reverse("customers:model_edit", args=[model.pk]), {
        "code": "YC6L", "name": "玉柴 YC6L 柴油发动机", "warranty_months": 24, "version": model.version}).status_code == 302
    model.refresh_from_db()
    assert model.warranty_months == 24
    assert client.post(reverse("customers:model_create"), {"code": "YC6L", "name": "dup",
                                                           "warranty_months": 1}).status_code == 400
    page = client.get(reverse("customers:models"), {"q": "yc6"}).content.decode()
    assert "YC6L" in page and "LSBLG-420" not in page


def test_forms_render_in_both_languages(world, users):
    for language in ("en", "zh-hans"):
        client = client_for(users["agent"], language)
        for url in _urls(world).values():
            assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# Import pages


def test_import_upload_preview_confirm_in_the_ui(world, users):
    client = client_for(users["agent"], "en")
    data = ("Customer code,Site,Model,Serial number,Commissioning date\n"
            "C-WHZC,总部大楼,LSBLG-420,UI-1,2025-01-01\n"
            "C-WHZC,总部大楼,LSBLG-420,ZC-0001,2025-01-01\n"
            "C-WHZC,总部大楼,LSBLG-420,UI-2,not a date\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("customers:import"),
                           {"kind": "equipment", "file": SimpleUploadedFile("units.csv", data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:import_preview", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Serial number ZC-0001 is already registered for this model." in page
    assert "“not a date” is not a date" in page
    assert "UI-1" in page and not Equipment.objects.filter(serial="UI-1").exists()

    assert client.get(reverse("customers:import_confirm", args=[batch.pk])).status_code == 405
    response = client.post(reverse("customers:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Equipment.objects.filter(serial="UI-1").exists() and not Equipment.objects.filter(serial="UI-2").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Import finished" in page
    again = client.post(reverse("customers:import_confirm", args=[batch.pk]), follow=True).content.decode()
    assert "already confirmed or discarded" in again
    assert Equipment.objects.filter(serial="UI-1").count() == 1


def test_import_rejects_bad_files_with_a_message(world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(users["agent"], "en")
    response = client.post(reverse("customers:import"), {
        "kind": "customers", "file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)})
    assert response.status_code == 422
    assert "upload a CSV" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_import_discard_and_someone_elses_import(world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.core.testing import make_user
    from aftersales.customers import imports

    batch = imports.import_preview(actor=users["agent"], kind="customers", upload=SimpleUploadedFile(
        "c.csv", "客户名称\n新客户\n".encode()))
    other_agent = client_for(make_user("agent"))
    assert other_agent.get(reverse("customers:import_preview", args=[batch.pk])).status_code == 404
    assert other_agent.post(reverse("customers:import_discard", args=[batch.pk])).status_code == 404
    client = client_for(users["agent"])
    assert client.post(reverse("customers:import_discard", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.state == "discarded" and not Customer.objects.filter(name="新客户").exists()


def test_sample_download(world, users):
    response = client_for(users["agent"]).get(reverse("customers:import_sample", args=["customers-zh.csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")


def test_lead_sees_only_his_provinces_part_of_a_customer_that_spans_provinces(db, users, city, api_client):
    """A fleet customer with a depot in Hubei and one in Hunan: the Hubei lead sees the customer, but not the
    Hunan depot's contact, unit or their history, on the page or through the API."""
    from aftersales.contracts import services as contracts

    admin = users["admin"]
    fleet = make_customer(name="湖北顺达物流有限公司", actor=admin)
    wuhan_depot = make_site(customer=fleet, city=city, name="武汉车队", actor=admin)
    changsha = region_city("430100", "长沙市", "430000", "湖南省")
    changsha_depot = make_site(customer=fleet, city=changsha, name="长沙分公司车队", actor=admin)
    mine = services.contact_create(actor=admin, customer=fleet, name="王调度", phone="13800000001", site=wuhan_depot)
    theirs = services.contact_create(actor=admin, customer=fleet, name="罗斌", phone="13874810923",
                                     site=changsha_depot)
    everyone = services.contact_create(actor=admin, customer=fleet, name="总经理", phone="13800000003")
    model = make_model(actor=admin)
    here = make_equipment(site=wuhan_depot, product_model=model, serial="YC-HB-1", actor=admin)
    there = make_equipment(site=changsha_depot, product_model=model, serial="YC-HN-1", actor=admin)
    contract = contracts.contract_create(
        actor=users["manager"], customer=fleet, title="车队维保", start_date=timezone.localdate(),
        end_date=timezone.localdate() + dt.timedelta(days=365), equipment=[here, there])

    lead = users["lead"]
    page = client_for(lead).get(reverse("customers:detail", args=[fleet.pk])).content.decode()
    assert "王调度" in page and "总经理" in page and "YC-HB-1" in page
    assert "罗斌" not in page and "长沙分公司车队" not in page and "YC-HN-1" not in page
    manager_page = client_for(users["manager"]).get(reverse("customers:detail", args=[fleet.pk])).content.decode()
    assert "罗斌" in manager_page and "长沙分公司车队" in manager_page

    api = api_client(lead)
    assert api.get(f"/api/v1/contacts/{mine.pk}").status_code == 200
    assert api.get(f"/api/v1/contacts/{everyone.pk}").status_code == 200
    assert api.get(f"/api/v1/contacts/{theirs.pk}").status_code == 404
    listed = {c["id"] for c in api.get(f"/api/v1/contacts?customer={fleet.pk}").json()["results"]}
    assert listed == {mine.pk, everyone.pk}

    contract_page = client_for(lead).get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "YC-HB-1" in contract_page and "YC-HN-1" not in contract_page
    assert "1 more unit outside your region" in contract_page
