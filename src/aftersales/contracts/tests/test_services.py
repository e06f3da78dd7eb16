"""Warranty, contracts, service class and the daily contract check, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from aftersales.contracts import selectors, services
from aftersales.contracts.choices import ContractState, ServiceClass
from aftersales.contracts.models import Contract
from aftersales.core.errors import InvalidTransition, PermissionDenied, StaleVersion
from aftersales.core.models import AuditEntry
from aftersales.core.testing import (
    PNG_1PX,
    make_customer,
    make_equipment,
    make_model,
    make_request,
    make_user,
)
from aftersales.notifications.models import OutboxMessage

from .factories import make_contract

TODAY = timezone.localdate


@pytest.fixture
def manager(db):
    return make_user("manager")


def old_unit(**kw):
    """A unit whose warranty is long over."""
    return make_equipment(commissioning_date=TODAY() - dt.timedelta(days=1500), **kw)


# -- warranty ------------------------------------------------------------------------------------------------------

def test_warranty_defaults_from_the_model_and_commissioning(db):
    model = make_model(warranty_months=18)
    unit = make_equipment(product_model=model, commissioning_date=dt.date(2026, 1, 15))
    assert unit.warranty_start == dt.date(2026, 1, 15)
    assert unit.warranty_end == dt.date(2027, 7, 14)
    cover = selectors.coverage(unit, on=dt.date(2027, 7, 14))
    assert cover.in_warranty and cover.service_class == ServiceClass.WARRANTY and cover.contracts == []
    assert selectors.coverage(unit, on=dt.date(2027, 7, 15)).warranty_status == "expired"


def test_warranty_set_per_unit_wins(db):
    unit = make_equipment(commissioning_date=dt.date(2026, 1, 1), warranty_start=dt.date(2026, 1, 1),
                          warranty_end=dt.date(2031, 12, 31))
    assert selectors.coverage(unit, on=dt.date(2030, 6, 1)).in_warranty


def test_coverage_lists_active_contracts_on_the_day(manager):
    unit = old_unit()
    contract = make_contract(equipment=[unit], actor=manager, start=TODAY() - dt.timedelta(days=10),
                             end=TODAY() + dt.timedelta(days=10))
    cover = selectors.coverage(unit)
    assert cover.contracts == [contract] and cover.service_class == ServiceClass.CONTRACT
    assert selectors.coverage(unit, on=TODAY() + dt.timedelta(days=11)).contracts == []
    draft = make_contract(equipment=[old_unit()], actor=manager, active=False)
    assert selectors.coverage(draft.equipment.get()).contracts == []


# -- contracts -----------------------------------------------------------------------------------------------------

def test_create_draft_with_number_money_and_coverage(manager):
    unit = old_unit()
    contract = services.contract_create(actor=manager, customer=unit.customer, title="年度维保",
                                        start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31),
                                        equipment=[unit], price="12345.675", currency="cny", response_hours=4)
    assert contract.state == ContractState.DRAFT
    assert contract.number.startswith(f"CT-{TODAY().year}-")
    contract.refresh_from_db()
    assert contract.price == Decimal("12345.68") and contract.currency == "CNY"
    assert list(contract.equipment.all()) == [unit]
    assert AuditEntry.objects.filter(object_id=contract.pk, verb="coverage_changed").exists()


@pytest.mark.parametrize(("values", "code"), [
    ({"end_date": dt.date(2025, 12, 31)}, "contract_period_invalid"),
    ({"price": Decimal("-1")}, "contract_price_invalid"),
    ({"price": 1.5}, "contract_price_invalid"),
    ({"price": "abc"}, "contract_price_invalid"),
    ({"currency": "XXX"}, "contract_price_invalid"),
    ({"response_hours": 0}, "contract_hours_invalid"),
    ({"resolution_hours": 10_000}, "contract_hours_invalid"),
    ({"included_visits_per_year": -1}, "contract_visits_invalid"),
    ({"title": "  "}, "title_required"),
])
def test_bad_contract_input_is_refused_and_nothing_saved(manager, values, code):
    unit = old_unit()
    args = {"title": "维保", "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 12, 31), **values}
    with pytest.raises(Exception) as exc:
        services.contract_create(actor=manager, customer=unit.customer, equipment=[unit], **args)
    assert getattr(exc.value, "code", None) == code
    assert not Contract.objects.exists()


def test_only_the_customers_own_units(manager):
    mine, theirs = old_unit(), old_unit()
    with pytest.raises(Exception) as exc:
        services.contract_create(actor=manager, customer=mine.customer, title="x", start_date=TODAY(),
                                 end_date=TODAY(), equipment=[mine, theirs])
    assert exc.value.code == "equipment_not_of_customer"
    assert not Contract.objects.exists()
    contract = make_contract(equipment=[mine], actor=manager, active=False)
    with pytest.raises(Exception) as exc:
        services.contract_update(actor=manager, contract=contract, values={}, equipment=[theirs])
    assert exc.value.code == "equipment_not_of_customer"
    assert list(contract.equipment.all()) == [mine]


def test_roles_without_edit_contracts_are_refused(db):
    unit = old_unit()
    for role in ("agent", "engineer", "finance", "lead"):
        with pytest.raises(PermissionDenied):
            services.contract_create(actor=make_user(role), customer=unit.customer, title="x", start_date=TODAY(),
                                     end_date=TODAY(), equipment=[unit])
    assert not Contract.objects.exists()


def test_activation_rules(manager):
    unit = old_unit()
    empty = services.contract_create(actor=manager, customer=unit.customer, title="空", start_date=TODAY(),
                                     end_date=TODAY() + dt.timedelta(days=30))
    with pytest.raises(Exception) as exc:
        services.contract_activate(actor=manager, contract=empty)
    assert exc.value.code == "contract_has_no_equipment"
    ended = make_contract(equipment=[unit], actor=manager, active=False, start=TODAY() - dt.timedelta(days=60),
                          end=TODAY() - dt.timedelta(days=1))
    with pytest.raises(Exception) as exc:
        services.contract_activate(actor=manager, contract=ended)
    assert exc.value.code == "contract_already_ended"
    first = make_contract(equipment=[unit], actor=manager)
    overlapping = make_contract(equipment=[unit], actor=manager, active=False)
    with pytest.raises(Exception) as exc:
        services.contract_activate(actor=manager, contract=overlapping)
    assert exc.value.code == "equipment_already_covered" and first.number in str(exc.value)
    overlapping.refresh_from_db()
    assert overlapping.state == ContractState.DRAFT
    with pytest.raises(InvalidTransition):
        services.contract_activate(actor=manager, contract=first)


def test_stale_version_refused(manager):
    contract = make_contract(actor=manager, active=False)
    with pytest.raises(StaleVersion):
        services.contract_update(actor=manager, contract=contract, values={"title": "新"},
                                 expected_version=contract.version - 1 or 99)


def test_terminate_needs_a_reason_and_closes_the_contract(manager):
    contract = make_contract(actor=manager)
    with pytest.raises(Exception) as exc:
        services.contract_terminate(actor=manager, contract=contract, reason="  ")
    assert exc.value.code == "reason_required"
    services.contract_terminate(actor=manager, contract=contract, reason="客户设备已报废")
    contract.refresh_from_db()
    assert contract.state == ContractState.TERMINATED and contract.termination_reason == "客户设备已报废"
    assert AuditEntry.objects.filter(object_id=contract.pk, action="transition", reason="客户设备已报废").exists()
    with pytest.raises(Exception) as exc:
        services.contract_update(actor=manager, contract=contract, values={"title": "x"})
    assert exc.value.code == "contract_closed"
    with pytest.raises(InvalidTransition):
        services.contract_activate(actor=manager, contract=contract)


def test_renew_creates_the_next_period_as_a_draft_copying_coverage(manager):
    units = [old_unit()]
    units.append(make_equipment(site=units[0].site, commissioning_date=TODAY() - dt.timedelta(days=1500)))
    contract = make_contract(equipment=units, actor=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                             response_hours=4, resolution_hours=24, covers_parts=True)
    renewal = services.contract_renew(actor=manager, contract=contract)
    assert renewal.state == ContractState.DRAFT and renewal.renewed_from == contract
    assert (renewal.start_date, renewal.end_date) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert set(renewal.equipment.all()) == set(units)
    assert (renewal.response_hours, renewal.resolution_hours, renewal.covers_parts, renewal.price) == (
        4, 24, True, contract.price)
    with pytest.raises(Exception) as exc:
        services.contract_renew(actor=manager, contract=contract)
    assert exc.value.code == "already_renewed"
    with pytest.raises(Exception) as exc:
        services.contract_renew(actor=manager, contract=renewal)
    assert exc.value.code == "not_renewable"
    # The renewal does not overlap: it can be activated beside the running contract.
    services.contract_activate(actor=manager, contract=renewal)


def test_next_period_of_odd_lengths():
    c = Contract(start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 8, 31))
    assert services.next_period(c) == (dt.date(2026, 9, 1), dt.date(2027, 2, 28))
    c = Contract(start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 10))
    assert services.next_period(c) == (dt.date(2026, 3, 11), dt.date(2026, 3, 20))


# -- service class -------------------------------------------------------------------------------------------------

def _work_order(unit=None, customer=None):
    from aftersales.fieldservice import services as fs
    from aftersales.servicedesk import services as desk

    request = make_request(equipment=unit, customer=customer)
    desk.request_triage(actor=make_user("dispatcher"), request=request, severity="general")
    return fs.work_order_create(actor=make_user("dispatcher"), request=request)


def test_class_derived_when_the_work_order_is_created(manager):
    covered = old_unit()
    contract = make_contract(equipment=[covered], actor=manager)
    wo = _work_order(covered)
    assert (wo.service_class, wo.contract) == (ServiceClass.CONTRACT, contract)
    in_warranty = make_equipment(commissioning_date=TODAY() - dt.timedelta(days=30))
    wo = _work_order(in_warranty)
    assert (wo.service_class, wo.contract) == (ServiceClass.WARRANTY, None)
    wo = _work_order(old_unit())
    assert (wo.service_class, wo.contract) == (ServiceClass.PAID, None)
    wo = _work_order(customer=make_customer("无设备客户"))
    assert wo.service_class == ServiceClass.PAID
    assert not wo.service_class_overridden


def test_contract_wins_over_warranty_and_drafts_do_not_count(manager):
    unit = make_equipment(commissioning_date=TODAY() - dt.timedelta(days=30))
    make_contract(equipment=[unit], actor=manager, active=False)
    assert _work_order(unit).service_class == ServiceClass.WARRANTY
    contract = make_contract(equipment=[make_equipment(site=unit.site)], actor=manager)
    services.contract_update(actor=manager, contract=contract, values={},
                             equipment=[*contract.equipment.all(), unit])
    assert _work_order(unit).service_class == ServiceClass.CONTRACT


def test_override_with_reason_is_audited(manager):
    wo = _work_order(old_unit())
    dispatcher = make_user("dispatcher")
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=dispatcher, work_order=wo, service_class="D", reason="")
    assert exc.value.code == "reason_required"
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=dispatcher, work_order=wo, service_class="Z", reason="x")
    assert exc.value.code == "service_class_invalid"
    for role in ("agent", "engineer", "finance", "lead"):
        with pytest.raises(PermissionDenied):
            services.work_order_set_service_class(actor=make_user(role), work_order=wo, service_class="D",
                                                  reason="内部设备")
    services.work_order_set_service_class(actor=dispatcher, work_order=wo, service_class="D", reason="公司自用设备")
    wo.refresh_from_db()
    assert (wo.service_class, wo.service_class_overridden, wo.service_class_reason) == ("D", True, "公司自用设备")
    entry = AuditEntry.objects.filter(object_id=wo.pk, verb="service_class").get()
    assert entry.reason == "公司自用设备" and entry.changes["service_class"] == ["A", "D"]


def test_class_b_needs_a_covering_contract(manager):
    wo = _work_order(old_unit())
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=manager, work_order=wo, service_class="B", reason="合同客户")
    assert exc.value.code == "contract_required"
    wo.refresh_from_db()
    assert wo.service_class == "A" and not wo.service_class_overridden
    other = make_contract(actor=manager)  # another customer's contract
    unit = old_unit()
    wo = _work_order(unit)
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=manager, work_order=wo, service_class="B", reason="x",
                                              contract=other)
    assert exc.value.code == "contract_required"
    mine = make_contract(equipment=[unit], actor=manager)
    services.work_order_set_service_class(actor=manager, work_order=wo, service_class="B", reason="合同已签")
    wo.refresh_from_db()
    assert wo.contract == mine
    services.work_order_set_service_class(actor=manager, work_order=wo, service_class="A", reason="超出合同范围")
    wo.refresh_from_db()
    assert wo.contract is None and wo.service_class == "A"


def test_billed_or_cancelled_work_orders_keep_their_class(manager):
    from aftersales.billing.models import Bill
    from aftersales.fieldservice import services as fs

    wo = _work_order(old_unit())
    Bill.objects.create(number="BL-TEST-1", customer=wo.request.customer, work_order=wo, total=Decimal("100.00"))
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=manager, work_order=wo, service_class="C", reason="保修期内")
    assert exc.value.code == "work_order_billed"
    wo.refresh_from_db()
    assert wo.service_class == "A"
    wo = _work_order(old_unit())
    fs.work_order_cancel(actor=make_user("dispatcher"), work_order=wo, reason="客户取消")
    with pytest.raises(Exception) as exc:
        services.work_order_set_service_class(actor=manager, work_order=wo, service_class="C", reason="x")
    assert exc.value.code == "work_order_cancelled"


# -- visits used -------------------------------------------------------------------------------------------------

def _complete(wo, engineer):
    from aftersales.fieldservice import services as fs

    dispatcher = make_user("dispatcher")
    fs.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer)
    fs.work_order_accept(actor=engineer, work_order=wo)
    visit = fs.visit_arrive(actor=engineer, work_order=wo)
    fs.visit_record(actor=engineer, visit=visit, values={"diagnosis": "d", "actions_taken": "a", "outcome": "fixed"})
    fs.visit_depart(actor=engineer, visit=visit)
    fs.receipt_sign(actor=engineer, visit=visit, signer_name="张", signature_data_url=PNG_1PX)
    fs.work_order_complete(actor=engineer, work_order=wo)


def test_visits_used_count_completed_work_orders_in_the_contract_year(manager):
    from aftersales.core.testing import region_city

    engineer = make_user("engineer", region=region_city())
    unit = old_unit()
    start = TODAY() - dt.timedelta(days=400)
    contract = make_contract(equipment=[unit], actor=manager, start=start, end=start + dt.timedelta(days=729),
                             included_visits_per_year=2)
    _complete(_work_order(unit), engineer)
    _complete(_work_order(unit), engineer)
    _work_order(unit)  # open: not counted
    year_start, year_end = selectors.contract_year(contract)
    assert year_start == start.replace(year=start.year + 1) and year_start <= TODAY() <= year_end
    usage = selectors.visits_used(contract)
    assert (usage.used, usage.included, usage.remaining) == (2, 2, 0)
    # A completion in the previous contract year does not count in this one.
    from aftersales.fieldservice.models import WorkOrder

    WorkOrder.objects.filter(contract=contract).update(
        completed_at=timezone.make_aware(dt.datetime.combine(year_start - dt.timedelta(days=1), dt.time(12))))
    assert selectors.visits_used(contract).used == 0
    assert selectors.visits_used(contract, on=year_start - dt.timedelta(days=1)).used == 2


# -- the daily check ---------------------------------------------------------------------------------------------

def _keys(contract):
    return sorted({":".join(k.split(":")[:3]) for k in OutboxMessage.objects.filter(
        key__startswith=f"contract:{contract.pk}:").values_list("key", flat=True)})


def test_reminders_at_60_and_30_days_each_once(manager):
    agent, engineer = make_user("agent"), make_user("engineer")
    contract = make_contract(actor=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    end = contract.end_date
    assert services.contracts_daily(today=end - dt.timedelta(days=61)).reminders == 0
    assert _keys(contract) == []
    result = services.contracts_daily(today=end - dt.timedelta(days=60))
    assert result.reminders == 1
    recipients = set(OutboxMessage.objects.filter(key__contains=":renewal60:").values_list("recipient", flat=True))
    assert recipients == {manager.pk, agent.pk} and engineer.pk not in recipients
    assert services.contracts_daily(today=end - dt.timedelta(days=60)).messages == 0  # idempotent
    assert services.contracts_daily(today=end - dt.timedelta(days=31)).messages == 0  # still the 60-day one
    result = services.contracts_daily(today=end - dt.timedelta(days=30))
    assert result.reminders == 1
    assert _keys(contract) == [f"contract:{contract.pk}:renewal30", f"contract:{contract.pk}:renewal60"]
    assert services.contracts_daily(today=end).messages == 0
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE  # the last day is still covered


def test_a_contract_found_late_gets_only_the_nearest_reminder(manager):
    contract = make_contract(actor=manager, start=TODAY() - dt.timedelta(days=300), end=TODAY() + dt.timedelta(days=20))
    services.contracts_daily()
    assert _keys(contract) == [f"contract:{contract.pk}:renewal30"]


def test_renewed_contracts_get_no_reminder(manager):
    contract = make_contract(actor=manager, start=TODAY() - dt.timedelta(days=300), end=TODAY() + dt.timedelta(days=20))
    services.contract_renew(actor=manager, contract=contract)
    services.contracts_daily()
    assert _keys(contract) == []


def test_expiry_after_the_last_day_once(manager):
    make_user("agent")
    contract = make_contract(actor=manager, start=TODAY() - dt.timedelta(days=365), end=TODAY() - dt.timedelta(days=1))
    unit = contract.equipment.get()
    result = services.contracts_daily()
    assert result.expired == 1
    contract.refresh_from_db()
    assert contract.state == ContractState.EXPIRED
    assert _keys(contract) == [f"contract:{contract.pk}:expired"]
    again = services.contracts_daily()
    assert (again.expired, again.messages) == (0, 0)
    assert AuditEntry.objects.filter(object_id=contract.pk, action="transition", verb="expire").count() == 1
    assert selectors.coverage(unit).contracts == []
    # Expired contracts can still be renewed.
    assert services.contract_renew(actor=manager, contract=contract).state == ContractState.DRAFT


def test_daily_task_and_scheduler(manager, settings):
    from aftersales.contracts import tasks

    contract = make_contract(actor=manager, start=TODAY() - dt.timedelta(days=365), end=TODAY() - dt.timedelta(days=1))
    assert tasks.schedule_daily() is True  # the immediate backend runs it at once in tests
    contract.refresh_from_db()
    assert contract.state == ContractState.EXPIRED


# -- SLA commitments -----------------------------------------------------------------------------------------------

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday


def _policy(customer, minutes):
    from aftersales.sla.models import SlaPolicy, SlaTarget

    policy = SlaPolicy.objects.create(name=f"客户专属 {customer.pk}", customer=customer)
    SlaTarget.objects.create(policy=policy, clock="on_site", minutes=minutes, basis="calendar")
    SlaTarget.objects.create(policy=policy, clock="resolution", minutes=minutes * 3, basis="calendar")
    return policy


def _clock(request, kind):
    from aftersales.sla.models import SlaClock

    return SlaClock.objects.prefetch_related("events").get(request=request, kind=kind)


def test_a_stricter_contract_commitment_sets_the_on_site_target(manager):
    from aftersales.servicedesk import services as desk

    unit = old_unit()
    _policy(unit.customer, 48 * 60)
    contract = make_contract(equipment=[unit], actor=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                             response_hours=4)
    with time_machine.travel(T0, tick=False):
        request = make_request(equipment=unit, site=unit.site)
        desk.request_triage(actor=make_user("dispatcher"), request=request, severity="general")
    on_site = _clock(request, "on_site")
    assert (on_site.minutes, on_site.basis) == (240, "working")
    assert on_site.due_at < T0 + dt.timedelta(hours=48)
    reasons = [e.reason for e in on_site.events.all() if e.kind == "recompute"]
    assert any(contract.number in r for r in reasons)
    resolution = _clock(request, "resolution")  # the contract promises no resolution time: the policy's stays
    assert (resolution.minutes, resolution.basis) == (48 * 60 * 3, "calendar")


def test_a_looser_contract_commitment_leaves_the_policy(manager):
    from aftersales.servicedesk import services as desk

    unit = old_unit()
    _policy(unit.customer, 2 * 60)
    make_contract(equipment=[unit], actor=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                  response_hours=24)
    with time_machine.travel(T0, tick=False):
        request = make_request(equipment=unit, site=unit.site)
        desk.request_triage(actor=make_user("dispatcher"), request=request, severity="general")
    on_site = _clock(request, "on_site")
    assert (on_site.minutes, on_site.basis) == (120, "calendar")
    assert not [e for e in on_site.events.all() if e.kind == "recompute"]


def test_commitment_survives_re_triage(manager):
    from aftersales.servicedesk import services as desk

    unit = old_unit()
    _policy(unit.customer, 48 * 60)
    make_contract(equipment=[unit], actor=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                  response_hours=4, resolution_hours=8)
    dispatcher = make_user("dispatcher")
    with time_machine.travel(T0, tick=False):
        request = make_request(equipment=unit, site=unit.site)
        desk.request_triage(actor=dispatcher, request=request, severity="general")
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        desk.request_triage(actor=dispatcher, request=request, severity="important")
    assert (_clock(request, "on_site").minutes, _clock(request, "resolution").minutes) == (240, 480)


def test_requests_on_units_the_contract_does_not_cover_are_untouched(manager):
    from aftersales.servicedesk import services as desk

    unit = old_unit()
    _policy(unit.customer, 48 * 60)
    make_contract(equipment=[make_equipment(site=unit.site)], actor=manager, start=dt.date(2026, 1, 1),
                  end=dt.date(2026, 12, 31), response_hours=4)
    with time_machine.travel(T0, tick=False):
        request = make_request(equipment=unit)
        desk.request_triage(actor=make_user("dispatcher"), request=request, severity="general")
    assert _clock(request, "on_site").minutes == 48 * 60


def test_contract_years_take_in_short_remainders():
    c = Contract(start_date=dt.date(2025, 11, 15), end_date=dt.date(2026, 11, 15))
    assert selectors.contract_year(c, dt.date(2026, 11, 15)) == (dt.date(2025, 11, 15), dt.date(2026, 11, 15))
    assert selectors.contract_year(c, dt.date(2026, 3, 1)) == (dt.date(2025, 11, 15), dt.date(2026, 11, 15))
    c = Contract(start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 6, 30))
    assert selectors.contract_year(c, dt.date(2026, 2, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert selectors.contract_year(c, dt.date(2027, 2, 1)) == (dt.date(2027, 1, 1), dt.date(2027, 6, 30))
    assert selectors.contract_year(c, dt.date(2030, 1, 1)) == (dt.date(2027, 1, 1), dt.date(2027, 6, 30))
    assert selectors.contract_year(c, dt.date(2020, 1, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
