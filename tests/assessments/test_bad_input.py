"""Bad input on the round pages and the API: a clear refusal, never a server error, and a
secretariat manages only the rounds whose units all lie in its subtree."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.assessments.models import Round
from tests.factories import make_user


@pytest.fixture
def sec_a(province):
    """A district's secretariat (Phòng Nội vụ of district A): its subtree holds A only."""
    return make_user("sec_a", "secretariat", province.A)


def test_a_district_secretariat_cannot_manage_a_province_round(client, opened_round, sec_a):
    before = opened_round.deadline
    client.force_login(sec_a)
    url = reverse("assessments:round_bulk", args=[opened_round.pk])
    for data in ({"action": "deadline", "deadline": "2021-01-02"}, {"action": "remind"}):
        assert client.post(url, data).status_code == 403
    opened_round.refresh_from_db()
    assert opened_round.deadline == before
    # …nor change its deadline by "opening" it again
    client.post(
        reverse("assessments:round_new"),
        {"framework": opened_round.framework_id, "year": "2021", "deadline": "2021-01-02"},
    )
    opened_round.refresh_from_db()
    assert opened_round.deadline == before


def test_the_province_secretariat_manages_it(client, opened_round, people):
    client.force_login(people.sec)
    url = reverse("assessments:round_bulk", args=[opened_round.pk])
    assert client.post(url, {"action": "deadline", "deadline": "2021-01-02"}).status_code == 302
    opened_round.refresh_from_db()
    assert timezone.localtime(opened_round.deadline).date().isoformat() == "2021-01-02"


def test_bulk_ids_that_are_not_numbers_are_ignored(client, opened_round, people):
    client.force_login(people.sec)
    url = reverse("assessments:round_bulk", args=[opened_round.pk])
    response = client.post(url, {"action": "finalise", "ids": ["abc", "1; DROP"]}, follow=True)
    assert response.status_code == 200
    assert "Chưa chọn đơn vị nào" in response.content.decode()  # nothing valid selected is an error


@pytest.mark.parametrize(
    "data",
    [
        {"framework": "abc", "year": "2022"},
        {"framework": "1", "year": "99999"},
        {"framework": "1", "year": "2022", "deadline": "31/02/2022"},
    ],
)
def test_opening_a_round_with_bad_input_says_so(client, framework, people, data):
    client.force_login(people.sec)
    response = client.post(reverse("assessments:round_new"), {**data}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Năm hoặc hạn nộp không hợp lệ." in text or "Hãy chọn bộ chỉ số." in text
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/units?offset=-1",
        "/api/units?offset=100000000000000000000",
        "/api/units?limit=0",
        "/api/assessments?round=100000000000000000000",
        "/api/assessments?round=-5",
    ],
)
def test_api_parameters_out_of_range_are_422(client, people, url):
    client.force_login(people.sec)
    assert client.get(url).status_code == 422


def test_late_reminders_cover_only_the_secretariats_subtree(opened_round, province, sec_a, people):
    from cchc.assessments import tasks

    opened_round.deadline = timezone.now() - timedelta(days=1)
    opened_round.save(update_fields=["deadline"])
    assert tasks.remind_late(opened_round, user=sec_a) == 1
    assert tasks.remind_late(opened_round, user=people.sec) == 2
