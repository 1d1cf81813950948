"""Giving, confirming and removing an address on the site, and every bad way of doing it."""

import datetime
from pathlib import Path

import pytest

from movements.app.accounts.deletion import delete_account
from movements.app.cli import rotation
from movements.app.core.config import UnsafeConfiguration
from movements.app.core.models import MailAddress, MailOutbox, today
from movements.app.factory import create_app
from movements.app.keys import vault
from movements.app.mail import addresses
from movements.app.notifications.rules import notify
from tests.support.accounts import as_user, make_user, post
from tests.support.pages import problems_in

from .conftest import ALL_KINDS, deliver, mail_config
from .smtp import body_of
from .test_mail_delivery import ADDRESS, CONFIRM_LINK, UNSUBSCRIBE_LINK, confirmed, give_address

ACTIVIST_WARNING = "An e-mail address can identify you"


def nothing_stored_or_sent(smtp, app) -> bool:
    deliver(app)
    return (
        MailAddress.select().count() == 0 and MailOutbox.select().count() == 0 and not (smtp.mail())
    )


def test_without_an_smtp_server_the_email_option_does_not_exist(tmp_path):
    app = create_app({"TESTING": True}, instance_path=tmp_path / "no-mail")
    user = make_user("lawyer_omid", "provider")
    client = as_user(app, user)
    assert "E-mail notices" not in client.get("/account").get_data(as_text=True)
    assert client.get("/account/email").status_code == 404
    response = post(client, "/account/email", {"address": ADDRESS, "kinds": ALL_KINDS})
    assert response.status_code == 404
    assert MailAddress.select().count() == 0


def test_activists_are_warned_before_they_add_an_address(app, activist, provider):
    page = as_user(app, activist).get("/account/email")
    assert page.status_code == 200 and problems_in(page) == []
    assert ACTIVIST_WARNING in page.get_data(as_text=True)
    assert ACTIVIST_WARNING not in as_user(app, provider).get("/account/email").get_data(True)


def test_the_account_page_leads_to_the_email_choices(app, activist):
    page = as_user(app, activist).get("/account").get_data(as_text=True)
    assert "E-mail notices" in page and 'href="/account/email"' in page


def test_an_activist_may_still_add_one_and_it_is_a_digest_unless_they_choose(app, smtp, activist):
    client = as_user(app, activist)
    page = client.get("/account/email").get_data(as_text=True)
    assert '<input checked name="mode" type="radio" value="digest">' in page
    give_address(app, activist, mode="digest")
    row = MailAddress.get()
    assert row.mode == "digest" and not row.confirmed


@pytest.mark.parametrize(
    "address",
    [
        "not an address",
        "anna",
        "anna@localhost",
        "anna@@example.org",
        "<anna@example.org>",
        "anna@example.org, bob@example.org",
        "anna@example.org\r\nBcc: victim@example.org",
        "anna@example.org\nBcc: victim@example.org",
        "anna@example.org\rBcc: victim@example.org",
        "ánna@example.org",
        "anna@exa mple.org",
        "a" * 65 + "@example.org",
        "anna@" + "a" * 250 + ".org",
    ],
)
def test_an_invalid_address_is_refused_and_nothing_is_stored_or_sent(app, smtp, provider, address):
    client = as_user(app, provider)
    form = {"address": address, "mode": "instant", "kinds": ALL_KINDS}
    response = post(client, "/account/email", form)
    assert response.status_code == 400
    assert "Enter an e-mail address such as name@example.org." in response.get_data(as_text=True)
    assert problems_in(response) == []
    assert nothing_stored_or_sent(smtp, app)


@pytest.mark.parametrize(
    "form",
    [
        {"address": ADDRESS, "mode": "sometimes", "kinds": ALL_KINDS},
        {"address": ADDRESS, "mode": "instant", "kinds": ["gossip"]},
        {"address": ADDRESS, "mode": "instant"},
    ],
)
def test_unknown_choices_are_refused_and_nothing_is_stored_or_sent(app, smtp, provider, form):
    assert post(as_user(app, provider), "/account/email", form).status_code == 400
    assert nothing_stored_or_sent(smtp, app)


def test_an_oversized_form_is_refused(app, smtp, provider):
    client = as_user(app, provider)
    response = post(client, "/account/email", {"address": "a" * 100_000 + "@example.org"})
    assert response.status_code == 413
    assert nothing_stored_or_sent(smtp, app)


def test_a_form_without_its_token_changes_nothing(app, smtp, provider):
    client = as_user(app, provider)
    form = {"address": ADDRESS, "mode": "instant", "kinds": ALL_KINDS, "csrf_token": "forged"}
    response = client.post("/account/email", data=form)
    assert response.status_code == 400
    assert nothing_stored_or_sent(smtp, app)


def tampered(path: str) -> str:
    last = path[-1]
    return path[:-1] + ("A" if last != "A" else "B")


