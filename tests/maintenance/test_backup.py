"""`movements backup` and `movements restore`: one encrypted file, and the site back from it."""

import io
import os
import sqlite3
import stat
import sys
import tarfile

import pytest

from movements.app.cli import backup
from movements.app.cli.main import main
from movements.app.factory import create_app
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.crypto import KdfParameters
from movements.crypto.backup_box import BackupWriter
from tests.support.accounts import post

from .conftest import reveal_all

PASSPHRASE = "a long passphrase for the backups"
CHEAP = KdfParameters(time_cost=1, memory_cost=8, parallelism=1)
ONION_KEY = b"== ed25519v1-secret: type0 ==\x00\x00\x00" + bytes(range(64))


@pytest.fixture(autouse=True)
def cheap_backup_kdf(monkeypatch):
    """Production derives a backup's key with 64 MiB of argon2id; tests need none of that."""
    monkeypatch.setattr(backup, "KDF", CHEAP)


@pytest.fixture
def passphrase_file(tmp_path):
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def onion_key(instance):
    """An onion service key kept in the instance, as the embedded tor keeps it."""
    folder = instance / "onion"
    folder.mkdir(mode=0o700)
    key = folder / "hs_ed25519_secret_key"
    key.write_bytes(ONION_KEY)
    key.chmod(0o600)
    return key


def run_backup(instance, out, passphrase_file, *extra):
    argv = ["backup", "--instance", str(instance), "--passphrase-file", str(passphrase_file)]
    return main([*argv, *extra, str(out)])


def run_restore(target, backup_file, passphrase_file, *extra):
    argv = ["restore", "--instance", str(target), "--passphrase-file", str(passphrase_file)]
    return main([*argv, *extra, str(backup_file)])


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_restored_instance_lets_people_sign_in_and_read_their_sealed_data(
    app, instance, tmp_path, activist, provider, match, onion_key, passphrase_file, capsys
):
    contacts.set_contact(activist, "signal", "+98 912 000 1111")
    contacts.set_contact(provider, "email", "anna@lawyers.example")
    reveal_all(match, provider)
    matches.post_message(activist, match, "Thank you for answering so fast")
    matches.post_message(provider, match, "Send me the court papers")
    out = tmp_path / "backups" / "site.backup"
    out.parent.mkdir()

    assert run_backup(instance, out, passphrase_file) == 0
    assert "consistent snapshot" in capsys.readouterr().out
    assert mode(out) == 0o600
    assert b"Send me the court papers" not in out.read_bytes()

    restored = tmp_path / "restored"
    assert run_restore(restored, out, passphrase_file) == 0
    assert (restored / "onion" / "hs_ed25519_secret_key").read_bytes() == ONION_KEY
    assert (restored / "secret_key").read_bytes() == (instance / "secret_key").read_bytes()

    client = create_app({"TESTING": True}, instance_path=restored).test_client()
    response = post(client, "/login", {"username": "leila", "password": "correct horse battery"})
    assert response.status_code == 302
    assert "+98 912 000 1111" in client.get("/account").get_data(as_text=True)
    thread = client.get(f"/matches/{match.public_id}").get_data(as_text=True)
    assert "Thank you for answering so fast" in thread
    assert "Send me the court papers" in thread
    assert "anna@lawyers.example" in thread


def test_restored_folders_are_0700_and_files_0600(
    app, instance, tmp_path, onion_key, passphrase_file
):
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    restored = tmp_path / "restored"
    run_restore(restored, out, passphrase_file)
    paths = [restored, *restored.rglob("*")]
    assert {"movements.sqlite3", "secret_key", "onion/hs_ed25519_secret_key"} <= {
        p.relative_to(restored).as_posix() for p in paths
    }
    for path in paths:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_the_snapshot_is_consistent_while_someone_is_writing(app, instance, tmp_path, activist):
    writer = sqlite3.connect(instance / "movements.sqlite3")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE user SET bio = 'half written' WHERE id = ?", (activist.id,))
    try:
        snapshot = backup.snapshot_sqlite(instance / "movements.sqlite3")
    finally:
        writer.rollback()
        writer.close()
    (tmp_path / "copy.sqlite3").write_bytes(snapshot)
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT username, bio FROM user").fetchall() == [("leila", "")]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_live_database_files_are_not_copied_beside_the_snapshot(
    app, instance, tmp_path, passphrase_file
):
    (instance / "movements.sqlite3-journal").write_bytes(b"stale")
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    restored = tmp_path / "restored"
    run_restore(restored, out, passphrase_file)
    assert not list(restored.glob("movements.sqlite3-*"))


def test_a_wrong_passphrase_is_a_clear_error_and_writes_nothing(
    app, instance, tmp_path, passphrase_file, capsys
):
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    passphrase_file.write_text("a different long passphrase")
    target = tmp_path / "restored"

    assert run_restore(target, out, passphrase_file) == 1
    assert "wrong passphrase" in capsys.readouterr().err
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance", "passphrase", "site.backup"]


@pytest.mark.parametrize("cache_size", [0, 3 * 1024 * 1024], ids=["one chunk", "many chunks"])
def test_a_damaged_backup_restores_nothing(
    app, instance, tmp_path, passphrase_file, capsys, cache_size
):
    (instance / "cached-microdescs").write_bytes(os.urandom(cache_size))
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    damaged = bytearray(out.read_bytes())
    damaged[-1] ^= 0x01
    out.write_bytes(bytes(damaged))
    target = tmp_path / "restored"

    assert run_restore(target, out, passphrase_file) == 1
    assert "damaged" in capsys.readouterr().err
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_restore_refuses_a_folder_that_is_not_empty_unless_forced(
    app, instance, tmp_path, passphrase_file, capsys
):
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    target = tmp_path / "restored"
    target.mkdir()
    (target / "notes.txt").write_text("mine")

    assert run_restore(target, out, passphrase_file) == 1
    assert "not empty" in capsys.readouterr().err
    assert (target / "notes.txt").read_text() == "mine"

    assert run_restore(target, out, passphrase_file, "--force") == 0
    assert not (target / "notes.txt").exists()
    assert (target / "secret_key").exists()
    assert mode(target) == 0o700


