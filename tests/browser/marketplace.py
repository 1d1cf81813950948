"""Something on every core page of the live server, made over HTTP through the site's forms.

The text is what strains a 360-px screen: a German-style compound longer than the screen is
wide, a long URL, Burmese written without spaces, a username of the longest kind. An activist
has a request with an offer waiting and a match with messages; a provider has a profile.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.support.raw_http import RawVisitor

PASSWORD = "correct horse battery staple"
ACTIVIST = "leila_tehran"
# the longest kind of name, ending in digits and a mark: without isolation, a right-to-left
# page would show it as "_1977_anna..."
PROVIDER = "anna_marie_von_richthofen_1977_"
COMPOUND = "Rechtsschutzversicherungsgesellschaftenvertreterinnenfortbildungsprogramm"
LONG_URL = (
    "https://archive.example.org/reports/2024/detention-conditions-of-student-organisers-"
    "full-report-with-testimonies-and-annexes.pdf"
)
BURMESE = "ထောင်ထဲမှာရှိနေတဲ့ကျောင်းသားခေါင်းဆောင်တွေအတွက်ဥပဒေအကူအညီအမြန်လိုအပ်ပါတယ်"
PERSIAN = "سلام، فهرست پرسش‌ها را آماده کرده‌ایم. خانواده‌ها بیشتر نگران ملاقات و وثیقه هستند."
OFFERED_TITLE = f"{COMPOUND} für inhaftierte Studierende"
DESCRIPTION = (
    f"Our report on the detentions is at {LONG_URL} and needs a lawyer's reading before the "
    f"hearing. {BURMESE}"
)
OFFER = f"I am a lawyer with ten years of detention cases. My published work: {LONG_URL}"
MESSAGES = [f"The report: {LONG_URL}", BURMESE, PERSIAN]


@dataclass
class Marketplace:
    base: str
    offered_request: str  # the path of a request with an offer waiting for an answer
    offer: str  # the path of that offer, whose confirmation pages hang under it
    match: str  # the path of a match with messages

    def public_pages(self) -> dict[str, str]:
        """The pages someone signed out sees: name → path."""
        return {"sign-up": "/signup", "sign-in": "/login", "safety": "/safety"}

    def activist_pages(self) -> dict[str, str]:
        """The core pages as the activist sees them, signed in: name → path."""
        return {
            "home": "/",
            "requests": "/requests",
            "request-with-offer": self.offered_request,
            "request-form": "/requests/new",
            "accept-offer": f"{self.offer}/accept",
            "decline-offer": f"{self.offer}/decline",
            "match": self.match,
            "cancel-match": f"{self.match}/cancel",
            "profile": f"/users/{PROVIDER}",
            "notifications": "/notifications",
            "language": "/language",
        }


def expect(answer, status: int = 302) -> str:
    """The path the answer sends on to, once it is the answer expected."""
    assert answer.status == status, answer.text[:2000]
    return urlsplit(answer.header("Location") or "").path


def signed_up(base: str, username: str, role: str) -> tuple[RawVisitor, str]:
    """A new account, signed in; with the CSRF token of its session."""
    person = RawVisitor(base)
    form = {
        "username": username,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": role,
        "country": "IR",
        "declaration": "y",
        "risk_read": "y",
    }
    assert (
        expect(person.post("/signup", form, person.token("/signup"))) == "/account/recovery-codes"
    )
    token = person.token("/account/recovery-codes")
    expect(person.post("/account/recovery-codes", {"saved": "y"}, token))
    return person, person.token("/account/profile")


def ask_for_help(activist: RawVisitor, token: str, title: str) -> str:
    fields = {
        "title": title,
        "description": DESCRIPTION,
        "skills": ["legal", "press"],
        "country": "IR",
        "languages": ["fa", "en"],
        "urgency": "urgent",
        "visibility": "everyone",
        "min_stars": "0",
        "expires_in_days": "90",
    }
    return expect(activist.post("/requests/new", fields, token))


def build(base: str) -> Marketplace:
    activist, activist_token = signed_up(base, ACTIVIST, "activist")
    provider, provider_token = signed_up(base, PROVIDER, "provider")
    expect(provider.post("/account/profile", {"bio": OFFER, "skills": ["legal"]}, provider_token))
    offered = ask_for_help(activist, activist_token, OFFERED_TITLE)
    matched = ask_for_help(activist, activist_token, BURMESE)
    for request_path in (offered, matched):
        expect(provider.post(f"{request_path}/offer", {"message": OFFER}, provider_token))
    offer = re.compile(r'href="(/offers/[^/"]+)/accept"')
    waiting = offer.search(activist.get(offered).text).group(1)
    accept = offer.search(activist.get(matched).text).group(1) + "/accept"
    match = expect(activist.post(accept, {}, activist_token))
    for number, text in enumerate(MESSAGES):
        sender, token = (activist, activist_token) if number % 2 else (provider, provider_token)
        expect(sender.post(f"{match}/messages", {"text": text}, token))
    return Marketplace(base, offered, waiting, match)
