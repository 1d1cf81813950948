"""The site takes no uploads: a request carrying a file part is refused whole, before any form."""

import io

import pytest

from movements.app.core.models import HelpRequest, Offer, User
from tests.support.accounts import PASSWORD, REQUEST_FORM, as_user, csrf_token


def as_file(text: str):
    return (io.BytesIO(text.encode()), "typed.txt")


def send_with_a_file(client, url, form, field):
    data = {"csrf_token": csrf_token(client), **form, field: as_file(form[field])}
    return client.post(url, data=data)


SIGN_UP = {
    "username": "noor",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "role": "provider",
    "risk_read": "y",
}


@pytest.mark.parametrize("field", ["username", "password", "role"])
def test_sign_up_with_a_field_sent_as_a_file_is_refused(client, field):
    response = send_with_a_file(client, "/signup", SIGN_UP, field)
    assert response.status_code == 400
    assert User.select().count() == 0


@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_with_a_field_sent_as_a_file_is_refused(client, activist, field):
    form = {"username": activist.username, "password": PASSWORD}
    response = send_with_a_file(client, "/login", form, field)
    assert response.status_code == 400
    assert client.get("/account").status_code == 302  # not signed in


def test_recovery_with_a_code_sent_as_a_file_is_refused(client, activist):
    form = {"username": activist.username, "code": "x" * 20, "password": PASSWORD}
    response = send_with_a_file(client, "/recover", {**form, "confirm": PASSWORD}, "code")
    assert response.status_code == 400


def test_a_request_with_its_title_sent_as_a_file_is_refused(app, activist):
    client = as_user(app, activist)
    response = send_with_a_file(client, "/requests/new", REQUEST_FORM, "title")
    assert response.status_code == 400
    assert HelpRequest.select().count() == 0


def test_an_offer_sent_as_a_file_is_refused(app, provider, help_request):
    client = as_user(app, provider)
    url = f"/requests/{help_request.public_id}/offer"
    response = send_with_a_file(client, url, {"message": "I can advise the family."}, "message")
    assert response.status_code == 400
    assert Offer.select().count() == 0


@pytest.mark.parametrize(
    ("url", "form", "field"),
    [
        ("/account/profile", {"bio": "Lawyer in Berlin", "skills": "legal"}, "bio"),
        ("/account/contacts", {"kind": "signal", "value": "+49 30 1234"}, "value"),
        ("/account/delete", {"password": PASSWORD}, "password"),
        ("/report?target=user:leila", {"reason": "scam", "details": "It is a fake."}, "details"),
    ],
)
def test_account_forms_with_a_field_sent_as_a_file_are_refused(
    app, provider, activist, url, form, field
):
    client = as_user(app, provider)
    response = send_with_a_file(client, url, form, field)
    assert response.status_code == 400
    assert User.get_by_id(provider.id).bio == ""
