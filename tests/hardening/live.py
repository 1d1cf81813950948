"""Browsers with their own cookies against the real server, and requests fired at one moment.

Everything goes to the loopback address `running_server` listens on. A `Browser` never follows
redirects, so a test sees the status and `Location` a person's browser would have received.
"""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.accounts import PASSWORD

HIDDEN_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
TIMEOUT_SECONDS = 60


@dataclass
class Answer:
    status: int
    text: str
    headers: dict

    @property
    def location(self) -> str:
        return urllib.parse.urlparse(self.headers.get("Location", "")).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden_fields(page: str, action: str | None = None) -> dict:
    """The hidden inputs (CSRF token, submission key) of the form posting to `action`."""
    if action is not None:
        start = page.index(f'action="{action}"')
        page = page[start : page.index("</form>", start)]
    fields = {}
    for tag in HIDDEN_INPUT.findall(page):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name and value and name.group(1) not in fields:
            fields[name.group(1)] = value.group(1)
    return fields


class Browser:
    """One person's browser: a cookie jar, and forms posted with the page's hidden fields."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self.token: str | None = None

    def _open(self, path: str, data: bytes | None = None) -> Answer:
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310 -- loopback
        try:
            with self.opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                return Answer(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read().decode(), dict(error.headers))

    def get(self, path: str) -> Answer:
        return self._open(path)

    def post(self, path: str, form: dict, hidden: dict | None = None) -> Answer:
        """Post `form` with `hidden` fields, or with this session's CSRF token."""
        if hidden is None:
            hidden = {"csrf_token": self.csrf_token()}
        data = urllib.parse.urlencode({**hidden, **form}, doseq=True).encode()
        return self._open(path, data)

    def csrf_token(self) -> str:
        """The session's token, read once from a page (it changes only at sign-in)."""
        if self.token is None:
            self.token = hidden_fields(self.get("/login").text)["csrf_token"]
        return self.token

    def form(self, page_path: str, action: str | None = None) -> dict:
        """The hidden fields of a form as the page renders it: what one click would send."""
        return hidden_fields(self.get(page_path).text, action or page_path)

    def sign_in(self, username: str, password: str = PASSWORD) -> "Browser":
        answer = self.post("/login", {"username": username, "password": password})
        assert answer.status == 302, (answer.status, answer.text[:300])
        self.token = None
        return self.ready()

    def ready(self) -> "Browser":
        """Read the CSRF token now, so posts fired together are not slowed by a page load."""
        self.csrf_token()
        return self


def at_once(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call on its own thread, all released together; their answers, in order."""
    start = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index: int) -> None:
        start.wait(timeout=TIMEOUT_SECONDS)
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT_SECONDS)
    assert all(answer is not None for answer in answers), "a request did not finish"
    return answers


def statuses(answers: list[Answer]) -> list[int]:
    return sorted(answer.status for answer in answers)
