"""A real SMTP server on loopback (aiosmtpd) that demands TLS and a password, and keeps what
arrives so a test can read it as a mail program would.

Its certificate is self-signed, made here for 127.0.0.1; the app is told to trust exactly that
certificate (MOVEMENTS_SMTP_CA_FILE), so the app's certificate check runs for real.
"""

import datetime
import email
import email.policy
import ipaddress
import ssl
import threading
import time
import warnings
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.serving import free_port

USER, PASSWORD = "movements", "smtp pass/word@1"
LOOPBACK = "127.0.0.1"
WAIT_SECONDS = 20.0


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback SMTP for tests")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Keep:
    """aiosmtpd's handler: every accepted mail, parsed, with the envelope's recipients."""

    def __init__(self, server: "LoopbackSmtp"):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _authenticate(_server, _session, _envelope, mechanism, auth_data) -> AuthResult:
    good = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=good)


class _Controller(Controller):
    def factory(self):
        with warnings.catch_warnings():
            # TLS from the first byte: aiosmtpd counts only STARTTLS as TLS, and warns that a
            # password is asked without it, which is not so here
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


class LoopbackSmtp:
    """STARTTLS on a plain port (smtp://), or TLS from the first byte (smtps://); or, with
    `plain`, a server that offers neither TLS nor a password, which the app must refuse."""

    def __init__(self, folder: Path, implicit_tls: bool = False, plain: bool = False):
        self.cert, key = self_signed_certificate(folder)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.cert, key)
        self.implicit_tls, self.plain = implicit_tls, plain
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{USER}:smtp%20pass%2Fword%401@{LOOPBACK}:{self.port}"

    def start(self) -> "LoopbackSmtp":
        if self.plain:
            self.controller = _Controller(_Keep(self), hostname=LOOPBACK, port=self.port)
            self.controller.start()
            return self
        tls = {"ssl_context": self.context} if self.implicit_tls else {"tls_context": self.context}
        self.controller = _Controller(
            _Keep(self),
            hostname=LOOPBACK,
            port=self.port,
            authenticator=_authenticate,
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS; with TLS from the first byte all is TLS
            auth_require_tls=not self.implicit_tls,
            require_starttls=not self.implicit_tls,
            **tls,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mail(self) -> list[tuple[list[str], EmailMessage]]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, seconds: float = WAIT_SECONDS) -> list:
        """The mail received once there are `count` of them (bounded wait)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            received = self.mail()
            if len(received) >= count:
                return received
            time.sleep(0.05)
        raise AssertionError(f"{count} mail expected, {len(self.mail())} arrived")


def body_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()
