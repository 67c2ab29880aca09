"""Write audit rows: who read or exported what, and when, never the content."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent


def record(actor, action: str, *, target=None, defender_id: int | None = None, reason: str | None = None,
           **details) -> AuditEvent:
    """Add an audit row to the session (the request's commit writes it).

    `details` holds ids and counts only; callers never pass field values.
    `reason` (a person's words: why she looked) is stored encrypted, under the
    defender's own key, so it is destroyed with her data.
    """
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        defender_id=defender_id,
        details=details,
    )
    if reason:
        event.reason = reason
    db.session.add(event)
    return event
