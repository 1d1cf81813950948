"""The real server, and Debian's Chromium with JavaScript switched off.

The server is `movements serve` in a subprocess with production settings on a free loopback
port. Each browser gets a fresh profile, the closed network's flags, and the content setting
that blocks JavaScript for every site — what Tor Browser's Safest level does.
"""

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.support.serving import running_server
from tests.support.system import require_command, require_font

from .person import VIEWPORTS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"

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
# Fonts for the served scripts that Debian's default fonts (DejaVu, Liberation) do not draw.
SCRIPT_FONTS = {
    "my": "fonts-noto-core",
    "am": "fonts-noto-core",
    "th": "fonts-noto-core",
    "zh-cn": "fonts-wqy-microhei",
}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The URL of `movements serve --no-onion`, exactly as an operator runs it."""
    with running_server(tmp_path_factory.mktemp("live") / "instance", "--no-onion") as server:
        yield server.base


@pytest.fixture
def chromium(tmp_path):
    """Start Chromium browsers with JavaScript off: `chromium("phone")` for a 360-px screen."""
    binary = require_command("chromium", "chromium")
    driver_binary = require_command("chromedriver", "chromium-driver")
    for language, package in SCRIPT_FONTS.items():
        require_font(language, package)
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
