"""`movements onion balance` and the backends' torrc: what an operator gets to copy."""

import json
import os
import subprocess

import pytest

from movements.app.cli.main import main
from movements.onion import load_key, load_or_create_key
from movements.onion.keys import ServiceKey, read_hidden_service_key


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def onions(count: int) -> list[str]:
    return [f"{ServiceKey.generate().address}.onion" for _ in range(count)]


def test_balance_keeps_the_known_address_as_master_and_lists_the_backends(tmp_path, capsys):
    instance, frontend = tmp_path / "instance", tmp_path / "frontend"
    backends = onions(2)
    code, out, _ = run(
        capsys, "onion", "balance", "--instance", str(instance), str(frontend), *backends
    )
    assert code == 0
    known = load_key(instance / "onion" / "service_key").address
    assert f"master address: http://{known}.onion/" in out
    assert (frontend / "ob_config").read_text() == f"MasterOnionAddress {known}.onion\n"
    config = json.loads((frontend / "config.yaml").read_text())  # YAML reads JSON as it is
    (service,) = config["services"]
    assert [entry["address"] for entry in service["instances"]] == backends
    assert read_hidden_service_key(frontend / "master").address == known
    assert service["key"] == str(frontend / "master" / "hs_ed25519_secret_key")
    for written in (frontend / "config.yaml", frontend / "master" / "hs_ed25519_secret_key"):
        assert written.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "backends, complaint",
    [
        (lambda master: [master, *onions(1)], "cannot use the master key"),
        (lambda master: onions(9), "at most 8 backends"),
        (lambda master: ["not-an-onion.onion"], "onion address"),
        (lambda master: 2 * onions(1), "named twice"),
    ],
    ids=["master as backend", "nine backends", "bad address", "twice"],
)
def test_balance_refuses_a_layout_onionbalance_cannot_serve(tmp_path, capsys, backends, complaint):
    instance, frontend = tmp_path / "instance", tmp_path / "frontend"
    master = f"{load_or_create_key(instance / 'onion' / 'service_key').address}.onion"
    code, _, err = run(
        capsys,
        "onion",
        "balance",
        "--instance",
        str(instance),
        str(frontend),
        *backends(master),
    )
    assert code == 1
    assert complaint in err.lower()
    assert not (frontend / "config.yaml").exists()


def backend_torrc(capsys, tmp_path, *options) -> str:
    code, torrc, _ = run(
        capsys,
        "onion",
        "torrc",
        "--instance",
        str(tmp_path / "instance"),
        "--hidden-service-dir",
        str(tmp_path / "hs"),
        *options,
    )
    assert code == 0
    return torrc


def test_a_backend_torrc_is_an_onionbalance_instance_without_proof_of_work(tmp_path, capsys):
    torrc = backend_torrc(capsys, tmp_path, "--onionbalance-instance")
    assert "\nHiddenServiceOnionBalanceInstance 1\n" in torrc
    assert "HiddenServicePoWDefensesEnabled" not in torrc  # clients never see it behind a master
    assert "HiddenServiceEnableIntroDoSDefense 1" in torrc
    assert "HiddenServiceMaxStreams " in torrc


def test_several_sockets_become_several_targets_of_one_port(tmp_path, capsys):
    torrc = backend_torrc(
        capsys,
        tmp_path,
        "--socket",
        "/run/movements/app-1.sock",
        "--socket",
        "/run/movements/app-2.sock",
    )
    assert "HiddenServicePort 80 unix:/run/movements/app-1.sock\n" in torrc
    assert "HiddenServicePort 80 unix:/run/movements/app-2.sock\n" in torrc
    assert "HiddenServiceOnionBalanceInstance" not in torrc


@pytest.mark.tor
def test_tor_accepts_a_backend_torrc_with_its_ob_config(tor_cmd, short_tmp, capsys):
    frontend, hs = short_tmp / "frontend", short_tmp / "hs"
    run(capsys, "onion", "balance", "--instance", str(short_tmp / "i"), str(frontend), *onions(2))
    os.makedirs(hs, mode=0o700)
    (hs / "ob_config").write_text((frontend / "ob_config").read_text())
    torrc = backend_torrc(capsys, short_tmp, "--onionbalance-instance", "--socket", "/run/a.sock")
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
