"""Throttling guesses at passwords and two-step codes (security item 4; issue 14, item 7).

Failures are rows of the login ledger (`LoginAttempt`), in the database so that
every worker shares them. Their keys live in a namespace no input can reach:
each is a prefix this module chooses followed by a keyed hash or a row id,
never text as typed, so no email field can name another key (`totp:<id>`).

- By account: `acct:<HMAC of the address given>`. The same for an address
  with no account, so both get the same answer, and what was typed is not
  kept: only its keyed hash, deleted with the row after the window.
  Past LOGIN_FAILURE_LIMIT failures in the window the account is *slowed*,
  not locked: one attempt per LOGIN_SLOWDOWN after the latest, doubling up
  to LOGIN_SLOWDOWN_MAX. Her right password, given once it is quiet, opens.
- By client: `client:<HMAC of the address it connects from>`. Past
  LOGIN_CLIENT_LIMIT failures in the window, across any accounts, that client
  is refused: spraying one password at many accounts stops there.
- Two-step codes: `totp:<user id>` (only reached after her password).

No race lets concurrent attempts check more than the limit: an attempt is
*reserved* (its rows written and committed) before the slow password check,
under a lock (PostgreSQL: a transaction-scoped advisory lock; SQLite: every
transaction begins IMMEDIATE, app/database.py), so the next attempt counts it.
A success deletes the account's failures and its own client row.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.models import LoginAttempt, utcnow
from app.security.blind_index import normalise_email

LEDGER_LOCK = 0x52657370  # pg_advisory_xact_lock key of the ledger ("Resp")


class Throttled(Exception):
    """Too many attempts: for this client, or too soon for this account."""


@dataclass
class Attempt:
    account: str
    client: str
    row_ids: list[int]


def _digest(kind: str, value: str) -> str:
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()[:48]


def account_key(email: str) -> str:
    return "acct:" + _digest("acct", normalise_email(email))


def client_key() -> str:
    return "client:" + _digest("client", request.remote_addr or "")


def totp_key(user_id: int) -> str:
    return f"totp:{int(user_id)}"


def lock_ledger() -> None:
    """Serialise count-then-write on the ledger until this transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})


def _window_start():
    return utcnow() - current_app.config["LOGIN_FAILURE_WINDOW"]


def purge_expired() -> None:
    """Failures older than the window count for nothing: delete them."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < _window_start()))


def failures(key: str) -> tuple[int, object]:
    """How many failures under `key` in the window, and the latest one's time."""
    count, last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.key == key,
                                                                LoginAttempt.at >= _window_start())).one()
    return count, last


def _slowed(count: int, last) -> bool:
    config = current_app.config
    limit = config["LOGIN_FAILURE_LIMIT"]
    if count < limit or last is None:
        return False
    wait = min(config["LOGIN_SLOWDOWN"] * 2 ** (count - limit), config["LOGIN_SLOWDOWN_MAX"])
    return utcnow() - last < wait


def begin(email: str) -> Attempt:
    """Reserve one password attempt for `email` from this client, or raise Throttled.

    This COMMITS the reservation (and the purge): that is what makes the count
    hold across workers while the slow hash check runs. It is the ledger's only
    commit outside a view; nothing else is pending when it runs.
    """
    account, client = account_key(email), client_key()
    db.session.rollback()
    lock_ledger()
    purge_expired()
    client_count, _last = failures(client)
    if client_count >= current_app.config["LOGIN_CLIENT_LIMIT"] or _slowed(*failures(account)):
        db.session.commit()  # the purge
        raise Throttled()
    rows = [LoginAttempt(key=account), LoginAttempt(key=client)]
    db.session.add_all(rows)
    db.session.commit()
    return Attempt(account, client, [row.id for row in rows])


def succeeded(attempt: Attempt) -> None:
    """The password was right: her account's failures go, and this attempt's own rows."""
    db.session.execute(delete(LoginAttempt).where(
        (LoginAttempt.key == attempt.account) | LoginAttempt.id.in_(attempt.row_ids)))
