"""Usernames that cannot impersonate: confusable skeletons and single-script names."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core.errors import RuleViolation
from movements.app.core.models import User
from movements.app.core.names import is_mixed_script, skeleton
from tests.support.accounts import PASSWORD

LOOK_ALIKES = [
    ("admin", "аdmin"),  # Cyrillic а
    ("paypal", "раураl"),  # Cyrillic р, а, у
    ("scope", "ѕсоре"),  # Cyrillic ѕ, с, о, р, е
    ("ABBA", "ΑΒΒΑ"),  # Greek capitals
    ("omega", "οmega"),  # Greek omicron
    ("leila0", "leilaO"),  # digit zero and capital O
    ("bill", "biII"),  # capital I and small l
    ("b1ll", "blll"),  # digit one and small l
    ("modern", "rnodern"),  # m and r n
    ("noor", "ｎｏｏｒ"),  # fullwidth forms
]


@pytest.mark.parametrize(("first", "second"), LOOK_ALIKES)
def test_look_alike_names_share_a_skeleton(first, second):
    assert skeleton(first) == skeleton(second)


@pytest.mark.parametrize(
    ("first", "second"), [("leila", "layla"), ("noor", "nour"), ("ali", "all")]
)
def test_different_names_keep_different_skeletons(first, second):
    assert skeleton(first) != skeleton(second)


@pytest.mark.parametrize(("existing", "impostor"), LOOK_ALIKES)
def test_a_look_alike_of_an_existing_name_is_refused(app, existing, impostor):
    accounts.register(existing, PASSWORD, "provider", "")
    with pytest.raises(RuleViolation):
        accounts.register(impostor, PASSWORD, "provider", "")
    assert User.select().count() == 1


@pytest.mark.parametrize("name", ["аdmin", "ivan_Иван", "Alloτ", "نورx"])
def test_mixed_script_names_are_refused(app, name):
    assert is_mixed_script(name)
    with pytest.raises(RuleViolation):
        accounts.register(name, PASSWORD, "provider", "")


@pytest.mark.parametrize(
    "name", ["leila_1", "ليلى", "نور_2", "Иван", "δημήτρης", "名前です", "김민준", "王小明abc"]
)
def test_single_script_names_in_any_alphabet_are_welcome(app, name):
    assert not is_mixed_script(name)
    signed_up, _codes = accounts.register(name, PASSWORD, "provider", "")
    assert signed_up.user.username == name


def test_the_signup_page_explains_a_refused_look_alike(app, client):
    from tests.support.accounts import post

    accounts.register("admin", PASSWORD, "provider", "")
    form = {
        "username": "аdmin",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "provider",
        "risk_read": "y",
    }
    page = post(client, "/signup", form).get_data(as_text=True)
    assert "one alphabet" in page
