"""Sign-in throttling, security headers and production settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client


@pytest.mark.django_db
def test_api_login_locks_out_after_repeated_failures(users, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/api/v1/auth/token", {"username": "agent", "password": "wrong"}, content_type="application/json")
        assert r.status_code in (401, 429)
    r = client.post("/api/v1/auth/token", {"username": "agent", "password": "pw-Test-12345"},
                    content_type="application/json")
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"


@pytest.mark.django_db
def test_web_login_locks_out_after_repeated_failures(users, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "agent", "password": "wrong"})
    r = client.post("/login/", {"username": "agent", "password": "pw-Test-12345"})
    assert r.status_code == 429
    assert b"Too many failed sign-ins" in r.content


@pytest.mark.django_db
def test_good_login_gets_a_token_and_anonymous_gets_401(users):
    client = Client()
    r = client.post("/api/v1/auth/token", {"username": "agent", "password": "pw-Test-12345"},
                    content_type="application/json")
    assert r.status_code == 200
    token = r.json()["token"]
    assert client.get("/api/v1/auth/me").status_code == 401
    me = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["role"] == "agent"
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client):
    r = client.get("/login/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_start_page_speaks_the_browsers_language(users):
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/login/")
    en = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/")
    assert zh.headers["Content-Language"] == "zh-hans"
    assert en.headers["Content-Language"] == "en"
    assert "登录".encode() in zh.content
    assert b"Sign in" in en.content


def test_production_settings_pass_check_deploy(tmp_path):
    env = {**os.environ, "SECRET_KEY": "x" * 64 + "-production-secret-key-for-the-check", "DEBUG": "0",
           "AFTERSALES_HTTPS": "1", "DJANGO_SETTINGS_MODULE": "aftersales.config.settings", "ALLOWED_HOSTS": "aftersales.example.com", "AFTERSALES_VAR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' event loop, never in production
    result = subprocess.run(
        [sys.executable, "-m", "aftersales", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