def test_restore_into_an_empty_folder_needs_no_force(app, instance, tmp_path, passphrase_file):
    out = tmp_path / "site.backup"
    run_backup(instance, out, passphrase_file)
    target = tmp_path / "restored"
    target.mkdir()
    assert run_restore(target, out, passphrase_file) == 0
    assert (target / "movements.sqlite3").exists()


def test_backup_never_overwrites_a_file_unless_forced(
    app, instance, tmp_path, passphrase_file, capsys
):
    out = tmp_path / "site.backup"
    out.write_bytes(b"an older backup")

    assert run_backup(instance, out, passphrase_file) == 1
    assert "exists" in capsys.readouterr().err
    assert out.read_bytes() == b"an older backup"

    assert run_backup(instance, out, passphrase_file, "--force") == 0
    assert out.read_bytes() != b"an older backup"
    assert mode(out) == 0o600


@pytest.mark.parametrize("passphrase", ["", "short one", "fifteen chars!!"])
def test_a_short_passphrase_is_refused(app, instance, tmp_path, passphrase, monkeypatch, capsys):
    monkeypatch.setenv("MOVEMENTS_BACKUP_PASSPHRASE", passphrase)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    out = tmp_path / "site.backup"
    assert main(["backup", "--instance", str(instance), str(out)]) == 1
    assert "passphrase" in capsys.readouterr().err
    assert not out.exists()


def test_the_passphrase_may_come_from_the_environment(app, instance, tmp_path, monkeypatch):
    monkeypatch.setenv("MOVEMENTS_BACKUP_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "site.backup"
    assert main(["backup", "--instance", str(instance), str(out)]) == 0
    target = tmp_path / "restored"
    assert main(["restore", "--instance", str(target), str(out)]) == 0


def test_without_a_passphrase_or_a_terminal_the_command_says_how_to_give_one(
    app, instance, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("MOVEMENTS_BACKUP_PASSPHRASE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert main(["backup", "--instance", str(instance), str(tmp_path / "b")]) == 1
    assert "--passphrase-file" in capsys.readouterr().err


def test_a_passphrase_file_others_can_read_is_refused(
    app, instance, tmp_path, passphrase_file, capsys
):
    passphrase_file.chmod(0o644)
    assert run_backup(instance, tmp_path / "b", passphrase_file) == 1
    assert "chmod 600" in capsys.readouterr().err


def test_a_postgresql_instance_backs_up_its_keys_and_says_to_use_pg_dump(
    app, instance, tmp_path, passphrase_file, monkeypatch, capsys
):
    monkeypatch.setenv("MOVEMENTS_DATABASE_URL", "postgresql://movements@localhost/movements")
    out = tmp_path / "keys.backup"
    assert run_backup(instance, out, passphrase_file) == 0
    assert "pg_dump" in capsys.readouterr().out
    target = tmp_path / "restored"
    assert run_restore(target, out, passphrase_file) == 0
    assert "pg_dump" in capsys.readouterr().out
    assert (target / "secret_key").exists()
    assert (target / "keys").is_dir()
    assert not (target / "movements.sqlite3").exists()


def test_links_and_sockets_in_the_instance_are_skipped_and_named(
    app, instance, tmp_path, passphrase_file, capsys
):
    (instance / "elsewhere").symlink_to("/etc/hostname")
    assert run_backup(instance, tmp_path / "b", passphrase_file) == 0
    assert "skipped (not a regular file): elsewhere" in capsys.readouterr().err


def test_a_backup_cannot_write_outside_the_instance(tmp_path, passphrase_file, capsys):
    """Even a backup made with the right passphrase by someone else cannot reach past the folder."""
    crafted = tmp_path / "crafted.backup"
    with (
        crafted.open("wb") as handle,
        BackupWriter(handle, PASSPHRASE, CHEAP) as sealed,
        tarfile.open(fileobj=sealed, mode="w|") as archive,
    ):
        info = tarfile.TarInfo("../escaped")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"own"))
    target = tmp_path / "restored"

    assert run_restore(target, crafted, passphrase_file) == 1
    assert "cannot be restored" in capsys.readouterr().err
    assert not (tmp_path / "escaped").exists()
    assert not target.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a terminal")
def test_an_operator_at_a_terminal_is_asked_twice(app, instance, tmp_path):
    import pty

    out = tmp_path / "typed.backup"
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command, with the pseudo-terminal as its terminal
        code = 70
        try:
            os.environ.pop("MOVEMENTS_BACKUP_PASSPHRASE", None)
            sys.stdin = open(0, closefd=False)  # noqa: SIM115 -- the terminal, as a shell gives it
            code = main(["backup", "--instance", str(instance), str(out)])
        finally:
            os._exit(code)
    transcript = b""
    for _answer in range(2):
        while b"passphrase" not in transcript.split(b"\n")[-1]:
            transcript += os.read(terminal, 1024)
        os.write(terminal, PASSPHRASE.encode() + b"\n")
        transcript += b"\n"
    while True:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, transcript
    assert PASSPHRASE.encode() not in transcript  # not echoed
    assert out.exists()


def test_backing_up_a_folder_that_is_no_instance_says_so(tmp_path, passphrase_file, capsys):
    (tmp_path / "empty").mkdir()
    assert run_backup(tmp_path / "empty", tmp_path / "b", passphrase_file) == 1
    assert "no instance at" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
