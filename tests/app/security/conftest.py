"""Helpers for the security behaviour tests (../shared/design/security.md)."""
from __future__ import annotations

import hashlib
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db

# Audit rows that record someone opening an interview (item 32): showing a
# refused form again shows the interview again, so they may be written then.
READ_ACTIONS = ("interview.read", "interview.assist")

# Tables that record refusals by design: the failed-login ledger (item 4).
LEDGER_TABLES = ("login_attempts",)


def database_fingerprint(skip=LEDGER_TABLES, reads_audited=False) -> str:
    """A checksum of every row of every table (to show a refused post changed nothing).

    `reads_audited=True` leaves out audit rows of reads (READ_ACTIONS): a refused
    form that shows her interview again records that read, as item 32 asks.
    """
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(table.name.encode())
        for row in rows:
            if reads_audited and table.name == "audit_events" and str(row.action) in READ_ACTIONS:
                continue
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', html)


def set_session(client, **values) -> None:
    with client.session_transaction() as session:
        session.update(values)


@pytest.fixture
def fingerprint(app):
    return database_fingerprint


@pytest.fixture
def enrol(app):
    """Enrol a user in two-step login; return her TOTP generator."""

    def do(user) -> pyotp.TOTP:
        secret = pyotp.random_base32()
        user.totp_secret = secret
        user.totp_last_step = 0
        db.session.commit()
        return pyotp.TOTP(secret)

    return do


def code_at(totp: pyotp.TOTP, steps_ahead: int = 0) -> str:
    return totp.at(time.time() + 30 * steps_ahead)
