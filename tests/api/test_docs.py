"""/api/docs: Swagger UI from our own static files, under the same Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from cchc.core.middleware import CSP


@pytest.mark.django_db
def test_the_docs_page_loads_only_local_static_files_under_the_csp(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert r.headers["Content-Security-Policy"] == CSP
    html = r.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert "cdn" not in html.lower()
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), url
    # no inline script: the only <script> without src is JSON data
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert '"validatorUrl": null' in html
