"""Operations: backup, restore and retention (security items 31, 39; issue 7 parts 3-4).

- Backup uses SQLite's online backup API (`sqlite3.Connection.backup`), which
  copies a consistent snapshot of a live WAL database page by page — never a
  file copy — or `pg_dump -Fc` on PostgreSQL. The data keys live outside the
  database (environment or `instance/data-keys`), so they never travel inside
  a backup: a restore needs the same keys, given separately.
- Restore writes into the configured database and refuses to overwrite one
  that holds any row unless forced.
- Retention deletes what she wrote once her chosen retention period has
  passed after the stay (see `run_retention` for exactly what and when; need
  levels, statuses and counts stay). Safe from cron: one transaction, and a
  second run finds nothing more to delete.

Database credentials are passed to the PostgreSQL tools through PG*
environment variables, never on the command line (where `ps` shows them).
"""
from __future__ import annotations

import calendar
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select, update
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Defender, DiagnosticInterview, StayRequest, local_today, utcnow
from app.security import audit


class OpsError(RuntimeError):
    """An operation refused or failed; the message says why (no data in it)."""


# ---------------------------------------------------------------- helpers

def _url():
    return make_url(str(db.engine.url))


def _sqlite_path() -> str:
    path = _url().database
    if not path or path == ":memory:":
        raise OpsError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _pg_env() -> dict:
    url = _url()
    env = dict(os.environ)
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OpsError(f"{name} is not installed (apt install postgresql-client)")
    return path


def table_counts() -> dict[str, int]:
    """Rows per table of the configured database (tables the models know)."""
    existing = set(inspect(db.session.connection()).get_table_names())
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in existing:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


def is_empty() -> bool:
    return not any(table_counts().values())


# ---------------------------------------------------------------- backup

def backup(target: str | os.PathLike) -> Path:
    """Write a consistent backup of the configured database to `target`."""
    target = Path(target)
    if target.exists() and target.is_dir():
        raise OpsError(f"{target} is a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    db.session.commit()  # no transaction of ours holds the database
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if dialect == "sqlite":
            try:
                _sqlite_backup(_sqlite_path(), tmp)
            except sqlite3.Error as exc:  # wrong path, locked too long, disk full: one line, no traceback
                raise OpsError(f"the SQLite backup failed: {exc}") from exc
        elif dialect == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)])
        else:
            raise OpsError(f"backup of {dialect} is not supported")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _sqlite_backup(source_path: str, target: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    dest = sqlite3.connect(str(target))
    try:
        source.execute("PRAGMA busy_timeout=10000")
        source.backup(dest)
        # A self-contained file: no -wal companion needed to read the backup.
        dest.execute("PRAGMA journal_mode=DELETE")
        if dest.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OpsError("the backup failed its integrity check")
    finally:
        dest.close()
        source.close()


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OpsError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:500]}")


# ---------------------------------------------------------------- restore

def restore(source: str | os.PathLike, *, force: bool = False, reapply_deletions: bool = True) -> dict[str, int]:
    """Restore a backup into the configured database; return its row counts.

    Then re-apply every deletion made since the backup was taken
    (`reapply_deletions`): her key is already destroyed in the key store, so
    her values in the backup cannot be read anyway; this also removes what
    was never encrypted (her alias, her login) from the restored database.
    """
    source = Path(source)
    if not source.is_file():
        raise OpsError(f"{source} is not a file")
    dialect = db.engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise OpsError(f"restore into {dialect} is not supported")
    # Check the file BEFORE anything is overwritten: an empty or truncated file, another
    # application's database or a backup of another schema version is refused here.
    check_backup(source, dialect)
    db.session.commit()
    if not force and not is_empty():
        raise OpsError("the database is not empty; use --force to overwrite it")
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        try:
            _sqlite_restore(source, _sqlite_path())
        except sqlite3.Error as exc:
            raise OpsError(f"the SQLite restore failed: {exc}") from exc
    elif dialect == "postgresql":
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--exit-on-error", "--single-transaction", "--dbname", _url().database, str(source)])
    else:
        raise OpsError(f"restore into {dialect} is not supported")
    db.engine.dispose()
    if reapply_deletions:
        reapply_shredded_deletions()
    return table_counts()


