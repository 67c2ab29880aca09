"""Migration 0005 on a database that holds data: her values move under her own key, and
what was plaintext (reasons, closure notes, therapists' names, a run's inputs) is encrypted.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from app.models import AuditEvent, Closure, Defender, DiagnosticInterview, PlanningRun, StayRequest, Therapist

from tests.app.test_migrations import empty_database, migrated_app  # noqa: F401  (fixtures)

NOW = dt.datetime(2026, 12, 1, 10, 0)
PLAINTEXTS = ("Riesgo inminente tras nuevas amenazas", "Conversamos con ella", "No hay cupo este mes",
              "Rosa Elena Xiloj", "Se cortó el agua del pozo", "Para coordinar su traslado", "Berta Cáceres")


def _rows_at_0001(ring) -> None:
    execute = db.session.execute
    execute(text("INSERT INTO defenders (id, alias, country, languages, barred_countries, needs_accessible, uid, "
                 "created_at, updated_at, real_name_ct) VALUES (1, 'Ceiba', 'HN', '[]', '[]', false, 'd0001', :t, :t, "
                 ":name)"), {"t": NOW, "name": ring.encrypt("Berta Cáceres", "defenders:real_name_ct:d0001")})
    execute(text("INSERT INTO interviews (id, defender_id, status, step, assisted, defender_agreed, consent_scope, "
                 "retention_months, confirmation_reason, version, uid, created_at, updated_at, narrative_ct) VALUES "
                 "(1, 1, 'confirmed', 'physical', false, false, 'levels', 6, 'Conversamos con ella', 1, 'i0001', "
                 ":t, :t, :n)"), {"t": NOW, "n": ring.encrypt("Quiero dormir", "interviews:narrative_ct:i0001")})
    execute(text("INSERT INTO stay_requests (id, defender_id, status, stay_types, companions, urgency_reason, "
                 "decline_reason, version, uid, created_at, updated_at) VALUES (1, 1, 'declined', '[]', 0, "
                 "'Riesgo inminente tras nuevas amenazas', 'No hay cupo este mes', 1, 'r0001', :t, :t)"), {"t": NOW})
    execute(text("INSERT INTO therapists (id, name, kind, dimensions, techniques, languages, max_sessions_per_day, "
                 "active, version, uid, created_at, updated_at) VALUES (1, 'Rosa Elena Xiloj', 'therapist', '[]', '', "
                 "'[]', 3, true, 1, 't0001', :t, :t)"), {"t": NOW})
    execute(text("INSERT INTO houses (id, code, name, place, country, beds, max_concurrent_stays, family_units, "
                 "stay_types, stay_length, collective_min, collective_max, accessible, turnover_days, "
                 "arrival_weekdays, active, version, created_at, updated_at) VALUES (1, 'h', 'Casa', '', 'MX', 4, 1, "
                 "1, '[]', '{}', 3, 8, false, 0, '[]', true, 1, :t, :t)"), {"t": NOW})
    execute(text("INSERT INTO closures (id, house_id, start, \"end\", reason, note, created_at, updated_at) VALUES "
                 "(1, 1, :d, :d, 'water', 'Se cortó el agua del pozo', :t, :t)"), {"t": NOW, "d": dt.date(2027, 1, 2)})
    execute(text("INSERT INTO audit_events (id, at, action, target_type, target_id, defender_id, details) VALUES "
                 "(1, :t, 'defender.reveal', 'Defender', 1, 1, :details)"),
            {"t": NOW, "details": '{"reason": "Para coordinar su traslado"}'})
    execute(text("INSERT INTO planning_runs (id, status, horizon_start, horizon_days, house_ids, time_limit, weights, "
                 "input_fingerprint, progress, stale, cancel_requested, error, version, created_at, updated_at, "
                 "instance_json) VALUES (1, 'done', :d, 30, '[]', 30, '{}', '', '{}', false, false, '', 1, :t, :t, "
                 "'{\"therapists\": [{\"name\": \"Rosa Elena Xiloj\"}]}')"), {"t": NOW, "d": dt.date(2027, 1, 1)})
    db.session.commit()


def _raw_dump() -> str:
    found = []
    for table in ("defenders", "interviews", "stay_requests", "therapists", "closures", "audit_events",
                  "planning_runs"):
        found += [" ".join(map(str, row)) for row in db.session.execute(text(f"SELECT * FROM {table}")).all()]
    return "\n".join(found)


def test_migration_0005_encrypts_the_plaintext_and_moves_her_values_under_her_key(migrated_app):
    ring = migrated_app.extensions["respiro_keyring"]
    store = migrated_app.extensions["respiro_keystore"]
    upgrade(revision="0001")
    _rows_at_0001(ring)
    upgrade()
    db.session.expire_all()
    dump = _raw_dump()
    assert not [p for p in PLAINTEXTS if p in dump]
    defender = db.session.get(Defender, 1)
    assert defender.real_name == "Berta Cáceres" and defender.real_name_ct.startswith("d1.")
    interview = db.session.get(DiagnosticInterview, 1)
    assert interview.narrative == "Quiero dormir" and interview.narrative_ct.startswith("d1.")
    assert interview.confirmation_reason == "Conversamos con ella" and interview.confirmation_reason_ct.startswith("d1.")
    stay_request = db.session.get(StayRequest, 1)
    assert stay_request.urgency_reason == "Riesgo inminente tras nuevas amenazas"
    assert stay_request.decline_reason == "No hay cupo este mes" and stay_request.decline_reason_ct.startswith("d1.")
    assert db.session.get(Therapist, 1).name == "Rosa Elena Xiloj"
    assert db.session.get(Closure, 1).note == "Se cortó el agua del pozo"
    event = db.session.get(AuditEvent, 1)
    assert event.reason == "Para coordinar su traslado" and "reason" not in event.details
    assert "Rosa Elena Xiloj" in db.session.get(PlanningRun, 1).instance_json
    assert store.status("d0001") == "live"

    # and back: the code before 0005 reads its plaintext columns and master-key values again
    db.session.commit()
    downgrade(revision="0001")
    row = db.session.execute(text("SELECT urgency_reason, decline_reason FROM stay_requests")).one()
    assert tuple(row) == ("Riesgo inminente tras nuevas amenazas", "No hay cupo este mes")
    assert db.session.execute(text("SELECT name FROM therapists")).scalar_one() == "Rosa Elena Xiloj"
    assert "Para coordinar" in str(db.session.execute(text("SELECT details FROM audit_events")).scalar_one())
    token = db.session.execute(text("SELECT real_name_ct FROM defenders")).scalar_one()
    assert ring.decrypt(token, "defenders:real_name_ct:d0001") == "Berta Cáceres"
    db.session.commit()
    upgrade()
    db.session.expire_all()
    assert db.session.get(StayRequest, 1).urgency_reason == "Riesgo inminente tras nuevas amenazas"
