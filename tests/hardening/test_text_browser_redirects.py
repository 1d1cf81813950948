"""A text browser follows the site's redirects without a warning.

lynx accepts a relative `Location` but stops to warn "Location URL is not absolute." (in an
interactive session the reader must wait it out on every redirect); its trace records the warning.
"""

import subprocess

import pytest

from tests.support.serving import running_server
from tests.support.system import require_command

pytestmark = pytest.mark.slow  # starts a real server and lynx: left out of make check

NOT_ABSOLUTE = "Location URL is not absolute"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("lynx") / "instance", "--no-onion") as running:
        yield running


def lynx_follows(url: str, home) -> tuple[str, str]:
    """What `lynx -dump` shows at the end of the redirects, and its trace of the way there."""
    completed = subprocess.run(
        [require_command("lynx", "lynx"), "-dump", "-nolist", "-trace", url],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
        capture_output=True,
        timeout=30,
        check=True,
    )
    trace = (home / "Lynx.trace").read_text("utf-8", "replace")
    return completed.stdout.decode("utf-8", "replace"), trace


@pytest.mark.parametrize("path", ["/account", "/requests/new"])
def test_lynx_follows_a_redirect_to_sign_in_without_warning(server, tmp_path, path):
    shown, trace = lynx_follows(server.base + path, tmp_path)
    assert "Picked up location" in trace, "no redirect was followed"
    assert NOT_ABSOLUTE not in trace
    assert "Log in" in shown
