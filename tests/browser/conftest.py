"""The real app on waitress, and Debian's Chromium with JavaScript switched off.

The server runs in a subprocess with production settings on a free loopback port. Each
browser gets a fresh profile, the closed network's flags, and the content setting that blocks
JavaScript for every site — what Tor Browser's Safest level does.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from ..system import require_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
SERVER_START_SECONDS = 30

# Without the background-networking flags Chromium keeps trying to reach Google's servers.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
JAVASCRIPT_BLOCKED = {"profile.managed_default_content_settings.javascript": 2}
VIEWPORTS = {"desktop": (1280, 900), "phone": (360, 740)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {SERVER_START_SECONDS}s: {log.read_text()}")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The URL of the app served by waitress, exactly as `movements serve` would."""
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    log = folder / "server.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOVEMENTS_")}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.server", str(folder / "instance"), str(port)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def chromium(tmp_path):
    """Start Chromium browsers with JavaScript off: `chromium("phone")` for a 360-px screen."""
    binary = require_command("chromium", "chromium")
    driver_binary = require_command("chromedriver", "chromium-driver")
    started = []

    def start(viewport: str = "desktop") -> webdriver.Chrome:
        width, height = VIEWPORTS[viewport]
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={tmp_path / f'profile-{len(started)}'}")
        options.add_argument(f"--window-size={width},{height}")
        options.add_experimental_option("prefs", JAVASCRIPT_BLOCKED)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver = webdriver.Chrome(service=Service(driver_binary), options=options)
        started.append(driver)
        if viewport == "phone":
            metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        return driver

    yield start
    for driver in started:
        driver.quit()


@pytest.fixture
def artifacts(request) -> Path:
    """An empty folder under artifacts/browser/ for this test's screenshots."""
    name = request.node.name.replace("[", "-").replace("]", "")
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
