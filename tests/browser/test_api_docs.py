"""/api/docs renders in Debian's Chromium with the CSP on and no network beyond our server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_renders_under_the_csp_without_leaving_the_server(live_server, page):
    foreign, violations = [], []
    page.on("request", lambda req: req.url.startswith(live_server.url) or foreign.append(req.url))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CCHC API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert foreign == [] and violations == []
