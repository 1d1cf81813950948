"""A visitor talking to the real server byte for byte: the path and headers exactly as given,
cookies kept, redirects reported rather than followed, so tests see what the server sends."""

import http.client
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class RawVisitor:
    def __init__(self, base: str, host: str | None = None, cookies: dict | None = None):
        parsed = urllib.parse.urlsplit(base)
        self.address = (parsed.hostname, parsed.port)
        self.host = host or parsed.netloc
        self.cookies: dict[str, str] = dict(cookies or {})

    def send(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection(*self.address, timeout=20)
        sent = {"Host": self.host, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, text)

    def get(self, path: str) -> Answer:
        return self.send("GET", path)

    def token(self, path: str = "/login") -> str:
        found = TOKEN.search(self.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, form: dict, token: str | None = None) -> Answer:
        fields = {"csrf_token": token if token is not None else self.token(), **form}
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        content = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send("POST", path, body, content)
