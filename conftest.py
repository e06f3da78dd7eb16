"""Shared pytest fixtures. Tests run on SQLite always, and on PostgreSQL when DATABASE_URL points at one."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

os.environ.setdefault("AFTERSALES_HTTPS", "0")
_media = tempfile.mkdtemp(prefix="aftersales-test-media-")


@pytest.fixture(autouse=True)
def _isolated_media(settings):
    settings.MEDIA_ROOT = _media
    yield


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Process-wide caches of reference data must not carry rows across tests' rolled-back transactions."""
    from aftersales.core import api as core_api
    from aftersales.core import models as core_models
    from aftersales.customers.selectors import forget_product_models
    from aftersales.servicedesk.forms import forget_fault_categories
    from aftersales.sla import services as sla_services

    core_models._REGIONS["rows"] = {}
    core_api._COUNTS.clear()
    sla_services.forget_policies()
    forget_fault_categories()
    forget_product_models()
    yield
    core_models._REGIONS["rows"] = {}
    sla_services.forget_policies()
    forget_fault_categories()
    forget_product_models()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level tests read messages in English; requests still choose their language (middleware)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_media, ignore_errors=True)


@pytest.fixture
def city(db):
    from aftersales.core.testing import region_city

    return region_city()


@pytest.fixture
def users(db, city):
    """One user per role, named after it; the lead is responsible for Hubei."""
    from aftersales.core.testing import make_user

    return {
        "agent": make_user("agent", "agent"),
        "dispatcher": make_user("dispatcher", "dispatcher"),
        "engineer": make_user("engineer", "engineer", region=city),
        "lead": make_user("lead", "lead", region=city.province),
        "manager": make_user("manager", "manager"),
        "admin": make_user("admin", "admin", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def api_client(db):
    """A django test client that speaks to the API with a bearer token: api_client(user).get(...)."""
    from django.test import Client

    from aftersales.accounts.services import token_issue, token_mark_used

    def make(user=None, language="en"):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            token, raw = token_issue(user=user)
            # As if just used: the first call then does not write last_used_at, so query counts are steady-state.
            token_mark_used(token=token)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return Client(**headers)

    return make


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip_pg = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip_pg)
