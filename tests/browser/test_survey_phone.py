"""Answering the shipped SIPAS questionnaire on a phone (Debian's Chromium through Playwright),
with and without JavaScript, then seeing the form counted by the secretariat."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cchc.surveys.io import shipped_path
from cchc.surveys.models import Answer, Questionnaire, Response, ResponseChannel
from cchc.surveys.results import compute_results
from cchc.surveys.services import create_campaign
from tests.surveys import web_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
_clear_cache = web_fixtures._clear_cache
PASSWORD = "Mat-khau-thu-nghiem-1"
PHONE = {"width": 390, "height": 844}

# What the respondent picks on each scale question (by question code); the rest: "Hài lòng".
PICKS = {"TC1": "Rất hài lòng", "TT5": "Bình thường", "CC1": "Rất hài lòng", "GY4": None}
SCALE_CODES = ["TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "TT5"] + [
    "CC1",
    "CC2",
    "CC3",
    "CC4",
    "CC5",
    "CC6",
    "KQ1",
    "KQ2",
    "KQ3",
    "GY1",
    "GY2",
    "GY3",
    "GY4",
]


@pytest.fixture
def sipas_campaign(province, people):
    call_command("import_questionnaire", str(shipped_path("sipas-dich-vu")), stdout=io.StringIO())
    questionnaire = Questionnaire.objects.get(code="SIPAS-DV")
    campaign = create_campaign(
        questionnaire,
        2025,
        [province.A, province.B],
        target=150,
        channels=[ResponseChannel.WEB, ResponseChannel.KIOSK],
        name="Khảo sát SIPAS 2025",
        user=people.sec,
    )
    return campaign


def phone_context(browser, javascript=True):
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        java_script_enabled=javascript,
    )


def assert_fits_the_phone(page):
    """No sideways scrolling on a 390 px screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def answer_screen(page, shots, n):
    """Answer every question of the current screen as PICKS says; returns the button clicked."""
    fieldsets = page.locator("fieldset")
    for i in range(fieldsets.count()):
        fs = fieldsets.nth(i)
        legend = fs.locator("legend").inner_text()
        if legend.startswith("Ông/Bà nộp hồ sơ"):
            fs.get_by_label("Trực tiếp tại bộ phận một cửa").check()
        elif legend.startswith("Theo Ông/Bà, cơ quan cần ưu tiên"):
            fs.get_by_label("Rút ngắn thời hạn giải quyết").check()
            fs.get_by_label("Đơn giản hóa thành phần hồ sơ").check()
        elif legend.startswith("Nhìn chung"):
            fs.get_by_label("Rất hài lòng", exact=True).check()
        else:
            code = SCALE_CODES[answer_screen.scale_seen]
            answer_screen.scale_seen += 1
            pick = PICKS.get(code, "Hài lòng")
            if pick is None:
                fs.get_by_label("Không áp dụng / không trả lời").check()
            else:
                fs.get_by_label(pick, exact=True).check()
    number = page.get_by_label(re.compile("đi lại bao nhiêu lần"))
    if number.count():
        number.fill("2")
    text = page.get_by_label(re.compile("Ý kiến khác"))
    if text.count():
        text.fill("Cán bộ một cửa hướng dẫn tận tình")
    page.screenshot(path=str(shots / f"screen-{n}.png"), full_page=True)


