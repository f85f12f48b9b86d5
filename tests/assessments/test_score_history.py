"""The score history on the assessment page is refreshed out of band after an autosave: the new
change shows without reloading, the last 10 open and the rest folded, by the visibility rule."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Assessment
from cchc.frameworks.models import Node

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(opened_round, province):
    return Assessment.objects.get(round=opened_round, unit=province.A)


def node(a, code):
    return Node.objects.get(framework=a.round.framework, code=code)


def autosave(client, a, code, data):
    return client.post(
        reverse("assessments:leaf_save", args=[a.pk, node(a, code).pk]), data, HTTP_HX_REQUEST="true"
    )


def oob_history(response) -> str:
    """The out-of-band score history of an autosave response."""
    found = re.search(
        r'<div id="score-history" hx-swap-oob="true">(.*?)\n</div>', response.content.decode(), re.S
    )
    assert found, "no out-of-band score history in the response"
    return found.group(1)


def open_items(history: str) -> list[str]:
    changes = re.search(r'<ul class="plain" id="changes">(.*?)</ul>', history, re.S).group(1)
    return re.findall(r"<li>(.*?)</li>", changes, re.S)


def test_an_autosave_sends_the_history_with_the_new_change(client, people, a):
    client.force_login(people.officer_a)
    first = autosave(client, a, "2.1", {"self_score": "0,75"})
    assert first.status_code == 200
    assert "2.1 điểm tự đánh giá ∅ → 0,75" in open_items(oob_history(first))[0]
    second = autosave(client, a, "2.1", {"self_score": "1,00"})
    items = open_items(oob_history(second))
    assert len(items) == 2
    assert "2.1 điểm tự đánh giá 0,75 → 1,00" in items[0]  # newest first
    assert "officer_a" in items[0]
    # the page, reloaded, shows the same history block
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert '<div id="score-history">' in page and "0,75 → 1,00" in page


def test_the_history_folds_after_the_last_ten_changes(client, people, a):
    client.force_login(people.officer_a)
    for i in range(11):
        response = autosave(client, a, "2.1", {"self_score": "1" if i % 2 else "2"})
    history = oob_history(response)
    assert len(open_items(history)) == 10
    assert '<details id="older-changes"><summary>Xem 1 thay đổi cũ hơn</summary>' in history
    assert "∅ → 2,00" in history.split('id="older-changes"')[1]  # the first change, folded


def test_a_refused_score_sends_the_history_unchanged(client, people, a):
    client.force_login(people.officer_a)
    autosave(client, a, "1.2", {"self_score": "0,5"})
    refused = autosave(client, a, "1.2", {"self_score": "5"})
    assert refused.status_code == 422
    items = open_items(oob_history(refused))
    assert len(items) == 1 and "∅ → 0,50" in items[0]


def test_the_history_sent_after_an_autosave_follows_the_visibility_rule(client, people, a):
    """Returned for explanation: the unit answers; the history it receives has its own changes,
    not the appraised score (unpublished)."""
    services.set_self_score(a, node(a, "2.1"), user=people.officer_a, score=Decimal("2.75"))
    services.submit(a, force=True)
    services.set_appraised_score(a, node(a, "2.1"), user=people.appraiser, score=Decimal("1.25"), comment="x")
    services.return_for_explanation(a, user=people.appraiser)
    client.force_login(people.officer_a)
    history = oob_history(autosave(client, a, "2.1", {"unit_response": "Đã bổ sung"}))
    assert "∅ → 2,75" in history and "1,25" not in history
    client.force_login(people.appraiser)
    services.answer_explanation(a, user=people.officer_a)
    history = oob_history(autosave(client, a, "2.1", {"appraised_score": "1,5"}))
    items = open_items(history)
    assert "điểm thẩm định 1,25 → 1,50" in items[0] and "∅ → 1,25" in items[1]
