"""`movements staff` and `movements audit` as an operator runs them, in a real process."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from movements.app.cli.main import main
from movements.app.core.members import find_account
from movements.app.core.models import StaffLogEntry, User
from tests.support.accounts import PASSWORD, post

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

ROOT = Path(__file__).resolve().parents[2]


def movements(*args):
    return subprocess.run(
        [sys.executable, "-m", "movements.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


def test_done_when_warden_is_added_signs_in_and_the_log_verifies(app, instance, activist):
    added = movements("staff", "add", "warden", "--instance", str(instance))
    assert added.returncode == 0, added.stderr
    password = re.search(r"^password: (\S+)$", added.stdout, re.M).group(1)
    assert len(re.findall(r"^  [a-z]+( [a-z]+){3}$", added.stdout, re.M)) == 6
    client = app.test_client()
    assert post(client, "/login", {"username": "warden", "password": password}).status_code == 302
    change = {"current": password, "password": PASSWORD, "confirm": PASSWORD}
    assert post(client, "/account/password", change).status_code == 302
    assert client.get("/staff").status_code == 200
    assert client.get("/staff/reports").status_code == 200
    nobody = app.test_client()
    post(nobody, "/login", {"username": "leila", "password": PASSWORD})
    assert nobody.get("/staff").status_code == 404
    verified = movements("audit", "verify", "--instance", str(instance))
    assert verified.returncode == 0, verified.stderr


def test_staff_are_listed_promoted_and_removed(app, instance, capsys):
    assert main(["staff", "add", "keeper", "--instance", str(instance)]) == 0
    assert main(["staff", "add", "chief", "--admin", "--instance", str(instance)]) == 0
    capsys.readouterr()
    assert main(["staff", "list", "--instance", str(instance)]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^chief\tadmin", listing, re.M) and re.search(
        r"^keeper\tstaff", listing, re.M
    )
    assert main(["staff", "promote", "keeper", "--admin", "--instance", str(instance)]) == 0
    assert find_account("keeper").is_admin
    assert main(["staff", "remove", "keeper", "--instance", str(instance)]) == 0
    assert find_account("keeper") is None
    actions = [e.action for e in StaffLogEntry.select().order_by(StaffLogEntry.position)]
    assert actions == ["staff.added", "staff.added", "staff.promoted", "staff.removed"]
    assert StaffLogEntry.get(StaffLogEntry.action == "staff.removed").actor == "(command line)"


def test_bad_staff_commands_fail_and_change_nothing(app, instance, activist, capsys):
    assert main(["staff", "add", "leila", "--instance", str(instance)]) == 1  # name taken
    assert main(["staff", "add", "no", "--instance", str(instance)]) == 1  # too short
    assert main(["staff", "remove", "leila", "--instance", str(instance)]) == 1  # not staff
    assert main(["staff", "promote", "leila", "--admin", "--instance", str(instance)]) == 1
    assert main(["staff", "remove", "ghost", "--instance", str(instance)]) == 1
    assert "no staff member named ghost" in capsys.readouterr().err
    assert User.select().where(User.role == "staff").count() == 0
    assert find_account("leila").role == "activist"
    assert StaffLogEntry.select().count() == 0


def test_promoting_needs_the_admin_flag(app, instance, capsys):
    assert main(["staff", "add", "keeper", "--instance", str(instance)]) == 0
    with pytest.raises(SystemExit):
        main(["staff", "promote", "keeper", "--instance", str(instance)])
    assert not find_account("keeper").is_admin
