"""The whole year in a real browser (Debian's Chromium through Playwright): the unit
self-scores with evidence → the appraiser returns it for explanation → the unit answers →
the secretariat finalises and publishes → the results page shows the unit."""

import re

import pytest
from playwright.sync_api import expect

from cchc.assessments.models import Assessment, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mat-khau-thu-nghiem-1"


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def leaf_row(page, code):
    return page.locator("tr.leaf", has=page.locator("td", has_text=re.compile(rf"^{re.escape(code)}$")))


def settled(page):
    """Wait until htmx has swapped the saved row in (its response arrives before the swap; a
    locator taken in between points at the row being replaced)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def test_a_whole_year_in_the_browser(page, live_server, opened_round, province, people, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    assessment = Assessment.objects.get(round=opened_round, unit=province.A)
    detail = f"{live_server.url}/assessments/{assessment.pk}/"

    # 1. The unit officer self-scores every leaf (autosave) and attaches evidence.
    log_in(page, live_server, "officer_a")
    page.goto(detail)
    for code, value in [("1.1", "2"), ("1.2", "1"), ("2.1", "2.5"), ("2.2", "4")]:
        row = leaf_row(page, code)
        with page.expect_response(re.compile(r"/leaf/\d+/$")):
            row.locator("input[name=self_score]").fill(value)
            row.locator("input[name=self_score]").press("Tab")
        settled(page)
    expect(page.locator("#totals")).to_contain_text("9,50/10,00")
    pdf = tmp_path / "ke-hoach-cchc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    row = leaf_row(page, "1.1")
    row.locator("input[type=file]").set_input_files(str(pdf))
    with page.expect_response(re.compile(r"/evidence/$")):
        row.get_by_role("button", name="Tải lên").click()
    settled(page)
    # swapped in place (HTMX): the row and its message stay in view, no reload to the top
    expect(leaf_row(page, "1.1").locator(".notice")).to_contain_text("ke-hoach-cchc.pdf")
    expect(leaf_row(page, "1.1").locator(".evidence a")).to_contain_text("ke-hoach-cchc.pdf")
    page.get_by_role("button", name="Nộp bản tự đánh giá").click()
    expect(page.locator("#confirm")).to_contain_text("Điều sẽ xảy ra")  # the confirmation page
    page.get_by_role("button", name="Xác nhận: Nộp bản tự đánh giá").click()
    expect(page.locator("#status")).to_have_text("Đã nộp")

    # 2. The appraiser lowers one score, comments and returns it for explanation.
    log_in(page, live_server, "appraiser")
    page.goto(detail)
    row = leaf_row(page, "2.1")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("input[name=appraised_score]").fill("2")
        row.locator("input[name=appraised_score]").press("Tab")
    settled(page)
    row = leaf_row(page, "2.1")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("textarea[name=appraiser_comment]").fill("Chưa công khai đủ TTHC")
        row.locator("textarea[name=appraiser_comment]").press("Tab")
    settled(page)
    page.get_by_role("button", name="Trả lại để giải trình").click()
    expect(page.locator("#status")).to_have_text("Yêu cầu giải trình")

    # 3. The unit answers the comment.
    log_in(page, live_server, "officer_a")
    page.goto(detail)
    row = leaf_row(page, "2.1")
    expect(row).to_contain_text("Chưa công khai đủ TTHC")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("textarea[name=unit_response]").fill("Đã bổ sung danh mục TTHC trên cổng")
        row.locator("textarea[name=unit_response]").press("Tab")
    settled(page)
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.locator("#status")).to_have_text("Đang thẩm định")

    # 4. The secretariat finalises and publishes; the results page shows the unit.
    log_in(page, live_server, "sec")
    page.goto(detail)
    page.get_by_role("button", name="Chốt kết quả").click()
    expect(page.locator("#override")).to_contain_text("3 tiêu chí chưa thẩm định")
    page.fill("#override_reason", "Đồng ý điểm tự chấm ở các tiêu chí khác")
    page.get_by_role("button", name="Xác nhận: Chốt kết quả").click()
    expect(page.locator("#status")).to_have_text("Đã chốt kết quả")
    page.get_by_role("button", name="Công bố").click()
    page.get_by_role("button", name="Xác nhận: Công bố kết quả").click()
    expect(page.locator("#status")).to_have_text("Đã công bố")
    page.goto(f"{live_server.url}/rounds/{opened_round.pk}/results/")
    result_row = page.locator("tr[data-unit=A]")
    expect(result_row).to_contain_text("90,00")
    expect(result_row).to_contain_text("Xuất sắc")
    page.screenshot(path=str(tmp_path / "results.png"))

    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED
    assert list(assessment.transitions.values_list("to_status", flat=True))[-6:] == [
        "submitted",
        "under_appraisal",
        "returned",
        "under_appraisal",
        "finalised",
        "published",
    ]
