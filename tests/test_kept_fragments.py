"""Kept parts of pages (`{% kept %}`, app/web/fragments.py) show what a fresh rendering would.

A part is kept under everything it shows, so an edit, another language, another role or
another script root gets a part of its own; and a part that would show anything outside its
key is refused when its template is compiled.
"""

import pytest
from flask import g, get_template_attribute, render_template, render_template_string, request
from flask_babel import force_locale
from jinja2 import TemplateSyntaxError

from movements.app.core.models import HelpRequest
from movements.app.notifications.rules import notify
from movements.app.requests import rules as requests_rules
from movements.app.requests.forms import BrowseForm
from movements.app.staff.accounts import add_staff
from movements.app.web.fragments import KEPT_SECONDS, kept_field
from movements.app.web.kept import KeptCopies
from tests.support.accounts import post, request_fields, sign_in


@pytest.mark.parametrize(
    "template",
    [
        "{% kept %}{{ csrf_token() }}{% endkept %}",
        "{% kept user.is_staff %}{{ user.username }}{% endkept %}",
        "{% kept row %}{{ other.title }}{% endkept %}",
        "{% for row in rows %}{% kept %}{{ row }}{% endkept %}{% endfor %}",
    ],
)
def test_a_kept_part_showing_what_is_not_in_its_key_does_not_compile(app, template):
    with pytest.raises(TemplateSyntaxError, match="not in its key"):
        app.jinja_env.from_string(template)


def test_a_kept_part_may_show_its_key_what_it_sets_and_the_language_s_names(app):
    template = (
        "{% kept row %}{% set shown = row|upper %}{% for letter in shown %}{{ letter }}"
        "{% endfor %} {{ _('Requests') }} {{ url_for('requests.browse') }}{% endkept %}"
    )
    with app.test_request_context("/"):
        assert render_template_string(template, row="ab") == "AB Requests /requests"


def test_each_language_and_key_gets_its_own_copy(app):
    template = "{% kept word %}{{ word }}: {{ _('Requests') }}{% endkept %}"
    with app.test_request_context("/"):
        assert render_template_string(template, word="one") == "one: Requests"
        with force_locale("fr"):
            assert render_template_string(template, word="one") == "one: Demandes"
        assert render_template_string(template, word="two") == "two: Requests"
        assert render_template_string(template, word="one") == "one: Requests"


def test_each_script_root_gets_links_of_its_own(app):
    template = "{% kept %}{{ url_for('requests.browse') }}{% endkept %}"
    with app.test_request_context("/", base_url="http://127.0.0.1/prefix"):
        assert render_template_string(template) == "/prefix/requests"
    with app.test_request_context("/"):
        assert render_template_string(template) == "/requests"


def test_a_listed_request_shows_its_new_title_after_an_edit(client, activist, provider):
    help_request = requests_rules.create_request(activist, request_fields(title="Old title here"))
    sign_in(client, provider)
    assert "Old title here" in client.get("/requests").get_data(as_text=True)
    help_request = HelpRequest.get_by_id(help_request.id)
    requests_rules.edit_request(activist, help_request, request_fields(title="New title here"))
    page = client.get("/requests").get_data(as_text=True)
    assert "New title here" in page
    assert "Old title here" not in page


def test_the_header_follows_the_role_and_the_unread_notices(app, activist, provider):
    providers_browser, activists_browser = app.test_client(), app.test_client()
    sign_in(providers_browser, provider)
    sign_in(activists_browser, activist)
    page = providers_browser.get("/requests").get_data(as_text=True)
    assert "Ask for help" not in page and "Notifications</a>" in page
    notify(provider, "account_expiring", "/account", "2027-01-01")
    assert "Notifications (1)</a>" in providers_browser.get("/requests").get_data(as_text=True)
    page = activists_browser.get("/requests").get_data(as_text=True)
    assert "Ask for help" in page and "Notifications</a>" in page


def test_only_a_staff_member_s_header_links_to_the_staff_pages(app, provider):
    staff, _one_time, _codes = add_staff("warden")
    with app.test_request_context("/"):
        g.user = staff
        assert ">Staff</a>" in render_template("base.html")
        g.user = provider
        assert ">Staff</a>" not in render_template("base.html")


def test_kept_parts_are_bounded_the_least_recently_used_going_first():
    parts = KeptCopies(2)
    parts.put("a", "A")
    parts.put("b", "B")
    assert parts.get("a", KEPT_SECONDS) == "A"  # now the most recently used
    parts.put("c", "C")
    assert parts.get("b", KEPT_SECONDS) is None
    assert (parts.get("a", KEPT_SECONDS), parts.get("c", KEPT_SECONDS), len(parts)) == ("A", "C", 2)


def test_a_kept_filter_field_is_what_a_fresh_rendering_shows(app):
    queries = [
        "",
        "q=water",
        "q=" + "x" * 201,  # too long: the field shows its error
        "q=water&skill=legal",
        "skill=legal",
        "skill=no-such-skill",
        "q=<b>&skill=press",
        "lang=fr&skill=legal",
        "q=water",
    ]
    for query in queries:
        for locale in ("en", "fr", "ar"):
            with app.test_request_context(f"/requests?{query}"), force_locale(locale):
                form = BrowseForm(request.args)
                form.validate()
                field = get_template_attribute("forms.html", "field")
                for name in ("q", "skill"):
                    assert kept_field(form[name]) == field(form[name]), (query, locale, name)


def test_a_kept_part_is_dropped_once_older_than_its_age():
    parts = KeptCopies(2)
    parts.put("a", "A")
    assert parts.get("a", max_age=-1.0) is None  # older than its age as soon as kept
    assert len(parts) == 0


def test_a_change_through_the_site_forgets_every_kept_part(app, client, activist, help_request):
    sign_in(client, activist)
    client.get("/requests")
    assert len(app.jinja_env.kept_parts) > 0
    assert post(client, "/logout").status_code == 302
    assert len(app.jinja_env.kept_parts) == 0


def test_a_kept_part_renders_outside_a_request_too(app):
    with app.app_context(), force_locale("en"):  # as a mail is rendered
        assert render_template_string("{% kept %}{{ _('Requests') }}{% endkept %}") == "Requests"
