"""The living schedule tells people: a change or cancel reaches the women in the stay and the house team, a freed
place and a flagged stay reach the coordinators (notif)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import Closure, Notice, User

from .conftest import START


def _kinds_for(user) -> list[str]:
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))]


def test_cancel_sends_a_notif_to_her_and_to_the_house_team(client, login, make_user, sched):
    stay = sched["stay"]
    her = make_user("defender", defender=stay.requests[0].defender)
    login(sched["coordinator"])
    answer = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version),
                                                                    "reason": "Crisis de agua en la casa"})
    assert answer.status_code == 302
    assert _kinds_for(her) == ["cancelled"] and _kinds_for(sched["team"]) == ["cancelled"]
    notice = db.session.scalar(select(Notice).where(Notice.user_id == her.id))
    assert notice.link == f"/interviews/stays/{stay.id}" and "Crisis" not in (notice.link or "")


def test_a_no_show_sends_a_freed_place_notif_to_the_coordinators(client, login, sched, clock):
    stay = sched["stay"]
    clock(START)
    login(sched["team"])
    answer = client.post(f"/schedule/stays/{stay.id}/attendance", data={"version": str(stay.version),
                                                                        "status": "no_show"})
    assert answer.status_code in (302, 303), answer.text
    assert "freed" in _kinds_for(sched["coordinator"])


def test_a_closure_over_a_published_stay_flags_it_with_a_notif_to_the_coordinators(client, login, sched):
    login(sched["team"])
    data = {"start": (START + dt.timedelta(days=1)).isoformat(), "end": (START + dt.timedelta(days=2)).isoformat(),
            "reason": "repairs", "confirm_replan": "y"}
    assert client.post(f"/houses/{sched['serena'].id}/closures", data=data).status_code == 302
    assert db.session.scalar(select(Closure)) is not None
    assert _kinds_for(sched["coordinator"]) == ["flagged"]
    assert not _kinds_for(db.session.get(User, sched["team"].id))
