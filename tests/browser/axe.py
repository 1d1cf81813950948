"""axe-core, the engine behind most accessibility audits, run on a page the browser shows.

The engine comes from npm at the version pinned in tests/browser/package-lock.json, installed
once with `npm ci` into tests/browser/node_modules (ignored by git). The pages carry no script
and the browser runs none of theirs: the driver injects the engine through DevTools, as
person.py measures layouts, and asks it for violations of the WCAG 2.0 and 2.1 A and AA rules.
"""

import json
import subprocess
from functools import cache
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.system import require_command

HERE = Path(__file__).resolve().parent
ENGINE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NPM_SECONDS = 300

# With JavaScript off, Chromium runs the driver's code and the steps of its promises, but fires
# no timer, no mutation observer and no queueMicrotask. The engine defers steps with
# setTimeout(…, 0), which here become a promise's next step (and its next-tick helper falls back
# to that without MutationObserver); its longer timers only bound waits for frames and files
# these pages do not have, and never fire.
TIMERS_AS_MICROTASKS = """
let next = 1;
const cancelled = new Set();
window.setTimeout = (callback, delay, ...values) => {
  const id = next++;
  if (!(delay > 1)) Promise.resolve().then(() => cancelled.has(id) || callback(...values));
  return id;
};
window.clearTimeout = (id) => cancelled.add(id);
window.MutationObserver = window.WebKitMutationObserver = undefined;
"""
RUN = """
const [tags, done] = [arguments[0], arguments[arguments.length - 1]];
const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], preload: false};
axe.run(document, options)
  .then((results) => done(results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }))))
  .catch((error) => done([{id: "axe-failed", impact: "", help: String(error), nodes: []}]));
"""


def _pinned_version() -> str:
    lock = json.loads((HERE / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


def _installed_version() -> str | None:
    manifest = ENGINE.parent / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


@cache
def engine_source() -> str:
    """The engine's code, installed by `npm ci` when missing or not the pinned version."""
    if _installed_version() != _pinned_version():
        npm = require_command("npm", "npm")  # skips outside CI, fails under CI=true
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
            timeout=NPM_SECONDS,
        )
    assert _installed_version() == _pinned_version(), "npm ci did not install the pinned axe-core"
    return ENGINE.read_text("utf-8")


def violations(driver: WebDriver) -> list[str]:
    """Each WCAG A/AA rule the page breaks, with the elements that break it."""
    driver.execute_script(TIMERS_AS_MICROTASKS + engine_source())
    driver.set_script_timeout(60)
    found = driver.execute_async_script(RUN, WCAG_A_AND_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {n['target']}: {n['summary']}"
        for v in found
        for n in v["nodes"] or [{"target": "the page", "summary": ""}]
    ]
