"""Factories for tests: small functions that build valid records through the services, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from typing import Any

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.utils import timezone

from aftersales.core.models import Region

_seq = itertools.count(1)
TEST_PASSWORD = "pw-Test-12345"  # noqa: S105 - test fixtures only


def n() -> int:
    return next(_seq)


def region_city(code: str = "420100", name: str = "武汉市", province_code: str = "420000",
                province_name: str = "湖北省") -> Region:
    province, _ = Region.objects.get_or_create(code=province_code, defaults={"name": province_name,
                                                                             "kind": Region.Kind.PROVINCE})
    city, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "kind": Region.Kind.CITY,
                                                                "parent": province})
    return city


def make_user(role: str, username: str | None = None, region: Region | None = None, **extra: Any) -> Any:
    User = get_user_model()
    username = username or f"{role}{n()}"
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, role=role,
                                    region=region, display_name=extra.pop("display_name", username), **extra)
    return user


def make_customer(name: str = "武汉卓成机电", actor: Any = None, **kw: Any) -> Any:
    from aftersales.customers import services

    actor = actor or make_user("admin")
    return services.customer_create(actor=actor, name=name, phone=kw.pop("phone", "027-8765 4321"), **kw)


def make_site(customer: Any = None, city: Region | None = None, actor: Any = None, **kw: Any) -> Any:
    from aftersales.customers import services

    actor = actor or make_user("admin")
    customer = customer or make_customer(actor=actor)
    return services.site_create(actor=actor, customer=customer, name=kw.pop("name", f"总部大楼 {n()}"),
                                address=kw.pop("address", "武汉市洪山区珞喻路 1 号"), city=city or region_city())


def make_model(code: str | None = None, actor: Any = None, **kw: Any) -> Any:
    from aftersales.customers import services

    actor = actor or make_user("admin")
    return services.product_model_create(actor=actor, code=code or f"LSBLG-{n()}", name=kw.pop("name", "螺杆式冷水机组"),
                                         warranty_months=kw.pop("warranty_months", 24), **kw)


def make_equipment(site: Any = None, product_model: Any = None, actor: Any = None, **kw: Any) -> Any:
    from aftersales.customers import services

    actor = actor or make_user("admin")
    site = site or make_site(actor=actor)
    return services.equipment_create(
        actor=actor, product_model=product_model or make_model(actor=actor), serial=kw.pop("serial", f"SN{n():08d}"),
        site=site, commissioning_date=kw.pop("commissioning_date", timezone.localdate() - dt.timedelta(days=100)),
        **kw,
    )


def make_request(actor: Any = None, equipment: Any = None, customer: Any = None, **kw: Any) -> Any:
    from aftersales.servicedesk import services

    actor = actor or make_user("agent")
    if customer is None:
        equipment = equipment or make_equipment()
        customer = equipment.customer
    return services.request_create(actor=actor, customer=customer, equipment=equipment,
                                   summary=kw.pop("summary", "冷水机组高压报警"),
                                   symptom=kw.pop("symptom", "开机 10 分钟后高压报警停机"), **kw)


def make_triaged_request(severity: str = "general", **kw: Any) -> Any:
    from aftersales.servicedesk import services

    request = make_request(**kw)
    return services.request_triage(actor=make_user("dispatcher"), request=request, severity=severity)


def make_assigned_work_order(engineer: Any = None, dispatcher: Any = None, request: Any = None) -> Any:
    from aftersales.fieldservice import services

    dispatcher = dispatcher or make_user("dispatcher")
    request = request or make_triaged_request()
    engineer = engineer or make_user("engineer", region=region_city())
    work_order = services.work_order_create(actor=dispatcher, request=request)
    return services.work_order_assign(actor=dispatcher, work_order=work_order, engineer=engineer)


PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def race(*jobs: Any) -> list[Any]:
    """Run each job in its own thread (its own DB connection), released together by a barrier.

    A job is a callable, or a pair `(read, write)`: then every thread first runs its `read()`, all wait until every
    read is done, and only then each runs `write(what_it_read)` — so the race really starts from the same state
    (both dispatchers saw the order unassigned) instead of relying on the threads' timing."""
    barrier = threading.Barrier(len(jobs))
    reads_done = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            if isinstance(job, tuple):
                read, write = job
                try:
                    seen = read()
                finally:
                    reads_done.wait(timeout=10)
                results[i] = write(seen)
            else:
                results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
