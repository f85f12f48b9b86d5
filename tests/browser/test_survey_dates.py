"""Dates read and are typed dd/mm/yyyy in an en-US browser; file pickers say "Chọn tệp"
(Debian's Chromium through Playwright)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cchc.surveys.models import Campaign
from tests.surveys import web_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
_clear_cache = web_fixtures._clear_cache
PASSWORD = "Mat-khau-thu-nghiem-1"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def en_us_page(browser):
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    yield page
    context.close()


def test_the_campaign_dates_are_typed_dd_mm_yyyy_in_an_en_us_browser(
    en_us_page, live_server, people, province, tmp_path
):
    web_fixtures.make_questionnaire()
    page = en_us_page
    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/surveys/campaigns/new/")
    start = page.locator("#id_starts_on")
    expect(start).to_have_attribute("type", "text")
    expect(start).to_have_attribute("placeholder", "dd/mm/yyyy")
    expect(start).to_have_attribute("inputmode", "numeric")
    page.select_option("#id_questionnaire", label="SIPAS-THU v1 — Phiếu khảo sát thử")
    page.locator("input[name=unit_types]").first.check()
    page.fill("#id_target", "30")
    start.fill("13/12/2021")
    page.fill("#id_ends_on", "02/01/2022")
    page.screenshot(path="/tmp/jobs-campaign-dates.png", full_page=True)
    page.click("form.fw-form button[type=submit]")
    page.wait_for_url(re.compile(r"/surveys/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert campaign.starts_on == dt.date(2021, 12, 13) and campaign.ends_on == dt.date(2022, 1, 2)


def test_the_dashboard_dates_read_dd_mm_yyyy_in_an_en_us_browser(en_us_page, live_server, people, tmp_path):
    page = en_us_page
    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/dossiers/?date_from=2021-12-13&date_to=2021-12-31")
    expect(page.locator("#f-from")).to_have_value("13/12/2021")
    page.fill("#f-from", "01/12/2021")
    page.locator("#f-from").press("Enter")
    page.wait_for_url("**date_from=01%2F12%2F2021**")
    expect(page.locator("#f-from")).to_have_value("01/12/2021")


def test_file_pickers_say_chon_tep_and_show_the_chosen_name(en_us_page, live_server, people, tmp_path):
    page = en_us_page
    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/dossiers/imports/")
    button = page.locator("#file + .file-picker-button")
    expect(button).to_have_text("Chọn tệp")
    expect(page.locator("#file ~ .file-picker-name")).to_have_text("Chưa chọn tệp")
    assert page.locator(".file-picker-button").count() == 2  # the file and the column mapping
    path = tmp_path / "ho-so-2021.csv"
    path.write_text("code\n", encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))
    expect(page.locator("#file ~ .file-picker-name")).to_have_text("ho-so-2021.csv")
    page.screenshot(path="/tmp/jobs-file-picker.png", full_page=True)
