"""Encrypting site credentials with Fernet: the key comes from CONTENTCRAFT_SECRET_KEY or a 0600 key file."""

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..config import DATA_DIR, get_settings
from ..errors import ContentCraftError

KEY_FILE = DATA_DIR / "secret.key"
_KEY_HELP = ('generate one with: python -c "from cryptography.fernet import Fernet; '
             'print(Fernet.generate_key().decode())"')


def fernet() -> Fernet:
    """The Fernet for the configured key, creating the key file on first use when no key is set."""
    configured = get_settings().secret_key
    if configured is not None:
        try:
            return Fernet(configured.get_secret_value().strip().encode())
        except ValueError:
            raise ContentCraftError(f"CONTENTCRAFT_SECRET_KEY is not a Fernet key; {_KEY_HELP}.") from None
    return Fernet(_key_from_file(KEY_FILE))


def _key_from_file(path: Path) -> bytes:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        # O_EXCL: two processes starting at once must not each write their own key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def _read_key(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ContentCraftError(f"The key file {path} can be read by other users (mode {mode:o}); "
                                f"run: chmod 600 {path}")
    key = path.read_bytes().strip()
    try:
        Fernet(key)
    except ValueError:
        raise ContentCraftError(f"The key file {path} does not hold a Fernet key; restore it from a backup, "
                                f"or delete it and re-enter every site password.") from None
    return key


def encrypt(plain: str) -> str:
    """The secret encrypted for storage."""
    return fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str, what: str = "a stored secret") -> str:
    """The stored secret in clear, or an error saying the key changed."""
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ContentCraftError(f"Cannot decrypt {what}: the secret key changed since it was saved. "
                                "Restore CONTENTCRAFT_SECRET_KEY (or data/secret.key), or enter it again "
                                "in Settings → Sites.") from None
