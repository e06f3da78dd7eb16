"""Access is denied by default, and proven for every role × every route × own / others' object.

The matrices below are the specification: every URL route and every API operation must be listed, with the
permission it requires. The tests fail when a route is missing, when its declared permission differs from the
matrix, when a role without the permission is not refused (403), and when a role that may use the route is
refused or can open an object outside its scope (another engineer's work, another province's request: 404).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from aftersales.core import permissions as P
from aftersales.core.testing import PNG_1PX, make_customer, make_equipment, make_site, make_user, region_city

ROLES = ("agent", "dispatcher", "engineer", "lead", "manager", "admin", "finance", "purchasing", "storekeeper",
         "rma_clerk")
PUBLIC = "public"  # no sign-in needed
SIGNED_IN = "signed-in"  # any signed-in user
SCOPED_ROLES = ("engineer", "lead")  # roles that see only part of the data

# route name → (permission, object kind or None, HTTP method for the check)
WEB: dict[str, tuple[str, str | None, str]] = {
    "home": (SIGNED_IN, None, "get"),
    "login": (PUBLIC, None, "get"),
    "logout": (PUBLIC, None, "post"),
    "set_language": (PUBLIC, None, "post"),
    "healthz": (PUBLIC, None, "get"),
    "javascript-catalog": (PUBLIC, None, "get"),
    "customers:list": (P.VIEW_CUSTOMERS, None, "get"),
    "customers:create": (P.EDIT_CUSTOMERS, None, "get"),
    "customers:detail": (P.VIEW_CUSTOMERS, "customer", "get"),
    "customers:edit": (P.EDIT_CUSTOMERS, "customer", "get"),
    "customers:site_create": (P.EDIT_CUSTOMERS, "customer", "get"),
    "customers:site_edit": (P.EDIT_CUSTOMERS, "site", "get"),
    "customers:contact_create": (P.EDIT_CUSTOMERS, "customer", "get"),
    "customers:contact_edit": (P.EDIT_CUSTOMERS, "contact", "get"),
    "customers:equipment_create": (P.EDIT_CUSTOMERS, "customer", "get"),
    "customers:equipment_edit": (P.EDIT_CUSTOMERS, "equipment", "get"),
    "customers:models": (P.VIEW_CUSTOMERS, None, "get"),
    "customers:model_create": (P.EDIT_CUSTOMERS, None, "get"),
    "customers:model_edit": (P.EDIT_CUSTOMERS, "product_model", "get"),
    "customers:import": (P.IMPORT_CUSTOMERS, None, "get"),
    "customers:import_preview": (P.IMPORT_CUSTOMERS, "import", "get"),
    "customers:import_confirm": (P.IMPORT_CUSTOMERS, "import", "post"),
    "customers:import_discard": (P.IMPORT_CUSTOMERS, "import", "post"),
    "customers:import_sample": (P.IMPORT_CUSTOMERS, "sample", "get"),
    "servicedesk:list": (P.VIEW_REQUESTS, None, "get"),
    "servicedesk:intake": (P.CREATE_REQUESTS, None, "get"),
    "servicedesk:intake_search": (P.CREATE_REQUESTS, None, "get"),
    "servicedesk:intake_pick": (P.CREATE_REQUESTS, None, "get"),
    "servicedesk:detail": (P.VIEW_REQUESTS, "request", "get"),
    "servicedesk:edit": (P.EDIT_REQUESTS, "request", "post"),
    "servicedesk:action": (P.VIEW_REQUESTS, "request_action", "post"),
    "servicedesk:work_order_create": (P.DISPATCH, "request", "post"),
    "fieldservice:board": (P.DISPATCH, None, "get"),
    "fieldservice:my": (P.FIELD_WORK, None, "get"),
    "fieldservice:detail": (P.VIEW_WORK_ORDERS, "work_order", "get"),
    "fieldservice:assign": (P.DISPATCH, "work_order", "get"),
    "fieldservice:field": (P.FIELD_WORK, "work_order", "get"),
    "fieldservice:field_action": (P.FIELD_WORK, "work_order_action", "post"),
    "fieldservice:receipt_pdf": (P.VIEW_WORK_ORDERS, "visit", "get"),
    "fieldservice:photo": (P.VIEW_WORK_ORDERS, "photo", "get"),
    "fieldservice:signature": (P.VIEW_WORK_ORDERS, "receipt", "get"),
    "feedback:callbacks": (P.VIEW_CALLBACKS, None, "get"),
    "feedback:callback": (P.VIEW_CALLBACKS, "callback", "get"),
    "feedback:complaints": (P.VIEW_COMPLAINTS, None, "get"),
    "feedback:complaint_new": (P.HANDLE_COMPLAINTS, None, "get"),
    "feedback:complaint_customer_search": (P.HANDLE_COMPLAINTS, None, "get"),
    "feedback:complaint": (P.VIEW_COMPLAINTS, "complaint", "get"),
    "feedback:complaint_action": (P.HANDLE_COMPLAINTS, "complaint", "post"),
    "notifications:inbox": (SIGNED_IN, None, "get"),
    "notifications:read_all": (SIGNED_IN, None, "post"),
    "notifications:read": (SIGNED_IN, "notification", "post"),
    "notifications:open": (SIGNED_IN, "notification", "post"),
    "core:audit_list": (P.VIEW_AUDIT, None, "get"),
    "core:audit_record": (P.VIEW_AUDIT, "audit_record", "get"),
    "core:audit_verify": (P.VIEW_AUDIT, "audit_record", "get"),
    "sla:requests": (P.VIEW_REQUESTS, None, "get"),
    "sla:request_clocks": (P.VIEW_REQUESTS, "request", "get"),
    "sla:progress_report": (P.VIEW_REQUESTS, "request", "post"),  # and PROGRESS_REQUESTS or FIELD_WORK
    "sla:record_contact": (P.VIEW_REQUESTS, "request", "post"),
    "sla:compliance": (P.VIEW_AUDIT, None, "get"),
    "sla:compliance_csv": (P.VIEW_AUDIT, None, "get"),
}

# (METHOD, path) → permission(s) required (any of them)
API: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/ping"): (PUBLIC,),
    ("POST", "/auth/token"): (PUBLIC,),
    ("GET", "/auth/me"): (SIGNED_IN,),
    **{("GET", f"/{r}"): (P.VIEW_CUSTOMERS,) for r in ("customers", "sites", "contacts", "product-models", "equipment")},
    **{("GET", f"/{r}/{{id}}"): (P.VIEW_CUSTOMERS,) for r in ("customers", "sites", "contacts", "product-models",
                                                               "equipment")},
    **{("POST", f"/{r}"): (P.EDIT_CUSTOMERS,) for r in ("customers", "sites", "contacts", "product-models", "equipment")},
    **{("PATCH", f"/{r}/{{id}}"): (P.EDIT_CUSTOMERS,) for r in ("customers", "sites", "contacts", "product-models",
                                                                 "equipment")},
    ("POST", "/imports"): (P.IMPORT_CUSTOMERS,),
    ("GET", "/imports/{import_id}"): (P.IMPORT_CUSTOMERS,),
    ("POST", "/imports/{import_id}/confirm"): (P.IMPORT_CUSTOMERS,),
    ("POST", "/imports/{import_id}/discard"): (P.IMPORT_CUSTOMERS,),
    ("GET", "/service-requests"): (P.VIEW_REQUESTS,),
    ("POST", "/service-requests"): (P.CREATE_REQUESTS,),
    ("GET", "/service-requests/duplicates"): (P.VIEW_REQUESTS,),
    ("GET", "/service-requests/{id}"): (P.VIEW_REQUESTS,),
    ("PATCH", "/service-requests/{id}"): (P.EDIT_REQUESTS,),
    ("POST", "/service-requests/{id}/triage"): (P.TRIAGE_REQUESTS,),
    **{("POST", f"/service-requests/{{id}}/{a}"): (P.PROGRESS_REQUESTS,)
       for a in ("wait", "resume", "close", "cancel", "reopen", "resolve")},
    ("GET", "/service-requests/{id}/timeline"): (P.VIEW_AUDIT,),
    ("GET", "/work-orders"): (P.VIEW_WORK_ORDERS,),
    ("POST", "/work-orders"): (P.DISPATCH,),
    ("GET", "/work-orders/{id}"): (P.VIEW_WORK_ORDERS,),
    **{("POST", f"/work-orders/{{id}}/{a}"): (P.DISPATCH,) for a in ("assign", "reassign", "cancel")},
    ("POST", "/work-orders/{id}/accept"): (P.RESPOND_WORK_ORDERS,),
    ("POST", "/work-orders/{id}/decline"): (P.RESPOND_WORK_ORDERS,),
    ("POST", "/work-orders/{id}/appointment"): (P.DISPATCH, P.FIELD_WORK),
    ("POST", "/work-orders/{id}/arrive"): (P.FIELD_WORK,),
    ("POST", "/work-orders/{id}/complete"): (P.FIELD_WORK,),
    ("GET", "/work-orders/{id}/candidates"): (P.DISPATCH,),
    ("GET", "/visits/{id}"): (P.VIEW_WORK_ORDERS,),
    ("PATCH", "/visits/{id}"): (P.FIELD_WORK,),
    ("POST", "/visits/{id}/depart"): (P.FIELD_WORK,),
    ("POST", "/visits/{id}/photos"): (P.FIELD_WORK,),
    ("POST", "/visits/{id}/receipt"): (P.FIELD_WORK,),
    ("GET", "/visits/{id}/receipt.pdf"): (P.VIEW_WORK_ORDERS,),
    ("GET", "/callbacks"): (P.VIEW_CALLBACKS,),
    ("GET", "/callbacks/{id}"): (P.VIEW_CALLBACKS,),
    ("POST", "/callbacks/{id}/record"): (P.RECORD_CALLBACKS,),
    ("GET", "/complaints"): (P.VIEW_COMPLAINTS,),
    ("GET", "/complaints/{id}"): (P.VIEW_COMPLAINTS,),
    **{("POST", f"/complaints/{{id}}/{a}"): (P.HANDLE_COMPLAINTS,)
       for a in ("investigate", "answer", "close", "reopen")},
    ("GET", "/regions"): (P.VIEW_REQUESTS,),
    ("GET", "/fault-categories"): (P.VIEW_REQUESTS,),
    ("GET", "/engineers"): (P.DISPATCH,),
    ("GET", "/intake/search"): (P.VIEW_CUSTOMERS,),
    ("GET", "/service-requests/{id}/clocks"): (P.VIEW_REQUESTS,),
    ("GET", "/sla-policies"): (P.VIEW_REQUESTS,),
    ("GET", "/sla-policies/{id}"): (P.VIEW_REQUESTS,),
    ("POST", "/sla-policies"): (P.CONFIGURE,),
    ("PATCH", "/sla-policies/{id}"): (P.CONFIGURE,),
    ("GET", "/calendars"): (P.VIEW_REQUESTS,),
    ("GET", "/calendars/{id}/days"): (P.VIEW_REQUESTS,),
    ("GET", "/sla/compliance"): (P.VIEW_AUDIT,),
}

# Query parameters a read needs to answer (without them it is a 422, not an answer).
WEB_QUERY: dict[str, str] = {}
API_QUERY: dict[str, str] = {"/intake/search": "?q=客户", "/warranty": "?serial=SN", "/calendars/{id}/days": "?year=2026",
                             "/service-requests/duplicates": "?equipment={equipment}"}
# (method, path, role) → what that role gets where it is not what its permissions say: an engineer may list
# duplicates, but the installed base is not his to see, so every unit is another's (404).
API_OVERRIDE: dict[tuple[str, str, str], str] = {("GET", "/service-requests/duplicates", "engineer"): "hidden"}

# The object an API path's {id} stands for.
API_KINDS = {
    "customers": "customer", "sites": "site", "contacts": "contact", "product-models": "product_model",
    "equipment": "equipment", "imports": "import", "service-requests": "request", "work-orders": "work_order",
    "visits": "visit", "callbacks": "callback", "complaints": "complaint", "sla-policies": "sla_policy",
    "calendars": "calendar",
}
UNSCOPED_KINDS = {"product_model", "sample", "sla_policy", "calendar"}  # the same for every role that may use them
# An import is its uploader's until confirmed; the manager and the administrator see everyone's.
IMPORT_OVERSEERS = ("manager", "admin")
# Routes whose check goes further than the route's own permission, for the action the test uses.
EFFECTIVE: dict[str, Any] = {"servicedesk:action": P.TRIAGE_REQUESTS}


def _sla_reporter(role: str) -> bool:
    """The SLA compliance report: managers, administrators and regional leads, not every VIEW_AUDIT holder."""
    from aftersales.sla.views import COMPLIANCE_ROLES

    return role in COMPLIANCE_ROLES


def _progress_reporter(role: str) -> bool:
    """Progress reports and customer contacts: those who move requests or work in the field."""
    user = _RoleUser(role)
    return P.has_perm(user, P.PROGRESS_REQUESTS) or P.has_perm(user, P.FIELD_WORK)


EFFECTIVE.update({"sla:compliance": _sla_reporter, "sla:compliance_csv": _sla_reporter,
                  "sla:progress_report": _progress_reporter, "sla:record_contact": _progress_reporter})
API_EFFECTIVE: dict[tuple[str, str], Any] = {("GET", "/sla/compliance"): _sla_reporter}


# Each bounded context added after the service loop keeps its part of the matrix in tests/matrix/<context>.py:
# WEB, API, API_KINDS, UNSCOPED_KINDS, EFFECTIVE, API_EFFECTIVE, and optionally extend(world, ...) to add its
# objects to both sides, kwargs(kind, objects) for special URL arguments and scope(role, kind, side).
def _contexts() -> list[Any]:
    import importlib
    import pkgutil

    from tests import matrix

    return [importlib.import_module(f"tests.matrix.{m.name}") for m in pkgutil.iter_modules(matrix.__path__)]


CONTEXTS = _contexts()
for _m in CONTEXTS:
    WEB.update(getattr(_m, "WEB", {}))
    API.update(getattr(_m, "API", {}))
    API_KINDS.update(getattr(_m, "API_KINDS", {}))
    UNSCOPED_KINDS |= set(getattr(_m, "UNSCOPED_KINDS", ()))
    EFFECTIVE.update(getattr(_m, "EFFECTIVE", {}))
    API_EFFECTIVE.update(getattr(_m, "API_EFFECTIVE", {}))


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in ("admin", "api"):
                continue
            yield from _walk(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"), entry.callback


def _api_operations():
    from aftersales.config.api import api

    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                full = (prefix.rstrip("/") + "/" + path.lstrip("/")).replace("//", "/")
                perms: tuple[str, ...]
                if op.auth_param is None:  # auth=None: open to anyone
                    perms = (PUBLIC,)
                elif op.auth_callbacks and hasattr(op.auth_callbacks[0], "perms"):
                    perms = op.auth_callbacks[0].perms
                else:  # the API's default bearer auth: any signed-in user
                    perms = (SIGNED_IN,)
                for method in op.methods:
                    yield method, full, perms


def test_the_matrix_knows_every_role():
    assert set(ROLES) == set(P.ROLE_PERMISSIONS), "a role without rows in the matrix, or a stale one"


def test_every_web_route_is_in_the_matrix_with_its_permission():
    walked = list(_walk(get_resolver()))
    names = [name for name, _ in walked]
    assert not [n for n in names if n.startswith("<unnamed")], "name every route, so that the matrix can list it"
    assert len(names) == len(set(names)), f"two routes share a name: {sorted(n for n in names if names.count(n) > 1)}"
    routes = dict(walked)
    assert set(routes) == set(WEB), (
        f"not in the matrix: {sorted(set(routes) - set(WEB))}; stale entries: {sorted(set(WEB) - set(routes))}")
    for name, callback in routes.items():
        perm = WEB[name][0]
        declared = getattr(callback, "required_permission", None)
        if perm in (PUBLIC, SIGNED_IN):
            assert declared is None, f"{name} declares {declared} but the matrix says {perm}"
        else:
            assert declared == perm, f"{name} requires {declared}, the matrix says {perm}"


def test_every_api_operation_is_in_the_matrix_with_its_permission():
    seen = {}
    for method, path, perms in _api_operations():
        seen[(method, path)] = perms
        if "{" in path:  # an object by id: the matrix must know which, or its scope goes untested
            assert path.strip("/").split("/")[0] in API_KINDS and path.strip("/").split("/")[1].startswith("{"), (
                f"{method} {path}: its id is not the first segment's object (API_KINDS), so no scope check reaches it")
    assert set(seen) == set(API), (
        f"not in the matrix: {sorted(set(seen) - set(API))}; stale entries: {sorted(set(API) - set(seen))}")
    for key, perms in seen.items():
        assert tuple(perms) == API[key], f"{key} requires {perms}, the matrix says {API[key]}"


@dataclass
class World:
    """Two of everything: 'own' objects in Wuhan (Hubei) worked by `engineer`, 'other' ones in Changsha (Hunan)
    worked by `engineer2`. A lead of Hubei and the engineer may see only the first. And a 'peer' side of the
    service loop's records, in Wuhan too but worked by `engineer3`: the lead sees it, the engineer must not (his
    scope is his own work, not his region)."""

    users: dict[str, Any]
    own: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)
    peer: dict[str, Any] = field(default_factory=dict)


def _png_upload(name: str = "p.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _side(admin: Any, dispatcher: Any, agent: Any, manager: Any, engineer: Any, city: Any, tag: str) -> dict[str, Any]:
    from aftersales.customers import services as cs
    from aftersales.feedback import services as fb
    from aftersales.feedback.models import Callback
    from aftersales.fieldservice import services as fs
    from aftersales.servicedesk import services as sd

    customer = make_customer(f"客户{tag}", actor=admin, phone=f"027-1234 56{len(tag)}{ord(tag[0]) % 10}")
    site = make_site(customer=customer, city=city, actor=admin)
    contact = cs.contact_create(actor=admin, customer=customer, name=f"联系人{tag}", phone="13800138000", site=site)
    unit = make_equipment(site=site, actor=admin)
    request = sd.request_create(actor=agent, customer=customer, equipment=unit, summary=f"故障 {tag}")
    sd.request_triage(actor=dispatcher, request=request, severity="general")
    wo = fs.work_order_create(actor=dispatcher, request=request)
    fs.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer)
    fs.work_order_accept(actor=engineer, work_order=wo)
    visit = fs.visit_arrive(actor=engineer, work_order=wo)
    fs.visit_record(actor=engineer, visit=visit, values={"diagnosis": "d", "actions_taken": "a", "outcome": "fixed"})
    photo = fs.visit_add_photo(actor=engineer, visit=visit, upload=_png_upload())
    fs.visit_depart(actor=engineer, visit=visit)
    receipt = fs.receipt_sign(actor=engineer, visit=visit, signer_name="签字人", signature_data_url=PNG_1PX)
    fs.work_order_complete(actor=engineer, work_order=wo)
    callback = Callback.objects.get(request=request)
    complaint = fb.complaint_open(actor=manager, customer=customer, request=request, description="投诉")
    # A second, untouched work order for actions such as accept.
    request.refresh_from_db()
    return {"customer": customer, "site": site, "contact": contact, "equipment": unit,
            "product_model": unit.product_model, "request": request, "work_order": wo, "visit": visit,
            "photo": photo, "receipt": receipt, "callback": callback, "complaint": complaint}


@pytest.fixture
def world(db) -> World:
    from aftersales.customers import imports

    wuhan = region_city()
    changsha = region_city("430100", "长沙市", "430000", "湖南省")
    users = {
        "agent": make_user("agent", "agent"),
        "dispatcher": make_user("dispatcher", "dispatcher"),
        "engineer": make_user("engineer", "engineer", region=wuhan),
        "engineer2": make_user("engineer", "engineer2", region=changsha),
        "engineer3": make_user("engineer", "engineer3", region=wuhan),
        "lead": make_user("lead", "lead", region=wuhan.province),
        "manager": make_user("manager", "manager"),
        "admin": make_user("admin", "admin", is_staff=True, is_superuser=True),
        "finance": make_user("finance", "finance"),
        "purchasing": make_user("purchasing", "purchasing"),
        "storekeeper": make_user("storekeeper", "storekeeper"),
        "rma_clerk": make_user("rma_clerk", "rma_clerk"),
    }
    u = users
    w = World(users)
    w.own = _side(u["admin"], u["dispatcher"], u["agent"], u["manager"], u["engineer"], wuhan, "甲")
    w.other = _side(u["admin"], u["dispatcher"], u["agent"], u["manager"], u["engineer2"], changsha, "乙")
    w.peer = _side(u["admin"], u["dispatcher"], u["agent"], u["manager"], u["engineer3"], wuhan, "丙")
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "Customer name,Site,Address,City,Contact,Phone\n新客户,总部,武汉市,武汉市,王,13900000000\n".encode()
    for side, uploader in ((w.own, u["agent"]), (w.other, u["admin"])):
        side["import"] = imports.import_preview(actor=uploader, kind="customers",
                                                upload=SimpleUploadedFile("c.csv", csv, content_type="text/csv"))
        side["sample"] = "customers-en.csv"
    from aftersales.sla.models import SlaPolicy, WorkCalendar

    for tag, side in (("own", w.own), ("other", w.other)):
        side["sla_policy"] = SlaPolicy.objects.create(name=f"policy {tag}")
        side["calendar"] = WorkCalendar.objects.create(name=f"calendar {tag}", hours={})
    for module in CONTEXTS:
        if hasattr(module, "extend"):
            module.extend(w, wuhan=wuhan, changsha=changsha)
    return w


def _kwargs(kind: str | None, objects: dict[str, Any]) -> dict[str, Any]:
    if kind is None:
        return {}
    for module in CONTEXTS:
        special = getattr(module, "kwargs", lambda kind, objects: None)(kind, objects)
        if special is not None:
            return special
    if kind == "sample":
        return {"name": objects["sample"]}
    if kind == "request_action":
        return {"pk": objects["request"].pk, "action": "triage"}
    if kind == "work_order_action":
        return {"pk": objects["work_order"].pk, "action": "accept"}
    if kind == "audit_record":
        obj = objects["request"]
        return {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}
    return {"pk": objects[kind].pk}


def _expected(role: str, perm: str | tuple[str, ...], kind: str | None, side: str,
              effective: Any = None) -> str:
    """What the role must get: 'denied' (403), 'hidden' (404, not his to see) or 'ok'. The route's permission
    is checked first, then the object's scope, then a stricter permission of the action itself."""
    perms = perm if isinstance(perm, tuple) else (perm,)
    if PUBLIC in perms:
        return "ok"
    if SIGNED_IN in perms:
        return _scope(role, kind, side) if kind == "notification" else "ok"
    if not any(P.has_perm(_RoleUser(role), p) for p in perms):
        return "denied"
    scoped = _scope(role, kind, side)
    if scoped != "ok":
        return scoped
    if effective and not (effective(role) if callable(effective) else P.has_perm(_RoleUser(role), effective)):
        return "denied"
    return "ok"


