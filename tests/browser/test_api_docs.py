"""The interactive API documentation renders in the browser from the product's own files (no CDN), under the
Content-Security-Policy, with every operation listed."""

from __future__ import annotations

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_every_operation(new_page, live_server):
    page = new_page()
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("aftersales API").first.wait_for()
    page.locator(".opblock-summary-path").first.wait_for()
    assert page.locator(".opblock-summary-path").count() > 100
    assert not foreign, f"loaded from elsewhere: {foreign[:3]}"
    shot(page, "api-docs")
