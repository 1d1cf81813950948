"""A person at a browser: finds fields by their labels and buttons by their words.

Every page they land on is checked as they go: nothing fetched but the page once the
stylesheet is cached, nothing from another origin, and on a phone nothing wider than the
screen and every button within reach. Each page is kept as a screenshot.
"""

import base64
import json
from pathlib import Path

from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

VIEWPORTS = {"desktop": (1280, 900), "phone": (360, 740)}
PAGE_LOAD_SECONDS = 20
MIN_TARGET_PX = 24  # WCAG 2.5.8: targets at least 24 by 24 CSS pixels
CONTROLS = "button, input:not([type=hidden]), select, textarea, a:not(.skip)"

# Run by the driver through DevTools, which the page's JavaScript setting does not govern:
# it only measures. The pages themselves carry no script and the browser runs none of theirs.
LAYOUT_PROBLEMS = """
const [width, minimum, controls] = arguments;
const problems = [];
const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
if (page > width) problems.push(`scrolls sideways: ${page}px wide`);
const name = (e) => `${e.tagName.toLowerCase()} "${(e.innerText || e.name || "").slice(0, 30)}"`;
// a control folded away (in a closed menu) is not on the screen until its menu is opened
const shown = (e) => e.checkVisibility();
for (const e of [...document.querySelectorAll(controls)].filter(shown)) {
  const box = e.getBoundingClientRect();
  if (box.left < -0.5 || box.right > width + 0.5) {
    problems.push(`${name(e)} sticks out: ${box.left}..${box.right}`);
  }
}
for (const button of [...document.querySelectorAll("button")].filter(shown)) {
  // scrolled to, not scrollIntoView(): that would move where the next Tab starts from
  const at = button.getBoundingClientRect();
  const [x, y] = [at.left + at.width / 2, at.top + at.height / 2];
  window.scrollBy(x - innerWidth / 2, y - innerHeight / 2);
  const box = button.getBoundingClientRect();
  if (Math.min(box.width, box.height) < minimum) {
    problems.push(`${name(button)} is too small to tap: ${box.width}x${box.height}`);
  }
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!(hit === button || button.contains(hit))) problems.push(`${name(button)} is covered`);
}
window.scrollTo(0, 0);
return problems;
"""


def left(page: WebElement) -> bool:
    """Whether the browser has moved on from this page's document."""
    try:
        page.is_enabled()
    except WebDriverException:  # stale, or already detached from the new document
        return True
    return False


def loaded(driver: WebDriver) -> bool:
    return driver.execute_script("return document.readyState") == "complete"


def literal(text: str) -> str:
    """An XPath string literal for any text, quotes included."""
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


