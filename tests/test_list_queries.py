"""No list endpoint reads its rows one by one: every paginated GET of the API makes as many queries for a page of
two rows as for a page of one (an N+1 would add a query, or more, per row). The operations are enumerated from the
API's own matrix, so a list is covered the day it is added; a GET that is not a paginated list must be named here
with the reason. The permission matrix's world, with a few more rows, gives every list at least two rows."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_permission_matrix import API, PUBLIC, _api_url, world  # noqa: F401  (world is a fixture)

# GET operations that answer one object or a report, not a list of rows that grows with the data.
NOT_LISTS = {
    "/auth/me": "the caller", "/work-orders/{id}/candidates": "a ranking, at most 20 engineers",
    "/calendars/{id}/days": "one year of one calendar, at most 366 days",
    "/sla/compliance": "a report, grouped in SQL",
    "/warranty": "one serial's warranty and contracts", "/intake/search": "at most 8 customers with their matches",
}


def _more_rows(world: Any) -> None:  # noqa: F811
    """The lists the matrix's world fills with fewer than two rows."""
    from aftersales.core.testing import make_equipment
    from aftersales.inventory import ledger
    from aftersales.inventory import services as inventory
    from aftersales.returns import services as returns
    from aftersales.servicedesk import services as desk
    from aftersales.servicedesk.models import FaultCategory

    u, own, other = world.users, world.own, world.other
    FaultCategory.objects.create(code="hvac", name="暖通")
    FaultCategory.objects.create(code="power", name="供配电")
    keeper = u["storekeeper"]
    for part in (own["part"], other["part"]):
        inventory.reorder_point_set(actor=keeper, part=part, location=own["stock_location"], min_level=1,
                                    reorder_quantity=2)
    ledger.receive(actor=keeper, part=other["part"], quantity=2, location=own["stock_location"])
    ledger.receive(actor=keeper, part=own["part"], quantity=1, location=other["stock_location"])
    second = make_equipment(site=own["site"], product_model=own["product_model"], actor=u["admin"],
                            serial=own["equipment"].serial + "Z")
    campaign = returns.campaign_create(actor=u["manager"], title="召回二", product_model=own["product_model"],
                                       serial_from=own["equipment"].serial, serial_to=second.serial)
    returns.campaign_launch(actor=u["manager"], campaign=campaign)
    own["recall_campaign"] = campaign
    desk.request_create(actor=u["agent"], customer=own["customer"], equipment=own["equipment"], summary="再报")
    from aftersales.billing.models import CompanyAccount
    from aftersales.rma.models import RmaCase
    from aftersales.suppliers.models import Supplier

    for n in (1, 2):
        CompanyAccount.objects.create(kind="bank", name=f"基本户 {n}", account_number=f"4200 {n}")
    RmaCase.objects.filter(pk=other["rma_case"].pk).update(
        vendor=Supplier.objects.create(code="V-SECOND", name="第二返修厂", repairs_items=True))


def _count(client: Any, url: str, page_size: int) -> tuple[int, Any]:
    sep = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{url}{sep}page_size={page_size}")
    return len(ctx.captured_queries), response


def test_every_api_list_reads_a_page_in_a_fixed_number_of_queries(world, api_client):  # noqa: F811
    _more_rows(world)
    client = api_client(world.users["admin"])
    growing, thin, unknown = [], [], []
    for (method, path), perms in sorted(API.items()):
        if method != "GET" or PUBLIC in perms or path in NOT_LISTS:
            continue
        url, kind = _api_url(path, world.own)
        _count(client, url, 1)  # warm the per-process caches of reference data
        one, response = _count(client, url, 1)
        body = response.json() if response["Content-Type"].startswith("application/json") else None
        if not (response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("results"), list)):
            if kind is None:  # one object by its id is not a list; anything else must be
                unknown.append(f"{path}: {response.status_code}")
            continue
        if body["count"] < 2:
            thin.append(f"{path}: {body['count']} row")
            continue
        two, _ = _count(client, url, 2)
        if two != one:
            growing.append(f"{path}: {one} queries for one row, {two} for two")
    assert not unknown, "GET operations that are neither paginated lists nor named in NOT_LISTS:\n" + "\n".join(unknown)
    assert not thin, "lists the test could not prove with two rows (add rows in _more_rows):\n" + "\n".join(thin)
    assert not growing, "queries grow with the rows of the page:\n" + "\n".join(growing)
