"""`movements serve` as an operator runs it: a real waitress process on loopback."""

import os
import subprocess
import sys
import zipfile

import pytest

from movements.app.web.i18n import PLANNED
from tests.support.serving import ROOT, running_server, wait_for

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check


def movements(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "movements.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
        **kwargs,
    )


@pytest.fixture
def server(tmp_path):
    with running_server(tmp_path / "inst", "--no-onion") as running:
        yield running


def test_serve_creates_a_private_instance_and_answers_healthz(server):
    instance = server.instance
    with wait_for(server.base + "/healthz") as response:
        assert response.read() == b"ok"
        assert "Server" not in response.headers
    assert (instance.stat().st_mode & 0o777) == 0o700
    assert ((instance / "secret_key").stat().st_mode & 0o777) == 0o600
    assert (instance / "movements.sqlite3").exists()


def test_serve_prints_the_loopback_url(server):
    assert f"serving on {server.base}/" in server.stop()


def test_serve_refuses_a_secret_key_readable_by_others(tmp_path):
    instance = tmp_path / "inst"
    assert movements("init-db", "--instance", str(instance)).returncode == 0
    os.chmod(instance / "secret_key", 0o644)
    result = movements("serve", "--no-onion", "--instance", str(instance), "--port", "1")
    assert result.returncode != 0
    assert "chmod 600" in result.stderr


def test_serve_refuses_a_public_interface(tmp_path):
    result = movements("serve", "--no-onion", "--host", "0.0.0.0", "--instance", str(tmp_path))
    assert result.returncode != 0 and "loopback" in result.stderr


def test_existing_instance_is_upgraded_in_place(tmp_path):
    instance = tmp_path / "inst"
    assert movements("init-db", "--instance", str(instance)).returncode == 0
    again = movements("init-db", "--instance", str(instance))
    assert again.returncode == 0, again.stderr


def test_the_installed_wheel_runs_without_the_source_tree(tmp_path):
    """`pip install .` (not only editable) gives a working command with every piece inside."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("movements_onion-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "movements/templates/base.html",
        "movements/templates/matches/show.html",
        "movements/app/static/style.css",
        "movements/app/data/countries.json",
        "movements/app/accounts/views.py",
        "movements/app/staff/views.py",
        "movements/crypto/keyring.py",
        "movements/onion/address.py",
    ]:
        assert expected in names
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == {"movements"}, "the wheel installs one import name and nothing generic"
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert "movements.app.cli.main" in (target / "bin" / "movements").read_text()
    # the build compiled every catalog: an install serves every language with no .mo committed
    for code in PLANNED:
        assert (
            target / "movements" / "app" / "translations" / code / "LC_MESSAGES" / "messages.mo"
        ).is_file()
    instance = tmp_path / "instance"
    script = (
        "import sys, movements.app; from movements.app.cli.main import main; "
        "assert movements.app.__file__.startswith(sys.argv[1]), movements.app.__file__; "
        "sys.exit(main(['init-db', '--instance', sys.argv[2]]))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script, str(target), str(instance)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert ran.returncode == 0, ran.stderr
    assert (instance / "movements.sqlite3").exists()
