"""Monthly data entry with approval, through its pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.indicators.entry import overview, send_entry_reminders
from cchc.indicators.models import EntryChange, EntrySheet, Indicator, IndicatorValue, SheetStatus
from cchc.indicators.periods import Period
from cchc.indicators.services import rolled_values

MAY = Period.month(2025, 5)
SIGNED = "egov.signed_documents_rate"
PORTAL = "egov.portal_updated"


def sheet_url(unit, period=MAY):
    return reverse("indicators:sheet", args=[unit.pk, str(period)])


def fields(**by_code):
    """POST fields for indicators given by code: {code: {numerator: …} or value}."""
    data = {}
    for code, spec in by_code.items():
        pk = Indicator.objects.get(code=code).pk
        if isinstance(spec, dict):
            data.update({f"{k}-{pk}": v for k, v in spec.items()})
        else:
            data[f"value-{pk}"] = spec
    return data


ALL_MONTHLY = {
    SIGNED: {"numerator": "45", "denominator": "50"},
    "egov.electronic_documents_rate": {"numerator": "40", "denominator": "50"},
    PORTAL: "1",
}


@pytest.fixture
def officer(client, people):
    client.force_login(people.officer_a)
    return client


def test_the_unit_saves_a_draft_submits_and_the_secretariat_returns_then_approves(client, people, province):
    client.force_login(people.officer_a)
    page = client.get(sheet_url(province.A))
    assert page.status_code == 200
    assert "Tỷ lệ văn bản đi được ký số" in page.content.decode()
    assert client.post(sheet_url(province.A), {**fields(**ALL_MONTHLY), "action": "save"}).status_code == 302
    sheet = EntrySheet.objects.get(unit=province.A)
    assert sheet.status == SheetStatus.DRAFT
    assert not IndicatorValue.objects.exists()  # a draft writes nothing
    client.post(sheet_url(province.A), {**fields(**ALL_MONTHLY), "action": "submit"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    # The officer cannot approve.
    client.post(sheet_url(province.A), {"action": "approve"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED

    client.force_login(people.sec)
    page = client.post(sheet_url(province.A), {"action": "return", "reason": ""}, follow=True)
    assert "Cần ghi lý do trả lại" in page.content.decode()
    client.post(sheet_url(province.A), {"action": "return", "reason": "Mẫu số chưa đúng sổ văn bản đi"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED

    client.force_login(people.officer_a)
    page = client.get(sheet_url(province.A)).content.decode()
    assert "Mẫu số chưa đúng sổ văn bản đi" in page
    corrected = {**ALL_MONTHLY, SIGNED: {"numerator": "45", "denominator": "60"}}
    client.post(sheet_url(province.A), {**fields(**corrected), "action": "submit"})

    client.force_login(people.sec)
    client.post(sheet_url(province.A), {"action": "approve"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED
    value = IndicatorValue.objects.get(indicator__code=SIGNED)
    assert (value.origin, value.numerator, value.denominator, value.value) == (
        "entry",
        45,
        60,
        Decimal("75.0000"),
    )
    actions = list(sheet.changes.order_by("pk").values_list("action", flat=True))
    assert actions.count("submit") == 2 and "return" in actions and actions[-1] == "approve"
    change = sheet.changes.filter(action="save", indicator__code=SIGNED).order_by("pk").last()
    assert (change.old, change.new) == ("45/50 = 90,00", "45/60 = 75,00")

    # Locked: the officer can no longer change it.
    client.force_login(people.officer_a)
    client.post(
        sheet_url(province.A),
        {**fields(**{SIGNED: {"numerator": "1", "denominator": "60"}}), "action": "save"},
    )
    assert IndicatorValue.objects.get(indicator__code=SIGNED).numerator == 45

    # Re-opening needs a reason, and withdraws the values.
    client.force_login(people.sec)
    client.post(sheet_url(province.A), {"action": "reopen", "reason": ""})
    assert IndicatorValue.objects.filter(origin="entry").exists()
    client.post(sheet_url(province.A), {"action": "reopen", "reason": "Đơn vị đề nghị sửa số liệu"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED
    assert not IndicatorValue.objects.filter(origin="entry").exists()
    assert sheet.changes.filter(action="reopen", reason="Đơn vị đề nghị sửa số liệu").exists()


def test_bad_figures_are_refused_beside_their_field_and_nothing_is_saved(officer, province):
    bad = {
        SIGNED: {"numerator": "60", "denominator": "50"},
        "egov.electronic_documents_rate": {"numerator": "abc", "denominator": "50"},
        PORTAL: "2",
    }
    page = officer.post(sheet_url(province.A), {**fields(**bad), "action": "save"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Tử số phải từ 0 đến mẫu số" in text and "Không phải là số: abc" in text
    assert "ngoài khoảng hợp lệ 0 – 1" in text
    assert not EntrySheet.objects.exists() and not EntryChange.objects.exists()


def test_submitting_needs_every_indicator(officer, province):
    officer.post(
        sheet_url(province.A),
        {**fields(**{SIGNED: {"numerator": "1", "denominator": "2"}}), "action": "submit"},
    )
    sheet = EntrySheet.objects.get()
    assert sheet.status == SheetStatus.DRAFT


def test_another_unit_and_an_outsider_get_404(client, people, province):
    client.force_login(people.officer_b)
    assert client.get(sheet_url(province.A)).status_code == 404
    client.force_login(people.outsider)
    assert client.get(sheet_url(province.A)).status_code == 404
    assert client.get(reverse("indicators:sheet", args=[province.A.pk, "2025-13"])).status_code == 404


def test_leaders_see_only_approved_values(client, people, province):
    client.force_login(people.officer_a)
    client.post(sheet_url(province.A), {**fields(**ALL_MONTHLY), "action": "submit"})
    client.force_login(people.boss)
    page = client.get(sheet_url(province.A)).content.decode()
    assert "90,00" not in page
    assert 'name="numerator-' in page and "disabled" in page  # read-only
    client.force_login(people.sec)
    client.post(sheet_url(province.A), {"action": "approve"})
    client.force_login(people.boss)
    assert "90,00" in client.get(sheet_url(province.A)).content.decode()


def test_evidence_is_attached_audited_and_served_only_to_those_who_may_see(client, people, province):
    client.force_login(people.officer_a)
    pk = Indicator.objects.get(code=SIGNED).pk
    upload = SimpleUploadedFile("so-van-ban-di.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(sheet_url(province.A), {**fields(**ALL_MONTHLY), f"evidence-{pk}": upload, "action": "save"})
    value = EntrySheet.objects.get().values.get(indicator_id=pk)
    assert value.evidence and EntryChange.objects.filter(action="evidence").exists()
    url = reverse("indicators:evidence", args=[value.pk])
    assert client.get(url).status_code == 200
    client.force_login(people.officer_b)
    assert client.get(url).status_code == 404


def test_the_overview_shows_late_units_and_reminds_them(client, people, province, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(people.officer_a)
    client.post(sheet_url(province.A), {**fields(**ALL_MONTHLY), "action": "submit"})
    rows = {r.unit.code: r for r in overview(people.sec, MAY, today=dt.date(2025, 6, 10))}
    assert rows["A"].status == SheetStatus.SUBMITTED and not rows["A"].late
    assert rows["B"].status is None and rows["B"].late
    assert not {r.unit.code: r for r in overview(people.sec, MAY, today=dt.date(2025, 6, 2))}["B"].late
    client.force_login(people.sec)
    page = client.get(reverse("indicators:entry") + "?period=2025-05").content.decode()
    assert "Huyện Bình" in page and "Chậm" in page
    result = send_entry_reminders("2025-05", [province.A.pk, province.B.pk])
    assert result == {"late_units": 1, "sent": 1}
    assert mail.outbox[0].to == ["b@example.vn"] and "2025-05" in mail.outbox[0].subject


def test_the_reminder_button_queues_the_task(client, people, province, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(people.sec)
    page = client.post(reverse("indicators:entry"), {"period": "2024-01"}, follow=True).content.decode()
    assert "Đã gửi nhắc nhở" in page
    assert {m.to[0] for m in mail.outbox} == {"a@example.vn", "b@example.vn"}


def test_a_par_criterion_bound_to_an_entry_indicator_scores_from_approved_months(client, people, province):
    from cchc.assessments.results import assessment_result

    round_obj, leaf = open_egov_round(people)
    assessment = round_obj.assessments.get(unit=province.A)
    assert assessment_result(assessment).node_points.get(leaf.pk) in (None, Decimal(0))
    client.force_login(people.officer_a)
    client.post(
        sheet_url(province.A),
        {**fields(**{**ALL_MONTHLY, SIGNED: {"numerator": "80", "denominator": "100"}}), "action": "submit"},
    )
    assert assessment_result(assessment).node_points.get(leaf.pk) in (None, Decimal(0))  # not approved yet
    client.force_login(people.sec)
    client.post(sheet_url(province.A), {"action": "approve"})
    assert assessment_result(assessment).node_points[leaf.pk] == 1
    assert (
        rolled_values(Indicator.objects.get(code=SIGNED), [province.P], Period.year(2025))[
            province.P.pk
        ].value
        == 80
    )


def open_egov_round(people):
    """A 2025 district framework whose criterion 1.1 scores from the digitally signed documents
    rate (≥ 90 %: 2 points, ≥ 70 %: 1), opened for the districts. Returns (round, leaf 1.1)."""
    from cchc.assessments.services import open_round
    from cchc.indicators.services import sync_catalogue
    from tests.factories import make_framework

    # The catalogue is written by a data migration, which a transactional test before this one
    # (the browser tests) has flushed away: write it again (idempotent).
    sync_catalogue()
    spec = [
        {
            "code": "1",
            "children": [
                {
                    "code": "1.1",
                    "max": 2,
                    "rule": {
                        "type": "thresholds",
                        "indicator": SIGNED,
                        "steps": [
                            {"min": 90, "points": 2},
                            {"min": 70, "points": 1},
                            {"min": 0, "points": 0},
                        ],
                    },
                },
                {"code": "1.2", "max": 1},
            ],
        }
    ]
    framework = make_framework("EGOV-2025", 2025, ["district"], spec)
    round_obj, _created = open_round(framework, 2025, user=people.sec)
    return round_obj, framework.nodes.get(code="1.1")
