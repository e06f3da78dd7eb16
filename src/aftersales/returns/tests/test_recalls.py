"""Recall campaigns (C9): selection, launch into work orders, progress and compensation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.errors import PermissionDenied
from aftersales.core.testing import PNG_1PX, make_equipment, make_model, make_site, make_user, region_city
from aftersales.fieldservice import services as field
from aftersales.returns import error_codes as E
from aftersales.returns import selectors, services
from aftersales.returns.models import RecallUnit
from aftersales.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_serials_compare_sensibly():
    assert services.serial_key("CH-2023-99") < services.serial_key("CH-2023-100")
    assert services.serial_key("ab-7") == services.serial_key("AB-007")
    assert services.in_range("UPS0150", "UPS0100", "UPS0199")
    assert not services.in_range("UPS1000", "UPS0100", "UPS0199")
    assert services.in_range("UPS99", "UPS0050", "UPS0100")


def _units(model, serials, batch="", site=None):
    from aftersales.customers.services import equipment_update

    admin = make_user("admin")
    units = [make_equipment(product_model=model, serial=s, site=site, actor=admin) for s in serials]
    return [equipment_update(actor=admin, equipment=u, values={"production_batch": batch}) if batch else u
            for u in units]


def test_selection_by_serial_range_or_batch_and_preview():
    manager = make_user("manager")
    model = make_model("UPS-20K")
    inside = _units(model, ["U-99", "U-100", "U-150"])
    _units(model, ["U-98", "U-201"])
    _units(make_model("OTHER"), ["U-120"])
    campaign = services.campaign_create(actor=manager, title="电池模块更换", product_model=model,
                                        serial_from="U-99", serial_to="U-200")
    assert [u.pk for u in services.campaign_selection(campaign)] == [u.pk for u in inside]
    preview = selectors.preview(campaign)
    assert preview["unit_count"] == 3 and preview["customer_count"] == 3
    batch = _units(model, ["B-1", "B-2"], batch="2024-07B")
    by_batch = services.campaign_create(actor=manager, title="批次召回", product_model=model,
                                        production_batch="2024-07b")
    assert {u.pk for u in services.campaign_selection(by_batch)} == {u.pk for u in batch}


def test_selection_must_be_given_and_ordered():
    manager = make_user("manager")
    model = make_model()
    with pytest.raises(E.CampaignSelectionInvalid):
        services.campaign_create(actor=manager, title="x", product_model=model)
    with pytest.raises(E.CampaignSelectionInvalid):
        services.campaign_create(actor=manager, title="x", product_model=model, serial_from="A-10", serial_to="A-9")
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=make_user("agent"), title="x", product_model=model, production_batch="B")


def test_launch_makes_a_request_and_work_order_per_unit_and_tracks_progress():
    manager = make_user("manager")
    model = make_model("CH-500")
    wuhan = region_city()
    changsha = region_city("430100", "长沙市", "430000", "湖南省")
    units = _units(model, ["C1", "C2"], batch="B7", site=make_site(city=wuhan))
    units += _units(model, ["C3"], batch="B7", site=make_site(city=changsha))
    campaign = services.campaign_create(actor=manager, title="压缩机接线端子加固", product_model=model,
                                        production_batch="B7", description="检查并加固接线端子")
    services.campaign_launch(actor=manager, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.state == "launched"
    rows = list(RecallUnit.objects.filter(campaign=campaign).select_related("request", "work_order"))
    assert len(rows) == 3 and all(campaign.number in r.request.summary for r in rows)
    assert {r.work_order.service_class for r in rows} == {"D"}
    assert ServiceRequest.objects.filter(summary__contains=campaign.number).count() == 3
    with pytest.raises(E.CampaignNotDraft):
        services.campaign_launch(actor=manager, campaign=campaign)
    # Complete one unit's work order in Wuhan.
    engineer = make_user("engineer", region=wuhan)
    dispatcher = make_user("dispatcher")
    wo = rows[0].work_order
    field.work_order_assign(actor=dispatcher, work_order=wo, engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=wo)
    visit = field.visit_arrive(actor=engineer, work_order=wo)
    field.visit_record(actor=engineer, visit=visit, values={"diagnosis": "d", "actions_taken": "加固", "outcome": "fixed"})
    field.visit_depart(actor=engineer, visit=visit)
    field.receipt_sign(actor=engineer, visit=visit, signer_name="客户", signature_data_url=PNG_1PX)
    field.work_order_complete(actor=engineer, work_order=wo)
    progress = selectors.progress(manager, campaign)
    assert (progress["total"], progress["done"], progress["percent"]) == (3, 1, 33.3)
    by = {r["province"]: r for r in progress["by_province"]}
    assert by[wuhan.province.label]["percent"] == 50.0 and by[changsha.province.label]["percent"] == 0.0
    lead = make_user("lead", region=wuhan.province)
    assert selectors.progress(lead, campaign)["total"] == 2
    assert selectors.units_for(lead, campaign).count() == 2


def test_launch_of_an_empty_selection_is_refused():
    manager = make_user("manager")
    campaign = services.campaign_create(actor=manager, title="无", product_model=make_model(), production_batch="NONE")
    with pytest.raises(E.CampaignEmpty):
        services.campaign_launch(actor=manager, campaign=campaign)
    assert not ServiceRequest.objects.exists()


def test_compensation_money_is_a_credit_bill_others_are_described():
    manager = make_user("manager")
    model = make_model()
    _units(model, ["X1"], batch="B1")
    campaign = services.campaign_create(actor=manager, title="召回", product_model=model, production_batch="B1")
    services.campaign_launch(actor=manager, campaign=campaign)
    unit = RecallUnit.objects.get(campaign=campaign)
    comp = services.compensation_record(actor=manager, unit=unit, kind="money", amount="300", description="停机补偿")
    assert comp.bill.total == Decimal("-300.00") and comp.bill.lines.get().kind == "compensation"
    assert comp.bill.reference == campaign.number
    other = services.compensation_record(actor=manager, unit=unit, kind="extended_warranty",
                                         description="延保 12 个月")
    assert other.bill is None and other.amount is None
    for bad in ({"kind": "money", "amount": "-1"}, {"kind": "money", "amount": "abc"}, {"kind": "gift"},
                {"kind": "bogus", "description": "x"}):
        with pytest.raises(E.CompensationInvalid):
            services.compensation_record(actor=manager, unit=unit, **bad)
    assert unit.compensations.count() == 2
