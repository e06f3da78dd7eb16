from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Line, Text


class TokenIn(Schema):
    username: Line(150, 1) = Field(examples=["dispatcher"])
    password: Text(256, 1) = Field(examples=["the demo password"])


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: dt.datetime
    user: MeOut


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    language: str
    time_zone: str
    region_id: int | None = None


TokenOut.model_rebuild()
