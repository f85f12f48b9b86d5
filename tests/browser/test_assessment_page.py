"""The assessment page in Debian's Chromium: labelled cards on a 390 px phone with no sideways
scroll, the table at 1366 px, a comma score in an en-US browser, an over-maximum score beside
its field, and field subtotals and the score history refreshed after a save."""

import re

import pytest
from playwright.sync_api import expect

from cchc.assessments.models import Assessment
from tests.browser.test_full_year import leaf_row, log_in, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_the_assessment_page_fits_and_scores_in_the_vietnamese_form(
    browser, live_server, opened_round, province, people, tmp_path, width, height
):
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
    page = context.new_page()
    assessment = Assessment.objects.get(round=opened_round, unit=province.A)
    log_in(page, live_server, "officer_a")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    row = leaf_row(page, "2.1")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("input[name=self_score]").fill("2,5")
        row.locator("input[name=self_score]").press("Tab")
    settled(page)
    expect(leaf_row(page, "2.1").locator("input[name=self_score]")).to_have_value("2,50")
    field_2 = page.locator("tr.group").nth(1).locator(".subtotal")
    expect(field_2).to_have_text("2,50")  # the field subtotal refreshed out of band
    # the score history too, without reloading: the new change on top
    expect(page.locator("#changes li").first).to_contain_text("2.1 điểm tự đánh giá ∅ → 2,50")
    row = leaf_row(page, "2.1")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("input[name=self_score]").fill("2,75")
        row.locator("input[name=self_score]").press("Tab")
    settled(page)
    expect(page.locator("#changes li")).to_have_count(2)
    expect(page.locator("#changes li").first).to_contain_text("2.1 điểm tự đánh giá 2,50 → 2,75")
    expect(field_2).to_have_text("2,75")
    row = leaf_row(page, "1.2")
    with page.expect_response(re.compile(r"/leaf/\d+/$")):
        row.locator("input[name=self_score]").fill("5")
        row.locator("input[name=self_score]").press("Tab")
    settled(page)
    row = leaf_row(page, "1.2")
    expect(row.locator(".field-error")).to_contain_text("vượt điểm tối đa")
    expect(row.locator("input[name=self_score]")).to_have_value("5")
    expect(page.locator("#htmx-error")).to_be_hidden()
    expect(page.locator("#changes li")).to_have_count(2)  # a refused score is no change
    if width == 390:
        label = page.evaluate(
            "() => getComputedStyle(document.querySelector('tr.leaf td[data-label]:nth-child(3)'), '::before').content"
        )
        assert "Tối đa" in label
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/assessment-{width}.png", full_page=True)
    context.close()
