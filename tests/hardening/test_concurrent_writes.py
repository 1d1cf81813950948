"""Writes that arrive at the same moment, against the real server and its SQLite file.

Each test prepares accounts and marketplace rows through the rules (cheap argon2, in this
process), starts `movements serve` on the same instance, and fires real HTTP requests from
real threads. SQLite in WAL mode answers "database is locked" at once when a transaction that
began by reading tries to write after another connection wrote; every test here fails with a
500 or a lost row if a write transaction does not take the write lock up front.
"""

import pytest

from movements.app.core.db import database
from movements.app.core.models import ContactField, Match, Rating, SignInThrottle, User
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import PASSWORD, make_user, request_fields
from tests.support.serving import running_server

from .live import Browser, at_once, statuses

TRIALS = 8


def completed_match(activist, provider):
    help_request = requests_rules.create_request(activist, request_fields())
    offer = offers.make_offer(provider, help_request, "I can advise the family this week.")
    match = offers.accept_offer(activist, offer)
    matches.mark_done(activist, match)
    matches.mark_done(provider, Match.get_by_id(match.id))
    return match


@pytest.fixture
def serve(app, instance):
    """Start the real server on the instance the test has filled; yields its base URL."""

    def start():
        database.close()  # the server's connections are the only ones while it runs
        return running_server(instance, "--no-onion")

    return start


def test_two_people_rating_at_once_both_ratings_are_kept(serve, activist, provider):
    completed = [completed_match(activist, provider) for _ in range(TRIALS)]
    with serve() as server:
        leila = Browser(server.base).sign_in("leila")
        anna = Browser(server.base).sign_in("lawyer_anna")
        answers = []
        for match in completed:
            url = f"/matches/{match.public_id}/rate"
            answers += at_once(
                [
                    lambda url=url: leila.post(url, {"stars": "5", "comment": "Kind and quick."}),
                    lambda url=url: anna.post(url, {"stars": "4"}),
                ]
            )
    assert statuses(answers) == [302] * 2 * TRIALS
    assert Rating.select().count() == 2 * TRIALS


def test_sixteen_contact_saves_at_once_are_all_stored(serve, app):
    people = [make_user(f"person{n}", "provider") for n in range(4)]
    kinds = ["signal", "email", "matrix", "other"]
    with serve() as server:
        browsers = [Browser(server.base).sign_in(person.username) for person in people]
        answers = at_once(
            [
                lambda b=browser, k=kind: b.post(
                    "/account/contacts", {"kind": k, "value": f"{k} of {id(b)}"}
                )
                for browser in browsers
                for kind in kinds
            ]
        )
    assert statuses(answers) == [302] * 16
    assert ContactField.select().count() == 16


def test_two_recoveries_with_one_code_at_once_one_wins_and_one_is_told(serve, app):
    from movements.app.accounts import rules as accounts

    _signed_up, codes = accounts.register("amal", "correct horse battery", "activist", "EG")
    new_passwords = ["first new password", "second new password"]
    with serve() as server:
        browsers = [Browser(server.base), Browser(server.base)]
        answers = at_once(
            [
                lambda b=browser, p=password: b.post(
                    "/recover",
                    {"username": "amal", "code": codes[0], "password": p, "confirm": p},
                )
                for browser, password in zip(browsers, new_passwords, strict=True)
            ]
        )
        assert statuses(answers) == [302, 400]
        refused = next(answer for answer in answers if answer.status == 400)
        assert "That username and recovery code do not match." in refused.text
        winner = new_passwords[[a.status for a in answers].index(302)]
        assert Browser(server.base).sign_in("amal", winner)


def test_wrong_passwords_during_other_writes_are_refused_and_counted(serve, activist, provider):
    match = completed_match(activist, provider)
    guessed = make_user("guessed", "provider")
    url = f"/matches/{match.public_id}/messages"
    with serve() as server:
        writers = [Browser(server.base).sign_in(name) for name in ("leila", "lawyer_anna")]
        guesser = Browser(server.base).ready()
        writes, guesses = [], []
        for _ in range(3):
            answers = at_once(
                [lambda b=b: b.post(url, {"text": "Any news?"}) for b in writers]
                + [lambda: guesser.post("/login", {"username": "guessed", "password": "wrong!!"})]
            )
            writes += answers[:2]
            guesses.append(answers[2])
    assert statuses(writes) == [302] * 6
    assert statuses(guesses) == [400] * 3
    assert SignInThrottle.get(SignInThrottle.user == guessed).failures == 3


def test_a_profile_saved_during_a_password_change_keeps_both(serve, provider):
    new_password = "a brand new password"
    with serve() as server:
        changing = Browser(server.base).sign_in("lawyer_anna")
        editing = Browser(server.base).sign_in("lawyer_anna")
        answers = at_once(
            [
                lambda: changing.post(
                    "/account/password",
                    {"current": PASSWORD, "password": new_password, "confirm": new_password},
                ),
                lambda: editing.post("/account/profile", {"bio": "Lawyer in Istanbul."}),
            ]
        )
        assert statuses(answers) == [302, 302]
        assert Browser(server.base).sign_in("lawyer_anna", new_password)
    assert User.get_by_id(provider.id).bio == "Lawyer in Istanbul."
