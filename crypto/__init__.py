"""Field encryption for Movements Onion: server keyring, per-user keys, sealing to a user.

Nothing here knows about Flask or the database. Every failure to open a value raises
`DecryptionError`; problems with the keyring on disk raise `KeyringError`.
"""

from .binding import associated_data
from .errors import DecryptionError, KeyringError
from .keyring import Keyring
from .padding import BUCKET_SIZE, pad, padded_length, unpad
from .password_keys import (
    PasswordKeys,
    check_password,
    is_record,
    new_password_keys,
    record_parameters,
    unwrap_with_key,
    wrap_with_key,
)
from .sealing import open_sealed, seal
from .session_keys import open_session_key, seal_session_key
from .userkeys import (
    KDF_PARAMETERS,
    KdfParameters,
    current_kdf_parameters,
    generate_keypair,
    kdf_parameters_of,
    needs_rewrap,
    private_bytes,
    private_from_bytes,
    public_bytes,
    unwrap_private_key,
    use_kdf_parameters,
    wrap_private_key,
)

__all__ = [
    "BUCKET_SIZE",
    "KDF_PARAMETERS",
    "DecryptionError",
    "KdfParameters",
    "Keyring",
    "KeyringError",
    "PasswordKeys",
    "associated_data",
    "check_password",
    "current_kdf_parameters",
    "generate_keypair",
    "is_record",
    "kdf_parameters_of",
    "needs_rewrap",
    "new_password_keys",
    "open_sealed",
    "open_session_key",
    "pad",
    "padded_length",
    "private_bytes",
    "private_from_bytes",
    "public_bytes",
    "record_parameters",
    "seal",
    "seal_session_key",
    "unpad",
    "unwrap_private_key",
    "unwrap_with_key",
    "use_kdf_parameters",
    "wrap_private_key",
    "wrap_with_key",
]
