"""Names that differ only by combining marks or other decorations are one name."""

import unicodedata

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core import names, schema
from movements.app.core.errors import RuleViolation
from movements.app.core.models import User
from movements.app.factory import create_app
from tests.support.accounts import PASSWORD, as_user

DECORATED = [
    ("paypal", "p\u0301aypal"),  # p with a combining acute: NFKC makes it one letter, ṕ
    ("paypal", "\u1e55aypal"),  # ṕ written as one letter
    ("jose", "jos\u00e9"),  # é
    ("noor", "no\u00f6r"),  # ö
    ("hoang", "ho\u00e0ng"),  # à
    ("ivan", "i\u0307van"),  # i with a combining dot above
    ("Иван", "Йван"),  # Cyrillic short i: И with a breve
    ("ahmad", "\u1d43hmad"),  # modifier small a
    ("leila", "le\u00efla"),  # ï
]


@pytest.mark.parametrize(("plain", "decorated"), DECORATED)
def test_a_decorated_name_shares_the_skeleton_of_the_plain_one(plain, decorated):
    assert names.skeleton(decorated) == names.skeleton(plain)


@pytest.mark.parametrize(("plain", "decorated"), DECORATED)
def test_a_decorated_look_alike_of_an_existing_name_is_refused(app, plain, decorated):
    accounts.register(plain, PASSWORD, "provider", "")
    with pytest.raises(RuleViolation):
        accounts.register(decorated, PASSWORD, "provider", "")
    assert User.select().count() == 1


def test_the_plain_name_is_refused_beside_a_decorated_one(app):
    accounts.register("jos\u00e9", PASSWORD, "provider", "")
    with pytest.raises(RuleViolation):
        accounts.register("jose", PASSWORD, "provider", "")


def first_skeleton(name: str) -> str:
    """The skeleton as the first schema version stored it, before marks were folded."""
    once = names._skeleton_once(unicodedata.normalize("NFKC", name))
    return names._skeleton_once(once.casefold())


def stored_as_before(user: User, name: str) -> User:
    User.update(
        username=name,
        username_key=names.username_key(name),
        username_skeleton=first_skeleton(name),
    ).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def reopened(app):
    """The same instance opened again after an upgrade of the software."""
    version = schema.MIGRATIONS.index(schema.recompute_username_skeletons) + 1
    schema.SchemaVersion.update(version=version).execute()
    config = {"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]}
    return create_app(config, instance_path=app.instance_path)


def test_upgrading_recomputes_the_skeletons_stored_before(app):
    jose = stored_as_before(
        accounts.register("someone", PASSWORD, "provider", "")[0].user, "jos\u00e9"
    )
    assert jose.username_skeleton != names.skeleton("jose")
    reopened(app)
    assert User.get_by_id(jose.id).username_skeleton == names.skeleton("jose")
    with pytest.raises(RuleViolation):
        accounts.register("jose", PASSWORD, "provider", "")
    assert as_user(app, User.get_by_id(jose.id)).get("/account").status_code == 200


def test_look_alikes_both_already_there_survive_the_upgrade(app):
    paypal = accounts.register("paypal", PASSWORD, "provider", "")[0].user
    other = accounts.register("qaypal", PASSWORD, "provider", "")[0].user
    impostor = stored_as_before(other, "\u1e55aypal")
    reopened(app)
    assert User.get_by_id(paypal.id).username_skeleton == names.skeleton("paypal")
    assert User.get_by_id(impostor.id).username_skeleton != names.skeleton("paypal")
    for look_alike in ("p\u0430ypal", "pa\u0177pal"):  # Cyrillic а; y with a circumflex
        with pytest.raises(RuleViolation):
            accounts.register(look_alike, PASSWORD, "provider", "")
    assert as_user(app, User.get_by_id(impostor.id)).get("/account").status_code == 200
