"""A hand edit that moves a proposed stay rebuilds its programme for the new dates (matching's programme step),
keeping the sessions that still fit; when the programme still falls short the saved page says so, and the
publishing confirmation warns about each stay with no sessions (issue 17)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.planning import bridge
from app.planning.bridge import Settings

from .test_proposal import plan

START = dt.date(2027, 2, 1)  # a Monday
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture
def moving(app, make_house, make_therapist, make_request, make_defender, make_user, client, login):
    """One woman needing three emotional sessions, one therapist free from 1 to 14 February for one session a day,
    and the proposal's stay of the woman, from 1 February with its three sessions."""
    serena = make_house(code="serena", name="Casa La Serena", arrival_weekdays=[0, 1, 2, 3, 4, 5, 6])
    rosa = make_therapist(name="Rosa Méndez", houses=[serena], available=[(START, START + 13 * ONE_DAY)],
                          dimensions=["emotional"], max_sessions_per_day=1)
    make_request(make_defender(alias="Ceiba"), earliest_start=START, latest_start=START + 40 * ONE_DAY,
                 needs={"emotional": 3})
    coordinator = make_user("coordinator")
    run = plan(coordinator, Settings(horizon_start=START, horizon_days=120))
    assert run.status == "done", run.error
    stay = run.stays[0]
    assert stay.start == START and len(stay.sessions) == 3
    login(coordinator)
    return {"run": run, "stay": stay, "rosa": rosa}


def _move(client, moving, start: dt.date, keep: bool):
    run, stay = moving["run"], moving["stay"]
    data = {"version": stay.version, "house": stay.house_id, "start": start.isoformat(), "type": stay.type}
    if keep:
        data["keep_programme"] = "y"
    response = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/edit", data=data, follow_redirects=True)
    db.session.refresh(stay)
    return response


def _holds(run) -> bool:
    db.session.refresh(run)
    instance = bridge.instance_from_json(run.instance_json)
    return not bridge.validate(instance, bridge.proposal_solution(run, instance))


def test_a_move_without_the_programme_gets_a_new_one_for_the_new_dates(client, moving):
    response = _move(client, moving, START + 2 * ONE_DAY, keep=False)
    assert response.status_code == 200
    assert len(moving["stay"].sessions) == 3
    assert all(START + 2 * ONE_DAY <= s.day for s in moving["stay"].sessions)
    assert "Todas las reglas se siguen cumpliendo." in response.text and _holds(moving["run"])


def test_a_move_keeps_the_sessions_that_still_fit_and_says_what_is_missing(client, moving):
    # From 12 February Rosa has three days left (12, 13, 14): sessions moved past the 14th are planned again.
    kept = [s.day + 11 * ONE_DAY for s in moving["stay"].sessions if s.day + 11 * ONE_DAY <= START + 13 * ONE_DAY]
    response = _move(client, moving, START + 11 * ONE_DAY, keep=True)
    days = sorted(s.day for s in moving["stay"].sessions)
    assert set(kept) <= set(days) and len(days) == 3 and max(days) <= START + 13 * ONE_DAY
    assert _holds(moving["run"]) and "Todas las reglas se siguen cumpliendo." in response.text


def test_a_move_where_she_would_get_fewer_sessions_says_so(client, moving):
    response = _move(client, moving, START + 13 * ONE_DAY, keep=True)  # Rosa's last free day
    assert len(moving["stay"].sessions) == 1 and _holds(moving["run"])
    assert "Todas las reglas se siguen cumpliendo." not in response.text
    assert "su programa tiene 1 sesión de las 3 que necesitan sus personas" in response.text


def test_a_move_with_no_therapist_free_saves_an_empty_programme_and_says_so(client, moving):
    response = _move(client, moving, START + 20 * ONE_DAY, keep=False)
    assert moving["stay"].start == START + 20 * ONE_DAY and moving["stay"].sessions == []
    assert "Todas las reglas se siguen cumpliendo." not in response.text
    assert "no tiene sesiones: ninguna terapeuta puede darlas en las nuevas fechas" in response.text


def test_the_publishing_confirmation_warns_about_a_stay_with_no_sessions(client, moving):
    run, stay = moving["run"], moving["stay"]
    _move(client, moving, START + 20 * ONE_DAY, keep=False)
    db.session.refresh(run)
    page = client.post(f"/offers/runs/{run.id}/confirm", data={"version": run.version, "stays": [stay.id]})
    assert page.status_code == 200
    assert "Esta estancia no tiene sesiones" in page.text
    assert "Individual, 21 feb 2027, Casa La Serena" in page.text


def test_the_publishing_confirmation_says_nothing_of_a_stay_with_its_sessions(client, moving):
    run, stay = moving["run"], moving["stay"]
    page = client.post(f"/offers/runs/{run.id}/confirm", data={"version": run.version, "stays": [stay.id]})
    assert page.status_code == 200 and "no tiene sesiones" not in page.text
