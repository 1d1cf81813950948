"""Signing up from the form, once however often the form is sent.

A double click sends the form twice and the browser shows only the second answer: it used to
say "username is taken", and the recovery codes of the account just made were never seen.
Now the first submission keeps its session and codes, sealed under the form's one-time key
(which only that browser holds), for app/submissions.LIFETIME: a repeat signs the browser
into that same session and shows the same codes.
"""

import hashlib
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import session

from movements.app.accounts import rules
from movements.app.core.db import database
from movements.app.web import submissions, throttle
from movements.app.web.sessions import load_current_user, sign_in

SCOPE = "sign-up"
NONCE_BYTES = 12


def sign_up(username: str, password: str, role: str, country: str) -> list[str]:
    """Make the account and sign this browser in; the recovery codes, to show."""
    held = submissions.claim(None, SCOPE)
    if held is not None and held.first is not None:
        return _resume(held)
    try:
        throttle.spend_sign_up()
        signed_up, codes = rules.register(username, password, role, country)
        with database.atomic():
            sign_in(signed_up.user, signed_up.key)
            if held is not None:
                sealed = _seal(held, {"token": session["token"], "codes": codes})
                held.record("/account", sealed, signed_up.user)
    except BaseException:
        if held is not None:
            held.release()
        raise
    return codes


def _cipher(held: submissions.Claim) -> AESGCM:
    return AESGCM(hashlib.sha256(f"sign-up seal\0{held.key}".encode()).digest())


def _seal(held: submissions.Claim, kept: dict) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(kept).encode()
    return nonce + _cipher(held).encrypt(nonce, plain, held.key_hash.encode())


def _resume(held: submissions.Claim) -> list[str]:
    """The first submission's session, for this browser too, and its codes."""
    sealed = bytes(held.first.sealed)
    plain = _cipher(held).decrypt(
        sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], held.key_hash.encode()
    )
    kept = json.loads(plain)
    session.clear()
    session["token"] = kept["token"]
    load_current_user()
    return kept["codes"]
