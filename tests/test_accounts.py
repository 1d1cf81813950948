"""Signing up without e-mail, signing in and out, recovery codes and passwords."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core.errors import RuleViolation
from movements.app.core.models import LoginSession, RecoveryCode, User
from movements.app.keys import passwords
from movements.crypto import KDF_PARAMETERS, KdfParameters
from movements.crypto import userkeys as crypto_userkeys
from tests.support.accounts import PASSWORD, SIGNUP, csrf_token, make_user, post, sign_in


def test_activist_signs_up_without_email_and_sees_six_recovery_codes(client):
    response = post(client, "/signup", SIGNUP)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your recovery codes" in page
    assert page.count("<code>") == 6
    user = User.get(User.username == "noor")
    assert user.role == "activist" and user.country == "SY"
    assert RecoveryCode.select().where(RecoveryCode.user == user).count() == 6
    assert "email" not in {f.name for f in User._meta.sorted_fields}


def test_signup_signs_the_new_user_in(client):
    post(client, "/signup", SIGNUP)
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_password_is_stored_as_argon2id_with_the_production_parameters(app, monkeypatch):
    monkeypatch.setattr(crypto_userkeys, "_current", KDF_PARAMETERS)
    signed_up, _ = accounts.register("karim", PASSWORD, "provider", "")
    assert signed_up.user.password_hash.startswith("$argon2id-hkdf-v1$m=65536,t=3,p=4$")


def test_login_rehashes_a_password_hashed_with_old_parameters(client, app, monkeypatch):
    user = make_user("old_hash", "provider")
    old = user.password_hash
    monkeypatch.setattr(crypto_userkeys, "_current", KdfParameters(2, 8, 1))
    sign_in(client, user)
    new = User.get_by_id(user.id).password_hash
    assert new != old and "t=2" in new
    assert accounts.authenticate("old_hash", PASSWORD).key is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": ""}, "This field is required"),
        ({"username": "ab"}, "3 to 32 characters"),
        ({"username": "x" * 33}, "3 to 32 characters"),
        ({"username": "x" * 5000}, "Field cannot be longer"),
        ({"username": "bad name!"}, "letters, digits"),
        ({"password": "short", "confirm": "short"}, "10 to 128 characters"),
        ({"password": "p" * 129, "confirm": "p" * 129}, "10 to 128 characters"),
        ({"confirm": "something else"}, "The passwords differ"),
        ({"role": "admin"}, "Not a valid choice"),
        ({"role": ""}, "Choose one"),
        ({"country": ""}, "Choose the country you work on"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"risk_read": ""}, "Please read the notice"),
    ],
)
def test_bad_signup_shows_the_form_with_an_error_and_creates_nobody(client, changes, message):
    response = post(client, "/signup", {**SIGNUP, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_usernames_are_unique_without_regard_to_case_or_width(client, app):
    make_user("Noor", "activist")
    response = post(client, "/signup", {**SIGNUP, "username": "ｎｏｏｒ"})  # fullwidth, NFKC
    assert response.status_code == 400
    assert "That username is taken" in response.get_data(as_text=True)
    assert User.select().count() == 1


def test_provider_needs_no_country(client):
    response = post(client, "/signup", {**SIGNUP, "role": "provider", "country": ""})
    assert response.status_code == 302
    assert User.get(User.username == "noor").country == ""


def test_wrong_password_is_refused_with_a_form_error(client, activist):
    response = post(client, "/login", {"username": "leila", "password": "not the password"})
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert LoginSession.select().count() == 0


def test_unknown_username_looks_like_a_wrong_password(client, app):
    response = post(client, "/login", {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_strict(client, activist):
    response = post(client, "/login", {"username": "leila", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_login_renews_the_session_cookie(client, activist):
    client.get("/login")
    before = client.get_cookie("movements_session").value
    sign_in(client, activist)
    assert client.get_cookie("movements_session").value != before


def test_login_only_redirects_to_local_paths(client, activist):
    data = {"csrf_token": csrf_token(client), "username": "leila", "password": PASSWORD}
    response = client.post("/login?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_logged_out_cookie_is_useless(client, activist):
    sign_in(client, activist)
    stolen = client.get_cookie("movements_session").value
    post(client, "/logout")
    thief = client.application.test_client()
    thief.set_cookie("movements_session", stolen)
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_everywhere_ends_every_session(app, activist):
    first, second = app.test_client(), app.test_client()
    sign_in(first, activist)
    sign_in(second, activist)
    post(first, "/account/sign-out-everywhere")
    assert second.get("/account").status_code == 302
    assert LoginSession.select().count() == 0


def test_idle_session_expires(app, client, activist):
    sign_in(client, activist)
    row = LoginSession.get()
    row.idle_expires_at = row.idle_expires_at.replace(year=2000)
    row.save()
    assert client.get("/account").status_code == 302
    assert LoginSession.select().count() == 0


def test_recovery_code_resets_the_password_once(client, app):
    _user, codes = accounts.register("amal", PASSWORD, "activist", "EG")
    new_password = "a brand new password"
    form = {"username": "amal", "code": codes[3], "password": new_password, "confirm": new_password}
    response = post(client, "/recover", form)
    assert response.status_code == 302
    assert accounts.authenticate("amal", new_password) is not None
    post(client, "/logout")
    again = post(client, "/recover", {**form, "password": PASSWORD, "confirm": PASSWORD})
    assert again.status_code == 400
    assert accounts.authenticate("amal", new_password) is not None
    assert RecoveryCode.select().count() == 5


def test_recovery_with_a_wrong_code_changes_nothing(client, app):
    signed_up, _codes = accounts.register("amal", PASSWORD, "activist", "EG")
    user = signed_up.user
    before = user.password_hash
    form = {"username": "amal", "code": "00000-00000-00000-00000"}
    response = post(client, "/recover", {**form, "password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 400
    assert User.get_by_id(user.id).password_hash == before


def test_password_change_needs_the_current_password(client, activist):
    sign_in(client, activist)
    bad = {"current": "wrong password", "password": "x" * 12, "confirm": "x" * 12}
    assert post(client, "/account/password", bad).status_code == 400
    assert accounts.authenticate("leila", PASSWORD) is not None
    good = {**bad, "current": PASSWORD}
    assert post(client, "/account/password", good).status_code == 302
    assert accounts.authenticate("leila", "x" * 12) is not None


def test_password_length_is_checked_before_hashing(app):
    with pytest.raises(ValueError):
        passwords.new_password("p" * 10_000)


def test_register_refuses_an_unknown_role(app):
    with pytest.raises(RuleViolation):
        accounts.register("someone", PASSWORD, "staff", "")


def test_profile_saves_about_and_skills(client, provider):
    sign_in(client, provider)
    data = {"bio": "Asylum lawyer in Berlin.", "skills": ["legal", "asylum"]}
    assert post(client, "/account/profile", data).status_code == 302
    page = client.get("/users/lawyer_anna").get_data(as_text=True)
    assert "Asylum lawyer in Berlin." in page and "Asylum and immigration" in page


def test_languages_are_saved_on_their_own_page_and_shown_on_the_profile(client, provider):
    sign_in(client, provider)
    assert post(client, "/account/languages", {"languages": ["ar", "de"]}).status_code == 302
    assert User.get_by_id(provider.id).languages == ",ar,de,"
    for page in ("/users/lawyer_anna", "/account/profile"):
        text = client.get(page).get_data(as_text=True)
        assert "German" in text and "Arabic" in text


def test_saving_the_profile_keeps_the_languages(client, provider):
    sign_in(client, provider)
    post(client, "/account/languages", {"languages": ["ar"]})
    assert post(client, "/account/profile", {"bio": "New words"}).status_code == 302
    assert User.get_by_id(provider.id).languages == ",ar,"


def test_activist_changes_the_country_they_work_on(client, activist):
    sign_in(client, activist)
    data = {"languages": ["fa"], "country": "BY"}
    assert post(client, "/account/languages", data).status_code == 302
    assert User.get_by_id(activist.id).country == "BY"


def test_provider_cannot_give_themselves_a_country(client, provider):
    sign_in(client, provider)
    post(client, "/account/languages", {"languages": ["ar"], "country": "BY"})
    assert User.get_by_id(provider.id).country == ""


@pytest.mark.parametrize(
    "data",
    [
        {"languages": ["klingon"]},
        {"languages": ["fa"], "country": "US"},
        {"languages": ["fa"] * 21},
        {"languages": ["x" * 5000]},
    ],
)
def test_languages_page_refuses_what_is_not_on_its_lists(client, activist, data):
    sign_in(client, activist)
    assert post(client, "/account/languages", data).status_code == 400
    unchanged = User.get_by_id(activist.id)
    assert (unchanged.languages, unchanged.country) == (",", "IR")


def test_profile_with_unknown_skill_changes_nothing(client, provider):
    sign_in(client, provider)
    response = post(client, "/account/profile", {"bio": "x", "skills": ["hacking"]})
    assert response.status_code == 400
    assert User.get_by_id(provider.id).bio == ""
