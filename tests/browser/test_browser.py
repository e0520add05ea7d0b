"""One real browser run: `streamlit run Home.py` on a free port, opened in Debian's chromium.

The app starts on an empty SQLite file, so this also checks that the first
start loads the demo. The screenshots are kept in tests/browser/artifacts/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
STARTUP_TIMEOUT_SECONDS = 180

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer on {url} within {STARTUP_TIMEOUT_SECONDS} s")


@pytest.fixture
def running_app(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.db'}"}
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "Home.py",
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
        ],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_health(port, process)
        yield f"http://127.0.0.1:{port}", env["DATABASE_URL"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _expected_counts(database_url: str) -> dict:
    """The participants figures as the command line computes them from the same database."""
    output = subprocess.run(
        [sys.executable, "-m", "reports", "summary", "--json"],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output)["participants"]


# url path (from the file name) -> a heading the page must show once it has computed
PAGES = {
    "indicators": "Показатели результативности проекта",
    "diagnostics": "Диагностика затруднений и потребностей педагогов",
    "matching": "Формирование наставнических пар и групп",
    "routes": "Индивидуальные маршруты",
    "events": "Мероприятия программы",
    "prepost": "Компетенции: до и после",
    "comparison": "Цифровая и традиционная модели",
    "engagement": "Вовлечённость",
    "satisfaction": "Удовлетворённость участием в программе",
    "rating": "Рейтинг наставников",
    "report": "Отчёт для управления образования",
    "registers": "Реестры проекта",
    "data_import": "Данные",
}


def _wait_until_settled(page, quiet_seconds: float = 3.0, timeout_seconds: float = 120.0) -> None:
    """Wait until the script has finished: no running indicator and no new elements for a while."""
    elements = page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]')
    running = page.locator('[data-testid="stStatusWidget"]')
    deadline = time.monotonic() + timeout_seconds
    last_count, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = elements.count()
        if count != last_count or running.count():
            last_count, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_seconds:
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"the page kept changing for {timeout_seconds} s")


def _visit_every_page(page, base_url: str) -> dict[str, str]:
    """Open each page, wait for its title, screenshot it; return the pages that failed."""
    errors = {}
    for path, title in PAGES.items():
        page.goto(f"{base_url}/{path}", timeout=120_000)
        try:
            page.locator("h1", has_text=title).first.wait_for(timeout=120_000)
            _wait_until_settled(page)
        except Exception as error:  # noqa: BLE001  (any wait failure is reported per page)
            errors[path] = f"no title «{title}»: {error}"
        page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        if exceptions.count():
            errors[path] = exceptions.first.inner_text()[:500]
    return errors


def test_every_page_in_chromium(running_app):
    from playwright.sync_api import sync_playwright

    base_url, database_url = running_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(base_url, timeout=120_000)
        page.get_by_text("Педагогов", exact=True).wait_for(timeout=180_000)
        page.get_by_text("Изменение цифровых компетенций").wait_for(timeout=120_000)
        _wait_until_settled(page)
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
        metrics = {
            label: page.get_by_test_id("stMetric")
            .filter(has=page.get_by_text(label, exact=True))
            .get_by_test_id("stMetricValue").inner_text()
            for label in ("Педагогов", "Наставников", "Наставляемых")
        }
        body = page.locator("body").inner_text()
        page_errors = _visit_every_page(page, base_url)
        browser.close()

    expected = _expected_counts(database_url)
    assert not page_errors, page_errors
    assert metrics["Педагогов"] == str(expected["teachers"])
    assert metrics["Наставников"] == str(expected["mentors"])
    assert metrics["Наставляемых"] == str(expected["mentees"])
    assert "демонстрационные данные" in body
    assert "nan" not in body.split()
