"""What the list and request page do to stay fast at a million requests keeps their behaviour: the count skipped on
a last page still gives the right total, references loaded without joins are the right rows, the page shows the
latest history with a link to all of it, and the quick filter selects render like Django's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.core import audit
from aftersales.core.api import MAX_COUNT, paginate
from aftersales.core.testing import make_equipment, make_request
from aftersales.servicedesk import selectors
from aftersales.servicedesk.forms import RequestFilterForm
from aftersales.servicedesk.models import ServiceRequest
from aftersales.servicedesk.views import HISTORY_SHOWN, _quick_selects

pytestmark = pytest.mark.django_db


def _count_queries(qs, page: int, size: int) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = paginate(qs, page, size)
    return result, [q["sql"] for q in ctx.captured_queries]


def test_paginate_skips_the_count_on_a_last_page_and_keeps_the_totals(users):
    for _ in range(7):
        make_request(actor=users["agent"])
    qs = ServiceRequest.objects.order_by("id")
    whole, sqls = _count_queries(qs, 1, 25)
    assert (whole["count"], whole["count_exact"], whole["pages"], len(whole["results"])) == (7, True, 1, 7)
    assert not any("COUNT(" in s for s in sqls)
    last, sqls = _count_queries(qs, 3, 3)
    assert (last["count"], last["pages"], len(last["results"])) == (7, 3, 1)
    assert not any("COUNT(" in s for s in sqls)
    full, sqls = _count_queries(qs, 1, 3)  # a full page: more may follow, so it counts
    assert (full["count"], full["pages"], len(full["results"])) == (7, 3, 3)
    assert any("COUNT(" in s for s in sqls)
    past, _ = _count_queries(qs, 9, 3)  # beyond the end: counted, empty
    assert (past["count"], past["results"]) == (7, [])
    empty, _ = _count_queries(ServiceRequest.objects.none(), 1, 25)
    assert (empty["count"], empty["pages"], empty["results"]) == (0, 1, [])
    assert paginate(list(range(5)), 2, 2)["results"] == [2, 3]
    assert MAX_COUNT == 10_000


def test_attach_references_fills_regions_models_and_category_from_the_right_rows(users):
    sr = make_request(actor=users["agent"], equipment=make_equipment())
    row = selectors.requests_for(users["agent"]).select_related("site", "equipment").get(pk=sr.pk)
    with CaptureQueriesContext(connection) as ctx:
        selectors.attach_references([row])
    assert len(ctx) <= 3
    fresh = ServiceRequest.objects.select_related(
        "city", "province", "site__city", "product_model", "equipment__product_model", "fault_category").get(pk=sr.pk)
    with CaptureQueriesContext(connection) as ctx:
        got = (row.city, row.province, row.site.city, row.product_model, row.equipment.product_model)
    assert len(ctx) == 0, "attach_references left a relation to be loaded lazily"
    assert got == (fresh.city, fresh.province, fresh.site.city, fresh.product_model, fresh.equipment.product_model)
    assert None not in got[:4]


def test_request_api_detail_and_list_keep_their_relations(users, api_client):
    sr = make_request(actor=users["agent"], equipment=make_equipment())
    client = api_client(users["dispatcher"])
    detail = client.get(f"/api/v1/service-requests/{sr.pk}").json()
    assert detail["equipment"]["serial"] == sr.equipment.serial
    assert detail["equipment"]["product_model"]["code"] == sr.equipment.product_model.code
    assert detail["city"]["id"] == sr.city_id and detail["province"]["id"] == sr.province_id
    row = client.get("/api/v1/service-requests").json()["results"][0]
    assert row["equipment"]["serial"] == sr.equipment.serial and row["city"]["id"] == sr.city_id


def test_request_page_shows_the_latest_history_and_links_to_all_of_it(users):
    sr = make_request(actor=users["agent"])
    for i in range(HISTORY_SHOWN + 5):
        audit.record(actor=users["agent"], instance=sr, action="update", changes={"summary": [f"v{i}", f"v{i + 1}"]})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["manager"])
    url = reverse("servicedesk:detail", args=[sr.pk])
    html = client.get(url).content.decode()
    assert html.count('<li class="tl-') == HISTORY_SHOWN
    assert "?history=all#history" in html
    everything = client.get(url, {"history": "all"}).content.decode()
    assert everything.count('<li class="tl-') == HISTORY_SHOWN + 6  # the create entry too
    assert "?history=all#history" not in everything


def test_quick_selects_render_what_django_renders(users):
    for data in ({"province": "1", "assignee": str(users["engineer"].pk)}, None, {"province": "x"}):
        plain = RequestFilterForm(data, user=users["dispatcher"])
        quick = RequestFilterForm(data, user=users["dispatcher"])
        _quick_selects(quick, "province", "assignee")
        for name in ("province", "assignee"):
            expected = "".join(line.strip() for line in str(plain[name]).splitlines())
            got = str(quick[name])
            assert sorted(expected.replace(">", "> ").split()) == sorted(got.replace(">", "> ").split())
