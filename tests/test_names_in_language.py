"""Country and language names, and dates, come from CLDR in the visitor's language and order."""

import pytest
from babel.dates import format_date

from movements.app.core.models import today
from movements.app.core.taxonomy import collation_key
from movements.app.requests import rules as requests_rules
from tests.support.accounts import make_user, request_fields
from tests.support.markup import parse


@pytest.fixture
def app(worker_app, instance):
    # no catalog is needed: the names and dates come from CLDR, not from the translations
    return worker_app.fresh(instance, {"LANGUAGES": ("en", "fr", "ru", "fa")})


def options(client, url: str, name: str) -> dict[str, str]:
    page = parse(client.get(url).get_data(as_text=True))
    (select,) = [s for s in page.iter("select") if s.attrs.get("name") == name]
    return {o.attrs["value"]: o.text() for o in select.iter("option") if o.attrs["value"]}


@pytest.mark.parametrize(
    ("code", "persian", "iran"),
    [("en", "Persian", "Iran"), ("fr", "persan", "Iran"), ("ru", "персидский", "Иран")],
)
def test_names_are_in_the_visitors_language(client, code, persian, iran):
    assert options(client, f"/requests/filters?lang={code}", "language")["fa"] == persian
    assert options(client, f"/requests/filters?lang={code}", "country")["IR"] == iran


def test_names_are_sorted_as_a_reader_of_the_language_expects(client):
    countries = options(client, "/requests/filters?lang=fr", "country")
    names = list(countries.values())
    assert names == sorted(names, key=collation_key)
    # by code point, "Égypte" would come after "Zimbabwe"
    assert names.index(countries["EG"]) < names.index(countries["ZW"])
    assert countries["EG"] == "Égypte"


def test_dates_are_written_the_way_the_visitor_writes_them(app, client):
    activist = make_user("leila", "activist")
    help_request = requests_rules.create_request(activist, request_fields())
    page = parse(client.get(f"/requests/{help_request.public_id}?lang=fr").get_data(as_text=True))
    shown = {t.text() for t in page.iter("time") if t.attrs["datetime"] == today().isoformat()}
    assert shown == {format_date(today(), locale="fr")}
