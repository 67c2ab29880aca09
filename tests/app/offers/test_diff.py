"""The per-stay diff: added, moved (from -> to), changed programme, removed; between a proposal and the
published schedule, and between two runs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import ProposedSession, Stay
from app.offers import diff
from app.planning import rules

from .conftest import START


def side(requests, house="Casa A", start=START, type="individual", sessions=()):
    return diff.Side(frozenset(requests), house, start, start + dt.timedelta(days=9), type, frozenset(sessions),
                     tuple(f"r{r}" for r in requests))


def test_diff_rows_added_moved_programme_removed():
    session = (START, "emotional", 1)
    before = [side({1}), side({2}, sessions=[session]), side({3}), side({4})]
    after = [side({1}), side({2}), side({3}, house="Casa B"), side({5})]
    rows, same = diff.compare(before, after)
    assert same == 1
    kinds = {(r.kind, tuple(sorted((r.after or r.before).requests))) for r in rows}
    assert kinds == {("programme", (2,)), ("moved", (3,)), ("added", (5,)), ("removed", (4,))}
    moved = next(r for r in rows if r.kind == "moved")
    assert (moved.before.house, moved.after.house) == ("Casa A", "Casa B") and not moved.programme_changed


def test_diff_a_collective_whose_members_changed_is_the_same_stay_moved():
    rows, same = diff.compare([side({1, 2, 3}, type="collective")],
                              [side({1, 2}, type="collective", start=START + dt.timedelta(days=7))])
    assert same == 0 and [r.kind for r in rows] == ["moved"]


def test_diff_page_between_a_proposal_and_the_published_schedule(client, login, world, run):
    login(world["coordinator"])
    page = client.get("/offers/diff", query_string={"before": "published", "after": f"run-{run.id}"})
    assert page.status_code == 200
    assert page.text.count('data-kind="added"') == 3 and "Ceiba" in page.text
    first = sorted(run.stays, key=lambda s: s.id)[0]
    rules.publish(world["coordinator"], run, {first.id})
    db.session.commit()
    page = client.get("/offers/diff", query_string={"before": "published", "after": f"run-{run.id}"})
    assert page.text.count('data-kind="added"') == 2 and "1 estancia es igual en ambos" in page.text


def test_diff_page_between_two_runs_shows_a_moved_stay_and_a_changed_programme(client, login, world, run):
    from .conftest import plan
    from app.planning.bridge import Settings

    second = plan(world["coordinator"], Settings(horizon_start=START, horizon_days=90))
    assert second.status == "done"
    a, b = sorted(second.stays, key=lambda s: s.id)[:2]
    a.start, a.end = a.start + dt.timedelta(days=1), a.end + dt.timedelta(days=1)  # a hand edit moved it
    for s in a.sessions:
        s.day = s.day + dt.timedelta(days=1)
    b.sessions.append(ProposedSession(dimension="mental", day=b.start, slot=5, therapist_id=b.sessions[0].therapist_id
                                      if b.sessions else 1))
    db.session.commit()
    login(world["coordinator"])
    page = client.get("/offers/diff", query_string={"before": f"run-{run.id}", "after": f"run-{second.id}"})
    assert page.status_code == 200
    assert 'data-kind="moved"' in page.text and "→" in page.text
    assert 'data-kind="programme"' in page.text or "programa cambiado" in page.text


def test_diff_page_refuses_the_same_schedule_twice_and_unknown_ones(client, login, world, run):
    login(world["coordinator"])
    same = client.get("/offers/diff", query_string={"before": f"run-{run.id}", "after": f"run-{run.id}"})
    assert same.status_code == 400 and "Elige dos calendarios distintos" in same.text
    unknown = client.get("/offers/diff", query_string={"before": "run-999999", "after": "published"})
    assert unknown.status_code == 400
    assert client.get("/offers/diff").status_code == 200


def test_diff_page_is_for_coordinators(client, login, world, run):
    login(world["users"][0])
    assert client.get("/offers/diff").status_code == 404
    assert db.session.scalars(select(Stay)).all() == []
