"""The dossier dashboard in a real browser (Debian's Chromium through Playwright): the
secretariat opens the province dashboard at 1366×768, the charts are drawn by the static script,
a district's late count drills down to exactly its late dossiers, and the unit officer of the
other district cannot open it."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_full_year import log_in
from tests.procedures.helpers import dossier, import_catalogue, import_dossier_rows, procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WINDOW = "date_from=2021-01-01&date_to=2021-12-31"


def resolved(code, unit, finished, due="2021-03-05", **kw):
    return dossier(code, unit=unit, due=due, finished_at=finished, status="resolved", **kw)


@pytest.fixture
def dossiers(province, people, tmp_path):
    import_catalogue(tmp_path, [procedure("P1", field="Hộ tịch", mode="full")])
    import_dossier_rows(
        tmp_path,
        [
            resolved("A-EARLY", "A", "2021-03-02T10:00", channel="online"),
            resolved("A-LATE-1", "A", "2021-03-09T09:00"),
            resolved("A-LATE-2", "A1", "2021-03-12T09:00", apology_issued="1"),
            resolved("B-LATE", "B", "2021-03-10T09:00"),
            resolved("B-EARLY", "B", "2021-03-01T15:00"),
            dossier("A-OPEN", unit="A", received="2021-12-01T09:00", due="2021-12-06"),
        ],
    )


def test_open_the_dashboard_and_drill_down_to_the_late_dossiers(
    page, live_server, province, people, dossiers, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "sec")
    page.goto(f"{live_server.url}/dossiers/?{WINDOW}")
    expect(page.locator("h1")).to_contain_text("Tỉnh Thử Nghiệm")
    # The charts are drawn by static JS from the json_script data (CSP: no inline script).
    expect(page.locator("html")).to_have_attribute("data-dossier-charts", "ready")
    assert page.locator("#chart-on-time").bounding_box()["height"] > 100
    total = page.locator('#kpi-table tr[data-group="__total__"]')
    expect(total.locator('[data-col="resolved_late"]')).to_have_text("3")
    expect(total.locator('[data-col="on_time_rate"]')).to_have_text("40,00")
    # The page fits the laptop's width: no horizontal scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # District A's late count (its own and its commune's) opens the list of exactly those dossiers.
    page.locator('#kpi-table tr[data-group="A"] [data-col="resolved_late"] a').click()
    expect(page.locator("h1")).to_contain_text("Hồ sơ giải quyết trễ hạn — Huyện An")
    rows = page.locator("#drill-table tbody tr[data-code]")
    expect(rows).to_have_count(2)
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.code)")) == ["A-LATE-1", "A-LATE-2"]
    expect(page.locator('tr[data-code="A-LATE-1"]')).to_contain_text("Chưa có phiếu xin lỗi")
    expect(page.locator("#drill-count")).to_contain_text("2 hồ sơ")
    page.screenshot(path=str(tmp_path / "drilldown.png"))

    # The overdue tab of the same unit and window.
    page.get_by_role("link", name="Quá hạn").click()
    expect(page.locator("#drill-table tbody tr[data-code]")).to_have_count(1)
    expect(page.locator('tr[data-code="A-OPEN"]')).to_be_visible()

    # The other district's officer gets nothing for district A.
    log_in(page, live_server, "officer_b")
    response = page.goto(f"{live_server.url}/dossiers/drilldown/?{WINDOW}&kind=late&unit={province.A.pk}")
    assert response.status == 404
    assert "A-LATE-1" not in page.content()
    page.goto(f"{live_server.url}/dossiers/?{WINDOW}")
    expect(page.locator("h1")).to_contain_text("Huyện Bình")
    expect(page.locator('#kpi-table tr[data-group="__total__"] [data-col="resolved_late"]')).to_have_text("1")
