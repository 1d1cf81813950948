"""`movements onion ...` as an operator runs it."""

import os
import subprocess

import pytest

from movements.app.cli.main import main
from movements.onion import load_key, load_or_create_key, read_authorized_clients


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.tor
def test_generated_torrc_passes_verify_config_and_holds_the_dos_options(tor_cmd, short_tmp, capsys):
    instance = short_tmp / "instance"
    service_dir = short_tmp / "hs"
    os.makedirs(service_dir, mode=0o700)
    code, torrc, _ = run(
        capsys,
        "onion",
        "torrc",
        "--instance",
        str(instance),
        "--hidden-service-dir",
        str(service_dir),
        "--socket",
        str(short_tmp / "app.sock"),
    )
    assert code == 0
    for option in (
        "HiddenServicePoWDefensesEnabled 1",
        "HiddenServiceEnableIntroDoSDefense 1",
        "HiddenServiceMaxStreams ",
        "HiddenServiceMaxStreamsCloseCircuit 1",
        "SocksPort 0",
        "SafeLogging 1",
        "Sandbox 1",
        "vanguards",
    ):
        assert option in torrc
    path = short_tmp / "torrc"
    path.write_text(torrc + f"\nDataDirectory {short_tmp / 'data'}\n")
    defaults = short_tmp / "defaults"
    defaults.write_text("")
    result = subprocess.run(
        [tor_cmd, "--defaults-torrc", str(defaults), "-f", str(path), "--verify-config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_staff_auth_add_prints_the_credential_once_and_keeps_only_the_public_key(tmp_path, capsys):
    instance = tmp_path / "instance"
    code, out, _ = run(capsys, "onion", "staff-auth", "add", "warden", "--instance", str(instance))
    assert code == 0
    credential = next(line for line in out.splitlines() if ":descriptor:x25519:" in line)
    address, _, _, private = credential.split(":")
    assert len(address) == 56
    assert load_key(instance / "onion" / "staff_key").address == address
    stored = b"".join(p.read_bytes() for p in (instance / "onion").rglob("*") if p.is_file())
    assert private.encode() not in stored
    assert list(read_authorized_clients(instance / "onion" / "staff_clients")) == ["warden"]
    again, _, err = run(capsys, "onion", "staff-auth", "add", "warden", "--instance", str(instance))
    assert again == 1 and err


def test_staff_auth_remove_revokes(tmp_path, capsys):
    instance = tmp_path / "instance"
    run(capsys, "onion", "staff-auth", "add", "warden", "--instance", str(instance))
    assert (
        run(capsys, "onion", "staff-auth", "remove", "warden", "--instance", str(instance))[0] == 0
    )
    assert read_authorized_clients(instance / "onion" / "staff_clients") == {}
    assert (
        run(capsys, "onion", "staff-auth", "remove", "warden", "--instance", str(instance))[0] == 1
    )


def test_export_then_import_keeps_the_address(tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    address = load_or_create_key(first / "onion" / "service_key").address
    service_dir = tmp_path / "hidden_service"
    assert run(capsys, "onion", "export-key", str(service_dir), "--instance", str(first))[0] == 0
    assert (service_dir / "hostname").read_text().strip() == f"{address}.onion"
    code, out, _ = run(capsys, "onion", "import-key", str(service_dir), "--instance", str(second))
    assert code == 0 and address in out
    assert (
        run(capsys, "onion", "address", "--instance", str(second))[1].strip() == f"{address}.onion"
    )
    assert run(capsys, "onion", "address", "--hidden-service-dir", str(service_dir))[1].strip() == (
        f"{address}.onion"
    )


def test_import_refuses_to_replace_a_key_without_force(tmp_path, capsys):
    load_or_create_key(tmp_path / "a" / "onion" / "service_key")
    load_or_create_key(tmp_path / "b" / "onion" / "service_key")
    run(capsys, "onion", "export-key", str(tmp_path / "hs"), "--instance", str(tmp_path / "a"))
    code, _, err = run(
        capsys, "onion", "import-key", str(tmp_path / "hs"), "--instance", str(tmp_path / "b")
    )
    assert code == 1 and "--force" in err


def test_import_of_a_missing_key_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(
        capsys, "onion", "import-key", str(tmp_path / "nothing"), "--instance", str(tmp_path / "i")
    )
    assert code == 1 and err.startswith("movements onion:")


def test_export_of_the_staff_onion_carries_its_authorized_clients(tmp_path, capsys):
    instance = tmp_path / "instance"
    run(capsys, "onion", "staff-auth", "add", "warden", "--instance", str(instance))
    target = tmp_path / "movements-staff"
    code, _out, _ = run(
        capsys, "onion", "export-key", str(target), "--staff", "--instance", str(instance)
    )
    assert code == 0
    staff_address = load_key(instance / "onion" / "staff_key").address
    assert (target / "hostname").read_text().strip() == f"{staff_address}.onion"
    assert read_authorized_clients(target / "authorized_clients") == read_authorized_clients(
        instance / "onion" / "staff_clients"
    )