def _scope(role: str, kind: str | None, side: str) -> str:
    if side == "peer":  # the same province, another engineer's work
        return "hidden" if role == "engineer" and kind not in UNSCOPED_KINDS and kind is not None else "ok"
    for module in CONTEXTS:
        special = getattr(module, "scope", lambda role, kind, side: None)(role, kind, side)
        if special is not None:
            return special
    if kind == "notification":  # an inbox message is its recipient's only
        return "hidden" if side == "other" else "ok"
    if side == "other" and kind == "import":
        return "ok" if role in IMPORT_OVERSEERS else "hidden"
    if side == "other" and role in SCOPED_ROLES and kind not in UNSCOPED_KINDS and kind is not None:
        return "hidden"
    return "ok"


@dataclass
class _RoleUser:
    role: str
    is_authenticated: bool = True
    is_active: bool = True


def _judge(status: int, expected: str, method: str) -> bool:
    """'ok' on a read means it answered (2xx, or a redirect); a write may still be refused by its own rules (a
    state it cannot leave, a field it lacks: 400/409/412/422), but not for lack of permission or scope."""
    if expected == "denied":
        return status == 403
    if expected == "hidden":
        return status == 404
    if method.upper() in ("GET", "HEAD"):
        return 200 <= status < 400
    return status not in (401, 403, 404) and status < 500


