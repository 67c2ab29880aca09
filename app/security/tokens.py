"""Secret link tokens (invitations, calendar feeds): only their hash is stored."""
from __future__ import annotations

import hashlib
import secrets


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and its hash: show the token once, store the hash."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)