def reapply_shredded_deletions() -> int:
    """Delete again every defender whose key was destroyed but whose row says she is here (an older backup).

    Commits; returns how many. Each is audited as `defender.deletion_reapplied` (ids only).
    """
    from app.interviews.privacy import delete_personal_data
    from app.security.defender_keys import current_store

    shredded = sorted(current_store().shredded_uids())
    count = 0
    for start in range(0, len(shredded), 500):
        for defender in db.session.scalars(select(Defender).where(Defender.uid.in_(shredded[start:start + 500]),
                                                                  Defender.deleted_at.is_(None))):
            delete_personal_data(defender, defender.user)
            audit.record(None, "defender.deletion_reapplied", target=defender, defender_id=defender.id)
            count += 1
    db.session.commit()
    return count


def code_heads() -> set[str]:
    """The migration head(s) of this code: the schema version a backup must carry."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(config).get_heads())


NOT_A_BACKUP = "this file is not a Respiro backup"


def _check_schema(tables: dict[str, set[str]], versions: set[str] | None) -> None:
    """Refuse a backup whose tables or schema version differ from this code's."""
    for table in db.metadata.sorted_tables:
        columns = tables.get(table.name)
        if columns is None or (columns and not {c.name for c in table.columns} <= columns):
            raise OpsError(f"{NOT_A_BACKUP} of this version (table {table.name} missing or different)")
    if versions is not None and versions != code_heads():
        raise OpsError(f"the backup has schema version {', '.join(sorted(versions)) or 'none'}, this Respiro "
                       f"expects {', '.join(sorted(code_heads()))}: restore it with the matching release, "
                       "then upgrade")


def check_backup(source: Path, dialect: str) -> None:
    if dialect == "sqlite":
        _check_sqlite_backup(source)
    else:
        _check_pg_backup(source)


def _check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise OpsError(f"{NOT_A_BACKUP}: {exc}") from exc
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OpsError("the backup failed its integrity check")
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {name: {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
                  for name in names if '"' not in name}
        versions = None
        if "alembic_version" in tables:
            versions = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as exc:
        raise OpsError(f"{NOT_A_BACKUP} (or it is damaged): {exc}") from exc
    finally:
        conn.close()
    _check_schema(tables, versions)


def _check_pg_backup(source: Path) -> None:
    tool = _tool("pg_restore")
    listing = subprocess.run([tool, "--list", str(source)], env=_pg_env(), capture_output=True, text=True,
                             check=False)
    if listing.returncode != 0:
        raise OpsError(f"{NOT_A_BACKUP} (pg_restore cannot read it: {listing.stderr.strip()[:300]})")
    tables: dict[str, set[str]] = {}
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 6 and not line.startswith(";") and parts[3] == "TABLE" and parts[4] != "DATA":
            tables[parts[5]] = set()  # `id; oid oid TABLE schema name owner`: columns not listed
    versions = None
    if "alembic_version" in tables:
        data = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-", str(source)],
                              env=_pg_env(), capture_output=True, text=True, check=False)
        if data.returncode != 0:
            raise OpsError(f"{NOT_A_BACKUP} (pg_restore cannot read it: {data.stderr.strip()[:300]})")
        lines = data.stdout.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("COPY ") and "alembic_version" in line),
                     None)
        versions = set()
        if start is not None:
            for line in lines[start + 1:]:
                if line == "\\.":
                    break
                versions.add(line.strip())
    _check_schema(tables, versions)


def _sqlite_restore(source: Path, target_path: str) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            ok = backup_db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError as exc:
            raise OpsError("this file is not a Respiro SQLite backup") from exc
        if not ok:
            raise OpsError("the backup failed its integrity check")
        Path(target_path).parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target_path)
        try:
            dest.execute("PRAGMA busy_timeout=10000")
            backup_db.backup(dest)  # page by page, under the destination's lock
            dest.execute("PRAGMA journal_mode=WAL")
        finally:
            dest.close()
    finally:
        backup_db.close()


# ---------------------------------------------------------------- retention

ACTIVE_STATUSES = ("draft", "submitted", "pending")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_reference(interview: DiagnosticInterview, requests: list[StayRequest]) -> dt.date | None:
    """The day her retention period starts counting from, or None (keep for now).

    - A published stay linked by one of her requests: the stay's last day
      (the latest, if several).
    - A request still in progress (draft, submitted, pending): None,
      the interview is still needed.
    - Only withdrawn or declined requests: the day the last of them changed.
    - No request at all: the day the interview was last changed (a
      forgotten interview is not kept for ever).
    """
    if any(r.status in ACTIVE_STATUSES for r in requests):
        return None
    ends = [r.stay.end for r in requests if r.status == "published" and r.stay is not None]
    if any(r.status == "published" and r.stay is None for r in requests):
        return None  # published without its stay row: keep, something is inconsistent
    if ends:
        return max(ends)
    stamps = [r.updated_at for r in requests if r.updated_at] or [interview.updated_at or interview.created_at]
    return max(stamps).date() if stamps and stamps[0] else None


