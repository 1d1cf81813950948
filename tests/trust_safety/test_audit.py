"""The staff log: every staff action appended, hash-chained, and checked by
`movements audit verify`, which fails on any entry edited, deleted or reordered in the
database itself."""

import sqlite3

import pytest

from movements.app.audit import chain
from movements.app.cli.main import main
from movements.app.core.models import StaffLogEntry
from movements.app.trust import evidence
from tests.support.accounts import as_user
from tests.support.pages import problems_in

from .conftest import fresh


@pytest.fixture
def logged(warden, keeper, provider):
    """Five entries: two staff added, then three actions on a provider."""
    evidence.add_evidence(warden, provider, "spoke", "Video call")
    evidence.add_evidence(keeper, fresh(provider), "organisation", "Firm's site")
    evidence.limit_stars(warden, fresh(provider), 2, "A report is under review")
    assert StaffLogEntry.select().count() == 5
    return provider


def verify(instance, capsys, *extra):
    code = main(["audit", "verify", "--instance", str(instance), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def tamper(instance, *statements):
    with sqlite3.connect(instance / "movements.sqlite3") as db:
        for statement, params in statements:
            db.execute(statement, params)


def test_each_entry_says_who_what_on_which_target_why_and_when(logged):
    entry = StaffLogEntry.get(StaffLogEntry.position == 5)
    assert (entry.actor, entry.action, entry.target) == (
        "warden",
        "stars.limited",
        "user:lawyer_anna",
    )
    assert entry.reason == "A report is under review"
    assert "stars 3 → 2" in entry.detail
    assert entry.recorded_on is not None


def test_the_log_has_no_place_for_an_address():
    columns = {field.name for field in StaffLogEntry._meta.sorted_fields}
    assert columns == {
        "id",
        "position",
        "recorded_on",
        "actor",
        "action",
        "target",
        "detail",
        "reason",
        "previous_hash",
        "entry_hash",
    }


def test_an_untouched_log_verifies(instance, logged, capsys):
    code, output = verify(instance, capsys)
    assert code == 0, output
    assert "intact: 5 entries" in output


def test_an_edited_entry_is_named(instance, logged, capsys):
    tamper(instance, ("UPDATE staff_log SET reason = ? WHERE position = 3", ("nothing to see",)))
    code, output = verify(instance, capsys)
    assert code != 0 and "entry 3" in output and "changed" in output


def test_an_edited_date_is_caught_too(instance, logged, capsys):
    tamper(instance, ("UPDATE staff_log SET recorded_on = ? WHERE position = 4", ("2001-01-01",)))
    code, output = verify(instance, capsys)
    assert code != 0 and "entry 4" in output


def test_a_deleted_entry_is_named(instance, logged, capsys):
    tamper(instance, ("DELETE FROM staff_log WHERE position = ?", (3,)))
    code, output = verify(instance, capsys)
    assert code != 0 and "entry 4" in output and "missing" in output


def test_a_deleted_and_renumbered_entry_is_caught(instance, logged, capsys):
    tamper(
        instance,
        ("DELETE FROM staff_log WHERE position = ?", (3,)),
        ("UPDATE staff_log SET position = position - 1 WHERE position > ?", (3,)),
    )
    code, output = verify(instance, capsys)
    assert code != 0 and "entry 3" in output


def test_reordered_entries_are_caught(instance, logged, capsys):
    tamper(
        instance,
        ("UPDATE staff_log SET position = -1 WHERE position = ?", (2,)),
        ("UPDATE staff_log SET position = 2 WHERE position = ?", (3,)),
        ("UPDATE staff_log SET position = 3 WHERE position = ?", (-1,)),
    )
    code, output = verify(instance, capsys)
    assert code != 0 and "entry 2" in output


def test_a_cut_off_tail_is_caught_with_a_remembered_head(instance, logged, capsys):
    head = chain.verify().head
    tamper(instance, ("DELETE FROM staff_log WHERE position = ?", (5,)))
    assert verify(instance, capsys)[0] == 0  # a chain alone cannot see a missing tail
    code, output = verify(instance, capsys, "--head", head)
    assert code != 0 and "gone" in output


def test_a_remembered_head_still_verifies_as_the_log_grows(instance, logged, warden, capsys):
    head = chain.verify().head
    evidence.lift_limit(warden, fresh(logged), "Review over")
    assert verify(instance, capsys, "--head", head)[0] == 0


def test_staff_read_the_log_and_nobody_can_edit_it_there(app, logged, warden):
    client = as_user(app, warden)
    response = client.get("/staff/log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and problems_in(response) == []
    assert "A report is under review" in page and "limited the stars of" in page
    assert page.count('method="post"') == 1  # the log-out button, nothing else
    for method in (client.post, client.put, client.delete):
        assert method("/staff/log").status_code in (400, 405)
