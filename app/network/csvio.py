"""CSV export and strict import of therapists and of availability.

Files are UTF-8 with a byte-order mark, so spreadsheet tools open accents
right. Lists are codes separated by ";" (dimensions, languages, house codes).

Identity: the `id` column. An empty id adds a row; an id updates that row
(which must be one the person may see). Rows missing from the file are left
alone: an import never deletes. Exporting and importing the same file
therefore changes nothing.

Strict: every bad row is reported by its line number (the header is line 1)
with the reason, and nothing at all is imported while any row is bad: the
import raises `Refused("bad_rows", rows=[(line, reason), ...])`. A reason is a
code with parameters (a `Refused`, a rule's `Clash`, or `Refused.many` of a
row's rule problems), never words: the view words each from
`app.network.messages`, in her language, once.

The contact is not exported (it is encrypted at rest and should not travel
in spreadsheets); an import never changes it.

Cells that a spreadsheet would run as a formula (starting with = + - @) are
written with a leading apostrophe, which the import removes again.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from app.extensions import db
from app.labels import LANGUAGE
from app.models import DIMENSIONS, KINDS, Availability, House, Therapist
from app.refusals import Refused
from app.security import text
from app.network.rules import (
    TherapistData, covered, final_houses, future_sessions, range_problems, save_therapist,
    session_problems,
)

THERAPIST_COLUMNS = ["id", "name", "kind", "dimensions", "techniques", "languages", "houses",
                     "max_sessions_per_day", "active"]
AVAILABILITY_COLUMNS = ["id", "therapist_id", "therapist", "start", "end"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
YES = {"yes": True, "sí": True, "si": True, "1": True, "true": True, "no": False, "0": False, "false": False}


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA) else text


def _write(columns: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def export_therapists(therapists: list[Therapist]) -> str:
    return _write(THERAPIST_COLUMNS, [
        [t.id, t.name, t.kind, ";".join(t.dimensions or []), t.techniques or "", ";".join(t.languages or []),
         ";".join(h.code for h in t.houses), t.max_sessions_per_day, "yes" if t.active else "no"]
        for t in therapists])


def export_availability(therapists: list[Therapist]) -> str:
    return _write(AVAILABILITY_COLUMNS, [[a.id, t.id, t.name, a.start.isoformat(), a.end.isoformat()]
                                         for t in therapists for a in t.availability])


def read_rows(raw: bytes, columns: list[str]) -> list[tuple[int, dict]]:
    """Decode and split a file into (line, row) pairs; raise Refused on a bad file or bad lines."""
    try:
        text = raw.decode("utf-8-sig").replace("\x00", "")  # NUL is never text (and PostgreSQL refuses it)
    except UnicodeDecodeError:
        raise Refused("bad_rows", rows=[(0, Refused("not_utf8"))])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or [h.strip().lower() for h in header] != columns:
        raise Refused("bad_rows", rows=[(1, Refused("bad_header", columns=", ".join(columns)))])
    rows, errors, line = [], [], 2
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append((line, Refused("unreadable_line")))
            break
        if any(v.strip() for v in values):
            if len(values) != len(columns):
                errors.append((line, Refused("cells_count", n=len(values), m=len(columns))))
            else:
                rows.append((line, {c: _uncell(v.strip()) for c, v in zip(columns, values)}))
        line = reader.line_num + 1
    if errors:
        raise Refused("bad_rows", rows=errors)
    if not rows:
        raise Refused("bad_rows", rows=[(2, Refused("no_rows"))])
    return rows


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(";") if c.strip()]


def _id(text: str) -> int | None:
    if not text:
        return None
    if not _digits(text):
        raise Refused("id_not_number")
    return int(text)


def _therapist_row(row: dict, editor, scoped: dict[int, Therapist], houses_by_code: dict[str, House],
                   seen: set[int]) -> tuple[Therapist | None, TherapistData]:
    """Check one therapist row; return (existing therapist or None, data) or raise Refused(reason)."""
    tid = _id(row["id"])
    therapist = None
    if tid is not None:
        therapist = scoped.get(tid)
        if therapist is None:
            raise Refused("unknown_therapist", id=tid)
        if tid in seen:
            raise Refused("id_twice", id=tid)
        seen.add(tid)
    row["name"] = text.normalise(row["name"])
    if not row["name"] or len(row["name"]) > 120:
        raise Refused("name_length")
    if text.hidden_characters(row["name"]):
        raise Refused("hidden_characters", codes=", ".join(text.hidden_characters(row["name"])))
    if row["kind"] not in KINDS:
        raise Refused("kind_not_code", codes=", ".join(KINDS))
    dims = _codes(row["dimensions"])
    if not dims or any(d not in DIMENSIONS for d in dims):
        raise Refused("dimensions_not_codes", codes=", ".join(DIMENSIONS))
    langs = _codes(row["languages"])
    if not langs or any(lang not in LANGUAGE for lang in langs):
        raise Refused("languages_not_codes")
    codes = _codes(row["houses"])
    unknown = [c for c in codes if c not in houses_by_code]
    if unknown or not codes:
        raise Refused("unknown_house", codes=", ".join(unknown) or "—")
    requested = {houses_by_code[c].id for c in codes}
    current = {h.id for h in therapist.houses} if therapist is not None else set()
    if final_houses(editor, current, requested) != requested:
        raise Refused("own_house_only")
    if not _digits(row["max_sessions_per_day"]) or not 1 <= int(row["max_sessions_per_day"]) <= 8:
        raise Refused("bad_max")
    if row["active"].lower() not in YES:
        raise Refused("active_not_yes_no")
    if len(row["techniques"]) > 2000:
        raise Refused("techniques_too_long")
    return therapist, TherapistData(name=row["name"], kind=row["kind"], dimensions=dims, techniques=row["techniques"],
                                    languages=langs, house_ids=requested,
                                    max_sessions_per_day=int(row["max_sessions_per_day"]),
                                    active=YES[row["active"].lower()])


def import_therapists(raw: bytes, editor, scoped: list[Therapist], today: dt.date) -> tuple[int, int]:
    """Import therapists (all rows or none); return (added, updated)."""
    rows = read_rows(raw, THERAPIST_COLUMNS)
    by_id = {t.id: t for t in scoped}
    houses_by_code = {h.code: h for h in db.session.scalars(select(House))}
    checked, errors, seen = [], [], set()
    for line, row in rows:
        try:
            therapist, data = _therapist_row(row, editor, by_id, houses_by_code, seen)
        except Refused as error:
            errors.append((line, error))
            continue
        if therapist is not None:
            problems = session_problems(future_sessions(therapist, today), house_ids=data.house_ids,
                                        dimensions=data.dimensions, languages=data.languages,
                                        ranges=[(a.start, a.end) for a in therapist.availability],
                                        max_per_day=data.max_sessions_per_day, active=data.active)
            if problems:
                errors.append((line, Refused.many(problems)))  # said together, on her row
                continue
        checked.append((therapist, data))
    if errors:
        raise Refused("bad_rows", rows=errors)
    added = updated = 0
    for therapist, data in checked:
        if therapist is not None and _same(therapist, data):
            continue
        try:
            save_therapist(therapist, data, editor, today)
        except Refused as error:  # checked above; kept as a guard
            raise Refused("bad_rows", rows=[(0, error)]) from error
        added, updated = (added + 1, updated) if therapist is None else (added, updated + 1)
    return added, updated


def _same(t: Therapist, d: TherapistData) -> bool:
    return (t.name == d.name and t.kind == d.kind and set(t.dimensions) == set(d.dimensions)
            and (t.techniques or "") == d.techniques and list(t.languages) == list(dict.fromkeys(d.languages))
            and {h.id for h in t.houses} == d.house_ids and t.max_sessions_per_day == d.max_sessions_per_day
            and t.active == d.active)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refused("not_a_date", text=text[:20])


def import_availability(raw: bytes, scoped: list[Therapist], today: dt.date) -> tuple[int, int]:
    """Import availability ranges (all rows or none); return (added, updated)."""
    rows = read_rows(raw, AVAILABILITY_COLUMNS)
    therapists = {t.id: t for t in scoped}
    ranges = {t.id: {a.id: (a.start, a.end) for a in t.availability} for t in scoped}
    lines: dict[tuple[int, object], int] = {}
    errors, changes, seen = [], [], set()
    for number, (line, row) in enumerate(rows):
        try:
            aid, tid = _id(row["id"]), _id(row["therapist_id"])
            if tid is None or tid not in therapists:
                raise Refused("unknown_therapist", id=row["therapist_id"][:12])
            if aid is not None and aid not in ranges[tid]:
                raise Refused("unknown_range", id=aid)
            if aid is not None and aid in seen:
                raise Refused("id_twice", id=aid)
            start, end = _date(row["start"]), _date(row["end"])
            if range_problems(start, end):
                raise Refused.many(range_problems(start, end)[:1])
        except Refused as error:
            errors.append((line, error))
            continue
        key = aid if aid is not None else f"new{number}"
        seen.add(aid)
        ranges[tid][key] = (start, end)
        lines[(tid, key)] = line
        changes.append((tid, aid, start, end))
    for tid, keyed in ranges.items():
        errors += _range_errors(therapists[tid], keyed, lines, today)
    if errors:
        raise Refused("bad_rows", rows=sorted(errors, key=lambda error: error[0]))
    added = updated = 0
    for tid, aid, start, end in changes:
        if aid is None:
            therapists[tid].availability.append(Availability(start=start, end=end))
            added += 1
            continue
        row = next(a for a in therapists[tid].availability if a.id == aid)
        if (row.start, row.end) != (start, end):
            row.start, row.end = start, end
            updated += 1
    db.session.flush()
    return added, updated


def _range_errors(therapist: Therapist, keyed: dict, lines: dict, today: dt.date) -> list[tuple[int, Refused]]:
    """Overlaps among the final ranges of one therapist, and sessions left uncovered, by file line."""
    errors, said = [], set()
    items = sorted(keyed.items(), key=lambda kv: kv[1])
    reach = None  # the range seen so far that ends last: any later range starting by its end overlaps it
    for key_b, (s_b, e_b) in items:
        if reach is not None and s_b <= reach[1][1]:
            key_a, (s_a, e_a) = reach
            # Reported on the file's line, naming the range it meets.
            line_a, line_b = lines.get((therapist.id, key_a)), lines.get((therapist.id, key_b))
            line, (start, end) = (line_b, (s_a, e_a)) if line_b else (line_a, (s_b, e_b))
            if line and (line, start, end) not in said:
                said.add((line, start, end))
                errors.append((line, Refused("overlap_in_file", start=start.isoformat(), end=end.isoformat())))
        if reach is None or e_b > reach[1][1]:
            reach = (key_b, (s_b, e_b))
    changed = [line for (tid, _key), line in lines.items() if tid == therapist.id]
    if changed:
        final = list(keyed.values())
        lost = [s for s in future_sessions(therapist, today) if not covered(s.day, final)]
        if lost:
            errors.append((min(changed), Refused("sessions_uncovered",
                                                 days=", ".join(sorted({s.day.isoformat() for s in lost})))))
    return errors
