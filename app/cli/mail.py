"""`movements mail send` for a timer, and `movements mail test ADDRESS` to check the setup.

`movements serve` sends by itself; `mail send` is for deployments that would rather run a
timer (deploy/), or to empty the outbox by hand. Both may run at once: each mail goes once.
"""

import smtplib
import sys

from movements.app.cli.main import EXIT_TEMPORARY_FAILURE, Commands, open_instance

NOT_CONFIGURED = "e-mail is off: set MOVEMENTS_SMTP_URL and MOVEMENTS_MAIL_FROM to turn it on"


def cmd_send(args) -> int:
    from movements.app.core.db import database
    from movements.app.mail import outbox, settings
    from movements.app.mail.sender import send_due

    app = open_instance(args)
    if not settings.enabled():
        print(f"movements mail: {NOT_CONFIGURED}", file=sys.stderr)
        return 2
    with app.app_context(), database.connection_context():
        result = send_due()
        left = outbox.waiting()
    print(f"sent: {result.sent}; nothing left to say: {result.dropped}; waiting: {left}")
    return EXIT_TEMPORARY_FAILURE if result.failed else 0


def cmd_test(args) -> int:
    from movements.app.mail import settings
    from movements.app.mail.sender import send_test
    from movements.app.mail.syntax import is_valid_address

    open_instance(args)
    if not settings.enabled():
        print(f"movements mail: {NOT_CONFIGURED}", file=sys.stderr)
        return 2
    if not is_valid_address(args.address):
        print("movements mail: that is not an e-mail address this site sends to", file=sys.stderr)
        return 2
    mail = settings.settings()
    try:
        send_test(args.address)
    except (smtplib.SMTPException, OSError) as error:
        print(f"movements mail: {mail.host}:{mail.port} failed: {error}", file=sys.stderr)
        return 1
    print(f"sent through {mail.host}:{mail.port}; check that it arrived")
    return 0


def add_commands(commands: Commands) -> None:
    mail = commands.group("mail", "opt-in e-mail notices")
    commands.add("send", cmd_send, "send the e-mail that is due now (for a timer)", mail)
    test = commands.add("test", cmd_test, "send a test e-mail to ADDRESS now", mail)
    test.add_argument("address", help="where to send the test e-mail")
