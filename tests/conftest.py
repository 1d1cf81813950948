"""Fixtures for the whole suite: an app on a fresh instance, users of each kind, a request."""

import pytest

from movements.app.factory import create_app
from movements.app.keys import passwords, userkeys
from movements.app.requests import rules as requests_rules
from movements.crypto import KdfParameters
from movements.crypto import userkeys as crypto_userkeys
from tests.support.accounts import make_user, request_fields


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Production argon2 costs 64 MiB and a noticeable fraction of a second; tests need neither."""
    monkeypatch.setattr(userkeys, "RECOVERY_CODE_KDF", KdfParameters(1, 8, 1))
    # through monkeypatch, so it is undone in order with other tests' patches of crypto
    monkeypatch.setattr(crypto_userkeys, "_current", KdfParameters(1, 8, 1))
    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords.use_parameters(**passwords.ARGON2_PARAMETERS)


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True}, instance_path=instance)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def activist(app):
    return make_user("leila", "activist")


@pytest.fixture
def provider(app):
    return make_user("lawyer_anna", "provider")


@pytest.fixture
def stranger(app):
    return make_user("stranger", "provider")


@pytest.fixture
def help_request(activist):
    return requests_rules.create_request(activist, request_fields())
