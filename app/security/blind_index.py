"""E-mail addresses: encrypted at rest, found through a blind index (issue 14).

An address identifies the person: a defender's is encrypted under her own key
(destroyed when her data is deleted), staff addresses under the network key.
Looking an account up by address (login, reset links, the command line, "is
there an account already") cannot read ciphertext, so each row also keeps a
*blind index*: the HMAC-SHA256 of the normalised address under a dedicated
index key. Equal addresses give equal indexes, so a unique index on the column
keeps addresses unique and a login is one indexed look-up; without the key the
index cannot be computed, so a database backup alone cannot be searched for an
address (a guess needs the key).

The index key lives with the data keys, never in the database: `EMAIL_INDEX_KEY`
(`id:base64key`, as `flask --app wsgi keys new` prints; required in
production), or a key file generated under `instance/` in the embedded setup.
Changing it would orphan every index: it is not rotated with the data keys.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

from app.security.crypto import DataKeyError, Encrypted, KeyRing, new_key_spec


def normalise_email(email: str | None) -> str:
    """The one form of an address that is stored, indexed and throttled: NFKC, trimmed, lower case.

    Lower case, not casefold: casefold turns "ß" into "ss", another mailbox.
    """
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def load_index_key(config) -> bytes:
    """The index key from EMAIL_INDEX_KEY, or from (creating) the instance key file.

    Refused when it equals SECRET_KEY or one of the data keys: each key does one job.
    """
    from app.config import instance_file

    spec = config.get("EMAIL_INDEX_KEY") or instance_file(config["EMAIL_INDEX_KEY_FILE"],
                                                          lambda: new_key_spec("email-index"))
    ring = KeyRing.parse(spec)
    if len(ring.keys) != 1:
        raise DataKeyError("EMAIL_INDEX_KEY must be one key (id:base64key)")
    key = ring.keys[ring.primary]
    secret = (config.get("SECRET_KEY") or "").encode()
    if secret and secret in (key, base64.urlsafe_b64encode(key), spec.strip().encode()):
        raise DataKeyError("the e-mail index key must differ from SECRET_KEY")
    data_keys = (config.get("DATA_KEYS") or "").strip()
    if data_keys and key in KeyRing.parse(data_keys).keys.values():
        raise DataKeyError("the e-mail index key must differ from the data keys")
    return key


def email_index(email: str | None, key: bytes | None = None) -> str | None:
    """The blind index (64 hex characters) of an address, None for no address."""
    normalised = normalise_email(email)
    if not normalised:
        return None
    if key is None:
        from flask import current_app

        key = current_app.extensions["respiro_email_index_key"]
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class IndexedEmail(Encrypted):
    """An address: stored normalised and encrypted (as `Encrypted`), and its blind index beside it.

    `email = IndexedEmail("email_ct", "email_index", owner="defender", owner_optional=True)`:
    setting `email` writes both columns; clearing it (None) clears both, so the
    live database no longer answers to that address.
    """

    def __init__(self, column_attr: str, index_attr: str, **options):
        super().__init__(column_attr, **options)
        self.index_attr = index_attr

    def __eq__(self, other):
        """`User.email == "…"` in a query would silently match nothing (the column holds ciphertext): refuse it."""
        if isinstance(other, str):
            raise TypeError("e-mail addresses are encrypted: look them up with by_email() or email_index")
        return NotImplemented

    __hash__ = object.__hash__

    def __set__(self, obj, value):
        normalised = normalise_email(value) or None
        super().__set__(obj, normalised)
        setattr(obj, self.index_attr, email_index(normalised))
