"""Fixtures of the H7 (survey web pages) tests: a small SIPAS-like questionnaire (3 sections,
skip logic, every question type), a campaign over districts A and B of the shared test province,
and helpers that answer through the pages. Test modules import the fixtures they use."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from cchc.surveys import services
from cchc.surveys.models import Question, Questionnaire, ResponseChannel, Section

ASPECTS = [{"code": "TC", "name": "Tiếp cận dịch vụ"}, {"code": "CC", "name": "Công chức"}]


def make_questionnaire(code: str = "SIPAS-THU") -> Questionnaire:
    qn = Questionnaire.objects.create(code=code, name="Phiếu khảo sát thử", aspects=ASPECTS)
    s1 = Section.objects.create(questionnaire=qn, order=1, code="A", title="Tiếp cận dịch vụ")
    s2 = Section.objects.create(questionnaire=qn, order=2, code="B", title="Góp ý, phản ánh")
    s3 = Section.objects.create(questionnaire=qn, order=3, code="C", title="Ý kiến khác")
    yes_no = [{"code": "co", "label": "Có"}, {"code": "khong", "label": "Không"}]
    gave_feedback = {"question": "GY", "in": ["co"]}
    rows = [
        (s1, 1, "TC1", "Nơi tiếp nhận hồ sơ dễ tìm", "scale5", {"aspect": "TC", "required": True}),
        (s1, 2, "TC2", "Trang thiết bị đầy đủ", "scale5", {"aspect": "TC"}),
        (s1, 3, "CC1", "Công chức lịch sự", "scale5", {"aspect": "CC", "required": True}),
        (
            s1,
            4,
            "GY",
            "Ông/bà có góp ý, phản ánh không?",
            "choice",
            {"required": True, "allow_na": False, "options": yes_no},
        ),
        (
            s2,
            5,
            "GY1",
            "Hài lòng với việc tiếp nhận góp ý",
            "scale5",
            {"aspect": "CC", "required": True, "show_if": gave_feedback},
        ),
        (s2, 6, "SOLAN", "Số lần phải đi lại", "number", {"show_if": gave_feedback}),
        (
            s3,
            7,
            "MD",
            "Cần cải thiện điều gì?",
            "multi",
            {
                "is_expectation": True,
                "options": [
                    {"code": "tg", "label": "Rút ngắn thời gian"},
                    {"code": "tt", "label": "Thái độ"},
                ],
            },
        ),
        (s3, 8, "YK", "Ý kiến khác", "text", {}),
    ]
    for section, order, qcode, text, qtype, extra in rows:
        Question.objects.create(
            questionnaire=qn, section=section, order=order, code=qcode, text=text, type=qtype, **extra
        )
    return qn


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the (database) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def make_survey(province, user, period: int = 2025, code: str = "SIPAS-THU"):
    from cchc.surveys.models import Questionnaire as Q

    qn = Q.objects.filter(code=code).first() or make_questionnaire(code)
    campaign = services.create_campaign(
        qn,
        period,
        [province.A, province.B],
        target=3,
        channels=[
            ResponseChannel.WEB,
            ResponseChannel.KIOSK,
            ResponseChannel.INVITATION,
            ResponseChannel.PAPER,
        ],
        name=f"Khảo sát SIPAS {period}",
        user=user,
    )
    cu_a = campaign.campaign_units.get(unit=province.A)
    cu_b = campaign.campaign_units.get(unit=province.B)
    return SimpleNamespace(qn=qn, campaign=campaign, cu_a=cu_a, cu_b=cu_b)


@pytest.fixture
def survey(province, people):
    return make_survey(province, people.sec)


TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
STEP_RE = re.compile(r'name="step" value="(\d+)"')


def form_state(response) -> tuple[str, str]:
    html = response.content.decode()
    return TOKEN_RE.search(html).group(1), STEP_RE.search(html).group(1)


# The answers of one happy respondent, screen by screen (GY = co shows section B).
HAPPY = [
    {"q_TC1": "5", "q_TC2": "4", "q_CC1": "4", "q_GY": "co"},
    {"q_GY1": "5", "q_SOLAN": "2"},
    {"q_MD": ["tg", "tt"], "q_YK": "Cán bộ tận tình, nhưng chờ hơi lâu"},
]


def answer_all(client, url: str, screens=HAPPY, **extra):
    """Answer every screen through the pages like a browser without JavaScript; returns the last
    response (the redirect to the thank-you page on success)."""
    page = client.get(url, **extra)
    assert page.status_code == 200, page.status_code
    response = page
    for data in screens:
        token, step = form_state(page)
        response = client.post(url, {"token": token, "step": step, "action": "next", **data}, **extra)
        if response.status_code != 302 or "cam-on" in response["Location"]:
            return response
        page = client.get(response["Location"], **extra)
    return response
