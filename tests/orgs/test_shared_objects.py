"""Shared objects (frameworks, the procedure catalogue, questionnaires, the working-day calendar)
are changed only by a secretariat whose scope covers every unit they apply to: the permission
matrix of a district secretariat against the province secretariat, through the real pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cchc.frameworks.models import Framework, Node
from cchc.orgs.access import may_change_shared, scope_for
from cchc.procedures.importers import PROCEDURE_COLUMNS
from cchc.procedures.jobs import execute_import_job
from cchc.procedures.models import ImportJob, ImportStatus, Procedure
from cchc.surveys.models import Questionnaire
from cchc.workdays.models import CalendarOverride, OverrideKind
from tests.factories import make_unit, make_user
from tests.procedures.helpers import import_catalogue, procedure, write_csv

pytestmark = pytest.mark.django_db

STAFF_MODELS = ["calendaroverride", "questionnaire", "procedure", "framework", "node"]


def _staff(user):
    """A staff account holding Django's model permissions on every shared object, so that only
    the shared-object rule can refuse it."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__model__in=STAFF_MODELS))
    return user


@pytest.fixture
def sec_a(people, province):
    """The secretariat of district A (its subtree: A and its commune)."""
    return _staff(make_user("sec_a", "secretariat", province.A))


@pytest.fixture
def sec(people):
    return _staff(people.sec)


def _client(client, user):
    client.force_login(user)
    return client


# --- the one rule ---------------------------------------------------------------------------------


def test_the_rule_needs_a_scope_covering_every_unit(province, people, sec_a):
    districts = [province.A, province.B]
    assert may_change_shared(people.sec, districts)
    assert may_change_shared(scope_for(people.sec), None)
    assert may_change_shared(sec_a, [province.A])
    assert not may_change_shared(sec_a, districts)
    assert not may_change_shared(sec_a, None)  # province-wide
    assert not may_change_shared(people.boss, [province.A])  # a leader is no secretariat
    assert not may_change_shared(people.outsider, [province.A])
    root = make_user("root", is_superuser=True)
    assert may_change_shared(root, None)


def test_a_second_province_is_not_covered_by_the_first_ones_secretariat(province, people):
    make_unit("Q", "Tỉnh Khác", "province")
    assert not may_change_shared(people.sec, None)


# --- frameworks -----------------------------------------------------------------------------------