def _sides(world: World, kind: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The sides an object route is checked on; the peer side holds the service loop's records only."""
    if kind is None:
        return [("own", world.own)]
    sides = [("own", world.own), ("other", world.other)]
    try:
        _kwargs(kind, world.peer)
    except KeyError:
        return sides
    return [*sides, ("peer", world.peer)]


@pytest.mark.parametrize("role", ROLES)
def test_web_routes_for_role(world, role):
    from aftersales.notifications.models import Notification

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[role])
    someone_else = world.users["admin" if role != "admin" else "manager"]
    world.own["notification"] = Notification.objects.create(recipient=world.users[role], subject="mine")
    world.other["notification"] = Notification.objects.create(recipient=someone_else, subject="theirs")
    failures = []
    for name, (perm, kind, method) in WEB.items():
        if name in ("logout", "set_language", "login"):
            continue
        for side, objects in _sides(world, kind):
            if kind == "notification" and side == "peer":
                continue
            url = reverse(name, kwargs=_kwargs(kind, objects)) + WEB_QUERY.get(name, "")
            response = getattr(client, method)(url)
            expected = _expected(role, perm, kind, side, EFFECTIVE.get(name))
            if not _judge(response.status_code, expected, method):
                failures.append(f"{method.upper()} {url} ({name}, {side}): {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_web_routes_need_sign_in(world):
    from aftersales.notifications.models import Notification

    world.own["notification"] = Notification.objects.create(recipient=world.users["agent"], subject="mine")
    client = Client()
    for name, (perm, kind, method) in WEB.items():
        if perm == PUBLIC:
            continue
        url = reverse(name, kwargs=_kwargs(kind, world.own))
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], (name, response.status_code)


