"""One effect for a form however often it is sent: a double click, or the same form again.

A form that changes something carries a one-time key, made when the page is rendered (a
hidden field). The first submission with a key claims it here, does its work, and records
where its result is in the same transaction as the work; a repeat finds the claim and is
sent to that result, after waiting (a bounded time) for a first one still at work. Only a
hash of the key is stored, bound to the account (or to sign-up), so a key is worth nothing in
anyone else's hands, and the rows are deleted LIFETIME after the first submission.
"""

import datetime
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import request
from peewee import IntegrityError

from movements.app.core.db import database
from movements.app.core.models import FormSubmission, User, utcnow
from movements.app.keys.argon2_pool import Busy

FIELD_NAME = "submission"
KEY_BYTES = 18  # 24 URL-safe characters, 144 random bits
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{24}")
LIFETIME = datetime.timedelta(minutes=10)
# how long a repeat waits for the first submission to finish: a sign-up hashes twice
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.1


def new_key() -> str:
    """A key for one rendered form; templates put it in a hidden field (forms.once())."""
    return secrets.token_urlsafe(KEY_BYTES)


@dataclass
class Claim:
    """A submission's hold on its key: its own (`first` is None), or the first one's row."""

    key: str
    key_hash: str
    user: User | None
    first: FormSubmission | None = None

    def record(self, result: str, sealed: bytes | None = None, user: User | None = None) -> None:
        """Where this submission's result is; call it in the transaction of the work."""
        FormSubmission.update(result=result, sealed=sealed, user=user or self.user).where(
            FormSubmission.key_hash == self.key_hash
        ).execute()

    def release(self) -> None:
        """The work failed: the key is free again, for the form sent once more, corrected."""
        FormSubmission.delete().where(
            (FormSubmission.key_hash == self.key_hash) & FormSubmission.result.is_null()
        ).execute()


def _key_hash(key: str, scope: str) -> str:
    return hashlib.sha256(f"form submission\0{scope}\0{key}".encode()).hexdigest()


def claim(user: User | None, scope: str | None = None) -> Claim | None:
    """Claim the key of the form this request submits; None when it carried no usable key
    (a page rendered before keys, or a form posted by hand: it is simply done, as before).

    A key already claimed gives back the first submission's row once it has a result; while
    the first is still at work this waits for it, up to WAIT_SECONDS (then Busy, 503).
    """
    key = request.form.get(FIELD_NAME)
    if key is None or not KEY_SHAPE.fullmatch(key):
        return None
    digest = _key_hash(key, scope or str(user.id))
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        current = utcnow()
        FormSubmission.delete().where(FormSubmission.expires_at < current).execute()
        try:
            with database.atomic():
                FormSubmission.create(key_hash=digest, user=user, expires_at=current + LIFETIME)
        except IntegrityError:
            first = FormSubmission.get_or_none(FormSubmission.key_hash == digest)
            if first is not None and first.result is not None:
                return Claim(key, digest, user, first)
            if time.monotonic() > deadline:
                raise Busy from None
            time.sleep(POLL_SECONDS)  # the first is at work, or just gave the key back
        else:
            return Claim(key, digest, user)


def once(user: User, work: Callable[[], str]) -> str:
    """Do `work` once for the submitted form's key; the URL of its result, or of the first's.

    The work and the record of its result commit together, so no repeat can find the work
    done and no result, or a result and no work.
    """
    held = claim(user)
    if held is None:
        return work()
    if held.first is not None:
        return held.first.result
    try:
        with database.atomic():
            result = work()
            held.record(result)
    except BaseException:
        held.release()
        raise
    return result
