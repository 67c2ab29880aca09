"""Migration 0008: consent per purpose. Interviews that exist before it were never asked: both choices are No."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.extensions import db

from .test_migrations import empty_database, migrated_app  # noqa: F401  (the fixtures)


def _sample(column_type):
    """A harmless value for a required column of this type."""
    for kind, value in ((sa.Boolean, False), (sa.Integer, 1), (sa.DateTime, dt.datetime(2026, 12, 1)),
                        (sa.Date, dt.date(2026, 12, 1)), (sa.JSON, "[]")):
        if isinstance(column_type, kind):
            return value
    return "x"


def _insert(conn, table: str, **values) -> None:
    """A row holding `values` and a harmless value in every other required column."""
    for column in inspect(conn).get_columns(table):
        if column["name"] not in values and column["name"] != "id" and not column["nullable"] \
                and column["default"] is None:
            values[column["name"]] = _sample(column["type"])
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_interviews_from_before_were_never_asked_so_both_choices_are_no(migrated_app):  # noqa: F811
    upgrade(revision="0007")
    with db.engine.begin() as conn:
        _insert(conn, "defenders", id=1, alias="Ceiba", uid="d1")
        _insert(conn, "interviews", id=1, defender_id=1, consent_scope="narrative", uid="i1")
    upgrade(revision="0008")
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT share_with_therapists, count_in_statistics FROM interviews")).one()
    assert tuple(map(bool, row)) == (False, False)
    downgrade(revision="0007")
    columns = {c["name"] for c in inspect(db.engine).get_columns("interviews")}
    assert not columns & {"share_with_therapists", "count_in_statistics"}
