"""Retention keeps her promise for her accessibility notes too (issue 7 part 3).

In the consent step she answers "How long may we keep what you wrote after
your stay?". Her accessibility notes are hers (she writes them in the
logistics step) but sit on her defender record, shared by all her interviews
and requests: `flask retention run` clears them once the period of her last
interview has passed and nothing of hers still needs them. The yes/no
`needs_accessible` is not her words and stays. Runs on SQLite, and on
PostgreSQL with TEST_DATABASE_URL.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Defender, DiagnosticInterview, House, Stay, StayRequest, utcnow
from app.ops import run_retention

NOTES = "Uso silla de ruedas; necesito una rampa en la entrada"
STAY_END = dt.date(2027, 1, 31)
PERIOD_ENDS = dt.date(2027, 7, 31)  # six months, her choice: kept through this day
AFTER = dt.date(2027, 8, 1)


def _stay(stay_request: StayRequest, end: dt.date) -> None:
    stay = Stay(house_id=db.session.scalar(select(House.id)), start=end - dt.timedelta(days=9), end=end,
                type="individual")
    db.session.add(stay)
    stay_request.stay = stay
    stay_request.status = "published"
    db.session.commit()


def _notes_of(defender_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(Defender, defender_id).accessibility_notes


def _run(today: dt.date, **kwargs):
    result = run_retention(today, **kwargs)
    db.session.commit()
    return result


def _fingerprint() -> str:
    """A checksum of every row of every table."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        digest.update(table.name.encode())
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def stayed(app, make_house, make_defender, make_request):
    """She needs an accessible house, wrote her notes, chose 6 months; her stay ended 31 Jan 2027."""
    make_house()
    defender = make_defender(needs_accessible=True)
    defender.accessibility_notes = NOTES
    stay_request = make_request(defender, status="pending")
    stay_request.interview.narrative = "Quiero descansar"
    stay_request.interview.retention_months = 6
    db.session.commit()
    _stay(stay_request, STAY_END)
    return stay_request


# ------------------------------------------------------------------ deleted after her period

def test_her_accessibility_notes_are_kept_until_her_chosen_period_has_passed(stayed):
    _run(PERIOD_ENDS)
    assert _notes_of(stayed.defender_id) == NOTES


def test_her_accessibility_notes_are_gone_after_her_chosen_period(stayed):
    result = _run(AFTER)
    assert _notes_of(stayed.defender_id) is None
    assert db.session.get(Defender, stayed.defender_id).accessibility_notes_ct is None
    assert result.notes_purged == 1 and result.notes_purged_ids == [stayed.defender_id]


def test_whether_she_needs_an_accessible_house_stays_after_her_period(stayed):
    """A yes/no the planner needs, not her words: the consent does not promise to delete it."""
    _run(AFTER)
    assert db.session.get(Defender, stayed.defender_id).needs_accessible is True


def test_her_notes_are_gone_even_when_her_interview_was_purged_before_this_rule_existed(stayed):
    _run(AFTER)  # the narrative and the notes go together ...
    defender = db.session.get(Defender, stayed.defender_id)
    defender.accessibility_notes = NOTES  # ... so bring back notes a purge of an older release left behind
    db.session.commit()
    assert stayed.interview.narrative_purged_at is not None
    _run(AFTER + dt.timedelta(days=1))
    assert _notes_of(stayed.defender_id) is None


def test_her_notes_go_in_the_same_run_as_her_last_interview_not_a_period_later(app, make_defender):
    """Purging her interview changes it; that change must not start her period again."""
    today = utcnow().date()
    defender = make_defender(needs_accessible=True)
    defender.accessibility_notes = NOTES
    changed = utcnow() - dt.timedelta(days=200)  # no request: her period counts from her last change
    interview = DiagnosticInterview(defender=defender, status="draft", retention_months=6,
                                    created_at=changed, updated_at=changed)
    interview.narrative = "Quiero descansar"
    db.session.add(interview)
    db.session.commit()
    result = _run(today)
    assert result.purged == 1 and _notes_of(defender.id) is None


def test_a_dry_run_counts_her_notes_but_deletes_nothing(stayed):
    before = _fingerprint()
    result = run_retention(AFTER, dry_run=True)
    db.session.rollback()
    assert result.notes_purged == 1
    assert _fingerprint() == before and _notes_of(stayed.defender_id) == NOTES


# ------------------------------------------------------------------ kept while something of hers needs them

@pytest.mark.parametrize("status", ["draft", "submitted", "pending"])
def test_her_notes_are_kept_while_another_request_of_hers_still_needs_them(stayed, make_request, status):
    make_request(stayed.defender, status=status)
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES
    assert stayed.interview.narrative_ct is None  # her first interview's own words are gone on time