def test_tampered_confirmation_links_are_404_and_confirm_nothing(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    ((_to, message),) = smtp.wait_for(1)
    path = CONFIRM_LINK.search(body_of(message)).group(1)
    visitor = app.test_client()
    for bad in (tampered(path), path + "x", path[:-1], "/email/confirm/..%2F..", "/email/confirm/"):
        assert visitor.get(bad).status_code == 404, bad
        answer = visitor.post(bad)
        assert answer.status_code == 404, bad
        assert problems_in(answer) == []
    assert visitor.get("/email/confirm/" + "a" * 5000).status_code == 404
    assert not MailAddress.get().confirmed


def test_an_expired_confirmation_link_is_404_and_confirms_nothing(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    ((_to, message),) = smtp.wait_for(1)
    path = CONFIRM_LINK.search(body_of(message)).group(1)
    long_ago = today() - datetime.timedelta(days=addresses.CONFIRM_DAYS + 1)
    MailAddress.update(confirm_sent_on=long_ago).execute()
    assert app.test_client().post(path).status_code == 404
    assert not MailAddress.get().confirmed


def test_a_confirmation_link_works_once(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    ((_to, message),) = smtp.wait_for(1)
    path = CONFIRM_LINK.search(body_of(message)).group(1)
    visitor = app.test_client()
    assert visitor.post(path).status_code == 200
    assert visitor.post(path).status_code == 404
    assert MailAddress.get().confirmed


def test_tampered_and_replaced_unsubscribe_links_are_404_and_delete_nothing(app, smtp, provider):
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    deliver(app)
    _to, notice = smtp.wait_for(2)[1]
    path = UNSUBSCRIBE_LINK.search(body_of(notice)).group(1)
    visitor = app.test_client()
    assert visitor.post(tampered(path)).status_code == 404
    assert visitor.post("/email/unsubscribe/" + "x" * 3000).status_code == 404
    assert MailAddress.select().count() == 1
    # a new address gets new links: the old mail's link no longer reaches it
    give_address(app, provider, address="anna@elsewhere.example.org")
    assert visitor.get(path).status_code == 404
    assert visitor.post(path).status_code == 404
    assert MailAddress.select().count() == 1


def test_a_link_scanner_that_opens_the_link_changes_nothing(app, smtp, provider):
    give_address(app, provider)
    deliver(app)
    ((_to, message),) = smtp.wait_for(1)
    path = CONFIRM_LINK.search(body_of(message)).group(1)
    page = app.test_client().get(path)
    assert page.status_code == 200 and problems_in(page) == []
    assert not MailAddress.get().confirmed


def test_changing_the_choices_of_a_confirmed_address_sends_no_new_link(app, smtp, provider):
    confirmed(app, smtp, provider)
    client = as_user(app, provider)
    form = {"address": ADDRESS, "mode": "digest", "kinds": ["messages"]}
    assert post(client, "/account/email", form).status_code == 302
    deliver(app)
    assert len(smtp.mail()) == 1
    row = MailAddress.get()
    assert row.confirmed and row.mode == "digest" and row.kinds == ",messages,"


def test_the_address_is_shown_to_its_owner_only_and_stored_encrypted(
    app, instance, smtp, provider, stranger
):
    give_address(app, provider)
    owner_page = as_user(app, provider).get("/account/email").get_data(as_text=True)
    assert ADDRESS in owner_page
    other = as_user(app, stranger)
    for url in ("/account/email", "/account", f"/users/{provider.username}"):
        assert ADDRESS not in other.get(url).get_data(as_text=True)
    stored = b"".join(p.read_bytes() for p in Path(instance).glob("movements.sqlite3*"))
    assert ADDRESS.encode() not in stored


def test_removing_the_address_deletes_it_and_what_waits_for_it(app, smtp, provider):
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    client = as_user(app, provider)
    assert post(client, "/account/email/remove").status_code == 302
    assert MailAddress.select().count() == 0 and MailOutbox.select().count() == 0
    deliver(app)
    assert len(smtp.mail()) == 1


def test_deleting_the_account_deletes_the_address_and_what_waits_for_it(app, smtp, provider):
    confirmed(app, smtp, provider)
    notify(provider, "vouched", "/users/x", "someone")
    delete_account(provider)
    assert MailAddress.select().count() == 0 and MailOutbox.select().count() == 0


def test_confirmation_mails_share_an_hourly_budget(app, smtp, provider, stranger):
    app.config["MAIL_CONFIRMATIONS_PER_HOUR"] = 1
    give_address(app, provider)
    form = {"address": "stranger@example.org", "mode": "instant", "kinds": ALL_KINDS}
    answer = post(as_user(app, stranger), "/account/email", form)
    assert answer.status_code == 429 and problems_in(answer) == []
    assert MailAddress.select().count() == 1 and MailOutbox.select().count() == 1


def test_rotating_the_server_keyring_keeps_addresses_and_links_readable(app, smtp, provider):
    confirmed(app, smtp, provider)
    old_key = vault.keyring().active_key_id
    with app.app_context():
        active, retired = rotation.rotate()
    assert active != old_key and retired == [old_key]
    assert addresses.settings_of(provider).address == ADDRESS
    notify(provider, "vouched", "/users/x", "someone")
    deliver(app)
    _to, notice = smtp.wait_for(2)[1]
    assert UNSUBSCRIBE_LINK.search(body_of(notice))


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"SMTP_URL": "http://mail.example.org"}, "smtp://"),
        ({"SMTP_URL": "smtp://"}, "smtp://"),
        ({"SMTP_URL": "smtp://mail.example.org:99999"}, "not a valid URL"),
        ({"SMTP_URL": "smtp://mail.example.org/path"}, "no path"),
        ({"MAIL_FROM": "notices"}, "MOVEMENTS_MAIL_FROM"),
        ({"MAIL_FROM": None}, "MOVEMENTS_MAIL_FROM"),
        ({"MIRROR_HOST": None}, "MOVEMENTS_MIRROR_HOST"),
        ({"MAIL_RETRY_SECONDS": "soon"}, "MAIL_RETRY_SECONDS"),
    ],
)
def test_a_wrong_mail_setup_refuses_to_start(tmp_path, smtp, change, complaint):
    config = {"TESTING": True, **mail_config(smtp), **change}
    with pytest.raises(UnsafeConfiguration, match=complaint):
        create_app(config, instance_path=tmp_path / "wrong")


def test_the_settings_never_show_the_smtp_password(app, smtp):
    from movements.app.mail import settings

    assert "pass" not in repr(settings.settings())