def _her_requests(interview: DiagnosticInterview) -> list[StayRequest]:
    return list(db.session.scalars(select(StayRequest).where(StayRequest.interview_id == interview.id)))


def _period_ended(interview: DiagnosticInterview, requests: list[StayRequest], today: dt.date) -> bool:
    """Whether the retention period she chose in this interview has passed by `today`."""
    reference = retention_reference(interview, requests)
    months = interview.retention_months if interview.retention_months is not None else 6
    return reference is not None and today > add_months(reference, max(0, months))


def _has_narrative(interview: DiagnosticInterview, requests: list[StayRequest]) -> bool:
    """Whether anything she wrote is still kept: narrative, risk notes, answers, or her request's notes."""
    return (interview.narrative_ct is not None or interview.risk_notes_ct is not None
            or any(row.answers_ct is not None for row in interview.dimensions)
            or any(r.companions_note_ct is not None or r.food_notes_ct is not None for r in requests))


def _accessibility_notes_needed(defender: Defender, today: dt.date) -> bool:
    """Whether an interview or a request of hers still needs her accessibility notes.

    They sit on her defender record, shared by all her interviews and requests,
    so they stay while any of these holds:

    - a request of hers, or a group request she is a member of,
      is still in progress (draft, submitted, pending), or is
      published with a stay not yet over (or without its stay row);
    - one of her interviews has not been purged and the retention period she
      chose in it has not passed (`_period_ended`). An interview the job has
      already purged (`narrative_purged_at`) has ended: its own changes must
      not start its period again.

    With no interview at all there is no period of hers to follow (the notes
    are written in the interview's logistics step): keep.
    """
    requests = list(db.session.scalars(select(StayRequest).where(StayRequest.defender_id == defender.id)))
    requests += db.session.scalars(select(StayRequest).where(StayRequest.members.contains(defender)))
    for stay_request in requests:
        if stay_request.status in ACTIVE_STATUSES:
            return True
        if stay_request.status == "published" and (stay_request.stay is None or today <= stay_request.stay.end):
            return True
    interviews = list(db.session.scalars(select(DiagnosticInterview)
                                         .where(DiagnosticInterview.defender_id == defender.id)))
    if not interviews:
        return True
    return any(interview.narrative_purged_at is None
               and not _period_ended(interview, [r for r in requests if r.interview_id == interview.id], today)
               for interview in interviews)


@dataclass
class RetentionResult:
    checked: int = 0
    purged: int = 0
    purged_ids: list[int] = field(default_factory=list)
    notes_purged: int = 0  # defenders whose accessibility notes were deleted
    notes_purged_ids: list[int] = field(default_factory=list)
    follow_ups_purged: int = 0  # follow-ups after a stay whose words were deleted
    follow_ups_purged_ids: list[int] = field(default_factory=list)