def test_her_notes_are_kept_while_another_stay_of_hers_is_not_yet_over(stayed, make_request):
    later = make_request(stayed.defender, status="pending")
    _stay(later, AFTER + dt.timedelta(days=5))
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES


def test_her_notes_are_kept_until_the_period_of_her_last_interview_has_passed(stayed, make_request):
    later = make_request(stayed.defender, status="pending")
    later.interview.retention_months = 12
    _stay(later, STAY_END)
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES
    _run(dt.date(2028, 1, 31))
    assert _notes_of(stayed.defender_id) == NOTES
    _run(dt.date(2028, 2, 1))
    assert _notes_of(stayed.defender_id) is None


def test_her_notes_are_kept_while_a_new_interview_of_hers_is_in_draft(stayed):
    changed = dt.datetime(2027, 7, 20, 10, 0)  # she began it shortly before; no request yet
    db.session.add(DiagnosticInterview(defender_id=stayed.defender_id, status="draft", retention_months=6,
                                       created_at=changed, updated_at=changed))
    db.session.commit()
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES


def test_her_notes_are_kept_while_a_group_stay_she_joined_is_not_yet_over(stayed, make_request):
    group = make_request(status="pending", stay_types=["collective"])
    group.members = [stayed.defender]
    db.session.commit()
    _stay(group, AFTER + dt.timedelta(days=5))
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES
    _run(AFTER + dt.timedelta(days=6))  # that stay is over; her own period was over already
    assert _notes_of(stayed.defender_id) is None


def test_her_notes_are_kept_while_a_group_request_she_joined_is_in_progress(stayed, make_request):
    group = make_request(status="pending", stay_types=["collective"])
    group.members = [stayed.defender]
    db.session.commit()
    _run(AFTER)
    assert _notes_of(stayed.defender_id) == NOTES


def test_her_notes_are_not_kept_for_someone_elses_request(stayed, make_request):
    make_request(status="pending")  # another defender's request, in progress
    _run(AFTER)
    assert _notes_of(stayed.defender_id) is None


# ------------------------------------------------------------------ idempotent, audited without content

def test_a_second_run_changes_nothing(stayed):
    _run(AFTER)
    before = _fingerprint()
    result = _run(AFTER)
    assert result.notes_purged == 0 and result.purged == 0
    assert _fingerprint() == before


def test_the_audit_row_names_her_by_id_and_holds_no_content(stayed):
    defender = db.session.get(Defender, stayed.defender_id)
    ciphertext = defender.accessibility_notes_ct
    _run(AFTER)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.notes_purge"))
    assert (row.actor_id, row.target_type, row.target_id, row.defender_id) == (
        None, "Defender", stayed.defender_id, stayed.defender_id)
    assert row.details == {}
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.run"))
    assert summary.details == {"checked": 1, "purged": 1, "notes_purged": 1}  # counts only
    for event in db.session.scalars(select(AuditEvent)):
        stored = repr((event.action, event.target_type, event.details))
        assert "silla" not in stored and ciphertext not in stored


def test_the_cli_deletes_her_notes_once_and_then_finds_nothing(stayed, runner):
    stay = stayed.stay
    stay.end = utcnow().date() - dt.timedelta(days=400)  # the CLI runs on today's date
    stay.start = stay.end - dt.timedelta(days=9)
    db.session.commit()
    first = runner.invoke(args=["retention", "run"])
    assert first.exit_code == 0, first.output
    assert "deleted the accessibility notes of 1 defenders" in first.output
    assert _notes_of(stayed.defender_id) is None
    second = runner.invoke(args=["retention", "run"])
    assert second.exit_code == 0 and "deleted the accessibility notes of 0 defenders" in second.output


# ------------------------------------------------------------------ her days are local days

def test_the_run_counts_her_days_where_she_lives_not_in_utc(stayed, monkeypatch):
    """At 20:00 on her period's last day in Oaxaca it is already the next day in UTC: nothing goes yet."""
    from app.models import base

    evening = dt.datetime(2027, 8, 1, 2, 0, tzinfo=dt.UTC)  # 31 July, 20:00 in Mexico City
    monkeypatch.setattr(base, "utc_clock", lambda: evening)
    run_retention()
    db.session.commit()
    assert _notes_of(stayed.defender_id) == NOTES
    monkeypatch.setattr(base, "utc_clock", lambda: evening + dt.timedelta(hours=4))  # past local midnight
    run_retention()
    db.session.commit()
    assert _notes_of(stayed.defender_id) is None
