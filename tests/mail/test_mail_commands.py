"""`movements mail test` and `movements mail send`, run as an operator runs them."""

import os
import subprocess
import sys

import pytest

from movements.app.core.db import database
from movements.app.core.models import MailOutbox
from tests.support.serving import ROOT

from .conftest import MIRROR, SENDER
from .smtp import body_of
from .test_mail_delivery import ADDRESS, CONFIRM_LINK, give_address

pytestmark = pytest.mark.slow  # runs the movements command as a tool: left out of make check

OPERATOR = "operator@example.net"


def mail_environment(smtp, **extra) -> dict:
    return {
        **os.environ,
        "MOVEMENTS_SMTP_URL": smtp.url,
        "MOVEMENTS_MAIL_FROM": SENDER,
        "MOVEMENTS_SMTP_CA_FILE": str(smtp.cert),
        "MOVEMENTS_MIRROR_HOST": MIRROR,
        **extra,
    }


def movements(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "movements.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
        env=env,
    )


def test_mail_test_sends_one_mail_to_the_operator(tmp_path, smtp):
    instance = str(tmp_path / "instance")
    result = movements("mail", "test", OPERATOR, "--instance", instance, env=mail_environment(smtp))
    assert result.returncode == 0, result.stderr
    assert f"sent through 127.0.0.1:{smtp.port}" in result.stdout
    ((to, message),) = smtp.wait_for(1)
    assert to == [OPERATOR] and message["From"] == SENDER


def test_mail_test_says_what_failed_when_the_server_is_away(tmp_path, smtp):
    smtp.stop()
    instance = str(tmp_path / "instance")
    result = movements("mail", "test", OPERATOR, "--instance", instance, env=mail_environment(smtp))
    assert result.returncode == 1
    assert f"127.0.0.1:{smtp.port} failed" in result.stderr
    assert "Traceback" not in result.stderr and "pass" not in result.stderr


def test_mail_test_refuses_an_address_that_could_carry_a_header(tmp_path, smtp):
    instance = str(tmp_path / "instance")
    bad = "operator@example.net\r\nBcc: victim@example.org"
    result = movements("mail", "test", bad, "--instance", instance, env=mail_environment(smtp))
    assert result.returncode == 2 and smtp.mail() == []


def test_mail_commands_say_that_mail_is_off_without_an_smtp_server(tmp_path):
    instance = str(tmp_path / "instance")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOVEMENTS_")}
    for command in (("mail", "test", OPERATOR), ("mail", "send")):
        result = movements(*command, "--instance", instance, env=env)
        assert result.returncode == 2 and "MOVEMENTS_SMTP_URL" in result.stderr


def test_mail_send_keeps_mail_while_the_server_is_away_and_sends_it_once_back(
    app, instance, smtp, provider
):
    give_address(app, provider)
    database.close()
    smtp.stop()
    env = mail_environment(smtp, MOVEMENTS_MAIL_RETRY_SECONDS="0.05")
    away = movements("mail", "send", "--instance", str(instance), env=env)
    assert away.returncode == 75  # EX_TEMPFAIL: a timer tries again later
    assert "waiting: 1" in away.stdout
    assert MailOutbox.get().attempts == 1
    database.close()
    smtp.start()
    back = movements("mail", "send", "--instance", str(instance), env=env)
    assert back.returncode == 0, back.stderr
    assert "sent: 1" in back.stdout and "waiting: 0" in back.stdout
    ((to, message),) = smtp.wait_for(1)
    assert to == [ADDRESS] and CONFIRM_LINK.search(body_of(message))
    again = movements("mail", "send", "--instance", str(instance), env=env)
    assert "sent: 0" in again.stdout and len(smtp.mail()) == 1
