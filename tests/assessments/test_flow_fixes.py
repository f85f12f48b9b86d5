"""Issue 9, the assessment workflow: evidence audit, late submission, deadline, finalise,
bulk reasons, score input — through the pages and the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.assessments import services
from cchc.assessments.models import Assessment, EvidenceEvent, ScoreChange, Status
from cchc.frameworks.models import Node

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def a(opened_round, province):
    return Assessment.objects.get(round=opened_round, unit=province.A)


def node(a, code):
    return Node.objects.get(framework=a.round.framework, code=code)


def test_evidence_removal_is_audited_and_the_file_kept_until_published(
    client, people, a, django_capture_on_commit_callbacks
):
    client.force_login(people.officer_a)
    up = reverse("assessments:evidence_upload", args=[a.pk, node(a, "1.1").pk])
    client.post(up, {"file": SimpleUploadedFile("kh.pdf", PDF, content_type="application/pdf")})
    evidence = a.scores.get().evidence.get()
    stored = evidence.file.name
    client.post(reverse("assessments:evidence_delete", args=[evidence.pk]))
    events = list(EvidenceEvent.objects.values_list("action", "file_name", "size", "by__username"))
    assert events == [
        ("added", "kh.pdf", len(PDF), "officer_a"),
        ("removed", "kh.pdf", len(PDF), "officer_a"),
    ]
    assert EvidenceEvent.objects.filter(sha256__regex=r"^[0-9a-f]{64}$").count() == 2
    assert default_storage.exists(stored)
    services.submit(a, force=True)
    services.finalise(a, user=people.sec, override_reason="thử")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(a, user=people.sec)
    assert not default_storage.exists(stored)
    assert EvidenceEvent.objects.get(action="removed").pruned_at is not None


def test_removing_evidence_after_submission_is_refused(people, a):
    ev = services.add_evidence(
        a,
        node(a, "1.1"),
        SimpleUploadedFile("kh.pdf", PDF, content_type="application/pdf"),
        user=people.officer_a,
    )
    services.submit(a, force=True)
    with pytest.raises(services.WorkflowError):
        services.remove_evidence(ev, user=people.officer_a)
    assert not EvidenceEvent.objects.filter(action="removed").exists()


def test_a_late_submission_is_kept_in_working_days(client, people, a, opened_round):
    # deadline Friday 3/12/2021 17:00; submitted Tuesday 7/12 → Mon, Tue = 2 working days late
    opened_round.deadline = timezone.make_aware(dt.datetime(2021, 12, 3, 17, 0))
    opened_round.save()
    assert (
        services.working_days_late(
            opened_round.deadline, timezone.make_aware(dt.datetime(2021, 12, 7, 9, 0)), a.unit
        )
        == 2
    )
    services.submit(a, force=True)
    a.refresh_from_db()
    assert a.working_days_late and a.working_days_late > 2
    client.force_login(people.sec)
    overview = client.get(reverse("assessments:round_overview", args=[opened_round.pk])).content.decode()
    assert "đơn vị đã nộp trễ" in overview
    results = client.get(reverse("assessments:results", args=[opened_round.pk])).content.decode()
    assert "Nộp trễ" in results and f'data-late="{a.working_days_late}"' in results


def test_an_empty_deadline_is_refused(client, people, opened_round):
    opened_round.deadline = timezone.make_aware(dt.datetime(2021, 12, 3, 17, 0))
    opened_round.save()
    client.force_login(people.sec)
    r = client.post(
        reverse("assessments:round_bulk", args=[opened_round.pk]),
        {"action": "deadline", "deadline": ""},
        follow=True,
    )
    assert "hạn nộp không được để trống" in r.content.decode()
    opened_round.refresh_from_db()
    assert opened_round.deadline is not None


@pytest.mark.parametrize("typed", ["13/12/2021", "2021-12-13"])
def test_a_deadline_is_typed_as_dd_mm_yyyy_whatever_the_browser(client, people, opened_round, typed):
    client.force_login(people.sec)
    page = client.get(reverse("assessments:round_overview", args=[opened_round.pk])).content.decode()
    assert 'name="deadline"' in page and 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    r = client.post(
        reverse("assessments:round_bulk", args=[opened_round.pk]),
        {"action": "deadline", "deadline": typed},
        follow=True,
    )
    assert "Đã cập nhật hạn nộp." in r.content.decode()
    opened_round.refresh_from_db()
    assert timezone.localtime(opened_round.deadline) == timezone.make_aware(dt.datetime(2021, 12, 13, 17, 0))


def test_an_unreadable_deadline_is_a_message(client, people, opened_round):
    client.force_login(people.sec)
    r = client.post(
        reverse("assessments:round_bulk", args=[opened_round.pk]),
        {"action": "deadline", "deadline": "12/13/2021"},
        follow=True,
    )
    assert "Hạn nộp không hợp lệ." in r.content.decode()


def test_finalise_needs_every_leaf_appraised_or_a_recorded_reason(client, people, a):
    services.submit(a, force=True)
    with pytest.raises(services.WorkflowError):
        services.finalise(a, user=people.sec)
    client.force_login(people.sec)
    url = reverse("assessments:action", args=[a.pk])
    page = client.post(url, {"action": "finalise"}).content.decode()
    assert "Xác nhận" in page and "tiêu chí chưa thẩm định" in page
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED  # the confirmation page changed nothing
    client.post(url, {"action": "finalise", "confirm": "1", "override_reason": "Đồng ý điểm tự chấm"})
    a.refresh_from_db()
    assert a.status == Status.FINALISED
    assert a.transitions.last().override_reason == "Đồng ý điểm tự chấm"


def test_bulk_finalise_names_the_real_reason(client, people, a, opened_round):
    services.submit(a, force=True)
    services.finalise(a, user=people.sec, override_reason="x")
    client.force_login(people.sec)
    r = client.post(
        reverse("assessments:round_bulk", args=[opened_round.pk]),
        {"action": "finalise", "ids": [a.pk], "confirm": "1"},
        follow=True,
    )
    html = r.content.decode()
    assert "đã hoàn thành thẩm định" in html and "không có quyền" not in html


def test_scores_accept_comma_and_point_and_history_reads_vietnamese(client, people, a):
    assert services.parse_score("0,75") == services.parse_score("0.75") == Decimal("0.75")
    client.force_login(people.officer_a)
    url = reverse("assessments:leaf_save", args=[a.pk, node(a, "2.1").pk])
    client.post(url, {"self_score": "0,75"}, HTTP_HX_REQUEST="true")
    client.post(url, {"self_score": "1.00"}, HTTP_HX_REQUEST="true")
    assert ScoreChange.objects.last().old_display == "0,75"
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "0,75 → 1,00" in page and 'inputmode="decimal"' in page


def test_a_score_over_the_maximum_is_a_message_beside_the_field(client, people, a):
    client.force_login(people.officer_a)
    url = reverse("assessments:leaf_save", args=[a.pk, node(a, "1.2").pk])
    html = client.post(url, {"self_score": "5,5"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="field-error"' in html and "vượt điểm tối đa" in html
    assert 'value="5,5"' in html and 'aria-invalid="true"' in html
    assert not a.scores.filter(self_score__isnull=False).exists()
