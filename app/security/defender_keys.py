"""Each defender's own data key (DEK), kept OUTSIDE the database: crypto-shredding.

Her sensitive fields are encrypted with AES-256-GCM under her own random
256-bit key. That key is stored only wrapped (encrypted) by the master data
keys (`DATA_KEYS`), in a key store that is NOT the application database: by
default a small SQLite file `instance/defender-keys.db` created 0600, or
`KEY_STORE_URL`. So a backup of the database holds her ciphertext and no key
of hers.

Deleting her data destroys her wrapped key (the row keeps a tombstone: no key,
the time it was shredded). After that no backup taken before the deletion can
be read for her, with or without the master keys, while everyone else's data
in the same old backup still reads, because their keys are still in the store.

Key rotation re-wraps the keys in the store under the new master key; her
rows are not re-encrypted.

What this asks of the operator: back up the key store like the data keys,
separately from the database, and keep only its latest copy (an old copy of
the key store would still hold the keys of women who have since been deleted).

A value encrypted under her key reads `d1.<key id>.<base64url(nonce | ct+tag)>`
with the same associated data as every other encrypted column
(`table:column:row-uid`, security item 30).
"""
from __future__ import annotations

import base64
import os
import secrets
import threading

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow

PREFIX = "d1"

metadata = MetaData()
defender_keys = Table(
    "defender_keys", metadata,
    Column("key_id", String(24), primary_key=True),
    Column("defender_uid", String(32), nullable=False, unique=True),
    Column("wrapped", Text),  # NULL once shredded
    Column("created_at", DateTime, nullable=False),
    Column("shredded_at", DateTime),
)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class KeyShredded(LookupError):
    """Her key was destroyed when her data was deleted: what it protected is gone for good."""


def _wrap_aad(key_id: str, defender_uid: str) -> str:
    return f"defender_keys:{key_id}:{defender_uid}"


def default_url(instance_path: str) -> str:
    return "sqlite:///" + os.path.join(instance_path, "defender-keys.db")


