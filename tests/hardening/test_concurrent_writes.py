"""Writes that arrive at the same moment, against the real server and its SQLite file.

Each test prepares accounts and marketplace rows through the rules (cheap argon2, in this
process), starts `movements serve` on the same instance, and fires real HTTP requests from
real threads. SQLite in WAL mode answers "database is locked" at once when a transaction that
began by reading tries to write after another connection wrote; every test here fails with a
500 or a lost row if a write transaction does not take the write lock up front.
"""

import sqlite3

import pytest

from movements.app.core.config import DATABASE_FILE
from movements.app.core.db import database
from movements.app.core.models import ContactField, Match, Message, Rating, SignInThrottle, User
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import PASSWORD, REQUEST_FORM, make_user, request_fields
from tests.support.serving import running_server

from .live import Browser, at_once, statuses

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

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


def test_every_kind_of_write_at_once_is_answered_and_kept(serve, activist, provider, stranger):
    """One of each form that writes, all released together: none answers 500, each write is
    in the database afterwards."""
    from movements.app.accounts import rules as accounts
    from movements.app.core.models import (
        Block,
        ContactReveal,
        HelpRequest,
        Listing,
        LoginSession,
        Notification,
        Offer,
        Report,
    )
    from movements.app.core.taxonomy import unpack
    from movements.app.keys import contacts

    noor = make_user("noor", "activist")
    leaving = make_user("leaving", "provider")
    sweeper = make_user("sweeper", "provider")
    wanderer = make_user("wanderer", "provider")
    guessed = make_user("guessed", "provider")
    _recovered, codes = accounts.register("amal", PASSWORD, "activist", "EG")

    def new_request(**changes):
        return requests_rules.create_request(activist, request_fields(**changes))

    to_offer, to_edit, to_withdraw = new_request(), new_request(), new_request()
    accepted = offers.make_offer(provider, new_request(), "I can help with this right away.")
    declined = offers.make_offer(stranger, new_request(), "I can help with this right away.")
    withdrawn = offers.make_offer(provider, new_request(), "I can help with this right away.")
    talking, finishing, cancelling, revealing = (
        offers.accept_offer(activist, offers.make_offer(provider, new_request(), "Glad to help."))
        for _ in range(4)
    )
    rated = completed_match(activist, provider)
    contacts.set_contact(activist, "signal", "+98 912 000 0000")
    contact_id = ContactField.get(ContactField.user == activist).id
    unread_before = [n.id for n in Notification.select().where(Notification.user == provider)]
    with serve() as server:
        base = server.base
        leila, anna, other = (
            Browser(base).sign_in(n) for n in ("leila", "lawyer_anna", "stranger")
        )
        noor_b, leaving_b, sweeper_b, wanderer_b = (
            Browser(base).sign_in(n) for n in ("noor", "leaving", "sweeper", "wanderer")
        )
        anonymous = [Browser(base).ready() for _ in range(3)]
        new_password = "a brand new password"
        edited = {**REQUEST_FORM, "title": "Lawyer for three detained journalists, urgently"}
        writes = {
            "sign-up": lambda: anonymous[0].post(
                "/signup",
                {
                    "username": "newcomer",
                    "password": PASSWORD,
                    "confirm": PASSWORD,
                    "role": "provider",
                    "risk_read": "y",
                },
            ),
            "wrong password": lambda: anonymous[1].post(
                "/login", {"username": "guessed", "password": "not the password"}
            ),
            "recovery": lambda: anonymous[2].post(
                "/recover",
                {
                    "username": "amal",
                    "code": codes[0],
                    "password": new_password,
                    "confirm": new_password,
                },
            ),
            "profile": lambda: anna.post("/account/profile", {"bio": "Lawyer in Istanbul."}),
            "languages": lambda: other.post("/account/languages", {"languages": ["fa", "en"]}),
            "contact": lambda: noor_b.post(
                "/account/contacts", {"kind": "email", "value": "n@x.org"}
            ),
            "new request": lambda: noor_b.post("/requests/new", REQUEST_FORM),
            "edit request": lambda: leila.post(f"/requests/{to_edit.public_id}/edit", edited),
            "withdraw request": lambda: leila.post(
                f"/requests/{to_withdraw.public_id}/withdraw", {}
            ),
            "offer": lambda: other.post(
                f"/requests/{to_offer.public_id}/offer", {"message": "I can help as well."}
            ),
            "accept": lambda: leila.post(f"/offers/{accepted.public_id}/accept", {}),
            "decline": lambda: leila.post(f"/offers/{declined.public_id}/decline", {}),
            "withdraw offer": lambda: anna.post(f"/offers/{withdrawn.public_id}/withdraw", {}),
            "message": lambda: anna.post(f"/matches/{talking.public_id}/messages", {"text": "Hi"}),
            "reveal": lambda: leila.post(
                f"/matches/{revealing.public_id}/contacts", {"contacts": [str(contact_id)]}
            ),
            "done": lambda: anna.post(f"/matches/{finishing.public_id}/done", {}),
            "cancel": lambda: leila.post(
                f"/matches/{cancelling.public_id}/cancel", {"reason": "We found other help."}
            ),
            "rate": lambda: leila.post(f"/matches/{rated.public_id}/rate", {"stars": "5"}),
            "notifications": lambda: anna.get("/notifications"),  # opening it reads them
            "report": lambda: other.post(
                f"/report?target=request:{to_offer.public_id}", {"reason": "scam"}
            ),
            "block": lambda: noor_b.post("/users/stranger/block", {}),
            "directory": lambda: sweeper_b.post("/providers/me/list", {}),
            "delete account": lambda: leaving_b.post("/account/delete", {"password": PASSWORD}),
            "sign out everywhere": lambda: wanderer_b.post("/account/sign-out-everywhere", {}),
        }
        answers = dict(zip(writes, at_once(list(writes.values())), strict=True))
        signed_out = [name for name, answer in answers.items() if answer.location == "/login"]
        assert signed_out == ["sign out everywhere"]
        assert Browser(base).sign_in("amal", new_password)
    expected = {name: 302 for name in writes} | {"notifications": 200, "wrong password": 400}
    assert {name: answer.status for name, answer in answers.items()} == expected
    assert User.select().where(User.username == "newcomer").exists()
    assert SignInThrottle.get(SignInThrottle.user == guessed).failures == 1
    assert User.get_by_id(provider.id).bio == "Lawyer in Istanbul."
    assert set(unpack(User.get_by_id(stranger.id).languages)) == {"fa", "en"}
    assert ContactField.select().where(ContactField.user == noor).count() == 1
    assert HelpRequest.select().where(HelpRequest.author == noor).count() == 1
    assert HelpRequest.get_by_id(to_edit.id).title == edited["title"]
    assert HelpRequest.get_by_id(to_withdraw.id).status == HelpRequest.WITHDRAWN
    assert (
        Offer.select()
        .where((Offer.help_request == to_offer) & (Offer.provider == stranger))
        .exists()
    )
    assert Offer.get_by_id(accepted.id).status == Offer.ACCEPTED
    assert Offer.get_by_id(declined.id).status == Offer.DECLINED
    assert Offer.get_by_id(withdrawn.id).status == Offer.WITHDRAWN
    assert Message.select().where(Message.match == talking).count() == 1
    assert ContactReveal.select().where(ContactReveal.match == revealing).count() == 1
    assert Match.get_by_id(finishing.id).provider_done
    assert Match.get_by_id(cancelling.id).status == Match.CANCELLED
    assert Rating.select().where(Rating.match == rated).count() == 1
    # what anna had been told before: the storm's own notices to her may come after it
    assert all(Notification.get_by_id(n).read for n in unread_before)
    assert Report.select().where(Report.reporter == stranger).count() == 1
    assert Block.select().where(Block.blocker == noor).count() == 1
    assert Listing.select().where(Listing.user == sweeper).exists()
    assert User.get_or_none(User.id == leaving.id) is None
    assert not LoginSession.select().where(LoginSession.user == wanderer).exists()


def test_a_write_that_waits_out_a_held_lock_is_told_to_retry(serve, instance, provider):
    with serve() as server:
        anna = Browser(server.base).sign_in("lawyer_anna")
        holder = sqlite3.connect(instance / DATABASE_FILE, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
            waited = anna.post("/account/profile", {"bio": "Lawyer in Istanbul."})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert waited.status == 503
        assert waited.headers["Retry-After"] == "5"
        assert anna.post("/account/profile", {"bio": "Lawyer in Istanbul."}).status == 302
    assert User.get_by_id(provider.id).bio == "Lawyer in Istanbul."
