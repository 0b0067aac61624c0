"""Encrypting stored secrets with Fernet: keys from CONTENTCRAFT_SECRET_KEY or a 0600 key file, with rotation.

Several keys may be given (comma-separated in the variable, one per line in the file): the first
encrypts, every one decrypts (cryptography's MultiFernet), so a key can be rotated without downtime.
A key is created only while nothing encrypted is stored: a lost key is an error, never silently replaced.
"""

import base64
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..config import DATA_DIR, get_settings
from ..db import get_engine, session_scope
from ..errors import ContentCraftError
from .models import Site
from ..i18n import _

KEY_FILE = DATA_DIR / "secret.key"
ENCRYPTED_FIELDS = ("password_encrypted", "woo_key_encrypted", "woo_secret_encrypted")
_KEY_COMMAND = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


def keys() -> list[bytes]:
    """The configured Fernet keys, newest (the one that encrypts) first."""
    configured = get_settings().secret_key
    if configured is not None:
        found = [part.strip().encode() for part in configured.get_secret_value().split(",") if part.strip()]
        for key in found:
            _check_key(key, _("CONTENTCRAFT_SECRET_KEY is not a Fernet key (or a comma list of them); generate one "
                              "with: {command}.").format(command=_KEY_COMMAND))
        return found
    return _keys_from_file(KEY_FILE)


def fernet() -> MultiFernet:
    """A MultiFernet over every configured key: encrypts with the first, decrypts with any."""
    return MultiFernet([Fernet(key) for key in keys()])


def signing_keys(purpose: str) -> list[bytes]:
    """Keys for signing (e.g. session cookies), derived with HKDF from the Fernet keys, oldest first."""
    return [HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"contentcraft {purpose}".encode())
            .derive(base64.urlsafe_b64decode(key)) for key in reversed(keys())]


def _check_key(key: bytes, message: str) -> None:
    try:
        Fernet(key)
    except ValueError:
        raise ContentCraftError(message) from None


def _keys_from_file(path: Path) -> list[bytes]:
    try:
        return _read_keys(path)
    except FileNotFoundError:
        pass
    if stored_secret_count() > 0:
        raise ContentCraftError(
            _("Encrypted site passwords are stored, but the key that encrypts them is missing ({path}, or "
              "CONTENTCRAFT_SECRET_KEY). Restore the key from your backup; ContentCraft will not make a new one, "
              "which would lock those secrets away for good.").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        # O_EXCL: two processes starting at once must not each write their own key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_keys(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return [key]


def _read_keys(path: Path) -> list[bytes]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ContentCraftError(_("The key file {path} can be read by other users (mode {mode:o}); run: chmod 600 "
                                  "{path}").format(path=path, mode=mode))
    found = [line.strip() for line in path.read_bytes().splitlines() if line.strip()]
    for key in found or [b""]:
        _check_key(key, _("The key file {path} does not hold a Fernet key; restore it from a backup, or delete it "
                          "and re-enter every site password.").format(path=path))
    return found


def _key_from_file(path: Path) -> bytes:
    """The key that encrypts, from a key file (kept for callers of the single-key API)."""
    return _keys_from_file(path)[0]


def encrypt(plain: str) -> str:
    """The secret encrypted for storage."""
    return fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str, what: str | None = None) -> str:
    """The stored secret in clear, or an error saying the key changed."""
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ContentCraftError(_("Cannot decrypt {what}: the secret key changed since it was saved. Restore "
                                  "CONTENTCRAFT_SECRET_KEY (or data/secret.key), or enter it again in Settings → "
                                  "Sites.").format(what=what or _("a stored secret"))) from None


def stored_secret_count(engine: Engine | None = None) -> int:
    """How many sites hold encrypted secrets (0 when the table does not exist yet)."""
    try:
        with session_scope(engine or get_engine()) as session:
            return len(session.exec(select(Site.id)).all())
    except sa_exc.OperationalError:
        return 0
    except sa_exc.ProgrammingError:
        return 0


def check_key(engine: Engine | None = None) -> None:
    """Refuse to start when stored secrets exist but the key is missing or cannot decrypt them."""
    with session_scope(engine or get_engine()) as session:
        site = session.exec(select(Site).limit(1)).first()
    if site is None:
        return
    try:
        fernet().decrypt(site.password_encrypted.encode("ascii"))
    except InvalidToken:
        raise ContentCraftError(_("The secret key cannot decrypt the stored site passwords: restore the key that "
                                  "was in use (CONTENTCRAFT_SECRET_KEY or data/secret.key) from your backup, or "
                                  "list the old key after the new one while rotating.")) from None


def reencrypt(engine: Engine | None = None) -> int:
    """Re-encrypt every stored secret with the first key (MultiFernet.rotate); returns how many were rewritten."""
    multi, count = fernet(), 0
    with session_scope(engine or get_engine()) as session:
        for site in session.exec(select(Site)):
            for name in ENCRYPTED_FIELDS:
                token = getattr(site, name)
                if token:
                    try:
                        setattr(site, name, multi.rotate(token.encode("ascii")).decode("ascii"))
                    except InvalidToken:
                        raise ContentCraftError(_("Cannot decrypt a secret of site {name!r} with any configured "
                                                  "key: add the old key after the new one.")
                                                .format(name=site.name)) from None
                    count += 1
            session.add(site)
    return count


def rotate_key_file(engine: Engine | None = None, path: Path | None = None) -> int:
    """Put a new key first in the key file, re-encrypt everything with it, then drop the old keys."""
    path = path or KEY_FILE
    if get_settings().secret_key is not None:
        raise ContentCraftError(_("The key comes from CONTENTCRAFT_SECRET_KEY: set it to 'NEW_KEY,OLD_KEY', run "
                                  "`python -m core secrets reencrypt`, then set it to NEW_KEY alone."))
    new_key, old = Fernet.generate_key(), _keys_from_file(path)
    _write_keys(path, [new_key, *old])
    count = reencrypt(engine)
    _write_keys(path, [new_key])
    return count


def _write_keys(path: Path, found: list[bytes]) -> None:
    temporary = path.with_suffix(".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(found) + b"\n")
    os.replace(temporary, path)
