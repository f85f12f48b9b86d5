"""Error pages read Vietnamese (and English when chosen), never Django's English defaults."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_vietnamese_404(client):
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "Không tìm thấy trang" in text and "Not Found" not in text


def test_the_404_page_follows_the_chosen_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Page not found" in client.get("/khong-co-trang-nay/").content.decode()


def test_a_server_error_page_needs_no_context_and_reads_vietnamese():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.content.decode()


def test_permission_denied_and_bad_request_pages_are_vietnamese():
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert "Không có quyền truy cập" in defaults.permission_denied(request, Exception()).content.decode()
    assert "Yêu cầu không hợp lệ" in defaults.bad_request(request, Exception()).content.decode()
