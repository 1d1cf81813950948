"""Kept copies of the busiest pages for anonymous visitors (app/web/pagecache.py).

Each test adds a request behind the site's back, through the rules, so a page that does not
show it must have come from the kept copy, and a page that does was rendered afresh.
"""

import pytest

from movements.app.core.config import UnsafeConfiguration, load_config
from movements.app.core.models import User
from movements.app.factory import create_app
from movements.app.requests import rules as requests_rules
from movements.app.web import kept, pagecache
from tests.support.accounts import PASSWORD, REQUEST_FORM, as_user, post, request_fields

from .test_i18n import arabic_catalog

FIRST = "Legal advice for detained journalists"
LATER = "Somebody to translate a court ruling"


@pytest.fixture
def app(worker_app, instance):
    return worker_app.fresh(instance, {"PAGE_CACHE_SECONDS": 60})


@pytest.fixture
def cache(app):
    return app.extensions["page_cache"]


def added_behind_the_sites_back(author, title=LATER):
    return requests_rules.create_request(author, request_fields(title=title))


def page(client, url="/requests") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_visitors_get_the_kept_copy(app, client, activist, help_request):
    assert FIRST in page(client)
    added_behind_the_sites_back(activist)
    assert LATER not in page(client)
    assert LATER not in page(app.test_client())


def test_a_change_made_through_the_site_empties_the_kept_pages(app, client, activist):
    assert "Lawyer for three detained journalists" not in page(client)
    assert post(as_user(app, activist), "/requests/new", REQUEST_FORM).status_code == 302
    assert "Lawyer for three detained journalists" in page(client)


def test_a_refused_change_keeps_the_pages(app, client, activist, help_request, cache):
    page(client)
    assert post(client, "/login", {"username": "leila", "password": "wrong"}).status_code == 400
    assert len(cache) == 1


def test_signed_in_visitors_always_get_a_fresh_page(app, client, activist, provider):
    page(client)
    added_behind_the_sites_back(activist)
    assert LATER in page(as_user(app, provider))


def test_searches_are_never_kept_not_even_in_memory(client, activist, help_request, cache):
    assert FIRST in page(client, "/requests?q=journalists")
    added_behind_the_sites_back(activist, title="Two more journalists need a lawyer")
    assert "Two more journalists need a lawyer" in page(client, "/requests?q=journalists")
    assert len(cache) == 0


def test_each_filter_and_page_is_kept_apart(client, activist, help_request):
    assert FIRST in page(client, "/requests?skill=legal")
    assert FIRST not in page(client, "/requests?skill=arts")
    assert FIRST in page(client, "/requests?skill=legal")


def test_a_page_with_a_form_token_is_never_kept(client, cache, monkeypatch):
    page(client, "/login")  # the session now holds its token: rendering it changes nothing
    monkeypatch.setattr(pagecache, "CACHEABLE", pagecache.CACHEABLE | {"accounts.login"})
    page(client, "/login")
    assert len(cache) == 0


def test_a_message_meant_for_one_visitor_reaches_them_and_nobody_else(app, activist, cache):
    leaving = as_user(app, activist)
    assert post(leaving, "/account/delete", {"password": PASSWORD}).status_code == 302
    page(app.test_client(), "/")  # a copy of the front page is kept before they get there
    assert "everything in it are deleted" in page(leaving, "/")
    assert "everything in it are deleted" not in page(app.test_client(), "/")
    assert User.select().count() == 0


def test_a_kept_copy_carries_the_same_protective_headers(client, help_request):
    fresh = client.get("/requests")
    kept = client.get("/requests")
    assert kept.get_data() == fresh.get_data()
    for name in ("Content-Security-Policy", "Cache-Control", "Referrer-Policy", "X-Frame-Options"):
        assert kept.headers[name] == fresh.headers[name]
    assert "Server" not in kept.headers and kept.headers["Cache-Control"] == "no-store"


def test_each_language_has_its_own_copy(tmp_path, instance, activist):
    arabic_catalog(tmp_path / "translations")
    config = {
        "TESTING": True,
        "PAGE_CACHE_SECONDS": 60,
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations"),
        "LANGUAGES": ("en", "ar"),
    }
    client = create_app(config, instance_path=instance).test_client()
    arabic = client.get("/requests", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    english = client.get("/requests", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and 'dir="ltr"' in english


def test_a_kept_copy_lasts_at_most_its_age(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock[0])
    cache = kept.KeptCopies(pagecache.MAX_ENTRIES)
    cache.put(("page",), b"body")
    clock[0] += 10
    assert cache.get(("page",), max_age=10) == b"body"
    clock[0] += 0.5
    assert cache.get(("page",), max_age=10) is None
    assert len(cache) == 0


def test_the_least_recently_used_copy_leaves_first():
    cache = kept.KeptCopies(2)
    cache.put(("a",), b"a")
    cache.put(("b",), b"b")
    cache.get(("a",), max_age=60)
    cache.put(("c",), b"c")
    assert [cache.get((k,), max_age=60) for k in "abc"] == [b"a", None, b"c"]


def test_without_an_age_nothing_is_kept(instance, activist):
    app = create_app({"TESTING": True, "PAGE_CACHE_SECONDS": 0}, instance_path=instance)
    client = app.test_client()
    page(client)
    added_behind_the_sites_back(activist)
    assert LATER in page(client)
    assert len(app.extensions["page_cache"]) == 0


@pytest.mark.parametrize(("setting", "seconds"), [(None, 10), ("0", 0), ("30", 30)])
def test_the_operator_sets_how_long_copies_are_kept(tmp_path, monkeypatch, setting, seconds):
    if setting is None:
        monkeypatch.delenv("MOVEMENTS_PAGE_CACHE_SECONDS", raising=False)
    else:
        monkeypatch.setenv("MOVEMENTS_PAGE_CACHE_SECONDS", setting)
    assert load_config(tmp_path / "instance")["PAGE_CACHE_SECONDS"] == seconds


@pytest.mark.parametrize("setting", ["ten", "-1", "3600", "1.5", ""])
def test_a_wrong_setting_stops_the_server_with_a_clear_message(tmp_path, monkeypatch, setting):
    monkeypatch.setenv("MOVEMENTS_PAGE_CACHE_SECONDS", setting)
    with pytest.raises(UnsafeConfiguration, match="MOVEMENTS_PAGE_CACHE_SECONDS"):
        load_config(tmp_path / "instance")
