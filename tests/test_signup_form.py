"""The sign-up form: rules stated where they apply, and nothing typed lost after a mistake."""

from movements.app.core.models import User
from tests.support.accounts import SIGNUP, post
from tests.support.markup import parse


def test_the_password_rules_are_stated_next_to_the_field(client):
    document = parse(client.get("/signup").get_data(as_text=True))
    (password,) = [i for i in document.iter("input") if i.attrs.get("name") == "password"]
    help_id = password.attrs["aria-describedby"]
    (help_text,) = [p for p in document.iter("p") if p.attrs.get("id") == help_id]
    assert help_text.text() == "A password has 10 to 128 characters."


def test_the_country_and_declaration_are_asked_only_of_activists(client):
    document = parse(client.get("/signup").get_data(as_text=True))
    (form,) = [f for f in document.iter("form") if "signup" in f.classes()]
    (activist_only,) = [d for d in form.iter("div") if "for-activist" in d.classes()]
    names = {i.attrs.get("name") for i in activist_only.iter("input", "select")}
    assert names == {"country", "declaration"}
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert ".signup:not(:has([value=activist]:checked)) .for-activist" in css


def test_after_a_mistake_only_the_passwords_are_lost_and_a_summary_leads_to_each_field(client):
    mistaken = {**SIGNUP, "username": "n" * 70, "confirm": "something else"}
    response = post(client, "/signup", mistaken)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and User.select().count() == 0
    document = parse(page)
    summary = next(d for d in document.iter("div") if d.attrs.get("role") == "alert")
    assert page.index('role="alert"') < page.index('class="signup"')  # at the top
    assert [a.attrs["href"] for a in summary.iter("a")] == ["#username", "#confirm"]
    assert "type it again" in summary.text()
    values = {i.attrs.get("name"): i.attrs for i in document.iter("input")}
    assert values["username"]["value"] == "n" * 70
    assert values["password"].get("value", "") == values["confirm"].get("value", "") == ""
    assert "checked" in values["declaration"] and "checked" in values["risk_read"]
    checked_roles = [
        i.attrs["value"]
        for i in document.iter("input")
        if i.attrs.get("name") == "role" and "checked" in i.attrs
    ]
    assert checked_roles == ["activist"]
    assert '<option selected value="SY">' in page
