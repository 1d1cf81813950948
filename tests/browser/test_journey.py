"""Two people use the site in Chromium with JavaScript off, on a desktop and on a phone.

An activist and a provider, each in their own browser, go from signing up to rating each
other, the way Tor Browser at the Safest level would let them: in English on both screens, in
Arabic on a phone and in Chinese on a desktop, reading the words each language shows.
Screenshots of each key page go to artifacts/browser/.
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .person import VIEWPORTS, Person
from .words import Words

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TITLE = "Lawyer needed for detained student organisers"
DESCRIPTION = (
    "Twelve student organisers were detained after a peaceful protest. Their families need "
    "advice on what they can ask for and how to follow the case safely."
)
OFFER = "I am a lawyer with ten years of detention cases and can advise the families."
FIRST_MESSAGE = "Thank you. Could we talk on Thursday evening?"
REPLY = "Thursday works. Send me the families' questions first."
ACTIVIST_CONTACT = "leila.42 on Signal"
NEVER_PAY = (
    "Never pay anyone here. Someone who asks for money, fees or gifts is a scammer, however "
    "trusted they seem."
)
SCRIPT_PROBE = (
    "data:text/html,<title>before</title>"
    "<script>document.title='script ran'</script>"
    "<noscript><p id=off>no script</p></noscript>"
)


# the journey in English on both screens; Arabic (right to left) and Chinese on one each
JOURNEYS = [("desktop", "en"), ("phone", "en"), ("phone", "ar"), ("desktop", "zh_Hans")]
ENGLISH = Words("en")


def sign_up(person: Person, username: str, needs_help: bool, words: Words = ENGLISH) -> None:
    person.visit(f"/?lang={words.locale}")
    person.follow(words("Sign up"))
    person.shot("sign-up")
    person.fill(words("Username"), username)
    person.fill(words("Password"), PASSWORD)
    person.fill(words("Password again"), PASSWORD)
    person.choose(words("I need help") if needs_help else words("I can help"))
    if needs_help:
        person.pick(words("Country you work on (if you need help)"), words.country("IR"))
        person.choose(
            words("I live in this country, or I work from outside it to open this closed society.")
        )
    person.choose(words("I have read the notice above and understand it."))
    person.press(words("Create my account"))
    assert person.heading() == words("Your recovery codes"), person.errors()
    assert len(person.driver.find_elements(By.CSS_SELECTOR, "ol li code")) == 6
    assert person.has_link(words("Download the codes as a text file"))
    person.shot("recovery-codes")
    person.choose(words("I have saved my recovery codes."))
    person.press(words("Continue"))


def save_contact(person: Person, kind: str, value: str, words: Words) -> None:
    person.follow(words("Account"))
    person.pick(words("Kind"), words(kind))
    person.fill(words("How to reach you"), value)
    person.press(words("Save contact"))
    assert person.sees(words("Your contact details are saved."))


def open_match(person: Person, words: Words) -> None:
    person.follow(words("Matches"))
    person.follow(TITLE)
    assert person.heading() == words("Match: %(title)s", title=TITLE)


def test_javascript_is_really_off(chromium):
    driver = chromium()
    driver.get(SCRIPT_PROBE)
    assert driver.title == "before"
    assert driver.find_element(By.ID, "off").is_displayed()


def test_the_phone_check_notices_a_page_wider_than_the_screen(chromium, artifacts):
    probe = Person(chromium("phone"), "", "phone", artifacts, "probe")
    probe.driver.get(
        "data:text/html,<meta name=viewport content='width=device-width'>"
        "<p style='width:500px'>wide</p><button style='width:10px;height:10px'></button>"
    )
    problems = " ".join(probe.layout_problems())
    assert "scrolls sideways" in problems and "too small to tap" in problems


@pytest.mark.parametrize("viewport,locale", JOURNEYS)
def test_two_people_go_from_sign_up_to_rating_each_other(
    live_server, chromium, artifacts, viewport, locale
):
    words = Words(locale)
    activist = Person(chromium(viewport), live_server, viewport, artifacts, "activist")
    provider = Person(chromium(viewport), live_server, viewport, artifacts, "provider")
    activist.driver.get(SCRIPT_PROBE)
    assert activist.driver.title == "before", "JavaScript is on in this browser"

    sign_up(provider, f"anna_{viewport}_{locale}", needs_help=False, words=words)
    save_contact(provider, "Signal", "+44 7700 900123", words)
    sign_up(activist, f"leila_{viewport}_{locale}", needs_help=True, words=words)

    activist.follow(words("Ask for help"))
    activist.fill(words("Title"), TITLE)
    activist.fill(words("What do you need?"), DESCRIPTION)
    activist.choose(words("Legal"), within=words("Skills needed"))
    activist.pick(words("Country of focus"), words.country("IR"))
    activist.choose(words.language("fa"), within=words("Languages you can use"))
    activist.choose(words.language("en"), within=words("Languages you can use"))
    activist.choose(words("Urgent"), within=words("Urgency"))
    activist.choose(
        words("Everyone, including visitors who are not signed in"), within=words("Who may see it")
    )
    activist.shot("new-request")
    activist.press(words("Post my request"))
    assert activist.heading() == TITLE, activist.errors()
    activist.shot("request")

    provider.follow(words("Requests"))
    provider.shot("browse")
    provider.fill(words("Words"), "detained organisers")
    provider.pick(words("Skill"), words("Legal"))
    provider.press(words("Search"))
    provider.shot("search-results")
    provider.follow(TITLE)
    provider.fill(words("Your offer"), OFFER)
    provider.press(words("Send my offer"))
    assert provider.sees(words("Your offer is sent. You will be told when it is answered."))
    provider.shot("offer-sent")

    activist.follow(words("Notifications"), partial=True)
    activist.shot("notifications")
    activist.visit("/")
    activist.follow(TITLE)
    assert activist.sees(OFFER) and activist.sees(words("Not verified yet"))
    activist.follow(words("Accept this offer"))
    assert activist.sees(words(NEVER_PAY))
    activist.shot("accept")
    activist.press(words("Yes, accept this offer"))
    assert activist.heading() == words("Match: %(title)s", title=TITLE)
    activist.fill(words("Message"), FIRST_MESSAGE)
    activist.press(words("Send"))
    assert activist.sees(FIRST_MESSAGE)

    open_match(provider, words)
    assert provider.sees(FIRST_MESSAGE)
    provider.fill(words("Message"), REPLY)
    provider.press(words("Send"))
    assert provider.sees(REPLY)
    provider.shot("match")

    save_contact(activist, "Signal", ACTIVIST_CONTACT, words)
    open_match(activist, words)
    assert activist.sees(REPLY)
    shared = f"{words('Signal')}: {ACTIVIST_CONTACT}"
    activist.choose(shared, within=words("Contact details the other side may see"))
    activist.press(words("Save what I share"))
    assert activist.sees(words("Your choice of contact details is saved."))

    provider.reload()
    assert provider.sees(ACTIVIST_CONTACT)

    activist.press(words("Mark as done"))
    assert activist.sees(words("You marked this match as done."))
    provider.reload()
    provider.press(words("Mark as done"))
    both = words("Both sides marked this match as done.") + " " + words("Rate it now.")
    assert provider.sees(both)
    provider.shot("completed")

    for person, stars in ((activist, "5 ★"), (provider, "4 ★")):
        person.reload()
        person.choose(stars, within=words("Your rating"))
        person.fill(words("Comment (optional, public)"), "Careful, quick and kind.")
        person.press(words("Publish my rating"))
        assert person.sees(words("Thank you. Your rating is published."))
    activist.shot("rated")

    activist.follow(f"anna_{viewport}_{locale}")
    rating = words.plural(
        "%(average)s of 5 from %(num)d rating",
        "%(average)s of 5 from %(num)d ratings",
        1,
        average=words.decimal(5, "0.0"),
    )
    assert activist.sees(rating)
    assert activist.sees("Careful, quick and kind.")
    activist.shot("provider-profile")

    assert activist.problems + provider.problems == [], "\n".join(
        activist.problems + provider.problems
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_someone_reports_a_request_they_find_abusive(live_server, chromium, artifacts, viewport):
    author = Person(chromium(viewport), live_server, viewport, artifacts, "author")
    reporter = Person(chromium(viewport), live_server, viewport, artifacts, "reporter")
    sign_up(author, f"author_{viewport}", needs_help=True)
    author.follow("Ask for help")
    author.fill("Title", "Send us the addresses of the journalists")
    author.fill("What do you need?", "We want to find where these journalists live. " * 2)
    author.choose("Press and journalism", within="Skills needed")
    author.pick("Country of focus", "Iran")
    author.choose("English", within="Languages you can use")
    author.choose("Everyone, including visitors who are not signed in", within="Who may see it")
    author.press("Post my request")
    request_path = author.path()

    sign_up(reporter, f"reporter_{viewport}", needs_help=False)
    reporter.visit(request_path)
    if not reporter.has_link("Report"):
        pytest.skip("request pages have no Report link yet: the reports area is not finished")
    reporter.follow("Report")
    reporter.shot("report")
    reporter.choose("Impersonation or suspected informant", within="What is wrong?")
    reporter.fill("Details (optional)", "This asks for journalists' home addresses.")
    form_buttons = reporter.driver.find_elements(By.CSS_SELECTOR, "main form button")
    reporter.press(form_buttons[-1].text.strip())
    assert reporter.sees("Thank you. Staff will look at your report")
    reporter.shot("reported")
    assert author.problems + reporter.problems == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_keyboard_focus_shows_the_skip_link_then_a_visible_outline(
    live_server, chromium, artifacts, viewport
):
    visitor = Person(chromium(viewport), live_server, viewport, artifacts, "keyboard")
    visitor.visit("/login")
    body = visitor.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    skip = visitor.driver.switch_to.active_element
    assert skip.text == "Skip to content"
    box, width = skip.rect, VIEWPORTS[viewport][0]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] >= 0
    visitor.shot("skip-link")
    for _ in range(8):
        focused = visitor.driver.switch_to.active_element
        style = focused.value_of_css_property("outline-style")
        outline_width = float(focused.value_of_css_property("outline-width").removesuffix("px"))
        assert style == "solid" and outline_width >= 2, focused.tag_name
        focused.send_keys(Keys.TAB)
    visitor.shot("focus")
    assert visitor.problems == []