LEAF = {
    "name": "Kế hoạch (đổi tên)",
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


def _leaf(framework, code="1.1"):
    return Node.objects.get(framework=framework, code=code)


def test_a_district_secretariat_reads_the_province_framework_but_cannot_change_it(client, framework, sec_a):
    c = _client(client, sec_a)
    detail = c.get(reverse("frameworks:detail", args=[framework.code]))
    assert detail.status_code == 200
    assert 'id="read-only-note"' in detail.content.decode()
    assert (
        reverse("frameworks:node_edit", args=[framework.code, _leaf(framework).pk])
        not in detail.content.decode()
    )
    assert c.get(reverse("frameworks:list")).status_code == 200
    assert c.get(reverse("frameworks:export", args=[framework.code, "yaml"])).status_code == 200

    edit = reverse("frameworks:node_edit", args=[framework.code, _leaf(framework).pk])
    assert c.get(edit).status_code == 403
    assert c.post(edit, LEAF).status_code == 403
    assert (
        c.post(reverse("frameworks:node_add", args=[framework.code]), {"code": "3", **LEAF}).status_code
        == 403
    )
    delete = reverse("frameworks:node_delete", args=[framework.code, _leaf(framework, "1.2").pk])
    assert c.post(delete).status_code == 403
    assert c.get(reverse("frameworks:bands", args=[framework.code])).status_code == 403
    copy = reverse("frameworks:copy", args=[framework.code])
    assert c.post(copy, {"code": "X-2022", "year": 2022, "name": "X"}).status_code == 403
    leaf = _leaf(framework)
    assert leaf.name == "Kế hoạch CCHC năm" and leaf.evidence_required
    assert Node.objects.filter(framework=framework, code="1.2").exists()
    assert not Framework.objects.filter(code="X-2022").exists()


def test_the_province_secretariat_changes_the_framework(client, framework, sec):
    c = _client(client, sec)
    detail = c.get(reverse("frameworks:detail", args=[framework.code]))
    assert 'id="read-only-note"' not in detail.content.decode()
    edit = reverse("frameworks:node_edit", args=[framework.code, _leaf(framework).pk])
    assert c.post(edit, {**LEAF, "evidence_required": "on"}).status_code == 302
    assert _leaf(framework).name == "Kế hoạch (đổi tên)"
    copy = reverse("frameworks:copy", args=[framework.code])
    assert c.post(copy, {"code": "X-2022", "year": 2022, "name": "X"}).status_code == 302


def test_a_district_secretariat_cannot_import_over_the_province_framework(client, framework, sec_a, tmp_path):
    from cchc.frameworks.io import dump_yaml, export_document

    doc = export_document(framework)
    doc["nodes"][0]["children"][0]["name"] = "Đổi tên qua tệp"
    upload = tmp_path / "fw.yaml"
    upload.write_text(dump_yaml(doc), encoding="utf-8")
    c = _client(client, sec_a)
    page = c.get(reverse("frameworks:list")).content.decode()
    assert 'type="file"' not in page
    with upload.open("rb") as fh:
        assert c.post(reverse("frameworks:list"), {"file": fh}).status_code == 403
    assert _leaf(framework).name == "Kế hoạch CCHC năm"


def test_a_district_secretariat_may_change_a_framework_that_applies_only_inside_its_scope(
    client, province, sec_a
):
    """The rule is coverage, not rank: a framework for a unit type found only under district A
    is A's to change; while no unit has that type it counts as province-wide."""
    from cchc.orgs.models import UnitType
    from tests.factories import SMALL_SPEC, make_framework

    UnitType.objects.create(code="to-dan-pho", name="Tổ dân phố", level=4)
    fw = make_framework("BP-TO-A", 2021, ["to-dan-pho"], SMALL_SPEC)
    c = _client(client, sec_a)
    edit = reverse("frameworks:node_edit", args=[fw.code, _leaf(fw).pk])
    assert c.get(edit).status_code == 403
    make_unit("A1-T1", "Tổ 1", "to-dan-pho", province.A.children.get())
    assert c.get(edit).status_code == 200
    assert c.post(edit, LEAF).status_code == 302
    # Assessed under it, a unit of district B brings B's scope into it.
    from cchc.assessments.services import open_round

    open_round(fw, 2021, units=[province.B])
    assert c.get(edit).status_code == 403


def test_admin_pages_of_a_framework_are_read_only_for_a_district_secretariat(client, framework, sec_a, sec):
    url = reverse("admin:frameworks_node_change", args=[_leaf(framework).pk])
    c = _client(client, sec_a)
    page = c.get(url)
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert c.post(url, {"name": "x"}).status_code == 403
    c = _client(client, sec)
    assert 'name="name"' in c.get(url).content.decode()


# --- the procedure catalogue --------------------------------------------------------------------


@pytest.fixture
def catalogue(tmp_path, db):
    import_catalogue(tmp_path, [procedure("1.001", days="5", level="province")])


def _upload_catalogue(c, tmp_path, days="20"):
    path = write_csv(
        tmp_path / "catalogue.csv", PROCEDURE_COLUMNS, [procedure("1.001", days=days, level="province")]
    )
    with path.open("rb") as fh:
        return c.post(reverse("procedures:import_list"), {"kind": "procedures", "file": fh})


def test_a_district_secretariat_cannot_upload_the_procedure_catalogue(client, catalogue, sec_a, tmp_path):
    c = _client(client, sec_a)
    page = c.get(reverse("procedures:import_list")).content.decode()
    assert 'value="procedures"' not in page and 'value="dossiers"' in page
    assert _upload_catalogue(c, tmp_path).status_code == 403
    assert not ImportJob.objects.exists()
    assert Procedure.objects.get(code="1.001").processing_days == 5


def test_the_province_secretariat_uploads_the_procedure_catalogue(client, catalogue, sec, tmp_path):
    c = _client(client, sec)
    assert 'value="procedures"' in c.get(reverse("procedures:import_list")).content.decode()
    assert _upload_catalogue(c, tmp_path).status_code == 302
    job = ImportJob.objects.get()
    execute_import_job(job.pk)
    assert Procedure.objects.get(code="1.001").processing_days == 20


def test_a_catalogue_job_of_a_district_secretariat_fails_in_the_worker_too(catalogue, sec_a, tmp_path):
    """A job row made some other way (or queued before the role changed) is refused when it runs."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.procedures.tasks import start_import_job

    path = write_csv(tmp_path / "c.csv", PROCEDURE_COLUMNS, [procedure("1.001", days="20", level="province")])
    upload = SimpleUploadedFile("c.csv", path.read_bytes())
    job = start_import_job(user=sec_a, unit=None, upload=upload, kind="procedures")
    execute_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "tỉnh" in job.errors
    assert Procedure.objects.get(code="1.001").processing_days == 5


def test_the_procedure_admin_is_read_only_for_a_district_secretariat(client, catalogue, sec_a, sec):
    pk = Procedure.objects.get(code="1.001").pk
    url = reverse("admin:procedures_procedure_change", args=[pk])
    c = _client(client, sec_a)
    assert 'name="processing_days"' not in c.get(url).content.decode()
    assert c.post(url, {"processing_days": "1"}).status_code == 403
    assert 'name="processing_days"' in _client(client, sec).get(url).content.decode()


# --- questionnaires -----------------------------------------------------------------------------


@pytest.fixture
def questionnaire(db):
    return Questionnaire.objects.create(code="Q-TEST", name="Bộ câu hỏi thử")


def test_a_district_secretariat_cannot_change_or_version_a_questionnaire(client, questionnaire, sec_a):
    url = reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])
    c = _client(client, sec_a)
    assert c.get(url).status_code == 200
    assert 'name="name"' not in c.get(url).content.decode()
    assert c.post(url, {"name": "Đổi tên"}).status_code == 403
    assert c.get(reverse("admin:surveys_questionnaire_add")).status_code == 403
    changelist = reverse("admin:surveys_questionnaire_changelist")
    c.post(changelist, {"action": "copy_as_new_version", "_selected_action": [questionnaire.pk]})
    assert Questionnaire.objects.filter(code="Q-TEST").count() == 1
    questionnaire.refresh_from_db()
    assert questionnaire.name == "Bộ câu hỏi thử"


def test_the_province_secretariat_versions_a_questionnaire(client, questionnaire, sec):
    c = _client(client, sec)
    url = reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])
    assert 'name="name"' in c.get(url).content.decode()
    changelist = reverse("admin:surveys_questionnaire_changelist")
    c.post(changelist, {"action": "copy_as_new_version", "_selected_action": [questionnaire.pk]})
    assert Questionnaire.objects.filter(code="Q-TEST").count() == 2


# --- calendar overrides -------------------------------------------------------------------------


@pytest.fixture
def override(db):
    return CalendarOverride.objects.create(
        date=dt.date(2031, 5, 6), kind=OverrideKind.DAY_OFF, name="Nghỉ bù"
    )


def test_a_district_secretariat_cannot_change_calendar_overrides(client, override, sec_a):
    c = _client(client, sec_a)
    url = reverse("admin:workdays_calendaroverride_change", args=[override.pk])
    assert c.get(url).status_code == 200 and 'name="name"' not in c.get(url).content.decode()
    data = {"date": "06/05/2031", "kind": "working_day", "name": "x"}
    assert c.post(url, data).status_code == 403
    assert c.get(reverse("admin:workdays_calendaroverride_add")).status_code == 403
    assert (
        c.post(
            reverse("admin:workdays_calendaroverride_delete", args=[override.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    override.refresh_from_db()
    assert override.kind == OverrideKind.DAY_OFF


def test_the_province_secretariat_changes_calendar_overrides(client, override, sec):
    c = _client(client, sec)
    assert c.get(reverse("admin:workdays_calendaroverride_add")).status_code == 200
    assert (
        c.post(
            reverse("admin:workdays_calendaroverride_delete", args=[override.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert not CalendarOverride.objects.filter(pk=override.pk).exists()
