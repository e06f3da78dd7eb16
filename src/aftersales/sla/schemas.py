"""In/Out schemas of the SLA API: clocks on a request, policies with targets and escalations, calendars, compliance."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Id, Line, Text
from aftersales.servicedesk.choices import RequestType, Severity

from .choices import (
    ClockEventKind,
    ClockKind,
    ClockState,
    EscalationTrigger,
    Recipient,
    RegionClass,
    TimeBasis,
)

ClockKindName = Literal[tuple(ClockKind.values)]  # type: ignore[valid-type]
BasisName = Literal[tuple(TimeBasis.values)]  # type: ignore[valid-type]
TriggerName = Literal[tuple(EscalationTrigger.values)]  # type: ignore[valid-type]
RecipientName = Literal[tuple(Recipient.values)]  # type: ignore[valid-type]
RegionClassName = Literal[("", *RegionClass.values)]  # type: ignore[valid-type]
SeverityOrAny = Literal[("", *Severity.values)]  # type: ignore[valid-type]
TypeOrAny = Literal[("", *RequestType.values)]  # type: ignore[valid-type]
GroupName = Literal["month", "severity", "region", "engineer", "clock", "type"]
StatusName = Literal["on_track", "at_risk", "breached", "paused", "met", "cancelled"]


class ClockEventOut(Schema):
    kind: Literal[tuple(ClockEventKind.values)] = Field(examples=["pause"])  # type: ignore[valid-type]
    at: dt.datetime
    reason: str = Field("", examples=["waiting on the customer: site closed for the holiday"])


class ClockOut(Schema):
    """One commitment on a request. `status` is what people see; `state` is the stored state of the clock."""

    id: int
    kind: ClockKindName = Field(examples=["on_site"])
    sequence: int = Field(examples=[1], description="The nth recurring progress report.")
    state: Literal[tuple(ClockState.values)] = Field(examples=["running"])  # type: ignore[valid-type]
    status: StatusName = Field(examples=["at_risk"], description="On track, at risk (≥ 75 % of the time used), "
                               "breached, paused, met or cancelled.")
    minutes: int = Field(examples=[360], description="The promised duration, in the clock's time basis.")
    basis: BasisName = Field(examples=["calendar"])
    started_at: dt.datetime
    due_at: dt.datetime | None = Field(None, description="Null while paused when the deadline is not yet known.")
    stopped_at: dt.datetime | None = None
    seconds_left: int | None = Field(None, examples=[5400],
                                     description="Negative when overdue; null when the clock has finished.")
    paused_seconds: int = 0
    estimated: bool = Field(False, description="The deadline uses a year without an official holiday table.")
    policy_id: int | None = None
    policy: str = Field("", examples=["一般报修 同城 6 小时到场"])
    explanation: str = Field("", examples=["severity general, region class same city"])
    events: list[ClockEventOut] = []


class EscalationIn(Schema):
    trigger: TriggerName = Field(examples=["percent"])
    value: int = Field(ge=0, le=100_000, examples=[75], description="Percent elapsed, or minutes after breach.")
    recipient: RecipientName = Field(examples=["assignee"])


class EscalationOut(EscalationIn):
    id: int


class TargetIn(Schema):
    clock: ClockKindName = Field(examples=["on_site"])
    minutes: int = Field(ge=1, le=525_600, examples=[360])
    basis: BasisName = "calendar"
    calendar: Id | None = Field(None, description="Working-time targets; null: the default calendar.")
    recurring: bool = False
    pauses_while_waiting: bool = False
    escalations: list[EscalationIn] = Field([], max_length=20)


class TargetOut(Schema):
    id: int
    clock: str
    minutes: int
    basis: str
    calendar: int | None = Field(None, alias="calendar_id")
    recurring: bool
    pauses_while_waiting: bool
    escalations: list[EscalationOut] = []


class PolicyIn(Schema):
    name: Line(120, 1) = Field(examples=["一般报修 同城 6 小时到场"])
    description: Text(5_000) = ""
    is_active: bool = True
    request_type: TypeOrAny = Field("", description="Blank: any type.")
    severity: SeverityOrAny = Field("", examples=["general"], description="Blank: any severity.")
    region_class: RegionClassName = Field("", examples=["same_city"], description="Blank: any region class.")
    customer_id: Id | None = Field(None, description="Only this customer's requests; null: any customer.")
    targets: list[TargetIn] = Field([], max_length=20)


class PolicyPatch(Schema):
    name: Line(120, 1) = None
    description: Text(5_000) = None
    is_active: bool | None = None
    request_type: TypeOrAny | None = None
    severity: SeverityOrAny | None = None
    region_class: RegionClassName | None = None
    customer_id: Id | None = None
    targets: list[TargetIn] | None = Field(None, max_length=20, description="Replaces all targets when given.")


class PolicyOut(Schema):
    id: int
    version: int
    name: str
    description: str
    is_active: bool
    request_type: str
    severity: str
    region_class: str
    customer_id: int | None = None
    targets: list[TargetOut] = []


class CalendarOut(Schema):
    id: int
    name: str = Field(examples=["中国大陆工作日"])
    time_zone: str = Field(examples=["Asia/Shanghai"])
    hours: dict[str, list[list[str]]] = Field(examples=[{"0": [["08:30", "12:00"], ["13:30", "18:00"]]}],
                                              description="Working hours per weekday, 0 = Monday.")
    official_years: list[int] = Field(examples=[[2025, 2026]])
    is_default: bool


class CalendarDayOut(Schema):
    date: dt.date
    is_workday: bool = Field(description="true: a make-up working day (调休上班); false: a holiday.")
    name: str = Field(examples=["春节"])
    source: str = Field(examples=["seed"])


class CalendarYearOut(Schema):
    calendar_id: int
    year: int
    official: bool = Field(description="false: weekends plus statutory dates only; deadlines are estimated.")
    days: list[CalendarDayOut]


class ComplianceRow(Schema):
    month: str | None = Field(None, examples=["2026-03"])
    severity: str | None = None
    region: int | None = Field(None, description="Province id.")
    engineer: int | None = Field(None, description="Engineer (user) id.")
    clock: str | None = None
    type: str | None = None
    total: int = Field(examples=[120])
    met: int = Field(examples=[111])
    breached: int = Field(examples=[9])
    percent_met: float | None = Field(None, examples=[92.5])


class ComplianceOut(Schema):
    start: dt.date
    end: dt.date
    group_by: list[GroupName]
    rows: list[ComplianceRow]
