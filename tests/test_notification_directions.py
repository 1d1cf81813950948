"""Notifications embed what people typed (a request's title, a username) in a translated
sentence: that text is isolated, so a Persian title in an English sentence, or a Latin name
in an Arabic one, cannot reorder the words around it."""

import pytest

from movements.app.core.models import User
from movements.app.notifications.rules import MESSAGES, notify
from tests.support.accounts import as_user, make_user
from tests.support.markup import parse

from .test_directions import holders, isolated

PERSIAN_TITLE = "وکیل برای سه روزنامه‌نگار بازداشت‌شده"
LATIN_NAME = "anna_42_"
# names nothing anyone typed: the request's title may be the deleted person's own words
SUBJECTLESS = {"match_ended_deleted"}


@pytest.fixture
def reader(app):
    return make_user("leila", "activist")


def page_of(app, user: User, lang: str = "en") -> str:
    return as_user(app, user).get(f"/notifications?lang={lang}").get_data(as_text=True)


@pytest.mark.parametrize("kind", sorted(set(MESSAGES) - SUBJECTLESS))
def test_every_notification_isolates_its_subject(app, reader, kind):
    notify(reader, kind, "/requests", PERSIAN_TITLE)
    shown = holders(page_of(app, reader), PERSIAN_TITLE)
    assert shown and all(e.tag == "bdi" and isolated(e, "auto") for e in shown)


def test_a_latin_username_in_an_arabic_sentence_is_isolated(app, reader):
    notify(reader, "vouched", f"/users/{reader.username}", LATIN_NAME)
    html = page_of(app, reader, "ar")
    (shown,) = holders(html, LATIN_NAME)
    assert shown.tag == "bdi"
    assert 'dir="rtl"' in html


def test_the_subject_is_shown_as_text_never_as_markup(app, reader):
    notify(reader, "offer_received", "/requests", "<b>bold</b> & <i>co</i>")
    html = page_of(app, reader)
    assert "<b>bold</b>" not in html
    (main,) = parse(html).iter("main")
    assert "“<b>bold</b> & <i>co</i>”" in main.text()
