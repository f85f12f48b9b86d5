"""Log-in lockout (django-axes): per username and address with a cool-down, and a larger budget
per address; counted on the username as Django compares it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import make_user

PASSWORD = "Mat-khau-thu-nghiem-1"


@pytest.fixture
def owner(db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 12
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    return make_user("thu_ky")


def login(client, password, username="thu_ky"):
    return client.post("/login/", {"username": username, "password": password})


def at(address):
    return Client(REMOTE_ADDR=address)


def test_locked_out_after_failures_even_with_the_right_password(owner):
    client = at("203.0.113.5")
    for _ in range(3):
        assert login(client, "sai").status_code in (200, 429)
    r = login(client, PASSWORD)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    page = r.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page and "15 phút" in page


def test_spaced_and_fullwidth_usernames_count_as_the_same_account(owner):
    client = at("203.0.113.5")
    for typed in ("thu_ky ", "ｔｈｕ＿ｋｙ", "  thu_ky"):
        login(client, "sai", typed)
    # Django logs these in as thu_ky: three failures of the same account, now locked
    assert login(client, PASSWORD, "thu_ky").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"thu_ky"}


def test_thirty_guesses_from_one_address_meet_a_429(owner):
    client = at("198.51.100.7")
    codes = [login(client, "sai", f"nguoi{i}").status_code for i in range(30)]
    assert 429 in codes
    assert codes.index(429) == 11  # the 12th failure of the address budget
    # the address stays locked, whoever tries
    assert login(client, PASSWORD).status_code == 429


def test_an_ipv6_client_walking_its_64_is_one_address(owner):
    # One phone or cloud host holds a whole /64 and can pick any address in it.
    codes = [login(at(f"2001:db8:7:9::{i:x}"), "sai", f"nguoi{i}").status_code for i in range(1, 14)]
    assert codes.index(429) == 11  # the 12th failure of the /64's budget
    assert login(at("2001:db8:7:9:ffff::1"), PASSWORD).status_code == 429
    # another /64 is another address, and the pair lockout also spans the /64
    assert login(at("2001:db8:7:a::1"), PASSWORD).status_code == 302
    for i in range(3):
        login(at(f"2001:db8:5:5::{i + 1}"), "sai")
    assert login(at("2001:db8:5:5::99"), PASSWORD).status_code == 429


def test_another_users_success_does_not_reset_the_address_budget(owner, settings):
    make_user("ke_gian")
    client = at("198.51.100.7")
    for i in range(11):
        login(client, "sai", f"nguoi{i}")
    assert login(client, PASSWORD, "ke_gian").status_code == 302
    client.logout()
    # one more failure reaches the address budget of 12
    assert login(client, "sai", "nguoi99").status_code == 429


def test_a_strangers_failures_do_not_lock_the_owner_out(owner):
    stranger = at("198.51.100.7")
    for _ in range(10):
        login(stranger, "sai")
    assert login(stranger, PASSWORD).status_code == 429
    assert login(at("203.0.113.5"), PASSWORD).status_code == 302


def test_the_owners_success_clears_the_owners_failures(owner):
    client = at("203.0.113.5")
    for _ in range(2):
        login(client, "sai")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert login(client, "sai").status_code == 200
    assert login(client, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_down(owner):
    client = at("203.0.113.5")
    for _ in range(4):
        login(client, "sai")
    assert login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=901))
    assert login(client, PASSWORD).status_code == 302


def test_the_admin_log_in_is_locked_out_too(owner):
    owner.is_staff = True
    owner.save()
    client = at("203.0.113.5")
    for _ in range(3):
        client.post("/admin/login/", {"username": "thu_ky", "password": "sai"})
    r = client.post("/admin/login/", {"username": "thu_ky", "password": PASSWORD})
    assert r.status_code == 429


def test_each_client_behind_a_trusted_proxy_is_counted_apart(owner, settings):
    settings.CCHC_TRUSTED_PROXIES = ["127.0.0.1"]
    noisy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    for i in range(12):
        noisy.post("/login/", {"username": f"x{i}", "password": "sai"})
    assert noisy.post("/login/", {"username": "y", "password": "sai"}).status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert login(other, PASSWORD).status_code == 302


def test_a_login_without_a_request_is_not_refused(owner):
    """Django's test client logs in without a request: not an HTTP log-in, nothing to count."""
    client = Client()
    assert client.login(username="thu_ky", password=PASSWORD)
    assert not Client().login(username="thu_ky", password="sai")
