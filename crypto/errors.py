"""The two ways this package fails.

Opening a value fails in exactly one way, `DecryptionError`, whatever the cause: a flipped
bit, a truncated or extended blob, a value moved to another row, column or user, the wrong
key or password, an unknown version or key id. Callers catch it and show "could not be
decrypted"; one exception means a caller cannot forget a case, and the reason is never shown
to anyone who could use it as an oracle.
"""


class DecryptionError(Exception):
    """A blob could not be opened. The message is for logs, never for pages."""


class KeyringError(Exception):
    """The keyring on disk is unsafe or inconsistent, or a key may not be retired yet.

    This is an operator's problem (permissions, a missing file), never a user's: the app
    should refuse to start rather than carry on with a keyring it cannot trust.
    """
