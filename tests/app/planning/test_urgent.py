"""Fitting an urgent case into the latest proposal: look (writes nothing), choose (a new proposal), publish."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, PlanningRun, ProposedStay, Stay, StayRequest
from app.planning import jobs, rules

from .conftest import START


def plan(user, settings, time_limit=2) -> PlanningRun:
    run = rules.start_run(user, settings, time_limit)
    run_id = run.id
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    return db.session.get(PlanningRun, run_id)


def counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (PlanningRun, ProposedStay, Stay,
                                                                                  AuditEvent))


@pytest.fixture
def urgent(world, settings, client, login, make_request, make_defender):
    """A proposal for the world's four requests, then a new defender at imminent risk who must come now."""
    run = plan(world["coordinator"], settings)
    assert run.status == "done", run.error
    req = make_request(make_defender(country="MX"), urgency=3, earliest_start=START,
                       latest_start=START + dt.timedelta(days=2), needs={"emotional": 3, "physical": 2})
    login(world["coordinator"])
    return {"run": run, "req": req, **world}


def look(client, urgent):
    return client.post(f"/planning/requests/{urgent['req'].id}/urgent/look", data={"run": urgent["run"].id})


def test_urgent_link_sits_in_the_queue_and_its_page_writes_nothing(client, urgent):
    queue = client.get("/planning/")
    assert f"/planning/requests/{urgent['req'].id}/urgent" in queue.text and "Encajar un caso urgente" in queue.text
    before = counts()
    page = client.get(f"/planning/requests/{urgent['req'].id}/urgent")
    assert page.status_code == 200
    assert urgent["req"].defender.alias in page.text and "Buscar lugares" in page.text
    assert counts() == before


def test_urgent_look_shows_options_side_by_side_and_writes_nothing(client, urgent):
    before = counts()
    response = look(client, urgent)
    assert response.status_code == 200, response.text
    assert counts() == before
    text = response.text
    assert "Opción 1" in text and "Proponer este lugar" in text
    assert "Cambio del objetivo" in text and "Lo que cuesta a las demás" in text and "Quién se movería" in text
    # aliases only: no name of a defender, no email
    for r in db.session.scalars(select(StayRequest)):
        assert r.defender.email not in text if getattr(r.defender, "email", None) else True


def test_urgent_fit_makes_a_new_proposal_that_places_her_and_can_be_published(client, urgent):
    req, run = urgent["req"], urgent["run"]
    page = look(client, urgent)
    assert page.status_code == 200
    import re

    start, house, kind = (re.search(rf'name="{name}"[^>]*value="([^"]+)"', page.text).group(1)
                          for name in ("start", "house", "type"))  # option 1, the best
    response = client.post(f"/planning/requests/{req.id}/urgent/fit",
                           data={"run": run.id, "version": run.version, "house": house, "type": kind,
                                 "start": start})
    assert response.status_code == 302, response.text
    new = db.session.scalar(select(PlanningRun).order_by(PlanningRun.id.desc()))
    assert new.id != run.id and new.status == "done" and new.hint_run_id == run.id
    assert response.headers["Location"].endswith(f"/planning/runs/{new.id}")
    mine = [s for s in new.stays if req in s.requests]
    assert len(mine) == 1 and mine[0].house.code == house and mine[0].start.isoformat() == start
    assert mine[0].sessions  # she has a programme
    assert new.progress["urgent"]["request"] == req.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "planning.urgent"))
    assert event is not None and event.target_id == new.id
    # every other request is still placed or explained
    placed = {r.id for s in new.stays for r in s.requests}
    explained = {u.request_id for u in new.unassigned}
    assert {r.id for r in urgent["requests"]} <= placed | explained

    shown = client.get(f"/planning/runs/{new.id}")
    assert shown.status_code == 200
    publish = client.post(f"/planning/runs/{new.id}/publish",
                          data={"version": new.version, "stays": [s.id for s in new.stays if s.status == "proposed"]})
    assert publish.status_code == 302, publish.text
    db.session.refresh(req)
    assert req.status == "published" and req.stay is not None and req.stay.start.isoformat() == start


def test_urgent_fit_with_an_old_form_changes_nothing(client, urgent):
    req, run = urgent["req"], urgent["run"]
    before = counts()
    response = client.post(f"/planning/requests/{req.id}/urgent/fit",
                           data={"run": run.id, "version": run.version + 7, "house": "serena", "type": "individual",
                                 "start": START.isoformat()})
    assert response.status_code == 409
    assert counts() == before