class KeyStore:
    """The wrapped defender keys, in their own database (never the application's)."""

    def __init__(self, url: str, master):
        self.url = url
        self._master = master  # returns the current crypto.KeyRing (the master data keys)
        self._engine = None
        self._cache: dict[str, bytes] = {}  # key id -> unwrapped key (this process only)
        self._by_uid: dict[str, str] = {}  # defender uid -> key id
        self._lock = threading.Lock()

    @property
    def master(self):
        return self._master()

    @property
    def engine(self):
        """Created on first use: the SQLite file 0600 (as the data-key file), then the table."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    parsed = make_url(self.url)
                    if parsed.get_backend_name() == "sqlite":
                        path = parsed.database
                        if path and path != ":memory:" and not os.path.exists(path):
                            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                            try:
                                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                            except FileExistsError:
                                pass
                    if parsed.get_backend_name() == "sqlite":  # several workers: wait for the lock, never fail
                        engine = create_engine(self.url, connect_args={"timeout": 30})
                        event.listen(engine, "connect", _sqlite_pragmas)
                    else:
                        engine = create_engine(self.url, pool_pre_ping=True)
                    metadata.create_all(engine)
                    self._engine = engine
        return self._engine

    # ------------------------------------------------------------ reading

    def _unwrap(self, row) -> bytes:
        from app.security.crypto import DecryptionError

        if row.wrapped is None:
            raise KeyShredded(row.key_id)
        try:
            raw = base64.urlsafe_b64decode(self.master.decrypt(row.wrapped, _wrap_aad(row.key_id, row.defender_uid)))
        except DecryptionError:
            raise
        if len(raw) != 32:
            raise DecryptionError(f"defender key {row.key_id} is malformed")
        return raw

    def key(self, key_id: str) -> bytes:
        """Her unwrapped key by its id; KeyShredded if destroyed, DecryptionError if unknown."""
        from app.security.crypto import DecryptionError

        cached = self._cache.get(key_id)
        if cached is not None:
            return cached
        with self.engine.connect() as conn:
            row = conn.execute(select(defender_keys).where(defender_keys.c.key_id == key_id)).first()
        if row is None:
            raise DecryptionError(f"unknown defender key {key_id!r} (is this the right key store?)")
        raw = self._unwrap(row)
        with self._lock:
            self._cache[key_id] = raw
            self._by_uid[row.defender_uid] = key_id
        return raw

    def key_for(self, defender_uid: str) -> tuple[str, bytes]:
        """Her key id and key, creating her key on first use (committed at once in the store)."""
        key_id = self._by_uid.get(defender_uid)
        if key_id is not None and key_id in self._cache:
            return key_id, self._cache[key_id]
        with self.engine.begin() as conn:
            row = conn.execute(select(defender_keys).where(defender_keys.c.defender_uid == defender_uid)).first()
        if row is None:
            row = self._create(defender_uid)
        raw = self._unwrap(row)
        with self._lock:
            self._cache[row.key_id] = raw
            self._by_uid[defender_uid] = row.key_id
        return row.key_id, raw

    def _create(self, defender_uid: str):
        key_id = "d" + secrets.token_hex(8)
        raw = AESGCM.generate_key(bit_length=256)
        wrapped = self.master.encrypt(base64.urlsafe_b64encode(raw).decode(), _wrap_aad(key_id, defender_uid))
        try:
            with self.engine.begin() as conn:
                conn.execute(defender_keys.insert().values(key_id=key_id, defender_uid=defender_uid, wrapped=wrapped,
                                                           created_at=utcnow()))
        except IntegrityError:  # another worker made hers first: use that one
            pass
        with self.engine.connect() as conn:
            return conn.execute(select(defender_keys).where(defender_keys.c.defender_uid == defender_uid)).one()

    def status(self, defender_uid: str) -> str:
        """'none' (no key yet), 'live' or 'shredded'."""
        with self.engine.connect() as conn:
            row = conn.execute(select(defender_keys.c.wrapped).where(defender_keys.c.defender_uid == defender_uid)
                               ).first()
        return "none" if row is None else ("shredded" if row.wrapped is None else "live")

    def shredded_uids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(defender_keys.c.defender_uid).where(defender_keys.c.wrapped.is_(None))))

    # ------------------------------------------------------------ writing

    def shred(self, defender_uid: str) -> bool:
        """Destroy her key for good (committed at once); True if there was a key to destroy."""
        with self.engine.begin() as conn:
            row = conn.execute(select(defender_keys).where(defender_keys.c.defender_uid == defender_uid)).first()
            if row is None:  # never had a key: leave a tombstone, so a restore knows she was deleted
                conn.execute(defender_keys.insert().values(key_id="d" + secrets.token_hex(8),
                                                           defender_uid=defender_uid, wrapped=None,
                                                           created_at=utcnow(), shredded_at=utcnow()))
                destroyed = False
            else:
                conn.execute(update(defender_keys).where(defender_keys.c.key_id == row.key_id)
                             .values(wrapped=None, shredded_at=row.shredded_at or utcnow()))
                destroyed = row.wrapped is not None
        with self._lock:
            key_id = self._by_uid.pop(defender_uid, None)
            if key_id:
                self._cache.pop(key_id, None)
            if row is not None:
                self._cache.pop(row.key_id, None)
        return destroyed

    def rewrap_all(self) -> int:
        """Re-wrap every live key under the primary master key; return how many changed. One transaction."""
        changed = 0
        with self.engine.begin() as conn:
            rows = conn.execute(select(defender_keys).where(defender_keys.c.wrapped.is_not(None))).all()
            for row in rows:
                if self.master.key_id_of(row.wrapped) == self.master.primary:
                    continue
                raw = self._unwrap(row)
                wrapped = self.master.encrypt(base64.urlsafe_b64encode(raw).decode(),
                                              _wrap_aad(row.key_id, row.defender_uid))
                conn.execute(update(defender_keys).where(defender_keys.c.key_id == row.key_id).values(wrapped=wrapped))
                changed += 1
        return changed

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._by_uid.clear()

    def dispose(self) -> None:
        """Close the store's connections (an app that is done with, as a test's extra apps are)."""
        if self._engine is not None:
            self._engine.dispose()

    def empty(self) -> None:
        """Remove every key (tests only: a fresh store for each test)."""
        with self.engine.begin() as conn:
            conn.execute(defender_keys.delete())
        self.clear_cache()

    # ------------------------------------------------------------ encrypting

    def encrypt(self, defender_uid: str, plaintext: str, aad: str) -> str:
        from app.security.crypto import seal

        key_id, raw = self.key_for(defender_uid)
        return seal(PREFIX, key_id, raw, plaintext, aad)

    def decrypt(self, token: str, aad: str) -> str:
        from app.security.crypto import unseal

        return unseal(token, aad, PREFIX, self.key)


def current_store() -> KeyStore:
    from flask import current_app

    return current_app.extensions["respiro_keystore"]


def load_store(config, keyring) -> KeyStore:
    """The key store of this app; refuses one that is the application database itself."""
    from app.security.crypto import DataKeyError

    url = config.get("KEY_STORE_URL") or ""
    if not url:
        raise DataKeyError("KEY_STORE_URL is not set")
    if make_url(url) == make_url(config["SQLALCHEMY_DATABASE_URI"]):
        raise DataKeyError("the defender key store must not be the application database "
                           "(its backups would carry the keys)")
    return KeyStore(url, keyring)
