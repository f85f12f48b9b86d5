"""Rate limits on accepted forms: per client address and per surveyed unit → 429, translated."""

import pytest
from django.urls import reverse

from cchc.surveys import ratelimit
from cchc.surveys.models import Response
from tests.surveys import web_fixtures
from tests.surveys.web_fixtures import answer_all

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey


def test_the_limit_per_address_answers_429_in_vietnamese_and_keeps_the_answers(client, survey, settings):
    settings.SURVEY_RATE_PER_IP = 2
    url = reverse("surveys:public", args=[survey.cu_a.public_key])
    for _ in range(2):
        assert "cam-on" in answer_all(client, url)["Location"]
    blocked = answer_all(client, url)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "quá nhiều phiếu" in blocked.content.decode()
    assert Response.objects.count() == 2
    # The answers are kept: the same screen is there when the person comes back.
    assert "Phần 3/3" in client.get(url).content.decode()
    # Another address is not affected.
    other = client.__class__()
    assert "cam-on" in answer_all(other, url, REMOTE_ADDR="10.1.2.3")["Location"]
    assert Response.objects.count() == 3


def test_the_limit_per_unit_covers_every_address(client, survey, settings):
    settings.SURVEY_RATE_PER_UNIT = 1
    url_a = reverse("surveys:public", args=[survey.cu_a.public_key])
    assert "cam-on" in answer_all(client, url_a, REMOTE_ADDR="10.0.0.1")["Location"]
    other = client.__class__()
    assert answer_all(other, url_a, REMOTE_ADDR="10.0.0.2").status_code == 429
    # Unit B has its own count.
    url_b = reverse("surveys:public", args=[survey.cu_b.public_key])
    assert "cam-on" in answer_all(client.__class__(), url_b, REMOTE_ADDR="10.0.0.3")["Location"]
    assert Response.objects.count() == 2


def test_limits_come_from_the_environment_when_settings_do_not_set_them(monkeypatch, settings):
    for name in ("SURVEY_RATE_PER_IP", "SURVEY_RATE_PER_UNIT", "SURVEY_RATE_WINDOW"):
        if hasattr(settings, name):
            delattr(settings, name)
    monkeypatch.setenv("CCHC_SURVEY_RATE_PER_IP", "7")
    monkeypatch.setenv("CCHC_SURVEY_RATE_PER_UNIT", "70")
    monkeypatch.setenv("CCHC_SURVEY_RATE_WINDOW", "600")
    assert (ratelimit.per_ip(), ratelimit.per_unit(), ratelimit.window()) == (7, 70, 600)
    monkeypatch.delenv("CCHC_SURVEY_RATE_PER_IP")
    assert ratelimit.per_ip() == 30


def test_counts_reset_with_the_window(settings, monkeypatch):
    settings.SURVEY_RATE_PER_IP = 1
    settings.SURVEY_RATE_WINDOW = 60
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    ratelimit.record("10.9.9.9", "u1")
    assert not ratelimit.check("10.9.9.9", "u1").allowed
    now[0] += 60
    assert ratelimit.check("10.9.9.9", "u1").allowed


def test_the_address_is_stored_only_as_a_keyed_hash():
    digest = ratelimit.ip_hash("203.0.113.7")
    assert digest == ratelimit.ip_hash("203.0.113.7") and digest != ratelimit.ip_hash("203.0.113.8")
    assert "203" not in digest and len(digest) == 32


def test_a_blocked_answer_keeps_its_token_and_once_accepted_the_same_token_is_refused(
    client, survey, settings, monkeypatch
):
    settings.SURVEY_RATE_PER_IP = 1
    settings.SURVEY_RATE_WINDOW = 3600
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    url = reverse("surveys:public", args=[survey.cu_a.public_key])
    assert "cam-on" in answer_all(client.__class__(), url)["Location"]  # uses the address's one form

    blocked = answer_all(client, url)
    assert blocked.status_code == 429 and Response.objects.count() == 1
    # The token of the blocked form, kept with its answers (a GET alone stores no session).
    token, _step = web_fixtures.form_state(client.get(url))
    final = {"token": token, "step": "2", "action": "next", **web_fixtures.HAPPY[2]}

    now[0] += 3600  # the next window: the kept answers go through with the same token
    accepted = client.post(url, final)
    assert "cam-on" in accepted["Location"]
    assert Response.objects.count() == 2

    # A second answer with that token is refused, whatever the limits: from the same browser…
    settings.SURVEY_RATE_PER_IP = 1000
    again = client.post(url, final)
    assert again.status_code == 200 and "Phiếu này đã được ghi nhận" in again.content.decode()
    # …and from a fresh browser answering every screen again from the first one.
    other = client.__class__()
    other.get(url)
    for step, data in enumerate(web_fixtures.HAPPY):
        refused = other.post(url, {"token": token, "step": str(step), "action": "next", **data})
        assert "Phiếu này đã được ghi nhận" in refused.content.decode()
    assert Response.objects.count() == 2