def test_urgent_fit_at_a_place_she_cannot_take_is_refused_in_her_language(client, urgent):
    req, run = urgent["req"], urgent["run"]
    before = counts()
    late = START + dt.timedelta(days=30)  # outside her window
    response = client.post(f"/planning/requests/{req.id}/urgent/fit",
                           data={"run": run.id, "version": run.version, "house": "serena", "type": "individual",
                                 "start": late.isoformat()})
    assert response.status_code == 400
    assert "Ese lugar ya no está libre" in response.text
    assert counts() == before


def test_urgent_for_a_request_already_in_the_proposal_says_so(client, urgent):
    placed = next(r for s in urgent["run"].stays for r in s.requests)
    before = counts()
    response = client.post(f"/planning/requests/{placed.id}/urgent/look", data={"run": urgent["run"].id})
    assert response.status_code == 400
    assert "Ya tiene un lugar en la propuesta" in response.text
    assert counts() == before


def test_urgent_for_an_unknown_request_is_404(client, urgent):
    assert client.get("/planning/requests/999999/urgent").status_code == 404
    assert client.post("/planning/requests/999999/urgent/look", data={"run": urgent["run"].id}).status_code == 404


def test_urgent_with_no_place_gives_the_reason(client, urgent, make_request, make_defender):
    barred = make_request(make_defender(country="MX", barred_countries=["MX", "HN"]), urgency=3,
                          earliest_start=START, latest_start=START + dt.timedelta(days=5))
    before = counts()
    response = client.post(f"/planning/requests/{barred.id}/urgent/look", data={"run": urgent["run"].id})
    assert response.status_code == 200
    assert "No se encuentra lugar para ella" in response.text
    assert counts() == before


def test_urgent_without_any_proposal_asks_for_a_run_first(client, world, login, make_request, make_defender):
    req = make_request(make_defender(country="MX"), urgency=3)
    login(world["coordinator"])
    response = client.get(f"/planning/requests/{req.id}/urgent")
    assert response.status_code == 200
    assert "Todavía no hay propuesta" in response.text


def test_urgent_is_for_coordinators_only(client, urgent, make_user, login, app):
    other = app.test_client()
    team = make_user("team")
    login(team, target=other)
    assert other.get(f"/planning/requests/{urgent['req'].id}/urgent").status_code in (403, 404)
    assert other.post(f"/planning/requests/{urgent['req'].id}/urgent/look",
                      data={"run": urgent["run"].id}).status_code in (403, 404)


def test_urgent_case_beyond_the_runs_horizon_is_still_fitted(client, urgent, make_request, make_defender, settings):
    late = settings.horizon_end + dt.timedelta(days=20)
    req = make_request(make_defender(country="MX"), urgency=3, earliest_start=late - dt.timedelta(days=2),
                       latest_start=late, needs={"emotional": 2})
    before = counts()
    response = client.post(f"/planning/requests/{req.id}/urgent/look", data={"run": urgent["run"].id})
    assert response.status_code == 200, response.text
    assert "Opción 1" in response.text
    assert counts() == before


def test_urgent_fit_drops_proposed_stays_that_no_longer_fit_beside_stays_published_since(
        client, urgent, make_stay):
    from app.planning import bridge

    serena = urgent["houses"][0]
    for _ in range(2):  # La Serena full (two stays at once) in the first days of the horizon
        make_stay(serena, START, length=12)
    page = look(client, urgent)
    assert page.status_code == 200, page.text
    assert "Opción 1" in page.text  # at La Siguata, or at La Serena once the published stays end
    import re

    start, house, kind = (re.search(rf'name="{name}"[^>]*value="([^"]+)"', page.text).group(1)
                          for name in ("start", "house", "type"))
    run = urgent["run"]
    response = client.post(f"/planning/requests/{urgent['req'].id}/urgent/fit",
                           data={"run": run.id, "version": run.version, "house": house, "type": kind, "start": start})
    assert response.status_code == 302, response.text
    new = db.session.scalar(select(PlanningRun).order_by(PlanningRun.id.desc()))
    instance = bridge.instance_from_json(new.instance_json)
    assert bridge.validate(instance, bridge.proposal_solution(new, instance)) == []
    assert sum(1 for s in new.stays if s.status == "published") == 2
