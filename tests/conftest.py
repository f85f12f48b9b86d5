"""Shared personas, in the image of a small province:

province P (secretariat: ``sec``, leader: ``boss``) with districts A and B, each with a commune.
``officer_a`` acts for district A, ``officer_b`` for district B, ``appraiser`` appraises
district A only, ``outsider`` has an account and no role.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from tests.factories import SMALL_SPEC, make_framework, make_unit, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test(settings):
    """A test that switches the language (a request with the English cookie, ``activate``) does
    not leave it switched for the next test of the same process."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def province(db):
    p = make_unit("P", "Tỉnh Thử Nghiệm", "province")
    a = make_unit("A", "Huyện An", "district", p)
    b = make_unit("B", "Huyện Bình", "district", p)
    make_unit("A1", "Xã An Một", "commune", a)
    make_unit("B1", "Xã Bình Một", "commune", b)
    make_unit("D1", "Sở Nội vụ", "department", p)
    return SimpleNamespace(P=p, A=a, B=b)


@pytest.fixture
def people(province):
    return SimpleNamespace(
        sec=make_user("sec", "secretariat", province.P, email="sec@example.vn"),
        boss=make_user("boss", "leader", province.P),
        appraiser=make_user("appraiser", "appraiser", province.A),
        officer_a=make_user("officer_a", "unit_officer", province.A, email="a@example.vn"),
        officer_b=make_user("officer_b", "unit_officer", province.B, email="b@example.vn"),
        outsider=make_user("outsider"),
    )


@pytest.fixture
def framework(db):
    return make_framework("BP-HUYEN-TEST", 2021, ["district"], SMALL_SPEC)


@pytest.fixture
def opened_round(framework, people, province):
    from cchc.assessments.services import open_round

    round_obj, _created = open_round(framework, 2021, user=people.sec)
    return round_obj