def _api_url(path: str, objects: dict[str, Any]) -> tuple[str, str | None]:
    parts = path.strip("/").split("/")
    kind = API_KINDS.get(parts[0]) if len(parts) > 1 and parts[1].startswith("{") else None
    query = API_QUERY.get(path, "").format(equipment=objects["equipment"].pk)
    if kind is None:
        return "/api/v1" + path + query, None
    obj = objects[kind]
    return "/api/v1" + path.replace("{id}", str(obj.pk)).replace("{import_id}", str(obj.pk)) + query, kind


def _account() -> int:
    from aftersales.billing.models import CompanyAccount

    return CompanyAccount.objects.get_or_create(kind="bank", name="基本户", account_number="4200 0001")[0].pk


# Bodies that name the world's own objects where the documented example names ids of the demo data (on SQLite the
# test database reuses small ids, so an example's id may exist by chance; on PostgreSQL it never does).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/service-requests/{id}/triage"): lambda o: {"severity": "important"},
    ("POST", "/contracts"): lambda o: {"customer_id": o["customer"].pk, "title": "年度维保", "start_date": "2026-01-01",
                                       "end_date": "2026-12-31", "equipment_ids": [o["equipment"].pk]},
    ("PATCH", "/contracts/{id}"): lambda o: {"response_hours": 2},
    ("POST", "/bills/{id}/pay"): lambda o: {"account_id": _account(), "method": "bank_transfer", "amount": "1.00",
                                            "received_on": "2026-03-01"},
    ("POST", "/visits/{id}/receipt"): lambda o: {"signer_name": "张经理", "signature": PNG_1PX},
    ("POST", "/service-requests"): lambda o: {"customer_id": o["customer"].pk, "equipment_id": o["equipment"].pk,
                                              "channel": "hotline", "type": "repair", "summary": "冷水机组高压报警"},
    ("POST", "/work-orders"): lambda o: {"request_id": o["request"].pk, "instructions": "带压力表"},
    ("POST", "/sites"): lambda o: {"customer_id": o["customer"].pk, "name": "二号楼", "address": "武汉市洪山区 1 号",
                                   "city_id": o["site"].city_id},
    ("POST", "/contacts"): lambda o: {"customer_id": o["customer"].pk, "site_id": o["site"].pk, "name": "张经理",
                                      "phone": "13800138000"},
    ("POST", "/equipment"): lambda o: {"product_model_id": o["product_model"].pk, "site_id": o["site"].pk,
                                       "serial": "SN-MATRIX-1"},
    ("PATCH", "/contacts/{id}"): lambda o: {"site_id": o["site"].pk, "title": "工程部经理"},
    ("PATCH", "/equipment/{id}"): lambda o: {"site_id": o["site"].pk, "location": "B2 冷冻机房"},
}
MULTIPART = {("POST", "/visits/{id}/photos")}