def answer_every_screen(page, shots):
    answer_screen.scale_seen = 0
    seen = []
    for n in range(1, 12):
        label = page.locator("#progress-label").inner_text()
        seen.append(label)
        assert_fits_the_phone(page)
        answer_screen(page, shots, n)
        button = page.get_by_role("button", name=re.compile("^(Tiếp tục|Gửi phiếu)$"))
        last = button.inner_text() == "Gửi phiếu"
        button.click()
        if last:
            break
    return seen


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_citizen_answers_on_a_phone_and_the_secretariat_sees_it_counted(
    browser, live_server, sipas_campaign, province, tmp_path
):
    cu = sipas_campaign.campaign_units.get(unit=province.A)
    phone = phone_context(browser)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{cu.public_key}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#progress-label")).to_have_text("Phần 1/7")
    expect(page.locator("progress")).to_have_attribute("value", "1")

    seen = answer_every_screen(page, tmp_path)
    assert seen == [f"Phần {i}/7" for i in range(1, 8)]
    expect(page.locator("main")).to_contain_text("Cảm ơn")
    page.screenshot(path=str(tmp_path / "thanks.png"), full_page=True)
    phone.close()

    response = Response.objects.get()
    assert (response.unit, response.channel) == (province.A, "web")
    values = {a.question.code: a.display_value() for a in Answer.objects.filter(response=response)}
    assert values["KENH"] == "truc_tiep" and values["SO_LAN"] == "2"
    assert (values["TC1"], values["TC2"], values["TT5"], values["GY4"]) == ("5", "4", "3", "na")
    assert values["MD1"] == "don_gian_ho_so;rut_ngan_thoi_gian"
    assert values["GOP_Y_KHAC"] == "Cán bộ một cửa hướng dẫn tận tình"

    # The secretariat's progress page counts it against the target, and the results have it.
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = desk.new_page()
    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/surveys/campaigns/{sipas_campaign.pk}/")
    expect(page.locator("#total-valid")).to_have_text("1")
    expect(page.locator('tr[data-unit="A"] td.valid')).to_have_text("1")
    expect(page.locator('tr[data-unit="B"] td.valid')).to_have_text("0")
    page.screenshot(path=str(tmp_path / "progress.png"), full_page=True)
    desk.close()
    row = {r.group_key: r for r in compute_results(sipas_campaign, by="unit")}["A"]
    # 21 valid criteria (GY4 not applicable) + the overall question; TT5 = 3 is the only one below 4.
    assert (row.forms, row.valid_answers, row.satisfied) == (1, 22, 21)


def test_without_javascript_a_phone_answers_goes_back_resumes_and_counts_once(
    browser, live_server, sipas_campaign, province, tmp_path
):
    cu = sipas_campaign.campaign_units.get(unit=province.B)
    url = f"{live_server.url}/s/{cu.public_key}/"
    phone = phone_context(browser, javascript=False)
    page = phone.new_page()
    page.goto(url)
    expect(page.locator("#progress-label")).to_have_text("Phần 1/7")

    # A number that is not a number is flagged on the page, in Vietnamese, and nothing moves on.
    page.get_by_label("Trực tiếp tại bộ phận một cửa").check()
    page.get_by_label(re.compile("đi lại bao nhiêu lần")).fill("hai lần")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#progress-label")).to_have_text("Phần 1/7")
    expect(page.locator("[role=alert]")).to_contain_text("Vui lòng xem lại")
    number = page.get_by_label(re.compile("đi lại bao nhiêu lần"))
    expect(number).to_have_value("hai lần")  # shown again as typed, marked invalid
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field .err")).to_have_text("Hãy nhập một số.")
    page.screenshot(path=str(tmp_path / "nojs-error.png"), full_page=True)

    answer_screen.scale_seen = 0
    answer_screen(page, tmp_path, 1)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#progress-label")).to_have_text("Phần 2/7")
    answer_screen(page, tmp_path, 2)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#progress-label")).to_have_text("Phần 3/7")

    # Back keeps the answers of the screen before.
    page.get_by_role("button", name="Quay lại").click()
    expect(page.locator("#progress-label")).to_have_text("Phần 2/7")
    expect(page.locator("fieldset").first.get_by_label("Rất hài lòng", exact=True)).to_be_checked()
    page.get_by_role("button", name="Tiếp tục").click()

    # The connection drops: the tab is gone; opening the link again resumes at screen 3.
    page.close()
    page = phone.new_page()
    page.goto(url)
    expect(page.locator("#progress-label")).to_have_text("Phần 3/7")
    answer_screen.scale_seen = 4
    for n in range(3, 7):
        answer_screen(page, tmp_path, n)
        page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#progress-label")).to_have_text("Phần 7/7")

    # The last screen open in two tabs (the same session, the same token): the first tab sends
    # the form, the second one is refused and stores nothing twice.
    second = phone.new_page()
    second.goto(url)
    expect(second.locator("#progress-label")).to_have_text("Phần 7/7")
    answer_screen(page, tmp_path, 7)
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.locator("main")).to_contain_text("Cảm ơn")
    second.get_by_label("Rất hài lòng", exact=True).check()
    second.get_by_role("button", name="Gửi phiếu").click()
    expect(second.locator("main")).to_contain_text("Phiếu này đã được ghi nhận")
    page = second
    page.screenshot(path=str(tmp_path / "nojs-replay.png"), full_page=True)
    phone.close()

    assert Response.objects.filter(unit=province.B).count() == 1
    row = {r.group_key: r for r in compute_results(sipas_campaign, by="unit")}["B"]
    assert (row.forms, row.valid_answers) == (1, 22)
