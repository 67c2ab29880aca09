"""Encryption at rest for sensitive columns: AES-256-GCM with named keys.

A ciphertext is the text `v1.<key id>.<base64url(nonce | ciphertext+tag)>`.
The associated data `table:column:row-uid` is bound into every ciphertext, so
a value copied to another row or column does not decrypt (security item 30).

Keys come from `DATA_KEYS` (`id:base64key,id:base64key`, the first one is
used to encrypt) or, in the embedded default, from a key file generated under
`instance/`. Keys never go into the database or its backups.
"""
from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

PREFIX = "v1"


class DataKeyError(ValueError):
    """A data key is missing, malformed or unusable."""


class DecryptionError(ValueError):
    """A ciphertext was tampered with, moved, or its key is unknown."""


def new_key_spec(key_id: str | None = None) -> str:
    """Return `id:base64key` for a fresh random 256-bit key."""
    key_id = key_id or "k" + secrets.token_hex(4)
    return f"{key_id}:{base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


@dataclass(frozen=True)
class KeyRing:
    """Named AES-256 keys; the first is the primary key used to encrypt."""

    keys: dict[str, bytes]
    primary: str

    @classmethod
    def parse(cls, spec: str) -> "KeyRing":
        """Parse `id:base64key[,id:base64key…]`."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in filter(None, (p.strip() for p in spec.replace("\n", ",").split(","))):
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id or "." in key_id:
                raise DataKeyError("each data key must look like id:base64key")
            try:
                raw = base64.urlsafe_b64decode(encoded.encode())
            except (ValueError, TypeError) as exc:
                raise DataKeyError(f"data key {key_id}: not base64") from exc
            if len(raw) != 32:
                raise DataKeyError(f"data key {key_id}: must be 32 bytes (AES-256)")
            keys[key_id] = raw
            order.append(key_id)
        if not keys:
            raise DataKeyError("no data key configured")
        return cls(keys=keys, primary=order[0])

    def encrypt(self, plaintext: str, aad: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.primary]).encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{PREFIX}.{self.primary}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, aad: str) -> str:
        try:
            prefix, key_id, body = token.split(".", 2)
            blob = base64.urlsafe_b64decode(body.encode())
        except (ValueError, AttributeError) as exc:
            raise DecryptionError("malformed ciphertext") from exc
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptionError(f"unknown key {key_id!r}")
        try:
            return AESGCM(self.keys[key_id]).decrypt(blob[:12], blob[12:], aad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate") from exc

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(".", 2)[1]


def load_keyring(config) -> KeyRing:
    """Load keys from DATA_KEYS, or from (creating) the instance key file.

    Refuses a data key equal to SECRET_KEY (security item 31).
    """
    spec = config.get("DATA_KEYS") or ""
    if not spec:
        path = config["DATA_KEY_FILE"]
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key_spec() + "\n")
        with open(path) as handle:
            spec = handle.read()
    ring = KeyRing.parse(spec)
    secret = (config.get("SECRET_KEY") or "").encode()
    if secret and (spec.strip() == secret.decode() or any(k == secret or base64.urlsafe_b64encode(k) == secret
                                                        for k in ring.keys.values())):
        raise DataKeyError("the data key must differ from SECRET_KEY")
    return ring


def current_keyring() -> KeyRing:
    from flask import current_app

    return current_app.extensions["respiro_keyring"]


class Encrypted:
    """A model attribute stored encrypted in another (text) column.

    `narrative = Encrypted("narrative_ct")` reads and writes plain text while
    the mapped column `narrative_ct` holds only ciphertext bound to
    `table:column:uid`. Every class using it records itself, so that key
    rotation can find all encrypted columns.
    """

    registry: list[tuple[type, "Encrypted"]] = []

    def __init__(self, column_attr: str):
        self.column_attr = column_attr

    def __set_name__(self, owner, name):
        self.name = name
        Encrypted.registry.append((owner, self))

    def aad(self, obj) -> str:
        if not getattr(obj, "uid", None):
            obj.uid = secrets.token_hex(16)
        return f"{obj.__tablename__}:{self.column_attr}:{obj.uid}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        token = getattr(obj, self.column_attr)
        if token is None:
            return None
        return current_keyring().decrypt(token, self.aad(obj))

    def __set__(self, obj, value):
        if value is None or value == "":
            setattr(obj, self.column_attr, None)
            return
        setattr(obj, self.column_attr, current_keyring().encrypt(str(value), self.aad(obj)))


def rotate_all(session) -> int:
    """Re-encrypt every encrypted value under the primary key; return the count.

    Only `flush()`es: the caller commits, so a failure leaves nothing half-done.
    """
    ring = current_keyring()
    changed = 0
    for model, field in Encrypted.registry:
        column = getattr(model, field.column_attr)
        for obj in session.scalars(select(model).where(column.isnot(None))):
            token = getattr(obj, field.column_attr)
            if KeyRing.key_id_of(token) == ring.primary:
                continue
            aad = field.aad(obj)
            setattr(obj, field.column_attr, ring.encrypt(ring.decrypt(token, aad), aad))
            changed += 1
    session.flush()
    return changed
