"""The HTML report checked as a person would: in headless Chromium, via Selenium.

Two results files (the reference gateway faithful, and with one fault) go into one
report; the test reads the matrix, follows the failure in two clicks, filters, and
reads the page's console. Set ROUTECHECK_SCREENSHOT=docs/report.png to refresh the
README's screenshot while it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parent.parent
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000")
ABOVE_MAX = "routify/chat/ranges/temperature/above-max"
QUOTE = "Требуемый диапазон: 0 <= x <= 2"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="headless Chromium is not installed: apt-get install chromium chromium-driver (.ci/run does)")


def routecheck(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "conformance.cli", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    where = tmp_path_factory.mktemp("browser")
    runs = [routecheck("run", "--profile", "routify", "-k", "not far", "--json", str(where / "reference.json"), "--no-html"),
            # "not far": one failing case to follow through the page (the far-past probe fails too)
            routecheck("run", "--profile", "routify", "--fault", "temperature.maximum-ignored", "-k", "not far",
                       "--json", str(where / "faulty.json"), "--no-html")]
    for run, expected in zip(runs, (0, 1)):  # concurrently: each starts its own gateway
        output, _ = run.communicate(timeout=180)
        assert run.returncode == expected, output[-3000:]
    made = routecheck("report", str(where / "reference.json"), str(where / "faulty.json"), "-o", str(where / "r.html"))
    output, _ = made.communicate(timeout=60)
    assert made.returncode == 0, output
    return (where / "r.html").as_uri()


@pytest.fixture(scope="module")
def browser() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="routecheck-chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()
    profile.cleanup()


@pytest.fixture
def page(browser: WebDriver, report_url: str) -> WebDriver:
    browser.get(report_url)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#matrix tr.case"))
    yield browser
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors  # the page logged no console errors


def wait(driver: WebDriver, condition, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(condition)


def cell(driver: WebDriver, case_id: str, target: int):
    return driver.find_element(By.CSS_SELECTOR, f'#matrix tr.case[data-id="{case_id}"] td.v[data-ti="{target}"]')


def visible_rows(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#matrix tr.case')].filter(r => r.offsetParent !== null).map(r => r.dataset.id)")


def details_text(driver: WebDriver) -> str:
    panel = driver.find_element(By.ID, "details")
    wait(driver, lambda d: panel.is_displayed())
    return panel.text


def test_the_matrix_shows_both_targets_and_their_verdicts(page):
    headers = [th.text for th in page.find_elements(By.CSS_SELECTOR, "#matrix thead th[data-ti]")]
    assert headers == ["reference", "faulty"]
    rows = page.find_elements(By.CSS_SELECTOR, "#matrix tr.case")
    assert len(rows) > 200
    assert cell(page, ABOVE_MAX, 0).get_attribute("data-verdict") == "pass"
    assert cell(page, ABOVE_MAX, 1).get_attribute("data-verdict") == "fail" and cell(page, ABOVE_MAX, 1).text == "fail"
    assert len(page.find_elements(By.CSS_SELECTOR, 'td.v[data-verdict="fail"]')) == 1
    assert len(page.find_elements(By.CSS_SELECTOR, 'td.v[data-verdict="pass"]')) == 2 * len(rows) - 1
    card = page.find_element(By.CSS_SELECTOR, '.card[data-ti="1"] table.counts[data-profile="routify"]')
    assert "26/27" in card.text  # ranges: MUST passed of MUST total, next to its chart
    assert card.find_elements(By.CSS_SELECTOR, "svg.bars rect.b-fail")


def test_the_faults_failure_is_two_clicks_away_with_its_request_quote_and_curl(page):
    page.find_element(By.CSS_SELECTOR, '.card[data-ti="1"] .chip[data-verdict="fail"]').click()
    wait(page, lambda d: visible_rows(d) == [ABOVE_MAX])
    cell(page, ABOVE_MAX, 1).find_element(By.TAG_NAME, "button").click()
    text = details_text(page)
    assert ABOVE_MAX in text and QUOTE in text and "001_9acc2e208232e8f5.txt" in text
    assert '"temperature": 2.01' in text and "POST /v1/chat/completions" in text  # what was sent
    assert "status 200" in text and "chat.completion" in text  # what came back
    assert "accepted: 200" in text  # why the verdict
    assert "curl -sS -i -X POST" in text and "$ROUTECHECK_API_KEY" in text


def test_filters_hide_passing_rows_and_search_by_case_id(page):
    everything = len(visible_rows(page))
    Select(page.find_element(By.ID, "f-verdict")).select_by_value("problems")
    wait(page, lambda d: visible_rows(d) == [ABOVE_MAX])
    assert not page.find_element(By.CSS_SELECTOR, '#matrix tr.case[data-id="routify/chat/auth/bearer/valid-key"]').is_displayed()
    assert page.find_element(By.ID, "shown").text == f"1 of {everything} cases shown"
    if os.environ.get("ROUTECHECK_SCREENSHOT"):  # both columns, the failing row, its details
        page.set_window_size(1800, 1000)
        cell(page, ABOVE_MAX, 1).find_element(By.TAG_NAME, "button").click()
        assert QUOTE in details_text(page)
        page.save_screenshot(os.environ["ROUTECHECK_SCREENSHOT"])
        page.set_window_size(1400, 1000)
    Select(page.find_element(By.ID, "f-verdict")).select_by_value("")
    page.find_element(By.ID, "f-search").send_keys("auth/bearer")
    wait(page, lambda d: 0 < len(visible_rows(d)) < everything)
    assert all("auth/bearer" in row for row in visible_rows(page))


def test_a_stream_case_shows_its_events_transcript(page):
    row = page.find_element(By.CSS_SELECTOR, '#matrix tr.case[data-id^="routify/chat/streaming/"]')
    row.find_element(By.CSS_SELECTOR, 'td.v[data-ti="0"] button').click()
    details_text(page)
    events = page.find_elements(By.CSS_SELECTOR, "#details ol.events li")
    assert len(events) > 2 and events[-1].text == "data: [DONE]"


def test_the_documented_view_shows_each_cells_quote_and_marks_inherited_entries(page):
    page.find_element(By.ID, "tab-documented").click()
    wait(page, lambda d: d.find_element(By.ID, "documented").is_displayed())
    assert not page.find_element(By.ID, "matrix").is_displayed()
    profiles = [th.text.strip(" ●") for th in page.find_elements(By.CSS_SELECTOR, "#documented thead th")][1:]
    temperature = page.find_elements(By.CSS_SELECTOR, '#documented tr[data-row="temperature"] td')
    assert profiles == ["routify"]  # the profiles the results were judged against
    assert "≤ 2" in temperature[profiles.index("routify")].text
    # Routify is silent on nullability: the baseline's, inherited
    assert temperature[profiles.index("routify")].find_elements(By.CSS_SELECTOR, ".fact.inherited")
    temperature[profiles.index("routify")].click()
    assert QUOTE in details_text(page)


def test_console_errors_would_be_seen(page):
    """The no-console-errors check in `page` is live: an error logged by the page reaches it."""
    page.execute_script("console.error('routecheck probe')")
    logged = page.get_log("browser")
    assert any("routecheck probe" in e["message"] and e["level"] == "SEVERE" for e in logged)
