"""Operations: backup and restore drill (items 31, 39) and retention (issue 7 part 3).

The drill backs up a database with encrypted fields, restores it into a NEW
database, checks row counts, and checks that a sample of encrypted fields
decrypts with the keys — which are not inside the backup (its bytes are
searched for them). On SQLite always; on PostgreSQL when TEST_DATABASE_URL
is set (pg_dump -Fc / pg_restore).
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import shutil

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import (
    AuditEvent, Defender, DiagnosticInterview, House, Stay, StayRequest, User,
)
from app.ops import add_months, run_retention, table_counts
from app.security.crypto import DecryptionError, KeyRing, new_key_spec

from tests.conftest import TEST_KEYS
from .conftest import database_fingerprint

SECRET_NAME = "María Secreta Hernández"
NARRATIVE = "Quiero dormir sin miedo y volver a escribir."


def _populate() -> None:
    house = House(code="serena", name="Casa La Serena", country="MX", beds=8, max_concurrent_stays=2)
    defenders = []
    for n in range(3):
        defender = Defender(alias=f"Ceiba {n}", country="HN", languages=["es"])
        defender.real_name = f"{SECRET_NAME} {n}"
        defender.contact = f"+504 555 010{n}"
        defenders.append(defender)
        interview = DiagnosticInterview(defender=defender, status="confirmed")
        interview.narrative = f"{NARRATIVE} {n}"
        interview.risk_notes = f"Amenazas {n}"
        row = interview.dimension("emotional")
        row.answers = '{"how": "cansada"}'
        row.self_level = row.need_level = 2
        db.session.add_all([defender, interview, StayRequest(defender=defender, interview=interview,
                                                             status="pending", stay_types=["individual"])])
    db.session.add_all([house, User(email="coord@example.org", password_hash="x", role="coordinator")])
    db.session.commit()


def _key_material(keys: str, secret_key: str) -> list[bytes]:
    found = [keys.encode(), secret_key.encode()]
    for key in KeyRing.parse(keys).keys.values():
        found += [key, base64.urlsafe_b64encode(key), base64.b64encode(key), key.hex().encode()]
    return found


def _check_restored(expected_counts: dict[str, int]) -> None:
    assert table_counts() == expected_counts
    defenders = db.session.scalars(select(Defender).order_by(Defender.id)).all()
    assert [d.real_name for d in defenders] == [f"{SECRET_NAME} {n}" for n in range(3)]
    assert defenders[1].contact == "+504 555 0101"
    interviews = db.session.scalars(select(DiagnosticInterview).order_by(DiagnosticInterview.id)).all()
    assert interviews[2].narrative == f"{NARRATIVE} 2" and interviews[0].risk_notes == "Amenazas 0"
    assert interviews[0].dimensions[0].answers == '{"how": "cansada"}'


def test_item_39_sqlite_backup_restore_drill_counts_decrypts_and_holds_no_key(deployment, tmp_path):
    source = deployment(tmp_path / "live.db")
    with source.app_context():
        db.create_all()
        _populate()
        expected = table_counts()
        db.session.commit()
        result = source.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "respiro.backup")])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    blob = (tmp_path / "respiro.backup").read_bytes()
    assert blob.startswith(b"SQLite format 3\x00")
    for secret in _key_material(TEST_KEYS, source.config["SECRET_KEY"]):
        assert secret not in blob
    assert SECRET_NAME.encode() not in blob and NARRATIVE.encode() not in blob  # encrypted inside
    assert not (tmp_path / "respiro.backup-wal").exists()

    target = deployment(tmp_path / "restored.db")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "respiro.backup")])
        assert result.exit_code == 0, result.output
        _check_restored(expected)
        assert db.session.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        db.session.remove()
        db.engine.dispose()

    stranger = deployment(tmp_path / "restored.db", new_key_spec("other"))
    with stranger.app_context():  # the backup alone, without the keys, reveals nothing
        with pytest.raises(DecryptionError):
            db.session.scalar(select(Defender)).real_name


def test_item_39_restore_refuses_a_database_that_is_not_empty_unless_forced(deployment, tmp_path):
    source = deployment(tmp_path / "a.db")
    with source.app_context():
        db.create_all()
        _populate()
        db.session.commit()
        assert source.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "a.backup")]).exit_code == 0
        db.session.add(House(code="extra", name="Extra", country="MX", beds=1, max_concurrent_stays=1))
        db.session.commit()
        runner = source.test_cli_runner()
        refused = runner.invoke(args=["restore", str(tmp_path / "a.backup")])
        assert refused.exit_code != 0 and "not empty" in refused.output
        assert db.session.scalar(select(func.count()).select_from(House)) == 2
        forced = runner.invoke(args=["restore", "--force", str(tmp_path / "a.backup")])
        assert forced.exit_code == 0, forced.output
        assert db.session.scalar(select(func.count()).select_from(House)) == 1


def test_item_39_restore_refuses_a_file_that_is_not_a_backup(deployment, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    target = deployment(tmp_path / "t.db")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(junk)])
        assert result.exit_code != 0


def test_item_39_backup_uses_the_online_backup_api_not_a_file_copy():
    import inspect as pyinspect

    from app import ops

    source = pyinspect.getsource(ops)
    assert ".backup(" in source and "pg_dump" in source
    assert "shutil.copy" not in source and "copyfile" not in source


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL drill: set TEST_DATABASE_URL")
def test_item_39_postgresql_backup_restore_drill(app, make_app, runner, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump/pg_restore are not installed (apt install postgresql-client)")
    _populate()
    expected = table_counts()
    db.session.commit()
    result = runner.invoke(args=["backup", "-o", str(tmp_path / "pg.backup")])
    assert result.exit_code == 0, result.output
    blob = (tmp_path / "pg.backup").read_bytes()
    assert blob.startswith(b"PGDMP")
    for secret in _key_material(TEST_KEYS, app.config["SECRET_KEY"]):
        assert secret not in blob
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = "respiro_drill_" + secrets.token_hex(4)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is ours: hex only
    try:
        target = make_app(SQLALCHEMY_DATABASE_URI=url.set(database=name).render_as_string(hide_password=False))
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "pg.backup")])
            assert result.exit_code == 0, result.output
            _check_restored(expected)
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------- retention

def _stay_for(stay_request, end: dt.date) -> Stay:
    stay = Stay(house_id=db.session.scalar(select(House.id)), start=end - dt.timedelta(days=9), end=end,
                type="individual")
    stay_request.stay = stay
    stay_request.status = "published"
    db.session.add(stay)
    db.session.commit()
    return stay


@pytest.fixture
def told(app, make_house, make_request):
    """An interview with her narrative, risk notes and answers, and a published stay ending 31 Jan 2027."""
    make_house()
    stay_request = make_request(status="pending")
    interview = stay_request.interview
    interview.narrative = NARRATIVE
    interview.risk_notes = "Amenazas"
    for row in interview.dimensions:
        row.answers = '{"how": "cansada"}'
    db.session.commit()
    _stay_for(stay_request, dt.date(2027, 1, 31))
    return interview


def test_retention_keeps_the_narrative_until_her_period_after_the_stay_has_passed(told):
    assert add_months(dt.date(2027, 1, 31), 6) == dt.date(2027, 7, 31)
    assert run_retention(dt.date(2027, 7, 31)).purged == 0
    db.session.commit()
    db.session.expire_all()
    assert told.narrative == NARRATIVE


def test_retention_deletes_narrative_risk_notes_and_answers_but_keeps_levels(told):
    levels = told.need_levels()
    result = run_retention(dt.date(2027, 8, 1))
    db.session.commit()
    db.session.expire_all()
    assert result.purged == 1
    assert told.narrative is None and told.risk_notes is None and told.narrative_ct is None
    assert all(row.answers_ct is None for row in told.dimensions)
    assert told.need_levels() == levels and told.narrative_purged_at is not None
    assert db.session.scalar(select(func.count()).select_from(StayRequest)) == 1  # anonymous counts stay
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.run"))
    assert summary.details == {"checked": 1, "purged": 1}  # counts only
    mine = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.purge"))
    assert mine.defender_id == told.defender_id and mine.details == {}


def test_retention_also_deletes_what_she_wrote_in_her_request(told):
    """Her notes on companions and food are hers too ("what you wrote"): gone with the narrative."""
    stay_request = db.session.scalar(select(StayRequest).where(StayRequest.interview_id == told.id))
    stay_request.companions_note = "Viene con su hija"
    stay_request.food_notes = "Sin chile, por la gastritis"
    db.session.commit()
    assert run_retention(dt.date(2027, 7, 31)).purged == 0
    db.session.commit()
    db.session.expire_all()
    assert stay_request.food_notes == "Sin chile, por la gastritis"
    assert run_retention(dt.date(2027, 8, 1)).purged == 1
    db.session.commit()
    db.session.expire_all()
    assert stay_request.companions_note_ct is None and stay_request.food_notes_ct is None


def test_retention_purges_request_notes_even_without_a_narrative(told):
    told.narrative = None
    told.risk_notes = None
    for row in told.dimensions:
        row.answers = None
    stay_request = db.session.scalar(select(StayRequest).where(StayRequest.interview_id == told.id))
    stay_request.food_notes = "Vegetariana"
    db.session.commit()
    assert run_retention(dt.date(2027, 8, 1)).purged == 1
    db.session.commit()
    db.session.expire_all()
    assert stay_request.food_notes_ct is None


def test_retention_run_twice_changes_nothing_more(told):
    run_retention(dt.date(2027, 9, 1))
    db.session.commit()
    before = database_fingerprint()
    assert run_retention(dt.date(2027, 9, 1)).purged == 0
    db.session.commit()
    assert database_fingerprint() == before


def test_retention_follows_her_own_choice_of_period(told):
    told.retention_months = 12
    db.session.commit()
    assert run_retention(dt.date(2027, 12, 1)).purged == 0
    assert run_retention(dt.date(2028, 2, 1)).purged == 1


def test_retention_keeps_an_interview_whose_request_is_still_in_progress(app, make_request):
    stay_request = make_request(status="pending")
    stay_request.interview.narrative = NARRATIVE
    db.session.commit()
    assert run_retention(dt.date(2099, 1, 1)).purged == 0


def test_retention_counts_from_a_withdrawal_when_there_is_no_stay(app, make_request):
    stay_request = make_request(status="withdrawn")
    stay_request.interview.narrative = NARRATIVE
    db.session.commit()
    changed = stay_request.updated_at.date()
    assert run_retention(changed + dt.timedelta(days=150)).purged == 0
    assert run_retention(add_months(changed, 6) + dt.timedelta(days=1)).purged == 1


def test_retention_cli_is_safe_to_run_from_cron(told, runner):
    first = runner.invoke(args=["retention", "run"])
    assert first.exit_code == 0 and "checked 1" in first.output
    second = runner.invoke(args=["retention", "run"])
    assert second.exit_code == 0 and "deleted 0" in second.output
