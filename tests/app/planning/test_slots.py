"""Sessions have a time of day: the engine's slots reach the proposal, hand edits choose one and are refused
when they put a person in two places at once; the proposal shows how the work is shared."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProposedStay
from app.planning import bridge

from .test_proposal import proposal  # noqa: F401  (the fixture: a finished run, the coordinator logged in)


def programme(stay: ProposedStay) -> tuple:
    db.session.refresh(stay)
    return stay.version, tuple((s.dimension, s.day, s.slot, s.therapist_id) for s in stay.sessions)


def test_the_run_gives_every_session_a_time_and_nobody_is_in_two_places(proposal):  # noqa: F811
    run = proposal["run"]
    raw = json.loads(run.instance_json)
    assert raw["slots_per_day"] == 4  # the houses' default times: 09:30, 11:30, 16:00, 18:00
    sessions = [(stay, s) for stay in run.stays for s in stay.sessions]
    assert sessions
    assert not [k for k, n in Counter((s.therapist_id, s.day, s.slot) for _, s in sessions).items() if n > 1]
    assert not [k for k, n in Counter((stay.id, s.day, s.slot) for stay, s in sessions).items() if n > 1]
    instance = bridge.instance_from_json(run.instance_json)
    assert bridge.validate(instance, bridge.proposal_solution(run, instance)) == []


def _add(client, run, stay, lang=None, **fields):
    data = {"version": stay.version, **fields}
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions{query}", data=data)


@pytest.fixture
def freed(client, proposal):  # noqa: F811
    """The proposal with one emotional session of her stay removed, and a session of the same stay beside which
    an emotional session fits (its day has room): (run, stay, that session)."""
    run = proposal["run"]
    first = proposal["requests"][0]  # emotional 3, physical 2: a full programme
    stay = next((s for s in run.stays if first in s.requests), None)
    if stay is None:
        pytest.skip("the plan left her out")
    removed = next((s for s in stay.sessions if s.dimension == "emotional"), None)
    if removed is None:
        pytest.skip("the plan gave her no emotional session")
    response = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{removed.id}/remove",
                           data={"version": stay.version})
    assert response.status_code == 302, response.text
    db.session.refresh(stay)
    per_day = Counter(s.day for s in stay.sessions)
    beside = next((s for s in stay.sessions if per_day[s.day] == 1 and "emotional" in s.therapist.dimensions), None)
    if beside is None:
        pytest.skip("no day of her stay has room beside an emotional therapist's session")
    return run, stay, beside


def test_a_session_at_a_time_its_therapist_is_busy_is_refused_naming_her(client, freed):
    run, stay, beside = freed
    before = programme(stay)
    response = _add(client, run, stay, dimension="emotional", day=beside.day.isoformat(),
                    therapist=beside.therapist_id, slot=beside.slot)
    assert response.status_code == 400
    assert "Regla 11" in response.text and f"{beside.therapist.name} ya tiene una sesión a esa hora" in response.text
    assert "no se guardó" in response.text
    assert programme(stay) == before
    english = _add(client, run, stay, lang="en", dimension="emotional", day=beside.day.isoformat(),
                   therapist=beside.therapist_id, slot=beside.slot)
    assert english.status_code == 400
    assert "Rule 11" in english.text and f"{beside.therapist.name} already has a session at that time" in english.text


def test_the_same_session_at_a_free_time_is_saved(client, freed):
    run, stay, beside = freed
    busy = {s.slot for other in run.stays for s in other.sessions
            if s.day == beside.day and s.therapist_id == beside.therapist_id}
    free = next(n for n in range(4) if n not in busy and n != beside.slot)
    response = _add(client, run, stay, dimension="emotional", day=beside.day.isoformat(),
                    therapist=beside.therapist_id, slot=free)
    assert response.status_code == 302, response.text
    db.session.refresh(stay)
    assert ("emotional", beside.day, free, beside.therapist_id) in programme(stay)[1]


def test_the_time_field_offers_the_houses_times_and_refuses_others(client, proposal):  # noqa: F811
    run, stay = proposal["run"], proposal["stay"]
    therapist = stay.sessions[0].therapist_id
    stay.sessions.clear()  # a session still needed: the page offers to add one, at a time she picks
    db.session.commit()
    page = client.get(f"/planning/runs/{run.id}/stays/{stay.id}/edit").text
    for time in ("09:30", "11:30", "16:00", "18:00"):
        assert f">{time}</option>" in page
    before = programme(stay)
    response = _add(client, run, stay, dimension="emotional", day=stay.start.isoformat(), therapist=therapist, slot=9)
    assert response.status_code == 400 and programme(stay) == before


def test_the_proposal_shows_the_busiest_week_and_the_median(client, proposal):  # noqa: F811
    run = proposal["run"]
    instance = bridge.instance_from_json(run.instance_json)
    spread = bridge.proposal_spread(run, instance)
    weeks = Counter((s.therapist_id, s.day - dt.timedelta(days=s.day.weekday())) for st in run.stays for s in st.sessions)
    assert spread.top_week == max(weeks.values())
    page = client.get(f"/planning/runs/{run.id}").text
    assert "Semana más cargada de una terapeuta" in page and "Semana mediana de una terapeuta" in page
    busiest = instance.therapist_by_id[spread.top_therapist].name
    assert f'data-figure="top-week">{spread.top_week} ' in page and busiest in page
    median = f"{round(float(spread.median_week), 1):g}".replace(".", ",")
    assert f'data-figure="median-week">{median}<' in page


def test_a_weekly_cap_set_in_the_network_reaches_the_engine(client, proposal, settings, world, login):  # noqa: F811
    lucia = world["therapists"][1]
    login(world["coordinator"])
    form = {"name": lucia.name, "kind": lucia.kind, "dimensions": lucia.dimensions, "languages": lucia.languages,
            "houses": [h.id for h in lucia.houses], "max_sessions_per_day": 3, "active": "y",
            "version": lucia.version}
    refused = client.post(f"/network/{lucia.id}/edit", data={**form, "max_sessions_per_week": 2})
    assert refused.status_code == 400 and "al menos el máximo de sesiones al día" in refused.text
    saved = client.post(f"/network/{lucia.id}/edit", data={**form, "max_sessions_per_week": 5})
    assert saved.status_code == 302, saved.text
    db.session.refresh(lucia)
    assert lucia.max_sessions_per_week == 5
    therapists = {t["id"]: t for t in bridge.build_instance_dict(settings)["therapists"]}
    assert therapists[lucia.spec_id]["max_sessions_per_week"] == 5
    assert "max_sessions_per_week" not in therapists[world["therapists"][0].spec_id]
    assert "Máximo de sesiones a la semana" in client.get(f"/network/{lucia.id}").text


def test_a_swap_to_a_therapist_busy_at_that_time_moves_the_session_to_a_free_time(client, proposal):  # noqa: F811
    run = proposal["run"]
    pairs = [(x, y) for a in run.stays for b in run.stays if a.id != b.id and a.house_id == b.house_id
             for x in a.sessions for y in b.sessions
             if x.day == y.day and x.therapist_id != y.therapist_id and y.dimension in x.therapist.dimensions]
    if not pairs:
        pytest.skip("no two stays of a house have sessions on the same day")
    x, y = pairs[0]
    y.slot = x.slot  # set-up: her session at the time the other therapist is busy with another stay
    db.session.commit()
    stay = y.stay
    response = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{y.id}",
                           data={f"s{y.id}-version": stay.version, f"s{y.id}-therapist": x.therapist_id})
    assert response.status_code == 302, response.text
    db.session.refresh(y)
    assert y.therapist_id == x.therapist_id and y.slot != x.slot
    instance = bridge.instance_from_json(run.instance_json)
    assert not [v for v in bridge.validate(instance, bridge.proposal_solution(run, instance)) if v.rule == 11]


def test_published_stays_that_double_book_from_before_times_existed_do_not_block_a_run(world, settings):
    """Stays published by older versions gave times per stay (09:30, 11:30...), so a therapist could have two
    sessions at once: the next run keeps the first claim of each time and re-times the other, not INFEASIBLE."""
    from app.models import Session, Stay

    serena, rosa = world["houses"][0], world["therapists"][0]
    first, second = world["requests"][0], world["requests"][2]
    for req, start in ((first, settings.horizon_start), (second, settings.horizon_start + dt.timedelta(days=5))):
        stay = Stay(house_id=serena.id, start=start, end=start + dt.timedelta(days=9), type="individual")
        stay.sessions = [Session(dimension="emotional", day=settings.horizon_start + dt.timedelta(days=6), slot=0,
                                 therapist_id=rosa.id)]
        db.session.add(stay)
        db.session.flush()
        req.stay_id, req.status = stay.id, "published"
    db.session.commit()
    raw = bridge.build_instance_dict(settings)
    slots = [s.get("slot") for lock in raw["locked"] for s in lock["sessions"]]
    assert slots == [0, None]
    instance = bridge.build_instance(settings)
    solution = bridge.solve(instance, time_limit=2)
    assert solution.status != "INFEASIBLE", solution.problems
    assert bridge.validate(instance, solution) == []
