"""Permission matrix of returns, exchanges and recalls (C9)."""

from __future__ import annotations

from typing import Any

from aftersales.core import permissions as P

WEB = {
    "returns:list": (P.VIEW_RETURNS, None, "get"),
    "returns:new": (P.REQUEST_RETURNS, None, "get"),
    "returns:detail": (P.VIEW_RETURNS, "return_request", "get"),
    "returns:decide": (P.APPROVE_RETURNS, "return_request", "post"),
    "returns:recalls": (P.VIEW_RECALLS, None, "get"),
    "returns:recall_new": (P.MANAGE_RECALLS, None, "get"),
    "returns:recall_detail": (P.VIEW_RECALLS, "recall_campaign", "get"),
    "returns:recall_preview": (P.VIEW_RECALLS, "recall_campaign", "get"),
    "returns:recall_launch": (P.MANAGE_RECALLS, "recall_campaign", "post"),
    "returns:compensate": (P.MANAGE_RECALLS, "recall_unit", "post"),
}

API = {
    ("GET", "/return-requests"): (P.VIEW_RETURNS,),
    ("POST", "/return-requests"): (P.REQUEST_RETURNS,),
    ("GET", "/return-requests/{id}"): (P.VIEW_RETURNS,),
    ("POST", "/return-requests/{id}/decide"): (P.APPROVE_RETURNS,),
    ("GET", "/recall-campaigns"): (P.VIEW_RECALLS,),
    ("POST", "/recall-campaigns"): (P.MANAGE_RECALLS,),
    ("GET", "/recall-campaigns/{id}"): (P.VIEW_RECALLS,),
    ("GET", "/recall-campaigns/{id}/preview"): (P.VIEW_RECALLS,),
    ("POST", "/recall-campaigns/{id}/launch"): (P.MANAGE_RECALLS,),
    ("GET", "/recall-campaigns/{id}/units"): (P.VIEW_RECALLS,),
    ("POST", "/recall-units/{id}/compensations"): (P.MANAGE_RECALLS,),
}

API_KINDS = {"return-requests": "return_request", "recall-campaigns": "recall_campaign",
             "recall-units": "recall_unit"}
# Campaigns are company-wide (a lead sees only his province's units inside them).
UNSCOPED_KINDS = {"recall_campaign", "recall_unit"}


def extend(world: Any, wuhan: Any, changsha: Any) -> None:
    """A return per side, assessed by that side's engineer; one launched campaign per side."""
    from aftersales.core.testing import make_user
    from aftersales.returns import services
    from aftersales.returns.models import RecallUnit

    u = world.users
    for side, engineer in ((world.own, u["engineer"]), (world.other, u["engineer2"])):
        request = services.return_request_create(actor=u["agent"], customer=side["customer"], kind="return",
                                                 equipment=side["equipment"], reason="退货",
                                                 source_work_order=side["work_order"])
        services.return_decide(actor=u["agent"], request=request, decision="approve")
        services.return_decide(actor=u["dispatcher"], request=request, decision="approve", assessor=engineer)
        side["return_request"] = request
    manager = make_user("manager", "recall-manager")
    for side in (world.own, world.other):
        campaign = services.campaign_create(actor=manager, title="召回", product_model=side["product_model"],
                                            serial_from=side["equipment"].serial, serial_to=side["equipment"].serial)
        services.campaign_launch(actor=manager, campaign=campaign)
        side["recall_campaign"] = campaign
        side["recall_unit"] = RecallUnit.objects.get(campaign=campaign)
