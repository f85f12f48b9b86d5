"""The shipped questionnaires, imported through `cchc import-questionnaire`: no text cut at a
comma, no two questions alike, no stub, every text as the source list
(docs/methodology/questionnaire-sources.md) gives it."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

import cchc
from cchc.surveys.models import Questionnaire

pytestmark = pytest.mark.django_db
DATA = Path(cchc.__file__).parent / "data" / "questionnaires"
SOURCES = Path(cchc.__file__).parents[2] / "docs" / "methodology" / "questionnaire-sources.md"


def source_list() -> dict[str, dict[str, str]]:
    """{questionnaire code: {question code: text}} from the tables of the sources page."""
    found: dict[str, dict[str, str]] = {}
    current = None
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## (\S+) — ", line):
            current = found.setdefault(m.group(1), {})
        elif current is not None and (m := re.match(r"\| ([A-Z0-9_]+) \| (.+?) \| .+ \|$", line)):
            current[m.group(1)] = m.group(2)
    return found


@pytest.fixture
def shipped(db):
    for path in sorted(DATA.glob("*.yaml")):
        call_command("import_questionnaire", str(path), stdout=io.StringIO())
    return list(Questionnaire.objects.prefetch_related("questions"))


def test_both_questionnaires_are_shipped_and_listed(shipped):
    assert {q.code for q in shipped} == {"SIPAS-DV", "PAR-XHH"} == set(source_list())


def test_no_two_questions_share_a_text_and_none_is_a_stub(shipped):
    for questionnaire in shipped:
        texts = [q.text for q in questionnaire.questions.all()]
        assert len(texts) == len(set(texts)), questionnaire.code
        for q in questionnaire.questions.all():
            others = [t for t in texts if t != q.text]
            assert not any(t.startswith(q.text + " ") or t.startswith(q.text + ",") for t in others), q.text
            if q.type == "scale5":
                assert len(q.text.split()) >= 5, (questionnaire.code, q.code, q.text)
            assert not q.text.endswith(","), q.text
        labels = [o["label"] for q in questionnaire.questions.all() for o in q.options or []]
        assert all(len(label.split()) >= 1 and not label.endswith(",") for label in labels)
        assert len({a["name"] for a in questionnaire.aspects}) == len(questionnaire.aspects)


def test_the_equipment_criteria_read_in_full(shipped):
    sipas = next(q for q in shipped if q.code == "SIPAS-DV")
    texts = {q.code: q.text for q in sipas.questions.all()}
    assert texts["TC2"] == "Trang thiết bị phục vụ người dân, tổ chức đầy đủ"
    assert texts["TC3"] == "Trang thiết bị phục vụ người dân, tổ chức hiện đại"
    assert texts["TC4"] == "Trang thiết bị phục vụ người dân, tổ chức dễ sử dụng"
    assert sipas.aspects[-1]["name"] == "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"


def test_every_question_text_is_the_one_of_the_source_list(shipped):
    sources = source_list()
    for questionnaire in shipped:
        texts = {q.code: q.text for q in questionnaire.questions.all()}
        assert texts == sources[questionnaire.code], questionnaire.code