def run_retention(today: dt.date | None = None, *, dry_run: bool = False) -> RetentionResult:
    """Delete what she wrote once the retention period she chose has passed; only flushes (caller commits).

    Her period (`DiagnosticInterview.retention_months`, her answer to "How long
    may we keep what you wrote after your stay?") counts from
    `retention_reference`; on the first run after it has passed:

    - per interview: its narrative, risk notes and per-dimension answers
      (how, work_on, practices), and on each request of that interview her
      notes on companions and food. Audited as `interview.purge` (the
      interview's id and her defender id, no content); `narrative_purged_at`
      marks it done.
    - per defender: her accessibility notes (`Defender.accessibility_notes`),
      shared by all her interviews and requests, once no interview or request
      of hers still needs them (`_accessibility_notes_needed`): i.e. when the
      period of her last interview has passed and no request of hers or with
      her is in progress or has a stay not yet over. Audited as
      `defender.notes_purge` (her defender id, no content).

    Kept: her need levels and her own levels, statuses, dates, stay types,
    counts, and the yes/no `needs_accessible` (not her words; planning needs
    it). A summary `retention.run` row holds counts only. A second run finds
    nothing left to delete and writes nothing.
    """
    today = today or local_today()
    result = RetentionResult()
    candidates = db.session.scalars(
        select(DiagnosticInterview)
        .where(DiagnosticInterview.narrative_purged_at.is_(None))
        .order_by(DiagnosticInterview.id)).all()
    for interview in candidates:
        requests = _her_requests(interview)  # one query each: read for her period, cleared with the rest
        if not _has_narrative(interview, requests):
            continue
        result.checked += 1
        if not _period_ended(interview, requests, today):
            continue
        result.purged += 1
        result.purged_ids.append(interview.id)
        if dry_run:
            continue
        interview.narrative = None
        interview.risk_notes = None
        for row in interview.dimensions:
            row.answers = None  # need levels and her own levels stay
        for stay_request in requests:  # her notes on companions and food: also what she wrote
            stay_request.companions_note = None
            stay_request.food_notes = None
        interview.narrative_purged_at = utcnow()
        audit.record(None, "interview.purge", target=interview, defender_id=interview.defender_id)
    _purge_accessibility_notes(today, result, dry_run=dry_run)
    _purge_follow_up_words(today, result, dry_run=dry_run)
    if (result.purged or result.notes_purged or result.follow_ups_purged) and not dry_run:
        counts = {"checked": result.checked, "purged": result.purged}
        if result.notes_purged:
            counts["notes_purged"] = result.notes_purged
        if result.follow_ups_purged:
            counts["follow_ups_purged"] = result.follow_ups_purged
        audit.record(None, "retention.run", **counts)
    db.session.flush()
    return result


def _purge_accessibility_notes(today: dt.date, result: RetentionResult, *, dry_run: bool) -> None:
    """Clear her accessibility notes once nothing of hers needs them (see `run_retention`)."""
    defenders = db.session.scalars(
        select(Defender)
        .where(Defender.accessibility_notes_ct.is_not(None))
        .order_by(Defender.id)).all()
    for defender in defenders:
        if _accessibility_notes_needed(defender, today):
            continue
        if dry_run:
            result.notes_purged += 1
            result.notes_purged_ids.append(defender.id)
            continue
        # Compare and set: if she saved new notes (a new interview) since we read them, the
        # ciphertext differs (fresh nonce), nothing is cleared and her new notes stay.
        seen = defender.accessibility_notes_ct
        cleared = db.session.execute(
            update(Defender)
            .where(Defender.id == defender.id, Defender.accessibility_notes_ct == seen)
            .values(accessibility_notes_ct=None)
            .execution_options(synchronize_session=False)).rowcount
        db.session.expire(defender, ["accessibility_notes_ct", "updated_at"])
        if not cleared:
            continue
        result.notes_purged += 1
        result.notes_purged_ids.append(defender.id)
        audit.record(None, "defender.notes_purge", target=defender, defender_id=defender.id)


def _purge_follow_up_words(today: dt.date, result: RetentionResult, *, dry_run: bool) -> None:
    """Delete her words in a follow-up after her stay once her period has passed.

    The period is the one she chose in the interview of that request
    (`retention_months`), counted from the later of the stay's last day and
    the day she answered (a follow-up three months after the stay keeps her
    words as long as the interview's words were kept after the stay). Her
    levels stay (they are numbers, counted only in suppressed aggregates).
    Audited as `follow_up.purge` (ids only).
    """
    from app.models import FollowUp, Stay

    rows = db.session.execute(
        select(FollowUp, Stay.end, DiagnosticInterview.retention_months)
        .join(Stay, Stay.id == FollowUp.stay_id)
        .join(StayRequest, StayRequest.id == FollowUp.request_id)
        .outerjoin(DiagnosticInterview, DiagnosticInterview.id == StayRequest.interview_id)
        .where(FollowUp.words_ct.is_not(None))
        .order_by(FollowUp.id)).all()
    for follow_up, stay_end, months in rows:
        reference = max(stay_end, follow_up.answered_at.date())
        if not today > add_months(reference, max(0, months if months is not None else 6)):
            continue
        result.follow_ups_purged += 1
        result.follow_ups_purged_ids.append(follow_up.id)
        if dry_run:
            continue
        follow_up.words = None
        follow_up.words_purged_at = utcnow()
        audit.record(None, "follow_up.purge", target=follow_up, defender_id=follow_up.defender_id)