def _call(client: Any, method: str, path: str, url: str, objects: dict[str, Any], bodies: dict[Any, bytes],
          fallback: dict[str, Any] | None = None) -> Any:
    import json

    if method == "GET":
        return client.get(url)
    if (method, path) in MULTIPART:
        return client.post(url, {"file": _png_upload(), "caption": "现场"})
    body = BODIES.get((method, path))
    data = (json.dumps(body(objects)).encode() if body
            else _rebind(bodies.get((method, path), b"{}"), objects, fallback or objects))
    return client.generic(method, url, data, content_type="application/json")


# A documented example's reference ids, pointed at the side's own objects (or left out where the side has none).
ID_FIELDS: dict[str, Any] = {
    "customer_id": lambda o: o["customer"].pk, "site_id": lambda o: o["site"].pk,
    "equipment_id": lambda o: o["equipment"].pk, "contact_id": lambda o: o["contact"].pk,
    "product_model_id": lambda o: o["product_model"].pk, "request_id": lambda o: o["request"].pk,
    "engineer_id": lambda o: o["work_order"].engineer_id, "part_id": lambda o: o["part"].pk,
    "location_id": lambda o: o["stock_location"].pk, "supplier_id": lambda o: o["supplier"].pk,
    "vendor_id": lambda o: o["supplier"].pk, "account_id": lambda o: _account(),
}


