"""Builds the demo company through the real services, each call run at its historical moment (time-machine).

Because every write goes through the services, the demo's numbers, states, audit trails and callbacks are the
ones the product would have produced: a request created ten months ago carries an SR number of its year, an
audit entry dated that day, a signed receipt with a signature file, and a callback with the customer's rating.

The whole build is one transaction: it either loads everything or nothing. A marker row (core.Sequence
`demo_data`) says it was loaded, so `aftersales demo-data --once` does nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import ServiceCenter, Skill
from aftersales.billing import demo as billing_demo
from aftersales.core import services as core
from aftersales.core.models import Region, Sequence
from aftersales.customers import services as customers
from aftersales.customers.models import Contact, Customer, Equipment, ProductModel
from aftersales.feedback import services as feedback
from aftersales.feedback.models import Callback, Complaint
from aftersales.fieldservice import services as fieldwork
from aftersales.fieldservice.models import Visit, WorkOrder
from aftersales.servicedesk import services as desk
from aftersales.servicedesk.models import FaultCategory, ServiceRequest

from . import data
from .signature import scribble_data_url

MARKER = "demo_data"
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# --- the password -------------------------------------------------------------------------------------------

def password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-password"


def demo_password() -> str:
    """AFTERSALES_DEMO_PASSWORD if set; otherwise one generated on first use and kept in var/demo-password."""
    from_env = os.environ.get("AFTERSALES_DEMO_PASSWORD", "").strip()
    if from_env:
        return from_env
    path = password_file()
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    password = "demo-" + secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def is_loaded() -> bool:
    return Sequence.objects.filter(key=MARKER).exists()


@dataclass
class Login:
    username: str
    role: str
    name: str
    region: str
    password_set: bool = True


def logins() -> list[Login]:
    """The demo's sign-ins, in the order a visitor would try them."""
    User = get_user_model()
    order = {name: i for i, (name, *_rest) in enumerate(data.STAFF)}
    users = User.objects.filter(username__in=order).select_related("region")
    rows = [Login(u.username, u.role, u.display_name, u.region.name if u.region else "") for u in users]
    return sorted(rows, key=lambda row: order[row.username])


# --- the plan of the history -----------------------------------------------------------------------------------

# What each historical request ends as. Open states are few and recent; the rest is closed history.
OPEN_SHARES = [("new", 0.03), ("triaged", 0.04), ("dispatched", 0.06), ("in_progress", 0.035),
               ("waiting", 0.02), ("resolved", 0.06), ("reopened", 0.01)]
CLOSED_VARIANTS = [("plain", 40), ("decline", 8), ("reassign", 4), ("follow_up", 6), ("wait", 5), ("taken_back", 3),
                   ("low_sat", 6), ("reopen", 4), ("unreachable", 5), ("inquiry", 6), ("suggestion", 2),
                   ("complaint", 3), ("installation", 3), ("return", 2), ("cancel", 3)]
LONG_VARIANTS = {"follow_up", "wait", "taken_back", "low_sat", "reopen", "return"}
CHANNELS = [("hotline", 55), ("web", 15), ("email", 8), ("field", 12), ("api", 10)]
SEVERITIES = [("general", 60), ("important", 28), ("urgent", 12)]


@dataclass
class Plan:
    ending: str  # closed, or one of the open endings above
    variant: str
    created: dt.datetime
    severity: str
    engineer_hint: str = ""  # username, to make sure `engineer` has work today


@dataclass
class Summary:
    requests: int = 0
    customers: int = 0
    equipment: int = 0
    work_orders: int = 0
    receipts: int = 0
    callbacks: int = 0
    complaints: int = 0
    material: dict[str, int] = field(default_factory=dict)  # money and material: contracts, bills, parts, …
    by_state: dict[str, int] = field(default_factory=dict)
    password: str = ""
    created_users: list[str] = field(default_factory=list)


# Contexts that add to the demo, in order: each may define setup(builder) and after(builder).
DEMO_CONTEXTS = ("inventory", "contracts", "billing", "rma", "returns")


