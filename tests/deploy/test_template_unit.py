"""deploy/systemd/movements@.service: several instances, each on its own socket, same sandbox."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.test_systemd import EXPOSURE_LINE, MAX_EXPOSURE, SANDBOX
from tests.deploy.tools import SERVICES, SYSTEMD, need_tool, unit_settings

TEMPLATE = SYSTEMD / "movements@.service"


@pytest.fixture(scope="module")
def systemd_analyze() -> str:
    return need_tool("systemd-analyze", "systemd", "checking the systemd units")


@pytest.fixture(scope="module")
def instance_unit(tmp_path_factory):
    """The template as systemd loads its second instance (`%i` is 2)."""
    root = tmp_path_factory.mktemp("template-root")
    system_units = next(
        p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()
    )
    shutil.copytree(system_units, root / "usr/lib/systemd/system", symlinks=True)
    target = root / "etc/systemd/system"
    target.mkdir(parents=True)
    shutil.copy(TEMPLATE, target / TEMPLATE.name)
    for binary in ("/usr/bin/setfacl", "/opt/movements/.venv/bin/movements"):
        stub = root / binary.lstrip("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    return root


def test_an_instance_of_the_template_scores_like_the_single_unit(systemd_analyze, instance_unit):
    done = subprocess.run(
        [
            systemd_analyze,
            "security",
            "--offline=true",
            f"--root={instance_unit}",
            "--threshold=20",
            "--no-pager",
            "movements@2.service",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = EXPOSURE_LINE.search(done.stdout)
    assert found, f"no exposure line in:\n{done.stdout}\n{done.stderr}"
    assert float(found.group(1)) <= MAX_EXPOSURE, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_instance_of_the_template_verifies_cleanly(systemd_analyze, instance_unit):
    done = subprocess.run(
        [
            systemd_analyze,
            "verify",
            "--man=no",
            "--generators=no",
            f"--root={instance_unit}",
            "movements@2.service",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and output == "", output


def test_the_template_keeps_the_single_units_sandbox_line_for_line():
    template, single = unit_settings(TEMPLATE), unit_settings(SERVICES[0])
    for key in SANDBOX:
        assert template.get(key) == [SANDBOX[key]], key
    different = {"Description", "ExecStart", "ExecStartPre", "RuntimeDirectory"}
    for key in set(single) - different:
        assert template.get(key) == single[key], key


def test_each_instance_serves_its_own_socket_and_keeps_the_shared_folder():
    settings = unit_settings(TEMPLATE)
    assert settings["ExecStart"] == [
        "/opt/movements/.venv/bin/movements serve --unix-socket /run/movements/app-%i.sock "
        "--instance /var/lib/movements --no-onion"
    ]
    # one instance stopping must not remove the folder holding the others' sockets
    assert settings["RuntimeDirectory"] == ["movements"]
    assert settings["RuntimeDirectoryPreserve"] == ["yes"]
    (acl,) = settings["ExecStartPre"]
    assert acl == unit_settings(SERVICES[0])["ExecStartPre"][0]
