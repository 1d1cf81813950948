"""What the list of requests keeps or finds once, it shows exactly as before.

A page finds its catalog once, keeps the HTML of its
filters' options, writes each query's SQL once per shape, and keeps SQLite connections only
while requests overlap. None of it may change what anyone sees, in any language.
"""

import os
import threading
import time
from pathlib import Path

from flask import render_template_string, request
from flask_babel import force_locale
from wtforms import SelectField
from wtforms.validators import Optional

from movements.app.core.db import SQLITE_LINGER_SECONDS, database
from movements.app.core.models import Notification
from movements.app.core.prepared import Prepared, slot
from movements.app.requests.forms import BrowseForm
from movements.app.web.forms import Form, options
from tests.support.accounts import as_user, make_user


def test_a_page_rendered_in_a_forced_language_shows_that_language(app):
    page = "{{ _('Requests') }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "Requests"
        with force_locale("fr"):
            assert render_template_string(page) == "Demandes"
        assert render_template_string(page) == "Requests"


class PlainFilters(Form):
    class Meta:
        csrf = False

    skill = SelectField("Skill", validators=[Optional()])


def test_the_filters_read_and_show_as_plain_selects_do(app):
    for query in ("", "skill=legal", "skill=press&lang=fr", "skill=nope"):
        with app.test_request_context(f"/requests?{query}"):
            kept, plain = BrowseForm(request.args), PlainFilters(request.args)
            plain.skill.choices = options({c.value: c.label for c in kept.skill.choices})
            assert kept.skill() == plain.skill(), query
            kept.validate()
            plain.validate()
            assert kept.skill.errors == plain.skill.errors, query


def test_a_prepared_query_is_written_once_per_shape(app):
    built = []

    def unread_of(shape):
        built.append(shape)
        where = Notification.user == slot("user")
        if shape == "unread":
            where &= ~Notification.read
        return Notification.select(Notification.kind).where(where).order_by(Notification.id)

    leila, anna = make_user("leila", "activist"), make_user("anna_k", "provider")
    Notification.create(user=leila, kind="message", link="/", read=True)
    Notification.create(user=leila, kind="rated", link="/")
    Notification.create(user=anna, kind="vouched", link="/")
    query = Prepared(unread_of)
    with database.connection_context():
        assert query.rows("all", user=leila.id) == [("message",), ("rated",)]
        assert query.rows("all", user=anna.id) == [("vouched",)]
        assert query.rows("unread", user=leila.id) == [("rated",)]
        assert query.rows("unread", user=anna.id) == [("vouched",)]
    assert built == ["all", "unread"]


def _open_on(path: Path) -> int:
    """How many of this process's file descriptors are open on `path`."""
    target = path.resolve()
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            found += Path(os.readlink(f"/proc/self/fd/{fd}")) == target
        except OSError:
            continue
    return found


def test_no_database_connection_stays_open_once_requests_stop(app, instance, activist):
    clients = [as_user(app, activist) for _ in range(4)]
    database.close()  # this test's own connection, opened to make the user

    def browse(client):
        for _ in range(10):
            assert client.get("/requests").status_code == 200

    threads = [threading.Thread(target=browse, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert _closed_soon(instance / "movements.sqlite3")


def test_one_clients_requests_in_turn_find_the_connection_open(app, instance, activist):
    """Requests that follow one another without overlapping reuse one connection; it closes
    once the process has been idle for a moment."""
    client = as_user(app, activist)
    database.close()
    assert client.get("/requests").status_code == 200
    assert _open_on(instance / "movements.sqlite3") == 1
    assert client.get("/requests").status_code == 200
    assert _open_on(instance / "movements.sqlite3") == 1
    assert _closed_soon(instance / "movements.sqlite3")


def _closed_soon(path: Path) -> bool:
    """Whether every connection on `path` is closed within a few lingers of the last request."""
    deadline = time.monotonic() + 10 * SQLITE_LINGER_SECONDS
    while _open_on(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
