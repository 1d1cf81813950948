"""Connections and transactions on PostgreSQL: nothing half-written, nothing left open.

Faults come from PostgreSQL itself (a trigger that refuses a row, a lock held by the test), so
what is tested is the real driver's behaviour, not a stand-in's.
"""

import threading
import time

import peewee
import pytest

from movements.app.core.db import database
from movements.app.core.models import HelpRequest, Match, Offer, User
from movements.app.core.schema import SchemaVersion, current_version
from tests.support.accounts import REQUEST_FORM, post, sign_in
from tests.support.realistic import location_id, signup

pytestmark = pytest.mark.postgres

OFFER = {"message": "I am a lawyer and can advise this week."}
REFUSE_NOTIFICATIONS = """
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
CREATE TRIGGER refuse BEFORE INSERT ON notification FOR EACH ROW EXECUTE FUNCTION refuse();
"""


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def returned_to_the_pool(cluster, name: str) -> bool:
    """One connection served every request in turn, and none is left inside a transaction.

    The test's own closed connections end their server processes a moment later: allow that.
    """
    return wait_until(
        lambda: cluster.connections_to(name) == 1 and cluster.busy_connections_to(name) == 0,
        seconds=5,
    )


@pytest.fixture
def site(pg_app):
    """An activist's open request, and signed-in clients for her and a provider."""
    activist, provider = pg_app.test_client(), pg_app.test_client()
    signup(activist, "leila_tehran", "activist")
    signup(provider, "lawyer_anna", "provider")
    help_request_id = location_id(post(activist, "/requests/new", REQUEST_FORM))
    database.close()  # the test's own queries give their connection back too
    return activist, provider, help_request_id


def test_requests_borrow_one_connection_and_give_it_back(
    pg_app, postgres_cluster, pg_database, site
):
    activist, provider, help_request_id = site
    pages = ("/requests", f"/requests/{help_request_id}", "/matches", "/no-such-page")
    assert [activist.get(path).status_code for path in pages] == [200, 200, 200, 404]
    assert post(provider, f"/requests/{help_request_id}/offer", OFFER).status_code == 302
    assert returned_to_the_pool(postgres_cluster, pg_database)


def test_a_failure_inside_a_transaction_leaves_nothing_half_written(
    pg_app, postgres_cluster, pg_database, site
):
    _activist, provider, help_request_id = site
    with postgres_cluster.admin(pg_database) as admin, admin.cursor() as cursor:
        cursor.execute(REFUSE_NOTIFICATIONS)  # the offer is stored first, then its notification
    with pytest.raises(peewee.InternalError, match="refused by the test"):
        post(provider, f"/requests/{help_request_id}/offer", OFFER)
    assert returned_to_the_pool(postgres_cluster, pg_database)
    assert Offer.select().count() == 0

    with postgres_cluster.admin(pg_database) as admin, admin.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse ON notification")
    assert post(provider, f"/requests/{help_request_id}/offer", OFFER).status_code == 302
    assert Offer.select().count() == 1


@pytest.mark.parametrize("ending", ["raises", "returns"])
def test_a_transaction_a_view_leaves_open_is_rolled_back(
    pg_app, postgres_cluster, pg_database, ending
):
    @pg_app.get("/leaves-a-transaction-open")
    def leaves_a_transaction_open():
        database.session_start()
        SchemaVersion.create(version=99)
        if ending == "raises":
            raise RuntimeError("the view failed")
        return "done"

    client = pg_app.test_client()
    if ending == "raises":
        with pytest.raises(RuntimeError):
            client.get("/leaves-a-transaction-open")
    else:
        assert client.get("/leaves-a-transaction-open").status_code == 200
    assert returned_to_the_pool(postgres_cluster, pg_database)
    assert [row.version for row in SchemaVersion.select()] == [current_version()]
    assert client.get("/requests").status_code == 200


def test_two_offers_accepted_at_once_make_one_match(pg_app, postgres_cluster, pg_database, site):
    """Both acceptances read an open request; the second must still find it taken.

    The test holds a lock that stops any match being written until both are under way, so
    they truly overlap rather than happening to run one after the other.
    """
    activist, provider, help_request_id = site
    other_provider = pg_app.test_client()
    signup(other_provider, "journalist_omar", "provider")
    for client in (provider, other_provider):
        assert post(client, f"/requests/{help_request_id}/offer", OFFER).status_code == 302
    second_tab = sign_in(pg_app.test_client(), User.get(User.username == "leila_tehran"))
    offer_ids = [offer.public_id for offer in Offer.select().order_by(Offer.id)]
    database.close()

    answers = {}

    def accept(client, offer_id):
        answers[offer_id] = post(client, f"/offers/{offer_id}/accept").status_code

    with postgres_cluster.admin(pg_database) as admin, admin.cursor() as cursor:
        cursor.execute("BEGIN; LOCK TABLE match IN EXCLUSIVE MODE")
        threads = [
            threading.Thread(target=accept, args=(client, offer_id))
            for client, offer_id in zip((activist, second_tab), offer_ids, strict=True)
        ]
        for thread in threads:
            thread.start()
        both_waiting = wait_until(lambda: postgres_cluster.waiting_for_locks(pg_database) == 2)
        cursor.execute("COMMIT")
        for thread in threads:
            thread.join(timeout=20)
    assert both_waiting
    assert sorted(answers.values()) == [302, 409]
    assert Match.select().count() == 1
    assert Offer.select().where(Offer.status == Offer.ACCEPTED).count() == 1
    assert HelpRequest.get().status == HelpRequest.MATCHED
