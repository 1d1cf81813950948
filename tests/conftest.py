"""Fixtures for the whole suite: an app on a fresh instance, users of each kind, a request."""

import pytest

from movements.app.keys import userkeys
from movements.app.requests import rules as requests_rules
from movements.crypto import userkeys as crypto_userkeys
from tests.support.accounts import CHEAP_KDF, make_user, request_fields
from tests.support.apps import WorkerApp


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Production argon2 costs 64 MiB and a noticeable fraction of a second; tests need neither.

    Passwords' records and wrapped keys both take their cost from crypto's current parameters.
    """
    monkeypatch.setattr(userkeys, "RECOVERY_CODE_KDF", CHEAP_KDF)
    # through monkeypatch, so it is undone in order with other tests' patches of crypto
    monkeypatch.setattr(crypto_userkeys, "_current", CHEAP_KDF)


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


@pytest.fixture(scope="session")
def worker_app(tmp_path_factory):
    return WorkerApp(tmp_path_factory.mktemp("worker-app"))


@pytest.fixture
def app(worker_app, instance):
    """The app as create_app({"TESTING": True}) makes it, on this test's fresh instance."""
    return worker_app.fresh(instance)


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
