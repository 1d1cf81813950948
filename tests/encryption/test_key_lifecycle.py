"""Password change, recovery, forced reset, process restart, migration and rotation."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.cli import rotation
from movements.app.cli.main import main
from movements.app.core.models import ContactField, LoginSession, Message, RecoveryCode, User
from movements.app.factory import create_app
from movements.app.keys import vault
from movements.app.keys.contacts import field_context, set_contact
from movements.app.matches.rules import message_context, post_message
from movements.app.offers import rules as offers
from movements.crypto import associated_data
from tests.support.accounts import PASSWORD, as_user, post

NEW_PASSWORD = "a completely new passphrase"


def contact_page(client) -> str:
    return client.get("/account").get_data(as_text=True)


def test_password_change_rewraps_the_key_and_keeps_data(app, activist):
    client = as_user(app, activist)
    post(client, "/account/contacts", {"kind": "signal", "value": "+1 555 0100"})
    old_wrapped = bytes(User.get_by_id(activist.id).wrapped_key)
    form = {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post(client, "/account/password", form).status_code == 302
    assert bytes(User.get_by_id(activist.id).wrapped_key) != old_wrapped
    post(client, "/logout")
    post(client, "/login", {"username": "leila", "password": NEW_PASSWORD})
    assert "+1 555 0100" in contact_page(client)


def test_recovery_code_reset_keeps_data(app, client):
    signed_up, codes = accounts.register("amal", PASSWORD, "activist", "EG")
    set_contact(signed_up.user, "email", "amal@example.org")
    form = {"username": "amal", "code": codes[0], "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post(client, "/recover", form).status_code == 302
    assert "amal@example.org" in contact_page(client)


def test_a_process_restart_keeps_the_session_and_its_key(app, instance, activist):
    client = as_user(app, activist)
    post(client, "/account/contacts", {"kind": "signal", "value": "+1 555 0177"})
    restarted = create_app({"TESTING": True}, instance_path=instance)
    other = restarted.test_client()
    other.set_cookie("movements_session", client.get_cookie("movements_session").value)
    response = other.get("/account")
    assert response.status_code == 200
    assert "+1 555 0177" in response.get_data(as_text=True)
    assert LoginSession.select().count() == 1


def test_forced_reset_loses_sealed_data_and_tells_the_user(app, instance, client, activist, capsys):
    set_contact(activist, "signal", "lost-forever-1234")
    assert main(["users", "reset-password", "leila", "--instance", str(instance)]) == 0
    password = capsys.readouterr().out.split("password: ")[1].split()[0]
    assert ContactField.select().count() == 0
    assert RecoveryCode.select().where(RecoveryCode.user == activist).count() == 0
    signed_in = post(client, "/login", {"username": "leila", "password": password})
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "cannot be recovered by anyone" in page
    assert page.count("<code>") == 6
    assert not User.get_by_id(activist.id).keys_lost
    assert "lost-forever-1234" not in contact_page(client)


def test_forced_reset_of_an_unknown_user_fails_cleanly(app, instance, capsys):
    assert main(["users", "reset-password", "nobody", "--instance", str(instance)]) == 1
    assert "no such user" in capsys.readouterr().err


def make_legacy(user: User) -> None:
    """Turn an account into one from before per-user keys: keyring blobs, no key pair."""
    user.public_key = user.wrapped_key = None
    user.save()
    RecoveryCode.update(wrapped_key=None).where(RecoveryCode.user == user).execute()


def test_an_old_account_is_migrated_at_its_next_sign_in(
    app, client, activist, provider, help_request
):
    make_legacy(activist)
    legacy = User.get_by_id(activist.id)
    set_contact(legacy, "email", "old-scheme@example.org")
    match = offers.accept_offer(legacy, offers.make_offer(provider, help_request, "x" * 20))
    post_message(provider, match, "sealed for both, the old way for leila")
    row = ContactField.get()
    assert bytes(row.sealed_value).startswith(b"K1")
    assert bytes(Message.get().for_activist).startswith(b"K1")
    assert bytes(Message.get().for_provider).startswith(b"S1")
    signed_in = post(client, "/login", {"username": "leila", "password": PASSWORD})
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "own encryption key" in page and page.count("<code>") == 6
    migrated = User.get_by_id(activist.id)
    assert migrated.public_key is not None
    assert bytes(ContactField.get().sealed_value).startswith(b"S1")
    assert bytes(Message.get().for_activist).startswith(b"S1")
    assert "old-scheme@example.org" in contact_page(client)
    thread = client.get(f"/matches/{match.public_id}").get_data(as_text=True)
    assert "sealed for both, the old way for leila" in thread


def test_old_account_data_stays_readable_until_then(app, activist):
    make_legacy(activist)
    set_contact(User.get_by_id(activist.id), "email", "still@example.org")
    row = ContactField.get()
    assert (
        vault.decrypt(row.sealed_value, associated_data(*field_context(row)))
        == b"still@example.org"
    )


def test_a_tampered_message_reads_as_could_not_be_decrypted(app, activist, provider, help_request):
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "x" * 20))
    post_message(provider, match, "hello")
    blob = bytearray(Message.get().for_activist)
    blob[-1] ^= 1
    Message.update(for_activist=bytes(blob)).execute()
    page = as_user(app, activist).get(f"/matches/{match.public_id}")
    assert page.status_code == 200
    assert "This message could not be decrypted." in page.get_data(as_text=True)


def test_rotation_interrupted_half_way_resumes_and_retires_the_old_key(app, provider, monkeypatch):
    for n in range(4):
        user = accounts.register(f"legacy{n}", PASSWORD, "provider", "")[0].user
        make_legacy(user)
        set_contact(User.get_by_id(user.id), "other", f"value {n}")
    old_key = vault.keyring().active_key_id
    monkeypatch.setattr(rotation, "BATCH_SIZE", 1)

    def interrupt(done):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate(interrupt)
    keys = {vault.keyring().key_id_of(bytes(c.sealed_value)) for c in ContactField.select()}
    assert keys == {old_key, vault.keyring().active_key_id}
    new_key, retired = rotation.rotate()
    assert retired == [old_key] and new_key != old_key
    assert old_key not in vault.keyring().key_ids()
    for row in ContactField.select():
        assert vault.keyring().key_id_of(bytes(row.sealed_value)) == new_key
        opened = vault.decrypt(row.sealed_value, associated_data(*field_context(row)))
        assert opened.decode().startswith("value ")


def test_rotate_command_reports_the_new_key(app, instance, capsys):
    assert main(["keys", "rotate", "--instance", str(instance)]) == 0
    assert "active key:" in capsys.readouterr().out


def test_message_context_names_its_column(app, activist, provider, help_request):
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "x" * 20))
    message = post_message(provider, match, "hi")
    assert message_context(message, "for_activist") != message_context(message, "for_provider")


def test_rotation_covers_what_staff_read_under_the_keyring(app, activist, provider):
    from movements.app.trust.profiles import link_of, set_link

    set_link(provider, "https://example.org/anna")
    old_key = vault.keyring().active_key_id
    _new_key, retired = rotation.rotate()
    assert retired == [old_key]
    assert link_of(User.get_by_id(provider.id)) == "https://example.org/anna"
