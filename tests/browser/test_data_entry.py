"""A month of e-government figures in a real browser (Debian's Chromium): the unit enters and
submits, the secretariat returns it, the unit corrects, the secretariat approves, and the PAR
criterion bound to the indicator scores from the approved figures."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cchc.indicators.models import Indicator
from tests.browser.test_full_year import log_in
from tests.indicators.test_entry import open_egov_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIGNED = "egov.signed_documents_rate"


def row(page, code):
    return page.locator(f'tr[data-indicator="{code}"]')


def fill_month(page, signed_num, signed_den):
    row(page, SIGNED).locator("[name^=numerator-]").fill(signed_num)
    row(page, SIGNED).locator("[name^=denominator-]").fill(signed_den)
    electronic = row(page, "egov.electronic_documents_rate")
    electronic.locator("[name^=numerator-]").fill("30")
    electronic.locator("[name^=denominator-]").fill("40")
    row(page, "egov.portal_updated").locator("[name^=value-]").fill("1")


def test_a_month_entered_returned_corrected_approved_and_scored(
    page, live_server, province, people, tmp_path
):
    from cchc.assessments.results import assessment_result

    round_obj, leaf = open_egov_round(people)
    url = f"{live_server.url}/indicators/entry/{province.A.pk}/2025-05/"

    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "officer_a")
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Huyện An — tháng 05/2025")
    # The range is checked as typed: 120 of 100 is refused beside the row.
    fill_month(page, "120", "100")
    expect(row(page, SIGNED).locator(".hint")).to_contain_text("Tử số lớn hơn mẫu số")
    fill_month(page, "45,5", "50")
    expect(row(page, SIGNED).locator("output")).to_have_text("91,00")
    expect(row(page, SIGNED).locator(".hint")).to_have_text("")
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#sheet-status")).to_have_text("Đã gửi, chờ duyệt")

    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/indicators/entry/?period=2025-05")
    expect(page.locator("#entry-overview")).to_contain_text("Đã gửi, chờ duyệt")
    page.goto(url)
    page.get_by_placeholder("Lý do trả lại").fill("Số văn bản đi chưa khớp sổ đăng ký")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#sheet-status")).to_have_text("Bị trả lại")

    log_in(page, live_server, "officer_a")
    page.goto(url)
    expect(page.locator("#return-reason")).to_contain_text("Số văn bản đi chưa khớp sổ đăng ký")
    row(page, SIGNED).locator("[name^=denominator-]").fill("60")
    expect(row(page, SIGNED).locator("output")).to_have_text("75,83")
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#sheet-status")).to_have_text("Đã gửi, chờ duyệt")

    log_in(page, live_server, "sec")
    page.goto(url)
    page.get_by_role("button", name="Duyệt và khoá").click()
    expect(page.locator("#sheet-status")).to_have_text("Đã duyệt")
    expect(page.locator("table.data").last).to_contain_text("45,5/50 = 91,00 → 45,5/60 = 75,83")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(tmp_path / "entry.png"), full_page=True)

    assessment = round_obj.assessments.get(unit=province.A)
    assert assessment_result(assessment).node_points[leaf.pk] == Decimal(1)  # 75,83 % ≥ 70 → 1 point
    assert Indicator.objects.get(code=SIGNED).values.get().value == Decimal("75.8333")
