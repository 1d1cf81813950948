"""What arrives at a real SMTP server on loopback: when, how often, and what it says."""

import datetime
import re
import threading

import pytest
from flask_babel import force_locale, ngettext

from movements.app.core.models import MailAddress, MailOutbox, Notification, User, utcnow
from movements.app.factory import create_app
from movements.app.mail import outbox, settings
from movements.app.notifications.rules import notify
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, make_user, post

from .conftest import ALL_KINDS, MIRROR, SENDER, deliver, mail_config
from .smtp import LoopbackSmtp, body_of, self_signed_certificate

ADDRESS = "anna@lawyers.example.net"
CONFIRM_LINK = re.compile(rf"https://{re.escape(MIRROR)}(/email/confirm/[A-Za-z0-9_-]+)")
UNSUBSCRIBE_LINK = re.compile(rf"https://{re.escape(MIRROR)}(/email/unsubscribe/[A-Za-z0-9_-]+)")


def give_address(app, user, address=ADDRESS, mode="instant"):
    client = as_user(app, user)
    form = {"address": address, "mode": mode, "kinds": ALL_KINDS}
    response = post(client, "/account/email", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def confirm_by_mail(app, smtp, client=None) -> None:
    """Open the link of the newest mail, as its reader would: the page, then its button."""
    _to, message = smtp.mail()[-1]
    path = CONFIRM_LINK.search(body_of(message)).group(1)
    client = client or app.test_client()
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200


def confirmed(app, smtp, user, address=ADDRESS, mode="instant"):
    count = len(smtp.mail())
    give_address(app, user, address, mode)
    deliver(app)
    smtp.wait_for(count + 1)
    confirm_by_mail(app, smtp)


def test_a_confirmed_address_gets_one_generic_notice_with_a_working_unsubscribe_link(
    app, smtp, activist, provider, help_request
):
    give_address(app, provider)
    deliver(app)
    ((to, confirmation),) = smtp.wait_for(1)
    assert to == [ADDRESS] and confirmation["To"] == ADDRESS
    assert confirmation["From"] == SENDER
    assert CONFIRM_LINK.search(body_of(confirmation))
    confirm_by_mail(app, smtp)
    assert MailAddress.get(MailAddress.user == provider).confirmed

    offer = offers.make_offer(provider, help_request, "I can advise on the legal side, today.")
    offers.accept_offer(activist, offer)  # the provider is told: one in-app notification
    deliver(app)
    to, notice = smtp.wait_for(2)[1]
    assert to == [ADDRESS]
    assert notice["Subject"] == "New notifications on Movements"
    assert notice["Auto-Submitted"] == "auto-generated"
    assert notice["Message-ID"].endswith("@movements.example.org>")
    body = body_of(notice)
    assert "You have 1 new notification on Movements." in body
    assert f"https://{MIRROR}/notifications" in body
    for private in (help_request.title, activist.username, "legal side", provider.username):
        assert private not in body and private not in str(notice)
    unsubscribe = UNSUBSCRIBE_LINK.search(body).group(1)
    assert notice["List-Unsubscribe"] == f"<https://{MIRROR}{unsubscribe}>"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    stranger = app.test_client()  # mail is often read in another browser, signed out
    assert stranger.get(unsubscribe).status_code == 200
    assert stranger.post(unsubscribe).status_code == 200
    assert MailAddress.select().count() == 0
    notify(provider, "rated", "/users/leila", help_request.title)
    deliver(app)
    assert len(smtp.mail()) == 2


def test_mail_programs_unsubscribe_with_one_click_without_any_page(app, smtp, provider):
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    deliver(app)
    _to, notice = smtp.wait_for(2)[1]
    path = UNSUBSCRIBE_LINK.search(notice["List-Unsubscribe"]).group(1)
    # RFC 8058: a POST with this body, no cookie, no form token
    answer = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert MailAddress.select().count() == 0 and MailOutbox.select().count() == 0


def test_the_notice_is_written_in_the_users_language(app, smtp, provider):
    User.update(language="fa").where(User.id == provider.id).execute()
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    notify(provider, "rated", "/users/y", "something")
    deliver(app)
    _to, notice = smtp.wait_for(2)[1]
    with app.test_request_context(), force_locale("fa"):
        persian = ngettext(
            "You have %(num)d new notification on Movements.",
            "You have %(num)d new notifications on Movements.",
            2,
        )
    assert persian != "You have 2 new notifications on Movements."
    assert notice["Content-Language"] == "fa"
    assert persian in body_of(notice)
    assert "You have" not in body_of(notice)


def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    smtp.wait_for(1)
    notify(provider, "vouched", "/users/x", "someone")
    deliver(app)
    assert len(smtp.mail()) == 1
    assert MailOutbox.select().count() == 0


def test_news_while_a_notice_waits_is_counted_in_the_same_mail(app, smtp, provider):
    confirmed(app, smtp, provider)
    for n in range(3):
        notify(provider, "vouched", "/users/x", f"someone {n}")
    deliver(app)
    mail = smtp.wait_for(2)
    assert len(mail) == 2
    assert "You have 3 new notifications on Movements." in body_of(mail[1][1])


def test_news_read_on_the_site_before_the_mail_goes_is_not_mailed(app, smtp, provider):
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    as_user(app, provider).get("/notifications")  # opening the list reads what it shows
    deliver(app)
    assert len(smtp.mail()) == 1
    assert MailOutbox.select().count() == 0


def test_only_the_chosen_kinds_of_news_are_mailed(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    smtp.wait_for(1)
    confirm_by_mail(app, smtp)
    client = as_user(app, provider)
    form = {"address": ADDRESS, "mode": "instant", "kinds": ["messages"]}
    assert post(client, "/account/email", form).status_code == 302
    notify(provider, "vouched", "/users/x", "someone")
    deliver(app)
    assert len(smtp.mail()) == 1
    notify(provider, "message", "/matches/x", "a title")
    deliver(app)
    assert "You have 1 new notification" in body_of(smtp.wait_for(2)[1][1])


def test_a_digest_waits_for_the_daily_hour_and_says_everything_at_once(app, smtp, provider):
    confirmed(app, smtp, provider, mode="digest")
    notify(provider, "vouched", "/users/x", "someone")
    notify(provider, "rated", "/users/y", "something")
    (row,) = MailOutbox.select()
    assert row.due_at == outbox.next_digest_at(utcnow())
    assert row.due_at.hour == outbox.DIGEST_HOUR and row.due_at > utcnow()
    deliver(app)
    assert len(smtp.mail()) == 1
    deliver(app, now=row.due_at)
    assert "You have 2 new notifications" in body_of(smtp.wait_for(2)[1][1])


def test_a_failing_smtp_server_keeps_notices_queued_and_sends_each_once_it_is_back(
    app, smtp, provider
):
    confirmed(app, smtp, provider)
    smtp.stop()
    notify(provider, "vouched", "/users/x", "someone")
    first = deliver(app)
    assert first.failed and first.sent == 0
    (row,) = MailOutbox.select()
    assert row.attempts == 1 and row.due_at > utcnow() and row.claimed_until is None
    later = row.due_at + datetime.timedelta(seconds=1)
    assert deliver(app, now=later).failed  # still away: the wait doubles
    assert MailOutbox.get().attempts == 2
    smtp.start()
    much_later = MailOutbox.get().due_at + datetime.timedelta(seconds=1)
    assert deliver(app, now=much_later).sent == 1
    assert deliver(app, now=much_later + datetime.timedelta(hours=2)).sent == 0
    mail = smtp.mail()
    assert len(mail) == 2 and "1 new notification" in body_of(mail[1][1])
    assert MailOutbox.select().count() == 0


def test_two_senders_at_once_send_each_mail_once(app, smtp):
    people = [make_user(f"provider_{n}", "provider") for n in range(4)]
    for n, person in enumerate(people):
        confirmed(app, smtp, person, address=f"p{n}@example.net")
    for person in people:
        notify(person, "vouched", "/users/x", "someone")
    start = threading.Barrier(2)
    results = []

    def sender():
        start.wait(timeout=30)
        results.append(deliver(app))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(result.sent for result in results) == 4
    notices = [to for to, message in smtp.mail() if "notification" in body_of(message)]
    assert sorted(address for (address,) in notices) == [f"p{n}@example.net" for n in range(4)]
    assert MailOutbox.select().count() == 0


@pytest.fixture
def tls_smtp(tmp_path):
    server = LoopbackSmtp(tmp_path, implicit_tls=True).start()
    yield server
    server.stop()


def test_tls_from_the_first_byte_works_too(instance, tls_smtp):
    app = create_app({"TESTING": True, **mail_config(tls_smtp)}, instance_path=instance)
    user = make_user("lawyer_tariq", "provider")
    give_address(app, user)
    deliver(app)
    ((to, message),) = tls_smtp.wait_for(1)
    assert to == [ADDRESS] and CONFIRM_LINK.search(body_of(message))


def _trusting_only(app, certificate) -> None:
    app.config["SMTP_CA_FILE"] = str(certificate)
    settings.init_app(app)


def test_mail_never_goes_without_a_checked_certificate(app, smtp, provider, tmp_path):
    """Trusting another certificate than the server's, the app sends nothing and keeps it."""
    (tmp_path / "other").mkdir()
    other, _key = self_signed_certificate(tmp_path / "other")
    _trusting_only(app, other)
    give_address(app, provider)
    assert deliver(app).failed
    assert smtp.mail() == [] and MailOutbox.select().count() == 1


def test_mail_never_goes_in_clear_text(app, smtp, provider, tmp_path):
    """A server that offers no STARTTLS gets nothing, not even the address."""
    (tmp_path / "plain").mkdir()
    plain = LoopbackSmtp(tmp_path / "plain", plain=True).start()
    try:
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{plain.port}"
        settings.init_app(app)
        give_address(app, provider)
        assert deliver(app).failed
        assert plain.mail() == [] and MailOutbox.select().count() == 1
    finally:
        plain.stop()


def test_notifications_never_wait_for_the_smtp_server(app, smtp, provider):
    """A notification only writes a row: with the server away nothing fails and nothing waits."""
    confirmed(app, smtp, provider)
    smtp.stop()
    notify(provider, "vouched", "/users/x", "someone")
    assert Notification.select().where(Notification.user == provider).count() == 1
    assert MailOutbox.select().count() == 1
