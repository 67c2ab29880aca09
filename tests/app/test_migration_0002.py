"""Migration 0002: houses that exist before it get the default session times, therapists no weekly cap."""
from __future__ import annotations

import json

from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db

from .test_migrations import empty_database, migrated_app  # noqa: F401  (the fixtures)


def test_existing_houses_get_the_default_session_times(migrated_app):  # noqa: F811
    upgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO houses (code, name, place, country, beds, max_concurrent_stays, family_units, stay_types, "
            "stay_length, collective_min, collective_max, accessible, turnover_days, arrival_weekdays, active, "
            "version, created_at, updated_at) VALUES ('serena', 'Casa La Serena', '', 'MX', 6, 2, 1, '[]', '{}', 3, "
            "8, false, 0, '[0]', true, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    upgrade(revision="0002")
    with db.engine.connect() as conn:
        times = conn.execute(text("SELECT slot_times FROM houses WHERE code = 'serena'")).scalar_one()
    assert (times if isinstance(times, list) else json.loads(times)) == ["09:30", "11:30", "16:00", "18:00"]