class Person:
    def __init__(self, driver: WebDriver, base_url: str, viewport: str, shots: Path, name: str):
        self.driver, self.base_url, self.viewport = driver, base_url, viewport
        self.shots, self.name = shots, name
        self.problems: list[str] = []
        self.pages_seen = 0

    # --- moving around -----------------------------------------------------------

    def visit(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self._arrived()

    def path(self) -> str:
        """Where the browser is, without the fragment (getting a #fragment does not reload)."""
        return self.driver.current_url.removeprefix(self.base_url).split("#")[0]

    def reload(self) -> None:
        self.visit(self.path())

    def follow(self, link_text: str, partial: bool = False) -> None:
        """Follow the first link with these words (or starting with them, if `partial`)."""
        how = By.PARTIAL_LINK_TEXT if partial else By.LINK_TEXT
        try:
            link = self.driver.find_element(how, link_text)
        except NoSuchElementException:  # folded into the menu: its links read as no text
            self.open_menu()
            link = self.driver.find_element(how, link_text)
        self._navigate(link)

    def press(self, words: str) -> None:
        """Press the button with these words, and wait for the page it leads to."""
        button = self.driver.find_element(By.XPATH, f"//button[normalize-space()={literal(words)}]")
        if not button.is_displayed():
            self.open_menu()
        self._navigate(button)

    def open_menu(self) -> None:
        """Tap "Menu", as a person on a phone does. A wide screen shows the menu's links without
        it, but WebDriver reads whatever is in a closed <details> as hidden: there the menu is
        only marked open, which changes nothing on the screen."""
        for menu in self.driver.find_elements(By.CSS_SELECTOR, "details.menu:not([open])"):
            summary = menu.find_element(By.TAG_NAME, "summary")
            if summary.is_displayed():
                summary.click()
            else:
                self.driver.execute_script("arguments[0].open = true;", menu)

    def _navigate(self, element: WebElement) -> None:
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, PAGE_LOAD_SECONDS).until(lambda _driver: left(page))
        WebDriverWait(self.driver, PAGE_LOAD_SECONDS).until(loaded)
        self._arrived()

    # --- forms, by what a person reads ---------------------------------------------

    def label(self, text: str, within: str | None = None) -> WebElement:
        scope = f"//fieldset[legend[normalize-space()={literal(within)}]]" if within else ""
        return self.driver.find_element(
            By.XPATH, f"{scope}//label[normalize-space()={literal(text)}]"
        )

    def field(self, label_text: str) -> WebElement:
        label = self.label(label_text)
        return self.driver.find_element(By.ID, label.get_attribute("for"))

    def fill(self, label_text: str, value: str) -> None:
        field = self.field(label_text)
        field.clear()
        field.send_keys(value)

    def choose(self, label_text: str, within: str | None = None) -> None:
        """Tick a checkbox or radio button by clicking its label, as people do."""
        self.label(label_text, within).click()

    def pick(self, label_text: str, option: str) -> None:
        Select(self.field(label_text)).select_by_visible_text(option)

    # --- what they see ---------------------------------------------------------------

    def heading(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "h1").text.strip()

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def sees(self, words: str) -> bool:
        return words in self.text()

    def errors(self) -> list[str]:
        """The error messages on the page, to say why a form did not go through."""
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".error")]

    def has_link(self, link_text: str) -> bool:
        self.open_menu()
        try:
            self.driver.find_element(By.LINK_TEXT, link_text)
        except NoSuchElementException:
            return False
        return True

    def shot(self, name: str) -> Path:
        """A screenshot of the whole page, not only what fits on the screen."""
        capture = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        path = self.shots / f"{len(list(self.shots.iterdir())):02d}-{self.name}-{name}.png"
        path.write_bytes(base64.b64decode(capture["data"]))
        return path

    # --- what is checked on every page -----------------------------------------------

    def _arrived(self) -> None:
        self.pages_seen += 1
        where = f"{self.name} at {self.driver.current_url.removeprefix(self.base_url)}"
        self.problems += [f"{where}: {p}" for p in self._fetch_problems()]
        if self.viewport == "phone":
            self.problems += [f"{where}: {p}" for p in self.layout_problems()]

    def _fetch_problems(self) -> list[str]:
        """What went over the network besides the page itself, once the stylesheet is cached."""
        sent, cached = {}, set()
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message["method"], message.get("params", {})
            if method == "Network.requestWillBeSent":
                sent[params["requestId"]] = (params.get("type", "?"), params["request"]["url"])
            elif method == "Network.requestServedFromCache" or (
                method == "Network.responseReceived" and params["response"].get("fromDiskCache")
            ):
                cached.add(params["requestId"])
        problems = []
        for request_id, (kind, url) in sent.items():
            if not url.startswith(("http:", "https:", "ws:", "wss:", "ftp:")):
                continue  # the browser's own pages (chrome://, data:), not the network
            if not url.startswith(self.base_url):
                problems.append(f"a request to another origin: {url}")
            elif kind != "Document" and request_id not in cached and self.pages_seen > 1:
                problems.append(f"a second request for this page: {kind} {url}")
        return problems

    def layout_problems(self) -> list[str]:
        """On a phone: nothing wider than the screen, every control on it, every button tappable."""
        width = VIEWPORTS[self.viewport][0]
        content = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        problems = self.driver.execute_script(LAYOUT_PROBLEMS, width, MIN_TARGET_PX, CONTROLS)
        if content["width"] > width:
            problems.append(f"the layout is {content['width']}px wide")
        return problems