class DemoBuilder:
    """Loads the demo company. `build()` runs in one transaction; see the module docstring."""

    def __init__(self, *, requests: int = 300, seed: int = 20260101, now: dt.datetime | None = None) -> None:
        self.count = max(requests, 0)
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.today = self.now.astimezone(TZ).date()
        self._serials = count(1)
        self._signatures = count(seed)
        self.traveller: Any = None
        self._resolved_seen = 0

    # -- time ---------------------------------------------------------------------------------------------------

    @contextmanager
    def _history(self) -> Iterator[None]:
        with time_machine.travel(self.now - 400 * DAY, tick=False) as traveller:
            self.traveller = traveller
            try:
                yield
            finally:
                self.traveller = None

    def at(self, when: dt.datetime) -> dt.datetime:
        """Move the clock to `when` (never past the real present) and return it."""
        when = min(when, self.now - MINUTE)
        self.traveller.move_to(when)
        return when

    def local(self, day: dt.date, hour: float) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), TZ) + dt.timedelta(hours=hour)

    def office(self, when: dt.datetime) -> dt.datetime:
        """The same moment if it falls in office hours (08:30–20:00), else the next morning's first hours."""
        local = when.astimezone(TZ)
        hour = local.hour + local.minute / 60
        if 8.5 <= hour < 20:
            return when
        day = local.date() + (dt.timedelta(days=1) if hour >= 20 else dt.timedelta(0))
        return self.local(day, self.rng.uniform(8.5, 11))

    def daytime(self, when: dt.datetime) -> dt.datetime:
        """The same moment between 07:00 and 22:00 (engineers go out in the evening to keep a promise), else the
        next morning."""
        local = when.astimezone(TZ)
        if 7 <= local.hour < 22:
            return when
        day = local.date() + (dt.timedelta(days=1) if local.hour >= 22 else dt.timedelta(0))
        return self.local(day, self.rng.uniform(8, 10))

    def working_moment(self, day: dt.date, urgent: bool = False) -> dt.datetime:
        hour = self.rng.uniform(0, 23.9) if urgent and self.rng.random() < 0.4 else self.rng.uniform(8.2, 19.5)
        return self.local(day, hour)

    # -- entry point --------------------------------------------------------------------------------------------

    def build(self) -> Summary:
        summary = Summary(password=demo_password())
        with transaction.atomic():
            from aftersales.sla.defaults import install_default_policies

            install_default_policies()  # the seeds' commitments (a fresh install has them from the migration)
            with self._history():
                self.at(self.now - 340 * DAY)
                self._staff(summary)
                self.at(self.now - 330 * DAY)
                self._reference_data()
                self._customers(summary)
                self._contexts("setup")  # parts, stock, contracts: before the jobs that use them
                for plan in self._plan():
                    self._story(plan)
                self._contexts("after")  # bills, RMAs, returns, recalls: on top of the jobs' history
            Sequence.objects.update_or_create(key=MARKER, defaults={"value": self.count})
        summary.requests = ServiceRequest.objects.count()
        summary.customers = Customer.objects.count()
        summary.equipment = Equipment.objects.count()
        summary.work_orders = WorkOrder.objects.count()
        summary.receipts = Visit.objects.filter(receipt__isnull=False).count()
        summary.callbacks = Callback.objects.filter(satisfaction__isnull=False).count()
        summary.complaints = Complaint.objects.count()
        from aftersales.billing.models import Bill
        from aftersales.contracts.models import Contract
        from aftersales.inventory.models import Part, StockMove
        from aftersales.returns.models import RecallCampaign, ReturnRequest
        from aftersales.rma.models import RmaCase

        summary.material = {"contracts": Contract.objects.count(), "bills": Bill.objects.count(),
                            "parts": Part.objects.count(), "stock moves": StockMove.objects.count(),
                            "RMA cases": RmaCase.objects.count(), "returns": ReturnRequest.objects.count(),
                            "recall campaigns": RecallCampaign.objects.count()}
        for state in ServiceRequest.objects.values_list("state", flat=True):
            summary.by_state[state] = summary.by_state.get(state, 0) + 1
        return summary

    def _contexts(self, phase: str) -> None:
        """Let each money-and-material context add its part of the demo (`aftersales.<context>.demo.<phase>`)."""
        import importlib

        for name in DEMO_CONTEXTS:
            module_name = f"aftersales.{name}.demo"
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            step = getattr(module, phase, None)
            if step is not None:
                step(self)

    # -- people and reference data ------------------------------------------------------------------------------

    def _staff(self, summary: Summary) -> None:
        User = get_user_model()
        hashed = make_password(summary.password)  # hashed once: the hasher is deliberately slow
        center_city = Region.objects.get(code=data.SERVICE_CENTER["city"])
        self.center = ServiceCenter.objects.filter(code=data.SERVICE_CENTER["code"]).first() or core.create(
            ServiceCenter, actor=None, code=data.SERVICE_CENTER["code"], name=data.SERVICE_CENTER["name"],
            city=center_city, phone=data.SERVICE_CENTER["phone"])
        self.skills = {}
        for code, name, name_en in data.SKILLS:
            self.skills[code] = Skill.objects.filter(code=code).first() or core.create(
                Skill, actor=None, code=code, name=name, name_en=name_en)
        self.users: dict[str, Any] = {}
        self.engineer_skills: dict[int, set[str]] = {}
        for username, role, display, region_code, skills, grade, phone in data.STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username, password=hashed, role=role, display_name=display, phone=phone,
                    region=Region.objects.get(code=region_code), service_center=self.center, grade=grade,
                    language="zh-hans", time_zone="Asia/Shanghai", is_staff=role == "admin",
                    is_superuser=role == "admin", email=f"{username}@demo.aftersales.local")
                user.skills.set([self.skills[s] for s in skills])
                summary.created_users.append(username)
            self.users[username] = user
            if user.role == "engineer":
                self.engineer_skills[user.pk] = set(user.skills.values_list("code", flat=True))
        self.engineers = [u for u in self.users.values() if u.role == "engineer"]
        for user in self.engineers:
            user.region = Region.objects.select_related("parent").get(pk=user.region_id)

    def _reference_data(self) -> None:
        admin = self.users["admin"]
        self.faults: dict[str, FaultCategory] = {}

        def walk(nodes: list[Any], parent: FaultCategory | None) -> None:
            for code, name, name_en, children in nodes:
                node = FaultCategory.objects.filter(code=code).first() or desk.fault_category_create(
                    actor=admin, code=code, name=name, name_en=name_en, parent=parent)
                self.faults[code] = node
                walk(children, node)

        walk(data.FAULT_TREE, None)
        self.models: dict[str, ProductModel] = {}
        self.model_kind: dict[int, tuple[str, str]] = {}
        for code, name, category, maker, months, kind, skill in data.PRODUCT_MODELS:
            model = ProductModel.objects.filter(code=code).first()
            if model is None:
                model = customers.product_model_create(actor=admin, code=code, name=name, category=category,
                                                       manufacturer=maker, warranty_months=months)
                model.skills.add(self.skills[skill])
            self.models[code] = model
            self.model_kind[model.pk] = (kind, skill)

    def _customers(self, summary: Summary) -> None:
        agent = self.users["agent"]
        self.units: list[Equipment] = []
        self.contacts: dict[int, list[Contact]] = {}
        self.customer_list: list[Customer] = []
        for spec in data.CUSTOMERS:
            self.at(self.now - self.rng.uniform(300, 330) * DAY)
            customer = customers.customer_create(actor=agent, name=spec["name"], kind=spec["kind"],
                                                 code=spec.get("code"), phone=spec["phone"],
                                                 notes=spec.get("notes", ""),
                                                 language=spec.get("language", "zh-hans"))
            self.customer_list.append(customer)
            sites = []
            for site_spec in spec["sites"]:
                site = customers.site_create(actor=agent, customer=customer, name=site_spec["name"],
                                             address=site_spec["address"],
                                             city=Region.objects.get(code=site_spec["city"]))
                sites.append(site)
                for model_code, number, where in site_spec["equipment"]:
                    for n in range(1, number + 1):
                        self.units.append(self._unit(agent, self.models[model_code], site, where.format(n=n)))
            for name, title, phone, site_index, primary in spec["contacts"]:
                contact = customers.contact_create(actor=agent, customer=customer, name=name, title=title,
                                                   phone=phone, site=sites[site_index], is_primary=primary)
                self.contacts.setdefault(customer.pk, []).append(contact)

    def _unit(self, actor: Any, model: ProductModel, site: Any, location: str) -> Equipment:
        commissioned = self.today - dt.timedelta(days=self.rng.randint(40, 6 * 365))
        installed = commissioned - dt.timedelta(days=self.rng.randint(5, 30))
        prefix = "".join(ch for ch in model.code if ch.isalpha())[:2].upper()
        serial = f"{prefix}{commissioned:%y%m}{next(self._serials):04d}"
        return customers.equipment_create(actor=actor, product_model=model, serial=serial, site=site,
                                          location=location, install_date=installed,
                                          commissioning_date=commissioned)

    # -- the plan ------------------------------------------------------------------------------------------------

    def _pick(self, weighted: list[tuple[str, int]]) -> str:
        return self.rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]

    def _plan(self) -> list[Plan]:
        total = self.count
        endings: list[str] = []
        if total >= len(OPEN_SHARES) + 1:
            for ending, share in OPEN_SHARES:
                endings += [ending] * max(1, round(total * share))
        endings += ["closed"] * (total - len(endings))
        endings = endings[:total]
        # Every kind of closed history appears at least once, then by weight.
        must = [v for v, _ in CLOSED_VARIANTS]
        severities = ["urgent", "important", "general"]  # each appears in closed history, then by weight
        plans: list[Plan] = []
        hints = {"dispatched": ["engineer", "engineer"], "in_progress": ["engineer"]}
        for ending in endings:
            severity = severities.pop() if ending == "closed" and severities else self._pick(SEVERITIES)
            if ending == "closed":
                variant = must.pop(0) if must else self._pick(CLOSED_VARIANTS)
                oldest = 300 if variant not in LONG_VARIANTS else 290
                newest = 25 if variant in LONG_VARIANTS else 5
                day = self.today - dt.timedelta(days=self.rng.randint(newest, oldest))
                created = self.working_moment(day, urgent=severity == "urgent")
            else:
                variant = ending
                created = self._open_created(ending, severity)
            hint = hints[ending].pop() if hints.get(ending) else ""
            plans.append(Plan(ending, variant, created, severity, hint))
        plans.sort(key=lambda p: p.created)
        return plans

    def _open_created(self, ending: str, severity: str) -> dt.datetime:
        """How long ago an open request came in: as in a department that keeps most of its promises, the work
        in hand is young next to its clocks (triage 1 h; on site 1 h urgent, 6–24 h otherwise), with the odd
        one running late so that the red badges have something to show."""
        ago = {
            "new": (0.05, 1.3), "triaged": (0.2, 0.7) if severity == "urgent" else (0.3, 4),
            "dispatched": (0.2, 0.6) if severity == "urgent" else (0.5, 4), "in_progress": (1.5, 5),
            "waiting": (72, 240), "resolved": (6, 40), "reopened": (240, 480),
        }[ending]
        return self.now - dt.timedelta(hours=self.rng.uniform(*ago))

    def _on_site_due(self, sr: ServiceRequest) -> dt.datetime | None:
        """The deadline of the request's running on-site clock, as the SLA engine computed it."""
        from aftersales.sla.models import SlaClock

        return (SlaClock.objects.filter(request=sr, kind="on_site", state="running")
                .values_list("due_at", flat=True).first())

    # -- one request's story ------------------------------------------------------------------------------------

    def _story(self, plan: Plan) -> None:
        self._story_steps(plan)
        if plan.severity == "important" and plan.ending in ("triaged", "dispatched", "in_progress", "waiting"):
            self._progress_reports(plan)

    def _progress_reports(self, plan: Plan) -> None:
        """Important problems get a progress report every 2 hours until solved: the last few hours' reports."""
        from aftersales.sla.services import progress_report_record

        sr = self._last_request
        sr.refresh_from_db()
        t = max(timezone.now(), self.now - 6 * HOUR)
        while True:
            t += self.rng.uniform(1.3, 1.8) * HOUR
            if t >= self.now - 5 * MINUTE:
                return
            self.at(t)
            progress_report_record(request=sr, actor=self.users["dispatcher"],
                                   text=self.rng.choice(data.PROGRESS_NOTES))

    def _story_steps(self, plan: Plan) -> None:
        t = self.at(plan.created)
        kind = plan.variant
        if kind in ("inquiry", "suggestion", "complaint"):
            self._talk_story(plan, kind, t)
            return
        unit = self._unit_for(plan)
        repair_kind, _skill = self.model_kind[unit.product_model_id]
        if kind == "installation":
            story, rtype = self.rng.choice(data.INSTALLATIONS), "installation"
        elif kind == "return":
            story, rtype = self.rng.choice(data.RETURNS), "return"
        else:
            story, rtype = self.rng.choice(data.REPAIRS[repair_kind]), "repair"
        sr = self._create(plan, unit, story, rtype)
        if plan.ending == "new":
            return
        if kind == "cancel":
            t = self.at(t + self.rng.uniform(10, 60) * MINUTE)
            desk.request_cancel(actor=self.users["agent"], request=sr, reason=self.rng.choice(data.CANCEL_REASONS))
            return
        t = self._triage(sr, plan, story, t)
        if plan.ending == "triaged":
            if self.rng.random() < 0.6:
                t = self.at(t + self.rng.uniform(5, 30) * MINUTE)
                fieldwork.work_order_create(actor=self.users["dispatcher"], request=sr,
                                        required_skill=self.skills[self.model_kind[unit.product_model_id][1]],
                                        instructions=story["summary"])
            return
        if plan.ending == "reopened":
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="fixed")
            t = self._callback(sr, t, satisfaction=self.rng.choice([4, 5]))
            t = self.at(max(t + HOUR, self.now - self.rng.uniform(0.3, 3) * HOUR))  # the customer called again today
            desk.request_reopen(actor=self.users["agent"], request=sr, reason=self.rng.choice(data.REOPEN_REASONS))
            return
        if plan.ending == "dispatched":
            self._dispatch_today(sr, plan, unit, story, t)
            return
        if plan.ending == "in_progress":
            if plan.engineer_hint or self.rng.random() < 0.5:
                self._on_site_now(sr, plan, unit, story, t)
            else:
                self._visit_cycle(sr, plan, unit, story, t, outcome="follow_up")
            return
        if plan.ending == "waiting":
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="follow_up")
            t = self.at(t + self.rng.uniform(1, 6) * HOUR)
            desk.request_wait(actor=self.users["dispatcher"], request=sr, reason=self.rng.choice(data.WAIT_REASONS))
            return
        # From here the request is resolved at least once.
        if kind in ("follow_up", "wait"):
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="follow_up")
            if kind == "wait":
                t = self.at(t + self.rng.uniform(1, 4) * HOUR)
                desk.request_wait(actor=self.users["dispatcher"], request=sr,
                                  reason=self.rng.choice(data.WAIT_REASONS))
                t = self.at(t + self.rng.uniform(1, 5) * DAY)
                desk.request_resume(actor=self.users["dispatcher"], request=sr, reason=data.RESUME_NOTE)
            t = self._visit_cycle(sr, plan, unit, story, t + self.rng.uniform(1, 4) * DAY, outcome="fixed")
        elif kind in ("taken_back", "return"):
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="taken_back")
            t = self.at(t + self.rng.uniform(6, 14) * DAY)
            desk.request_resolve(actor=self.users["agent"], request=sr,
                                 resolution=data.RETURN_RESOLUTION)
        else:
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="fixed",
                                  decline=kind == "decline", reassign=kind == "reassign")
        if plan.ending == "resolved":
            luck = self.rng.random()
            self._resolved_seen += 1
            if self._resolved_seen == 1:
                pass  # the first stays in the agent's callback queue
            elif luck < 0.12:  # a fresh complaint on the manager's desk
                t = self._callback(sr, t, satisfaction=self.rng.choice([1, 2]))
                self._complaint_handled(sr, t, close=False)
            elif luck < 0.4:
                self._callback(sr, t, satisfaction=self.rng.choice([4, 5, 5]))
            return
        if kind == "low_sat":
            t = self._callback(sr, t, satisfaction=self.rng.choice([1, 2]))
            t = self._complaint_handled(sr, t)
        elif kind == "unreachable":
            t = self._callback(sr, t, satisfaction=self._satisfaction(), unreachable_first=True)
        elif kind == "reopen":
            t = self._callback(sr, t, satisfaction=self._satisfaction(low=False))
            t = self.at(self.office(t + self.rng.uniform(0.5, 4) * DAY))
            desk.request_close(actor=self.users["agent"], request=sr)
            t = self.at(self.office(t + self.rng.uniform(2, 15) * DAY))
            desk.request_reopen(actor=self.users["agent"], request=sr, reason=self.rng.choice(data.REOPEN_REASONS))
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="fixed", senior=True)
            t = self._callback(sr, t, satisfaction=self.rng.choice([4, 5]))
        else:
            t = self._callback(sr, t, satisfaction=self._satisfaction(low=False))
        if sr.state == "triaged":  # AFTERSALES_LOW_SATISFACTION_ACTION=reopen: a low rating sent it back; redo it
            t = self._visit_cycle(sr, plan, unit, story, t, outcome="fixed", senior=True)
            t = self._callback(sr, t, satisfaction=self.rng.choice([4, 5]))
        t = self.at(self.office(t + self.rng.uniform(0.1, 3) * DAY))
        desk.request_close(actor=self.users["agent"], request=sr)

    def _unit_for(self, plan: Plan) -> Equipment:
        if plan.engineer_hint:  # `engineer` works on chillers, controls and power in Wuhan
            choices = [u for u in self.units if u.site.city.code == "420100"
                       and self.model_kind[u.product_model_id][1] in ("hvac", "electrical")]
            return self.rng.choice(choices)
        if plan.variant == "return":
            return self.rng.choice([u for u in self.units if self.model_kind[u.product_model_id][0]
                                    in ("engine", "chiller")])
        if plan.variant == "installation":
            return self.rng.choice([u for u in self.units if self.model_kind[u.product_model_id][0]
                                    in ("tower", "ups")])
        return self.rng.choice(self.units)

    def _create(self, plan: Plan, unit: Equipment | None, story: dict[str, Any], rtype: str,
                customer: Customer | None = None) -> ServiceRequest:
        channel = self._pick(CHANNELS)
        creator = self.users["dispatcher"] if channel == "field" else self.users[self.rng.choice(["agent", "agent2"])]
        customer = customer or unit.customer  # type: ignore[union-attr]
        people = self.contacts.get(customer.pk, [])
        if unit is not None:
            people = [c for c in people if c.site_id == unit.site_id] or people
        contact = self.rng.choice(people) if people else None
        self._last_request = desk.request_create(
            actor=creator, customer=customer, channel=channel, type=rtype, equipment=unit, contact=contact,
            summary=story["summary"], symptom=story["symptom"], usage_scenario=story.get("usage", ""))
        return self._last_request

    def _triage(self, sr: ServiceRequest, plan: Plan, story: dict[str, Any], t: dt.datetime) -> dt.datetime:
        t = self.at(t + self.rng.uniform(3, {"general": 45, "important": 20}.get(plan.severity, 8)) * MINUTE)
        who = self.users["lead"] if sr.province_id and sr.province.code == "420000" and self.rng.random() < 0.15 \
            else self.users["dispatcher"]
        desk.request_triage(actor=who, request=sr, severity=plan.severity,
                            fault_category=self.faults.get(story.get("fault", "")))
        # Most customers hear from us soon after triage; the first-contact clock stops then (some are missed).
        if self.rng.random() < 0.9:
            t = self.at(t + self.rng.uniform(2, 15 if plan.severity != "urgent" else 5) * MINUTE)
            desk.request_record_contact(actor=self.users["agent"], request=sr)
        return t

    def _engineer_for(self, unit: Equipment, exclude: Any = None, senior: bool = False) -> Any:
        skill = self.model_kind[unit.product_model_id][1]
        city = unit.site.city
        pool = [e for e in self.engineers if e != exclude and skill in self.engineer_skills[e.pk]] or \
            [e for e in self.engineers if e != exclude]
        if senior:
            pool = sorted(pool, key=lambda e: -e.grade)[:2]

        def weight(e: Any) -> float:
            if e.region_id == city.pk:
                return 6
            if e.region.parent_id == city.parent_id:
                return 3
            return 0.5

        return self.rng.choices(pool, weights=[weight(e) for e in pool])[0]

    def _appointment(self, sr: ServiceRequest, severity: str, t: dt.datetime) -> dt.datetime:
        """When the engineer is booked: before the on-site deadline in most cases (nine in ten), in office hours
        unless urgent; late otherwise, as happens."""
        due = self._on_site_due(sr)
        if due is not None and due - t > 20 * MINUTE:
            if self.rng.random() < 0.9:  # booked so that he arrives (up to 20 min late on it) in time
                start = t + 5 * MINUTE + self.rng.uniform(0.1, 0.9) * (due - t - 30 * MINUTE)
                if severity != "urgent":
                    start = self.daytime(start)
            else:
                start = due + self.rng.uniform(0.3, 3) * HOUR
            if start <= self.now - 4 * HOUR:
                return start
        if severity == "urgent":
            start = t + self.rng.uniform(1.5, 4) * HOUR
        elif severity == "important":
            start = t + self.rng.uniform(3, 8) * HOUR
        else:
            day = t.astimezone(TZ).date() + dt.timedelta(days=self.rng.randint(1, 2))
            start = self.local(day, self.rng.choice([9, 9.5, 10, 13.5, 14, 15]))
        if start > self.now - 4 * HOUR:  # recent work: the visit must already have happened
            start = t + self.rng.uniform(0.5, 2) * HOUR
        return start if severity == "urgent" else self.office(start)

    def _assign(self, sr: ServiceRequest, plan: Plan, unit: Equipment, story: dict[str, Any], t: dt.datetime, *,
                decline: bool = False, reassign: bool = False, senior: bool = False,
                engineer: Any = None, quote_waits: bool = False) -> tuple[WorkOrder, Any, dt.datetime]:
        """Create a work order, assign it (maybe declined first, or reassigned), and have it accepted."""
        dispatcher = self.users["dispatcher"]
        hurry = 0.2 if plan.severity == "urgent" else 1  # an emergency is dispatched and taken at once
        t = self.at(t + self.rng.uniform(5, 30) * hurry * MINUTE)
        start = self._appointment(sr, plan.severity, t)
        wo = fieldwork.work_order_create(actor=dispatcher, request=sr, instructions=story["summary"],
                                     required_skill=self.skills[self.model_kind[unit.product_model_id][1]])
        engineer = engineer or self._engineer_for(unit, senior=senior)
        t = self.at(t + self.rng.uniform(1, 15) * hurry * MINUTE)
        note = self.rng.choice(data.APPOINTMENT_NOTES)
        fieldwork.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer, appointment_start=start,
                                appointment_end=start + 2 * HOUR, appointment_note=note)
        if decline:
            t = self.at(t + self.rng.uniform(5, 40) * MINUTE)
            fieldwork.work_order_decline(actor=engineer, work_order=wo, reason=self.rng.choice(data.DECLINE_REASONS))
            engineer = self._engineer_for(unit, exclude=engineer)
            t = self.at(t + self.rng.uniform(5, 20) * MINUTE)
            fieldwork.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer, appointment_start=start,
                                    appointment_end=start + 2 * HOUR, appointment_note=note)
        t = self.at(t + self.rng.uniform(3, 30) * hurry * MINUTE)
        fieldwork.work_order_accept(actor=engineer, work_order=wo)
        if reassign:
            t = self.at(t + self.rng.uniform(20, 90) * MINUTE)
            engineer = self._engineer_for(unit, exclude=engineer)
            fieldwork.work_order_reassign(actor=dispatcher, work_order=wo, engineer=engineer,
                                      reason=self.rng.choice(data.REASSIGN_REASONS))
            t = self.at(t + self.rng.uniform(3, 20) * MINUTE)
            fieldwork.work_order_accept(actor=engineer, work_order=wo)
        # A paid (class A) job needs the customer's approved quote before the work is recorded; a job the engineer
        # is on right now keeps its quote open, waiting for the customer's signature on his phone.
        billing_demo.before_work(self, wo, engineer, approve=not quote_waits)
        return wo, engineer, max(t, start - self.rng.uniform(0, 20) * MINUTE)

    def _visit_cycle(self, sr: ServiceRequest, plan: Plan, unit: Equipment, story: dict[str, Any], t: dt.datetime,
                     *, outcome: str, decline: bool = False, reassign: bool = False,
                     senior: bool = False) -> dt.datetime:
        """One work order from creation to completion: visit, findings, parts, signature."""
        wo, engineer, t = self._assign(sr, plan, unit, story, t, decline=decline, reassign=reassign, senior=senior)
        t = self.at(t + self.rng.uniform(-10, 20) * MINUTE)
        visit = fieldwork.visit_arrive(actor=engineer, work_order=wo)
        t = self.at(t + self.rng.uniform(40, 200) * MINUTE)
        values: dict[str, Any] = {"diagnosis": story.get("diagnosis", ""), "fault_cause": story.get("cause", ""),
                                  "outcome": outcome}
        if outcome == "fixed":
            values["actions_taken"] = story.get("actions", "")
        elif outcome == "follow_up":
            values["actions_taken"] = self.rng.choice(data.FOLLOW_UP_NOTES)
        else:
            item, serial, condition = story.get("takeback") or data.TAKEBACK_DEFAULT
            values.update(actions_taken=data.TAKEBACK_ACTION, takeback_item=item,
                          takeback_serial=serial.format(serial=unit.serial), takeback_condition=condition)
        parts = [{"description": d, "quantity": q, "unit": u} for d, q, u in story.get("parts", [])]
        fieldwork.visit_record(actor=engineer, visit=visit, values=values,
                           parts=parts if outcome == "fixed" else None)
        if self.rng.random() < 0.3:  # the fault as found, photographed before the repair
            self._photo(engineer, visit, story, t - self.rng.uniform(10, 30) * MINUTE)
        t = self.at(t + self.rng.uniform(2, 8) * MINUTE)
        signer = sr.contact_name or sr.customer.name
        fieldwork.receipt_sign(actor=engineer, visit=visit, signer_name=signer,
                           signature_data_url=scribble_data_url(next(self._signatures)),
                           customer_comment=self.rng.choice(data.RECEIPT_COMMENTS))
        t = self.at(t + self.rng.uniform(3, 15) * MINUTE)
        fieldwork.visit_depart(actor=engineer, visit=visit)
        t = self.at(t + self.rng.uniform(1, 20) * MINUTE)
        fieldwork.work_order_complete(actor=engineer, work_order=wo)
        sr.refresh_from_db()  # completing may have resolved it through another instance
        return t

    def _photo(self, engineer: Any, visit: Any, story: dict[str, Any], taken: dt.datetime) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .photo import site_photo

        jpeg = site_photo(self.rng.randrange(1 << 30), taken.astimezone(TZ))
        caption = story.get("photo") or story["summary"]
        fieldwork.visit_add_photo(actor=engineer, visit=visit, caption=caption,
                                  upload=SimpleUploadedFile("IMG.jpg", jpeg, content_type="image/jpeg"))

    def _dispatch_today(self, sr: ServiceRequest, plan: Plan, unit: Equipment, story: dict[str, Any],
                        t: dt.datetime) -> None:
        """Work booked for today or tomorrow: assigned, maybe accepted, nobody on site yet."""
        dispatcher = self.users["dispatcher"]
        t = self.at(t + self.rng.uniform(5, 30) * MINUTE)
        wo = fieldwork.work_order_create(actor=dispatcher, request=sr, instructions=story["summary"],
                                     required_skill=self.skills[self.model_kind[unit.product_model_id][1]])
        engineer = self.users[plan.engineer_hint] if plan.engineer_hint else self._engineer_for(unit)
        due = self._on_site_due(sr)
        soonest = self.now + self.rng.uniform(0.2, 1) * HOUR
        if due is not None and due - soonest > 0.5 * HOUR:  # booked before the deadline
            start = soonest + self.rng.uniform(0, 0.8) * (due - soonest - 0.3 * HOUR)
        else:  # the deadline is near or gone: the next slot
            start = soonest
        if plan.severity != "urgent":
            start = self.office(start)
        t = self.at(t + self.rng.uniform(1, 15) * MINUTE)
        fieldwork.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer, appointment_start=start,
                                appointment_end=start + 2 * HOUR,
                                appointment_note=self.rng.choice(data.APPOINTMENT_NOTES))
        if self.rng.random() < 0.6:
            self.at(t + self.rng.uniform(3, 30) * MINUTE)
            fieldwork.work_order_accept(actor=engineer, work_order=wo)

    def _on_site_now(self, sr: ServiceRequest, plan: Plan, unit: Equipment, story: dict[str, Any],
                     t: dt.datetime) -> None:
        """The engineer arrived within the last hours and is still on site."""
        engineer = self.users[plan.engineer_hint] if plan.engineer_hint else None
        due = self._on_site_due(sr)
        wo, engineer, t = self._assign(sr, plan, unit, story, t, engineer=engineer, quote_waits=True)
        arrival = self.now - self.rng.uniform(0.3, 2.5) * HOUR
        if due is not None and arrival > due:  # he made it in time
            arrival = max(t + 10 * MINUTE, due - self.rng.uniform(5, 25) * MINUTE)
        self.at(max(arrival, t + 5 * MINUTE))
        visit = fieldwork.visit_arrive(actor=engineer, work_order=wo)
        if self.rng.random() < 0.6:
            self.at(self.now - 5 * MINUTE)
            fieldwork.visit_record(actor=engineer, visit=visit, values={"diagnosis": story.get("diagnosis", "")})

    def _talk_story(self, plan: Plan, kind: str, t: dt.datetime) -> None:
        """Inquiries, suggestions and complaints: answered by the office, no visit."""
        story = self.rng.choice(data.OTHER_REQUESTS[kind])
        customer = self.rng.choice(self.customer_list)
        sr = self._create(plan, None, story, kind, customer=customer)
        t = self._triage(sr, plan, story, t)
        resolver = self.users["agent"]
        if kind == "complaint":
            manager = self.users["manager"]
            t = self.at(t + self.rng.uniform(10, 60) * MINUTE)
            complaint = feedback.complaint_open(actor=manager, customer=customer, request=sr,
                                                description=story["symptom"])
            t = self.at(t + self.rng.uniform(1, 6) * HOUR)
            feedback.complaint_transition(actor=manager, complaint=complaint, action="investigate")
            t = self.at(t + self.rng.uniform(0.5, 2) * DAY)
            feedback.complaint_transition(actor=manager, complaint=complaint, action="answer",
                                          answer=story["resolution"])
            resolver = manager
        t = self.at(t + self.rng.uniform(0.3, 6) * HOUR)
        desk.request_resolve(actor=resolver, request=sr, resolution=story["resolution"])
        t = self._callback(sr, t, satisfaction=self._satisfaction(low=False))
        t = self.at(self.office(t + self.rng.uniform(0.1, 2) * DAY))
        desk.request_close(actor=self.users["agent"], request=sr)
        if kind == "complaint":
            complaint = Complaint.objects.get(request=sr, callback__isnull=True)
            feedback.complaint_transition(actor=self.users["manager"], complaint=complaint, action="close")

    def _satisfaction(self, low: bool = True) -> int:
        weights = [(5, 55), (4, 30), (3, 7)] + ([(2, 5), (1, 3)] if low else [])
        return int(self._pick([(str(s), w) for s, w in weights]))

    def _callback(self, sr: ServiceRequest, t: dt.datetime, *, satisfaction: int,
                  unreachable_first: bool = False) -> dt.datetime:
        callback = Callback.objects.filter(request=sr, state="pending").order_by("-id").first()
        if callback is None:
            return t
        agent = self.users[self.rng.choice(["agent", "agent2"])]
        t = self.at(self.office(t + self.rng.uniform(2, 26) * HOUR))
        if unreachable_first:
            feedback.callback_record(actor=agent, callback=callback, result="unreachable", comment=data.UNREACHABLE_NOTE)
            t = self.at(self.office(t + self.rng.uniform(3, 24) * HOUR))
        comment = self.rng.choice(data.CALLBACK_COMMENTS[satisfaction])
        feedback.callback_record(actor=agent, callback=callback, result="reached", satisfaction=satisfaction,
                                 comment=comment, method=self.rng.choice(["phone", "phone", "phone", "visit"]))
        sr.refresh_from_db()  # a low rating may have reopened it
        return t

    def _complaint_handled(self, sr: ServiceRequest, t: dt.datetime, close: bool = True) -> dt.datetime:
        """A low rating opened a complaint: the manager investigates, answers and closes it."""
        manager = self.users["manager"]
        complaint = Complaint.objects.filter(request=sr).order_by("-id").first()
        if complaint is None:  # configured to reopen instead: the request is back in triage; work it again
            return t
        t = self.at(self.office(t + self.rng.uniform(0.5, 4) * HOUR))
        feedback.complaint_transition(actor=manager, complaint=complaint, action="investigate")
        if not close:
            return t
        t = self.at(self.office(t + self.rng.uniform(0.5, 3) * DAY))
        feedback.complaint_transition(actor=manager, complaint=complaint, action="answer",
                                      answer=self.rng.choice(data.COMPLAINT_ANSWERS))
        t = self.at(self.office(t + self.rng.uniform(1, 3) * DAY))
        feedback.complaint_transition(actor=manager, complaint=complaint, action="close")
        return t


__all__ = ["DemoBuilder", "Summary", "Login", "demo_password", "is_loaded", "logins", "password_file"]
