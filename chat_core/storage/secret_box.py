"""Secrets a user gives the app to keep (an MCP server's header), sealed before they are
stored: Fernet (AES with an HMAC, from ``cryptography``) under a key from
``CHAT_SECRET_KEY``, or else one generated once into the data folder, readable by this
user only. A database copied elsewhere, or read by someone without the key, holds
nothing usable; a value sealed under another key reads back as None, never as garbage.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["SecretBox"]

_KEY_FILE = "secret.key"


class SecretBox:
    def __init__(self, key_material: str) -> None:
        digest = hashlib.sha256(key_material.encode("utf-8")).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    @classmethod
    def for_app(cls, secret_key: str | None, data_folder: Path) -> SecretBox:
        """The deployer's key, else this machine's own (made on first use)."""
        if secret_key:
            return cls(secret_key)
        return cls(_machine_key(data_folder / _KEY_FILE))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The secret, or None when it was sealed under another key (or is not one)."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError, UnicodeError):
            return None


def _machine_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    try:  # created only if absent, readable by this user alone
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs is the key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
