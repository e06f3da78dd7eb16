"""The service loop through its services: intake → triage → dispatch → visit → receipt → resolve → callback."""

import pytest

from aftersales.core import audit
from aftersales.core.errors import InvalidTransition, StaleVersion
from aftersales.core.testing import PNG_1PX, make_request
from aftersales.feedback import services as feedback
from aftersales.feedback.models import Callback, Complaint
from aftersales.fieldservice import services as field
from aftersales.servicedesk import services as desk


@pytest.mark.django_db
def test_whole_loop(users, settings):
    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    request = make_request(actor=users["agent"])
    assert request.number.startswith("SR-")
    assert request.state == "new"
    desk.request_triage(actor=users["dispatcher"], request=request, severity="important")
    assert request.state == "triaged"
    wo = field.work_order_create(actor=users["dispatcher"], request=request)
    field.work_order_assign(actor=users["dispatcher"], work_order=wo, engineer=users["engineer"])
    request.refresh_from_db()
    assert request.state == "dispatched"
    field.work_order_accept(actor=users["engineer"], work_order=wo)
    visit = field.visit_arrive(actor=users["engineer"], work_order=wo)
    request.refresh_from_db()
    assert request.state == "in_progress"
    field.visit_record(actor=users["engineer"], visit=visit,
                       values={"diagnosis": "冷凝器结垢", "actions_taken": "清洗冷凝器", "outcome": "fixed"},
                       parts=[{"description": "密封圈", "quantity": 2}])
    field.visit_depart(actor=users["engineer"], visit=visit)
    receipt = field.receipt_sign(actor=users["engineer"], visit=visit, signer_name="张经理", signature_data_url=PNG_1PX)
    assert receipt.number.startswith("RC-")
    field.work_order_complete(actor=users["engineer"], work_order=wo)
    request.refresh_from_db()
    assert request.state == "resolved"
    callback = Callback.objects.get(request=request)
    feedback.callback_record(actor=users["agent"], callback=callback, result="reached", satisfaction=2, comment="太慢")
    assert Complaint.objects.filter(request=request).count() == 1
    assert audit.verify_chain(request)
    assert audit.timeline(request).count() > 8


@pytest.mark.django_db
def test_refuses_what_the_table_does_not_allow(users):
    request = make_request(actor=users["agent"])
    with pytest.raises(InvalidTransition):
        desk.request_close(actor=users["agent"], request=request)
    request.refresh_from_db()
    assert request.state == "new"


@pytest.mark.django_db
def test_stale_version_refused(users):
    request = make_request(actor=users["agent"])
    desk.request_update(actor=users["agent"], request=request, values={"summary": "a"}, expected_version=1)
    with pytest.raises(StaleVersion):
        desk.request_update(actor=users["agent"], request=request, values={"summary": "b"}, expected_version=1)
