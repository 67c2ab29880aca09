"""The one door every change of a published stay goes through.

`record_change` writes the change record (old and new side by side) and the
audit row; notices (app/notices) hook in here, so whoever changes a stay,
the people it touches are told.
"""
from __future__ import annotations

from app.extensions import db
from app.models import Stay, StayChange
from app.notices import service as notices
from app.security import audit

def snapshot(stay: Stay) -> dict:
    """What people rely on in a stay: house, dates, type, requests, sessions (ids and dates only)."""
    return {
        "house": stay.house_id, "start": stay.start.isoformat(), "end": stay.end.isoformat(), "type": stay.type,
        "requests": [r.id for r in stay.requests],
        "sessions": [{"day": s.day.isoformat(), "dimension": s.dimension, "therapist": s.therapist_id}
                     for s in sorted(stay.sessions, key=lambda s: (s.day, s.slot, s.id or 0))],
        "cancelled": stay.cancelled_at is not None,
        "released_from": stay.released_from.isoformat() if stay.released_from else None,
    }


def people_of(*snapshots: dict | None, extra=()) -> list[int]:
    """The defenders of the requests in these snapshots (for notices)."""
    from app.models import StayRequest

    ids = {rid for snap in snapshots if snap for rid in snap.get("requests", [])}
    out = set(extra)
    for rid in ids:
        req = db.session.get(StayRequest, rid)
        if req is not None:
            out |= {d.id for d in req.all_defenders if d is not None}
    return sorted(out)


def record_change(actor, stay: Stay, kind: str, old: dict | None, new: dict | None, *, reason: str = "",
                  run_id: int | None = None) -> StayChange:
    """Record one checked change of `stay` and audit it (flushes; the request commits)."""
    change = StayChange(stay_id=stay.id, actor_id=getattr(actor, "id", None), kind=kind, reason=reason or "",
                        old=old, new=new, people=people_of(old, new), run_id=run_id)
    db.session.add(change)
    db.session.flush()
    audit.record(actor, f"stay.{kind}", target=stay, change=change.id)
    notices.stay_changed(change, stay)
    return change
