"""The client's address behind a reverse proxy: X-Forwarded-For is believed only from the
proxies listed in CCHC_TRUSTED_PROXIES, so a client cannot escape a limit by forging it."""

import pytest
from django.test import RequestFactory

from cchc.core.net import client_ip


def request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.CCHC_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "1.2.3.4", "1.2.3.4"),  # nginx on the same machine
        ("127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client forged a first hop: ignored
        ("127.0.0.1", "1.2.3.4, 10.1.2.3", "1.2.3.4"),  # two proxies, both trusted
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("198.51.100.9", "1.2.3.4", "198.51.100.9"),  # not a trusted proxy: header ignored
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(
    settings, remote, forwarded, expected
):
    settings.CCHC_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("", ""),
        ("garbage", "garbage"),
    ],
)
def test_limits_count_an_ipv6_64_as_one_address(address, group):
    from cchc.core.net import address_group

    assert address_group(address) == group
