"""What every rendered page must (not) contain, checked the same way everywhere."""

import re
from html.parser import HTMLParser

FORBIDDEN = [
    (re.compile(r"<script", re.I), "a <script> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (
        re.compile(r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']?(?:https?:)?//""", re.I),
        "a resource from another origin",
    ),
]

EXPECTED_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def problems_in(response) -> list[str]:
    """Everything wrong with one page; an empty list when it is clean."""
    found = []
    html = response.get_data(as_text=True)
    for pattern, what in FORBIDDEN:
        if pattern.search(html):
            found.append(what)
    for name, value in EXPECTED_HEADERS.items():
        if response.headers.get(name) != value:
            found.append(f"header {name} is {response.headers.get(name)!r}")
    policy = response.headers.get("Permissions-Policy", "")
    if "camera=()" not in policy or "geolocation=()" not in policy:
        found.append("Permissions-Policy does not deny features")
    if "Server" in response.headers:
        found.append("a Server header")
    if response.headers.get("Cache-Control") != "no-store":
        found.append("pages are cacheable")
    if response.mimetype == "text/html":
        parser = _Headings()
        parser.feed(html)
        if not parser.html_lang:
            found.append("no lang on <html>")
        if parser.levels.count(1) != 1:
            found.append(f"{parser.levels.count(1)} h1 elements")
    return found
