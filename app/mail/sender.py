"""Delivering the outbox through the operator's SMTP server, and the thread that keeps at it.

Never lost: a row leaves the outbox only once the server has accepted its mail, or once there
is nothing left to say (the address was removed, the notifications were read). Never sent
twice: a sender claims the rows it is about to send, so `movements serve` and a timer running
`movements mail send` never take the same one, and deletes each as soon as it is accepted.
When the server cannot be reached or refuses us, the mail waits, with a wait that doubles up to
an hour; the log says what failed, never to whom.
"""

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from flask import Flask

from movements.app.core.db import database
from movements.app.core.models import utcnow
from movements.app.mail import outbox, settings
from movements.app.mail.compose import compose
from movements.app.mail.settings import MailSettings

BATCH = 50
TIMEOUT_SECONDS = 30
log = logging.getLogger(__name__)


def _tls(mail: MailSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=mail.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def connect(mail: MailSettings) -> smtplib.SMTP:
    """A connection that is encrypted (never plain text) and signed in if the URL says so."""
    # introduced by the sender's domain, never by this machine's own host name
    name = mail.sender.rpartition("@")[2]
    if mail.implicit_tls:
        smtp = smtplib.SMTP_SSL(
            mail.host, mail.port, local_hostname=name, timeout=TIMEOUT_SECONDS, context=_tls(mail)
        )
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, local_hostname=name, timeout=TIMEOUT_SECONDS)
    try:
        if not mail.implicit_tls:
            smtp.starttls(context=_tls(mail))  # refused, it raises: we never go on in clear
        if mail.username:
            smtp.login(mail.username, mail.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


@dataclass
class Round:
    sent: int = 0
    dropped: int = 0  # nothing left to send: the address went, or the news was read
    postponed: int = 0

    @property
    def failed(self) -> bool:
        return self.postponed > 0


def send_due(now=None) -> Round:
    """Send what is due now, in one connection; what fails waits for its next try."""
    mail = settings.settings()
    result = Round()
    if mail is None:
        return result
    now = now or utcnow()
    rows = [row for row in outbox.due(now, BATCH) if outbox.claim(row, now)]
    connection = None
    try:
        while rows:
            row = rows[0]
            message = compose(row, mail)
            if message is None:
                outbox.sent(row)
                result.dropped += 1
            else:
                connection = connection or connect(mail)
                try:
                    connection.send_message(message)
                except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as refusal:
                    _refused(row, now, mail, refusal, result)
                else:
                    outbox.sent(row)
                    result.sent += 1
            rows.pop(0)
    except (smtplib.SMTPException, OSError) as error:
        # the server is away or refuses us: everything taken waits for the next try
        for row in rows:
            outbox.postpone(row, now, mail.retry_seconds)
        result.postponed += len(rows)
        failure = type(error).__name__
        log.error("mail: the SMTP server failed (%s); %d mail wait", failure, len(rows))
    finally:
        if connection is not None:
            _close(connection)
    return result


def _refused(row, now, mail: MailSettings, refusal: Exception, result: Round) -> None:
    """The server refused this one mail (its recipient, say) and stays usable for the next."""
    outbox.postpone(row, now, mail.retry_seconds)
    result.postponed += 1
    log.error("mail: the SMTP server refused a mail (%s); it waits", type(refusal).__name__)


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def send_test(address: str) -> None:
    """One mail to the operator's own address, sent at once; raises what the server says."""
    mail = settings.settings()
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"] = mail.sender, address
    message["Subject"] = "Movements: test e-mail"
    message.set_content("E-mail from Movements works: notices will go through this server.\n")
    connection = connect(mail)
    try:
        connection.send_message(message)
    finally:
        _close(connection)


class SenderThread:
    """`movements serve` sends what is due every few seconds, beside the pages."""

    def __init__(self, app: Flask, mail: MailSettings):
        self._app = app
        self._interval = mail.send_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def start(self) -> "SenderThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT_SECONDS + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._app.app_context(), database.connection_context():
                    send_due()
            except Exception as error:  # the database away, say: the next round tries again
                log.error("mail: a sending round stopped (%s)", type(error).__name__)


def start_sender(app: Flask) -> SenderThread | None:
    mail = settings.settings()
    return SenderThread(app, mail).start() if mail is not None else None
