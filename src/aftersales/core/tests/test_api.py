"""Contract tests of the reference endpoints: regions, fault categories, engineers, intake search."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Skill
from aftersales.core.testing import make_equipment, make_user, region_city
from aftersales.servicedesk.models import FaultCategory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.mark.parametrize("path", ["regions", "fault-categories", "engineers", "intake/search?q=ab"])
def test_anonymous_401(api_client, path):
    response = api_client().get(f"{API}/{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_regions_and_categories(users, api_client, city):
    client = api_client(users["agent"])
    cities = client.get(f"{API}/regions", {"kind": "city", "parent": city.parent_id}).json()
    assert all(r["parent_id"] == city.parent_id and r["kind"] == "city" for r in cities["results"])
    assert cities["count"] >= 1
    root = FaultCategory.objects.create(code="refrig", name="制冷")
    FaultCategory.objects.create(code="comp", name="压缩机", parent=root)
    FaultCategory.objects.create(code="old", name="旧", is_active=False)
    assert client.get(f"{API}/fault-categories").json()["count"] == 2
    assert [c["code"] for c in client.get(f"{API}/fault-categories", {"parent": root.pk}).json()["results"]] == ["comp"]
    assert client.get(f"{API}/regions", {"kind": "planet"}).status_code == 422


def test_engineers_for_dispatch_roles_only(users, api_client):
    users["engineer"].skills.add(Skill.objects.create(code="chiller", name="冷水机组"))
    data = api_client(users["dispatcher"]).get(f"{API}/engineers").json()
    assert [e["username"] for e in data["results"]] == ["engineer"]
    assert data["results"][0]["skills"][0]["code"] == "chiller"
    assert api_client(users["agent"]).get(f"{API}/engineers").status_code == 403
    assert api_client(users["engineer"]).get(f"{API}/engineers").status_code == 403


def test_intake_search(users, api_client):
    unit = make_equipment(serial="SN-77001")
    client = api_client(users["agent"])
    by_initials = client.get(f"{API}/intake/search", {"q": "whzc"}).json()
    assert by_initials[0]["customer"]["id"] == unit.customer_id
    by_serial = client.get(f"{API}/intake/search", {"q": "SN-77001"}).json()
    assert by_serial[0]["reasons"] == ["serial"]
    assert by_serial[0]["equipment"][0]["matched"] is True
    assert by_serial[0]["equipment"][0]["warranty_status"] == "in_warranty"
    assert client.get(f"{API}/intake/search", {"q": "x"}).json() == []
    assert api_client(users["engineer"]).get(f"{API}/intake/search", {"q": "whzc"}).status_code == 403


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_query_counts_do_not_grow(users, api_client):
    client = api_client(users["manager"])
    urls = [f"{API}/regions", f"{API}/fault-categories", f"{API}/engineers"]
    skill = Skill.objects.create(code="s0", name="s0")
    users["engineer"].skills.add(skill)
    FaultCategory.objects.create(code="c0", name="c0")
    one = [_count(client, u) for u in urls]
    for i in range(1, 10):
        region_city(f"4201{i:02d}", f"城{i}")
        FaultCategory.objects.create(code=f"c{i}", name=f"c{i}")
        make_user("engineer", region=region_city()).skills.add(skill)
    assert [_count(client, u) for u in urls] == one


def test_a_token_records_its_last_use_at_most_every_few_minutes(users, api_client):
    import datetime as dt

    from django.utils import timezone

    from aftersales.accounts.services import TOKEN_USE_PRECISION, token_issue, token_mark_used

    token, raw = token_issue(user=users["agent"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert token.last_used_at is None
    assert client.get(f"{API}/regions").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(minutes=1)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{API}/regions").status_code == 200
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in ctx.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + TOKEN_USE_PRECISION
    assert token_mark_used(token=token, at=later) is True
    token.refresh_from_db()
    assert token.last_used_at == later
    assert api_client().get(f"{API}/regions").status_code == 401  # no token: nothing to record


@pytest.mark.parametrize("language, missing, too_long, custom", [
    ("en", "This field is required.", "Enter at most 200 characters.", "The warranty must not end before it starts."),
    ("zh-hans", "此项为必填项。", "最多输入 200 个字符。", "保修结束日期不能早于开始日期。"),
])
def test_input_errors_speak_the_callers_language(users, api_client, language, missing, too_long, custom):
    """The machine-readable part (`loc`, `type`) is the same in every language; `msg` is the caller's."""
    import json

    from aftersales.core.testing import make_model, make_site

    client = api_client(users["agent"])
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    body = client.post(f"{API}/service-requests", json.dumps({"summary": "x" * 201}),
                       content_type="application/json", **headers).json()
    by_field = {e["loc"][-1]: e for e in body["errors"]}
    assert by_field["customer_id"]["type"] == "missing" and by_field["customer_id"]["msg"] == missing
    assert by_field["summary"]["type"] == "string_too_long" and by_field["summary"]["msg"] == too_long
    site, model = make_site(), make_model()
    body = client.post(f"{API}/equipment", json.dumps({
        "site_id": site.pk, "product_model_id": model.pk, "serial": "SN-1", "warranty_start": "2026-05-01",
        "warranty_end": "2026-01-01"}), content_type="application/json", **headers).json()
    assert body["code"] == "validation_failed"
    assert [e["msg"] for e in body["errors"]] == [custom] and body["errors"][0]["type"] == "value_error"


def test_big_counts_are_reused_briefly_and_small_ones_are_fresh(users, monkeypatch):
    from aftersales.core import api as core_api
    from aftersales.servicedesk.models import ServiceRequest

    for _ in range(3):
        from aftersales.core.testing import make_request

        make_request(actor=users["agent"])
    core_api._COUNTS.clear()
    monkeypatch.setattr(core_api, "COUNT_CACHE_MIN", 2)
    monkeypatch.setattr(core_api, "MAX_COUNT", 10)
    qs = ServiceRequest.objects.all()
    assert core_api.paginate(qs, 1, 1)["count"] == 3
    make_request(actor=users["agent"])
    assert core_api.paginate(qs, 1, 1)["count"] == 3  # within COUNT_CACHE_SECONDS: the count read a moment ago
    core_api._COUNTS.clear()
    assert core_api.paginate(qs, 1, 1)["count"] == 4
    monkeypatch.setattr(core_api, "COUNT_CACHE_MIN", 1_000)
    core_api._COUNTS.clear()
    assert core_api.paginate(qs, 1, 1)["count"] == 4
    make_request(actor=users["agent"])
    assert core_api.paginate(qs, 1, 1)["count"] == 5  # under COUNT_CACHE_MIN: never kept, always counted
