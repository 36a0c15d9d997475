"""End to end in real Chromium (selenium + chromedriver) against ``xl-pension serve``:
log in, upload a 300-row roster, read the findings, download the annotated workbook and open
it, look at the township page. Screenshots go to ``tests/web/artifacts/`` for the reviewer."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import need_program
from tests.web.conftest import _free_port, make_roster

pytestmark = pytest.mark.real_client
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "e2e-password-2024"


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xl_pension.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


@pytest.fixture
def server(tmp_path, policy):
    """``xl-pension serve`` on 127.0.0.1 with one township clerk."""
    data = tmp_path / "data"
    town = policy.townships[0].name
    _cli(
        "users",
        "add",
        "clerk",
        "--role",
        "township",
        "--township",
        town,
        "--data",
        str(data),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xl_pension.cli", "serve", "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline()
    while line and "已启动" not in line:
        line = proc.stdout.readline()
    assert f"http://127.0.0.1:{port}/" in line, line
    end = time.monotonic() + 60
    while socket.socket().connect_ex(("127.0.0.1", port)) and time.monotonic() < end:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", town
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium through chromedriver, downloading into ``tmp_path/downloads``."""
    need_program("chromium")
    driver_path = need_program("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = need_program("chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.implicitly_wait(0)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _wait(condition, timeout: float = 60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting in the browser")


def _shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.set_window_size(
        1280, max(900, driver.execute_script("return document.body.scrollHeight"))
    )
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def test_a_clerk_uploads_a_roster_and_reads_the_results_in_chromium(
    server, browser, tmp_path, policy
) -> None:
    import openpyxl
    from selenium.webdriver.common.by import By

    base, town = server
    roster = make_roster(policy, town, "王庄村", 300, tmp_path / "rosters", seed=41)
    b = browser
    b.get(base + "/")
    _wait(lambda: b.current_url.endswith("/login"))
    b.find_element(By.ID, "username").send_keys("clerk")
    b.find_element(By.ID, "password").send_keys(PASSWORD)
    b.find_element(By.ID, "login-button").click()
    _wait(lambda: "/townships/" in b.current_url)

    b.get(base + "/upload")
    b.find_element(By.ID, "files").send_keys(str(roster))
    link = _wait(lambda: b.find_elements(By.CSS_SELECTOR, "a.result"))[0]
    assert "王庄村：300 人" in link.text
    link.click()
    _wait(lambda: "/submissions/" in b.current_url)
    rows = b.find_elements(By.CSS_SELECTOR, "#findings tbody tr.error")
    assert rows, "the findings table lists the planted errors"
    table = b.find_element(By.ID, "findings").text
    assert "身份证" in table or "姓名" in table
    assert not any(len(w) == 18 and w[:17].isdigit() for w in table.split())  # IDs masked
    _shot(b, "submission.png")

    b.find_element(By.ID, "dl-annotated").click()
    done = _wait(
        lambda: [p for p in b.downloads.glob("*.xlsx") if not p.name.endswith(".crdownload")]
    )
    wb = openpyxl.load_workbook(done[0])
    assert "校验结果" in wb.sheetnames and wb["花名册"].max_row >= 300

    b.get(f"{base}/townships/{town}")
    _wait(
        lambda: b.execute_script(
            "const i = document.getElementById('picture'); return i.complete && i.naturalWidth"
        )
    )
    village = b.find_element(By.ID, "villages").text
    assert "王庄村" in village and "clerk" in village
    assert "征缴日报" in b.find_element(By.ID, "report").get_attribute("value")
    assert b.execute_script("return document.getElementById('picture').naturalWidth") >= 1000
    _shot(b, "township.png")


def test_the_notice_pdf_is_printed_by_chromium(web, policy, place, tmp_path) -> None:
    need_program("chromium")
    c = web.client("county")
    roster = make_roster(policy, place.town_a, place.village_a1, 20, tmp_path, seed=51, mistakes=0)
    sid = web.upload(c, roster).json()["submission"]
    r = c.get(f"/api/submissions/{sid}/notice.pdf?skip_invalid=1&start=2024-07-01")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        [need_program("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "公示" in text and place.village_a1 in text
