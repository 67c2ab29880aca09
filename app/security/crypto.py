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
from sqlalchemy import event, select
from sqlalchemy.orm import Session

PREFIX = "v1"
_OPTIONAL_OWNER: dict[type, list["Encrypted"]] = {}  # model -> its owner_optional fields (reseal_before_flush)


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
        return seal(PREFIX, self.primary, self.keys[self.primary], plaintext, aad)

    def decrypt(self, token: str, aad: str) -> str:
        def key_of(key_id: str) -> bytes:
            if key_id not in self.keys:
                raise DecryptionError(f"unknown key {key_id!r}")
            return self.keys[key_id]

        return unseal(token, aad, PREFIX, key_of)

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(".", 2)[1]


def seal(prefix: str, key_id: str, raw: bytes, plaintext: str, aad: str) -> str:
    """AES-GCM under `raw`, bound to `aad`: "<prefix>.<key id>.<nonce + ciphertext, base64>". The network's
    keys (prefix v1) and each defender's own key (d1, app/security/defender_keys.py) seal alike."""
    nonce = os.urandom(12)
    sealed = AESGCM(raw).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{prefix}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, aad: str, prefix: str, key_of) -> str:
    """Open what `seal` made with `prefix`; `key_of(key_id)` gives the raw key (raising for an unknown one)."""
    try:
        found, key_id, body = token.split(".", 2)
        blob = base64.urlsafe_b64decode(body.encode())
    except (ValueError, AttributeError) as exc:
        raise DecryptionError("malformed ciphertext") from exc
    if found != prefix:
        raise DecryptionError(f"not a {prefix!r} ciphertext")
    raw = key_of(key_id)
    try:
        return AESGCM(raw).decrypt(blob[:12], blob[12:], aad.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate") from exc


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

    `narrative = Encrypted("narrative_ct", owner="defender")` reads and writes
    plain text while the mapped column `narrative_ct` holds only ciphertext
    bound to `table:column:uid`. Every class using it records itself, so that
    key rotation and the sensitive-columns test find all encrypted columns.

    `owner` is the path from the row to the defender it belongs to ("self"
    for the defender row itself, "defender", "interview.defender"): her
    values are encrypted under her own key (`defender_keys`), destroyed when
    her data is deleted. Without an owner the value belongs to the network and
    is encrypted under the master data keys.

    `owner_optional=True`: the row belongs to a defender only when `owner`
    leads to one (a defender's account and her invitations; staff ones lead to
    none); then the value is hers, otherwise the network's. The link may be
    set after the value (`User(email=…, defender_id=…)`): before each flush
    such values are sealed again under the key the row now calls for
    (`reseal_before_flush`).

    A value whose key was destroyed reads as None (deleted), never as an error;
    a tampered or moved value still raises DecryptionError.
    """

    registry: list[tuple[type, "Encrypted"]] = []

    def __init__(self, column_attr: str, *, owner: str | None = None, owner_optional: bool = False,
                 empty: str | None = None):
        self.column_attr = column_attr
        self.owner = owner
        self.owner_optional = owner_optional
        self.empty = empty  # what an empty value reads as ("" for text that was never optional)

    def __set_name__(self, owner, name):
        self.name = name
        Encrypted.registry.append((owner, self))
        if self.owner_optional:
            _OPTIONAL_OWNER.setdefault(owner, []).append(self)

    def aad(self, obj) -> str:
        if not getattr(obj, "uid", None):
            obj.uid = secrets.token_hex(16)
        return f"{obj.__tablename__}:{self.column_attr}:{obj.uid}"

    def defender_of(self, obj):
        """The defender this value belongs to (walking `owner`), or raise: never fall back to a shared key.

        None (the network's) only for an `owner_optional` value whose row leads to no defender.
        """
        target = obj
        if self.owner != "self":
            for step in self.owner.split("."):
                following = getattr(target, step)
                if following is None:
                    following = _load_by_foreign_key(target, step)
                if following is None and self.owner_optional:
                    return None
                if following is None:
                    raise DataKeyError(f"{type(obj).__name__}.{self.name}: cannot tell whose key "
                                       f"({step} is not set yet)")
                target = following
        if not getattr(target, "uid", None):
            target.uid = secrets.token_hex(16)
        return target

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        token = getattr(obj, self.column_attr)
        if token is None:
            return self.empty
        value = decrypt_value(token, self.aad(obj))
        return self.empty if value is None else value

    def __set__(self, obj, value):
        if value is None or value == "":
            setattr(obj, self.column_attr, None)
            return
        setattr(obj, self.column_attr, self.seal(obj, str(value)))

    def seal(self, obj, plaintext: str) -> str:
        aad = self.aad(obj)
        defender = self.defender_of(obj) if self.owner is not None else None
        if defender is None:
            return current_keyring().encrypt(plaintext, aad)
        from app.security.defender_keys import current_store

        return current_store().encrypt(defender.uid, plaintext, aad)

    def is_hers(self, obj) -> bool:
        """Whether this row's value belongs under a defender's key (else the network's)."""
        return self.owner is not None and self.defender_of(obj) is not None


@event.listens_for(Session, "before_flush")
def reseal_before_flush(session, _context, _instances) -> None:
    """Seal again an `owner_optional` value written before its row was linked to her (or unlinked).

    `User(email=…, defender_id=…)` sets the address first: it was sealed under
    the network key; here, before it reaches the database, it moves under hers.
    """
    from sqlalchemy import inspect as sa_inspect

    for obj in list(session.new) + list(session.dirty):
        for field in _OPTIONAL_OWNER.get(type(obj), ()):
            if not sa_inspect(obj).attrs[field.column_attr].history.has_changes():
                continue  # not written in this flush: already sealed under the right key
            token = getattr(obj, field.column_attr)
            if token is not None and token.startswith("d1.") != field.is_hers(obj):
                value = decrypt_value(token, field.aad(obj))
                setattr(obj, field.column_attr, None if value is None else field.seal(obj, value))


def _load_by_foreign_key(obj, relationship_name: str):
    """`obj.<relationship>` when only its `<relationship>_id` is set (before a flush)."""
    from sqlalchemy import inspect as sa_inspect

    relationship = sa_inspect(type(obj)).relationships.get(relationship_name)
    if relationship is None:
        return None
    column = next(iter(relationship.local_columns))
    value = getattr(obj, column.key, None)
    if value is None:
        return None
    from app.extensions import db

    return db.session.get(relationship.mapper.class_, value)


def decrypt_value(token: str, aad: str) -> str | None:
    """Open a ciphertext of either kind; None when her key was destroyed (her data was deleted)."""
    if token.startswith("d1."):
        from app.security.defender_keys import KeyShredded, current_store

        try:
            return current_store().decrypt(token, aad)
        except KeyShredded:
            return None
    return current_keyring().decrypt(token, aad)


@dataclass
class RotationResult:
    reencrypted: int = 0  # network values re-encrypted under the new master key
    moved: int = 0  # values of hers still under a master key, moved under her own key
    rewrapped: int = 0  # defender keys re-wrapped


def rotate_all(session) -> RotationResult:
    """Rotate to the primary master key without re-encrypting her rows.

    - network values (no owner) still under an older master key are
      re-encrypted under the primary one;
    - values of hers still under a master key (written before defender keys
      existed) are moved under her own key;
    - every defender key in the key store is re-wrapped under the primary key.

    The database part only `flush()`es: the caller commits, so a failure leaves
    nothing half-done there. The key store is re-wrapped in its own single
    transaction, after the database values were all read successfully.
    """
    from app.security.defender_keys import current_store

    ring = current_keyring()
    result = RotationResult()
    for model, field in Encrypted.registry:
        column = getattr(model, field.column_attr)
        for obj in session.scalars(select(model).where(column.isnot(None))):
            token = getattr(obj, field.column_attr)
            if token.startswith("d1."):
                continue  # under her own key: nothing to re-encrypt
            hers = field.is_hers(obj)
            if not hers and KeyRing.key_id_of(token) == ring.primary:
                continue
            aad = field.aad(obj)
            plaintext = ring.decrypt(token, aad)
            setattr(obj, field.column_attr, field.seal(obj, plaintext))
            if hers:
                result.moved += 1
            else:
                result.reencrypted += 1
    session.flush()
    result.rewrapped = current_store().rewrap_all()
    return result