def _rebind(raw: bytes, objects: dict[str, Any], fallback: dict[str, Any]) -> bytes:
    """`fallback`: the own side, for references the side lacks (the peer side has no parts of its own)."""
    import json

    body = json.loads(raw)
    if not isinstance(body, dict):
        return raw
    for key in [k for k in body if k.endswith("_id") and isinstance(body[k], int)]:
        for source in (objects, fallback):
            try:
                body[key] = ID_FIELDS[key](source)
                break
            except KeyError:
                continue
        else:
            del body[key]
    return json.dumps(body).encode()


def _api_judge(response: Any, expected: str, method: str) -> bool:
    """As `_judge`, reading the problem body's code: a denial is `permission_denied`; a write that the role may
    make can still be refused by its own rule with another 403 code (not this step of an approval chain)."""
    code = ""
    if response.get("Content-Type", "").startswith("application/"):
        try:
            body = response.json()
        except ValueError:
            body = None
        code = body.get("code", "") if isinstance(body, dict) else ""
    if expected == "denied":
        return response.status_code == 403 and code == "permission_denied"
    if expected == "ok" and method != "GET" and response.status_code == 403:
        return code not in ("permission_denied", "not_authenticated")
    return _judge(response.status_code, expected, method)


def _examples() -> dict[tuple[str, str], bytes]:
    """Each operation's documented request example (OpenAPI), the body the matrix sends: a well-formed body reaches
    the scope check, so that another's object answers 404 rather than a validation error."""
    import json

    from aftersales.config.api import api

    bodies = {}
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, op in item.items():
            content = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
            example = content.get("example")
            if example is None and content.get("examples"):
                example = next(iter(content["examples"].values())).get("value")
            if example is not None:
                bodies[(method.upper(), path.removeprefix("/api/v1"))] = json.dumps(example).encode()
    return bodies


@pytest.mark.parametrize("role", ROLES)
def test_api_operations_for_role(world, role, api_client):
    client = api_client(world.users[role])
    bodies = _examples()
    failures = []
    for (method, path), perms in API.items():
        if PUBLIC in perms:
            continue
        _, kind = _api_url(path, world.own)
        for side, objects in _sides(world, kind):
            url, kind = _api_url(path, objects)
            response = _call(client, method, path, url, objects, bodies, fallback=world.own)
            expected = API_OVERRIDE.get((method, path, role)) or _expected(role, perms, kind, side,
                                                                           API_EFFECTIVE.get((method, path)))
            if not _api_judge(response, expected, method):
                failures.append(f"{method} {url} ({side}): {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_api_needs_a_token(world, api_client):
    client = api_client(None)
    for (method, path), perms in API.items():
        if PUBLIC in perms:
            continue
        url, _ = _api_url(path, world.own)
        response = client.generic(method, url, b"{}", content_type="application/json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["code"] == "not_authenticated"
