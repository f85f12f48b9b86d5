"""The pages of the evaluation year, driven through the Django test client."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.assessments.models import Assessment, Evidence, Score, Status
from cchc.frameworks.models import Node

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def a_assessment(opened_round, province):
    return Assessment.objects.get(round=opened_round, unit=province.A)


def node(framework, code):
    return Node.objects.get(framework=framework, code=code)


def test_officer_autosaves_a_score_with_htmx(client, people, a_assessment, framework):
    client.force_login(people.officer_a)
    leaf = node(framework, "1.2")
    url = reverse("assessments:leaf_save", args=[a_assessment.pk, leaf.pk])
    response = client.post(url, {"self_score": "0,75"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="totals"' in response.content and b"hx-swap-oob" in response.content
    assert Score.objects.get(assessment=a_assessment, node=leaf).self_score == Decimal("0.75")


def test_autosave_without_javascript_redirects_back_to_the_leaf(client, people, a_assessment, framework):
    client.force_login(people.officer_a)
    leaf = node(framework, "2.1")
    response = client.post(
        reverse("assessments:leaf_save", args=[a_assessment.pk, leaf.pk]), {"self_score": "3"}
    )
    assert response.status_code == 302 and response.url.endswith(f"#leaf-{leaf.pk}")
    assert Score.objects.get(assessment=a_assessment, node=leaf).self_score == Decimal("3")


def test_a_score_above_the_maximum_is_refused_with_a_reason(client, people, a_assessment, framework):
    client.force_login(people.officer_a)
    leaf = node(framework, "1.2")
    response = client.post(
        reverse("assessments:leaf_save", args=[a_assessment.pk, leaf.pk]),
        {"self_score": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "1.2" in response.content.decode()
    assert not Score.objects.filter(assessment=a_assessment, node=leaf, self_score__isnull=False).exists()


def test_evidence_upload_checks_the_content_and_download_checks_the_user(
    client, people, a_assessment, framework
):
    client.force_login(people.officer_a)
    leaf = node(framework, "1.1")
    url = reverse("assessments:evidence_upload", args=[a_assessment.pk, leaf.pk])
    fake = SimpleUploadedFile("ke-hoach.pdf", b"MZ not a pdf", content_type="application/pdf")
    client.post(url, {"file": fake})
    assert not Evidence.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("ke-hoach.pdf", PDF, content_type="application/pdf")})
    evidence = Evidence.objects.get()
    download = client.get(reverse("assessments:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    client.force_login(people.officer_b)
    assert client.get(reverse("assessments:evidence", args=[evidence.pk])).status_code == 404


def test_submit_is_refused_while_items_are_missing_then_accepted(client, people, a_assessment, framework):
    client.force_login(people.officer_a)
    action = reverse("assessments:action", args=[a_assessment.pk])
    client.post(action, {"action": "submit", "confirm": "1"})
    a_assessment.refresh_from_db()
    assert a_assessment.status == Status.DRAFT
    page = client.get(reverse("assessments:detail", args=[a_assessment.pk])).content.decode()
    assert "chưa chấm điểm tự đánh giá" in page
    for code, value in [("1.1", "2"), ("1.2", "1"), ("2.1", "3"), ("2.2", "4")]:
        client.post(
            reverse("assessments:leaf_save", args=[a_assessment.pk, node(framework, code).pk]),
            {"self_score": value, "explanation": "Kế hoạch số 11/KH-UBND" if code == "1.1" else ""},
        )
    client.post(action, {"action": "submit", "confirm": "1"})
    a_assessment.refresh_from_db()
    assert a_assessment.status == Status.SUBMITTED


def test_secretariat_opens_a_year_and_finalises_many(client, people, framework, province):
    client.force_login(people.sec)
    response = client.post(
        reverse("assessments:round_new"),
        {"framework": framework.pk, "year": "2021", "deadline": "2021-12-10"},
    )
    round_id = int(response.url.rstrip("/").split("/")[-1])
    assert Assessment.objects.filter(round_id=round_id).count() == 2
    overview = client.get(reverse("assessments:round_overview", args=[round_id]))
    assert overview.status_code == 200 and "Huyện An" in overview.content.decode()
    for a in Assessment.objects.filter(round_id=round_id):
        from cchc.assessments.services import submit

        submit(a, force=True)
    ids = list(Assessment.objects.filter(round_id=round_id).values_list("pk", flat=True))
    client.post(
        reverse("assessments:round_bulk", args=[round_id]),
        {
            "action": "finalise",
            "ids": ids,
            "confirm": "1",
            "override_reason": "Đơn vị không có ý kiến thẩm định",
        },
    )
    assert set(Assessment.objects.filter(round_id=round_id).values_list("status", flat=True)) == {
        Status.FINALISED
    }
    client.post(
        reverse("assessments:round_bulk", args=[round_id]), {"action": "publish", "ids": ids, "confirm": "1"}
    )
    results = client.get(reverse("assessments:results", args=[round_id]))
    assert results.status_code == 200 and "Huyện Bình" in results.content.decode()
    xlsx = client.get(reverse("assessments:results", args=[round_id]) + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pages_speak_vietnamese_even_to_an_english_browser(client, people):
    client.force_login(people.sec)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Việc đang chờ tôi" in page
