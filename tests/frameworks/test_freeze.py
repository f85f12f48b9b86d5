"""A scored framework: the first saved score sets ``Framework.scored``; its rules, maxima and
evidence flags are frozen (in the editor, in the service and on re-import under the same code);
names and guidance still change, each change an audit row shown on the framework page."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from cchc.assessments.models import Assessment
from cchc.assessments.services import set_self_score
from cchc.frameworks.io import dump_yaml, export_document
from cchc.frameworks.models import Framework, FrameworkChange, Node
from cchc.frameworks.services import update_node

pytestmark = pytest.mark.django_db

LEAF_POST = {
    "name": "Kế hoạch CCHC năm",
    "guidance": "",
    "max_points": "2",
    "responsible_unit": "",
    "rule_type": "manual",
    "indicator": "",
    "step": "",
    "steps": "",
    "full_at": "",
    "per_event": "",
}


def node(framework, code):
    return Node.objects.get(framework=framework, code=code)


def _score(framework, province, people, code="1.2"):
    assessment = Assessment.objects.get(round__framework=framework, unit=province.A)
    set_self_score(assessment, node(framework, code), user=people.officer_a, score=Decimal("1"))


@pytest.fixture
def sec_client(client, people):
    client.force_login(people.sec)
    return client


@pytest.fixture
def scored(opened_round, province, framework, people):
    _score(framework, province, people)
    return framework


def test_the_first_saved_score_marks_the_framework_scored(opened_round, framework, province, people):
    framework.refresh_from_db()
    assert not framework.scored
    _score(framework, province, people)
    framework.refresh_from_db()
    assert framework.scored


def test_the_data_migration_marks_frameworks_that_already_have_scores(scored, framework):
    other = Framework.objects.create(code="KHONG-DIEM", name="x", year=2021)
    Framework.objects.update(scored=False)
    migration = importlib.import_module("cchc.frameworks.migrations.0002_scored_and_changes")
    migration.mark_scored(django_apps, None)
    assert Framework.objects.get(pk=framework.pk).scored
    assert not Framework.objects.get(pk=other.pk).scored


def test_the_evidence_flag_of_a_scored_framework_is_frozen_in_the_editor(sec_client, scored):
    url = reverse("frameworks:node_edit", args=[scored.code, node(scored, "1.1").pk])
    form = sec_client.get(url).content.decode()
    assert 'name="evidence_required"' in form and "disabled" in form.split('name="evidence_required"')[1][:80]
    # The case of the issue: a rename that also drops the evidence requirement.
    response = sec_client.post(url, {**LEAF_POST, "name": "Kế hoạch (đổi tên)"})  # no evidence_required
    assert response.status_code == 302
    leaf = node(scored, "1.1")
    assert leaf.name == "Kế hoạch (đổi tên)" and leaf.evidence_required


def test_the_service_refuses_rules_maxima_and_evidence_flags_of_a_scored_framework(scored, people):
    leaf = node(scored, "1.1")
    for change in ({"evidence_required": False}, {"max_points": Decimal("5")}, {"rule": {"type": "yes_no"}}):
        with pytest.raises(ValidationError, match="đã có điểm chấm"):
            update_node(leaf, user=people.sec, **change)
    leaf.refresh_from_db()
    assert leaf.evidence_required and leaf.max_points == Decimal("2") and leaf.rule == {"type": "manual"}
    assert not FrameworkChange.objects.exists()


def test_name_and_guidance_changes_are_audited_and_shown(sec_client, scored, people):
    url = reverse("frameworks:node_edit", args=[scored.code, node(scored, "1.1").pk])
    sec_client.post(url, {**LEAF_POST, "name": "Kế hoạch năm", "guidance": "Trước 15/12"})
    rows = {c.field: c for c in FrameworkChange.objects.filter(framework=scored)}
    assert set(rows) == {"name", "guidance"}
    assert rows["name"].old == "Kế hoạch CCHC năm" and rows["name"].new == "Kế hoạch năm"
    assert rows["guidance"].old == "" and rows["guidance"].new == "Trước 15/12"
    assert all(c.by == people.sec and c.target == "1.1" and c.at for c in rows.values())
    page = sec_client.get(reverse("frameworks:detail", args=[scored.code])).content.decode()
    history = page.split('id="changes"')[1]
    assert "Kế hoạch CCHC năm" in history and "Trước 15/12" in history and "hướng dẫn chấm điểm" in history


def test_band_name_changes_are_audited(sec_client, scored):
    from tests.frameworks.test_editor import band_post

    rows = [
        {"code": b.code, "name": b.name, "min": str(b.min_index), "min_field_ratio": "", "color": b.color}
        for b in scored.bands.order_by("-min_index")
    ]
    rows[0]["name"] = "Xuất sắc (A)"
    assert (
        sec_client.post(reverse("frameworks:bands", args=[scored.code]), band_post(rows)).status_code == 302
    )
    change = FrameworkChange.objects.get(framework=scored)
    assert (change.target, change.field, change.old, change.new) == (
        "band xuat_sac",
        "name",
        "Xuất sắc",
        "Xuất sắc (A)",
    )


def _upload(client, tmp_path, doc):
    path = tmp_path / "fw.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    with path.open("rb") as fh:
        return client.post(reverse("frameworks:list"), {"file": fh})


@pytest.mark.parametrize(
    "key,value", [("evidence_required", False), ("max", 5), ("rule", {"type": "yes_no"})]
)
def test_reimporting_a_scored_framework_keeps_its_rules_maxima_and_evidence(
    sec_client, scored, tmp_path, key, value
):
    doc = export_document(scored)
    leaf = doc["nodes"][0]["children"][0]
    assert leaf["code"] == "1.1"
    leaf[key] = value
    leaf["name"] = "Đổi tên cùng lúc"
    response = _upload(sec_client, tmp_path, doc)
    assert response.status_code == 422
    body = response.content.decode()
    assert "đã có điểm chấm" in body and "1.1" in body
    kept = node(scored, "1.1")
    assert kept.name == "Kế hoạch CCHC năm" and kept.evidence_required and kept.max_points == Decimal("2")
    assert not FrameworkChange.objects.exists()


def test_reimporting_a_scored_framework_with_new_texts_applies_and_audits_them(
    sec_client, scored, tmp_path, people
):
    doc = export_document(scored)
    doc["nodes"][0]["children"][0]["name"] = "Kế hoạch CCHC (tệp)"
    doc["nodes"][0]["children"][1]["guidance"] = "Gửi trước ngày 15"
    response = _upload(sec_client, tmp_path, doc)
    assert response.status_code == 302
    assert node(scored, "1.1").name == "Kế hoạch CCHC (tệp)"
    assert node(scored, "1.2").guidance == "Gửi trước ngày 15"
    changes = sorted(FrameworkChange.objects.values_list("target", "field", "new", "by"))
    assert changes == [
        ("1.1", "name", "Kế hoạch CCHC (tệp)", people.sec.pk),
        ("1.2", "guidance", "Gửi trước ngày 15", people.sec.pk),
    ]
    # The scores under it are untouched.
    assert node(scored, "1.2").scores.count() == 1
