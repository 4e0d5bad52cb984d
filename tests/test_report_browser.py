"""The interactive report as a user sees it: opened in headless Chromium, every chart drawn, no JS error."""

import base64
import shutil

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from hdsearch import BanditPolicy, HyperDriveSearchCV, PartialFit, choice, loguniform, report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHART_IDS = ["chart-metric_history", "chart-learning_curves", "chart-parallel_coordinates", "chart-param_scores"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no Chromium browser and chromedriver installed (apt-get install chromium chromium-driver; .ci/run does)",
)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(-10, 2), "eta0": loguniform(-9, -1),
         "learning_rate": choice("constant", "invscaling", "adaptive")},
        policy=BanditPolicy(slack_factor=0.02, delay_evaluation=2), resource=PartialFit(max_epochs=6),
        max_total_runs=12, max_concurrent_runs=4, cv=3, random_state=0,
    ).fit(X, y)
    assert {"completed", "terminated"} <= set(search.cv_results_["status"])
    return report.write_report(search, tmp_path_factory.mktemp("report") / "report.html", interactive=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        # A closed network refuses Chromium's background connections; software WebGL draws the parallel coordinates.
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--enable-unsafe-swiftshader", "--window-size=1280,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def opened(browser, report_page):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(report_page.as_uri())
    WebDriverWait(browser, 60).until(lambda driver: driver.execute_script(
        "const charts = document.querySelectorAll('.plotly-graph-div');"
        "return charts.length > 0 && Array.from(charts).every(c => c._fullLayout && c.querySelector('.main-svg'));"
    ))
    return browser, browser.get_log("browser")


def test_every_chart_renders_with_its_traces(opened):
    browser, _ = opened
    charts = browser.execute_script(
        "return Array.from(document.querySelectorAll('.plotly-graph-div')).map(c => "
        "[c.id, c.data.length, c.querySelectorAll('.main-svg').length, c.getBoundingClientRect().height]);"
    )
    assert [c[0] for c in charts] == CHART_IDS
    for chart_id, n_traces, n_svg, height in charts:
        assert n_traces > 0 and n_svg > 0 and height > 200, (chart_id, n_traces, n_svg, height)
    # Parallel coordinates draw their lines on WebGL canvases.
    assert browser.execute_script("return document.querySelectorAll('#chart-parallel_coordinates canvas').length") > 0


def test_the_console_has_no_javascript_error(opened):
    _, log = opened
    errors = [entry for entry in log if entry["level"] == "SEVERE"]
    assert errors == []


def test_hovering_a_learning_curve_shows_the_trial(opened):
    browser, _ = opened
    text = browser.execute_script(
        "const chart = document.getElementById('chart-learning_curves');"
        "Plotly.Fx.hover(chart, [{curveNumber: 0, pointNumber: 0}]);"
        "return chart.querySelector('.hoverlayer').textContent;"
    )
    assert "trial 0" in text and "status: " in text and "score: " in text and "alpha = " in text


def test_dragging_along_a_parallel_coordinates_axis_brushes_it(opened):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser, _ = opened
    score_axis = browser.find_elements(By.CSS_SELECTOR, "#chart-parallel_coordinates .axis-brush .background")[-1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", score_axis)
    height = score_axis.rect["height"]
    # From near the top of the score axis down a third of it: the best trials only.
    ActionChains(browser).move_to_element_with_offset(score_axis, 0, -height // 2 + 5).click_and_hold() \
        .move_by_offset(0, height // 3).release().perform()
    low, high, n_kept, n_all = browser.execute_script(
        "const chart = document.getElementById('chart-parallel_coordinates');"
        "const score = chart._fullData[0].dimensions.at(-1);"
        "const range = score.constraintrange || [NaN, NaN];"
        "return [range[0], range[1], score.values.filter(s => s >= range[0] && s <= range[1]).length,"
        " score.values.length];"
    )
    assert low < high and 0 < n_kept < n_all
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_screenshot_of_the_whole_page_is_saved(opened, tmp_path):
    browser, _ = opened
    height = browser.execute_script("return document.documentElement.scrollHeight")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
    })
    path = tmp_path / "report.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 50_000
