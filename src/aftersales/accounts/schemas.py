from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150, examples=["dispatcher"])
    password: str = Field(min_length=1, max_length=256, examples=["the demo password"])


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
