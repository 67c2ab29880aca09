"""The bridge: the database becomes an instance, a solution becomes a proposal and back, unchanged."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import PlanningRun, ProposedStay, Stay, StayRequest
from app.planning import bridge, rules

from .conftest import CHECKER, START


def check(tmp_path, instance, solution_data) -> dict:
    """Run the shared checker on an instance and a solution; return its JSON report."""
    if not CHECKER.exists():
        pytest.skip("the shared checker is not here")
    (tmp_path / "i.json").write_text(bridge.instance_json(instance))
    (tmp_path / "s.json").write_text(json.dumps(solution_data))
    out = subprocess.run([sys.executable, str(CHECKER), str(tmp_path / "i.json"), str(tmp_path / "s.json"), "--json",
                          "--require-slots"],
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def plan(user, settings, time_limit=2) -> PlanningRun:
    from app.planning import jobs

    run = rules.start_run(user, settings, time_limit)
    run_id = run.id
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    return db.session.get(PlanningRun, run_id)


def test_the_instance_speaks_the_spec_ids_and_carries_confirmed_needs(world, settings):
    instance = bridge.build_instance(settings)
    first = world["requests"][0]
    spec = instance.request_by_id[first.spec_id]
    assert spec.defenders == (first.defender.spec_id,)
    assert spec.needs["emotional"] == 3 and spec.needs["physical"] == 2 and spec.urgency == 3
    assert {h.id for h in instance.houses} == {"serena", "siguata"}
    assert {t.id for t in instance.therapists} == {t.spec_id for t in world["therapists"]}
    barred = instance.request_by_id[world["requests"][3].spec_id]
    assert barred.barred_countries == ("HN",)


def test_a_formed_collective_shares_languages_and_adds_restrictions(app, world, settings, make_defender,
                                                                     make_request):
    lead = make_defender(languages=["es", "zap"], barred_countries=["HN"])
    other = make_defender(languages=["es", "mix"], needs_accessible=True)
    third = make_defender(languages=["es", "zap"], barred_countries=["GT"])
    req = make_request(lead, stay_types=["collective"])
    req.members = [other, third]
    db.session.commit()
    spec = bridge.build_instance(settings).request_by_id[req.spec_id]
    assert spec.languages == ("es",)
    assert set(spec.barred_countries) == {"HN", "GT"}
    assert spec.accessible is True and len(spec.defenders) == 3


def test_round_trip_on_demo_data_is_accepted_by_the_checker(app, tmp_path, make_user):
    from app.demo import load_demo

    load_demo()
    db.session.commit()
    settings = bridge.Settings(horizon_start=dt.date.today(), horizon_days=182)
    instance = bridge.build_instance(settings)
    assert instance.requests and instance.houses and instance.therapists
    run = plan(make_user("coordinator"), settings, time_limit=3)
    assert run.status == "done", run.error
    back = bridge.proposal_solution(run)
    solved = json.loads(run.solution_json)
    assert sorted((s.house, s.start.isoformat(), s.type, s.requests) for s in back.stays) == sorted(
        (s["house"], s["start"], s["type"], tuple(s["requests"])) for s in solved["stays"])
    assert back.objective == run.objective == solved["objective"]
    assert not bridge.validate(instance, back)
    assert len(back.unassigned) == len(solved["unassigned"])
    report = check(tmp_path, bridge.instance_from_json(run.instance_json), bridge.solution_dict(run))
    assert report["feasible"], report
    assert report["objective"] == run.objective


def test_published_stays_are_locked_in_the_next_instance(world, settings):
    run = plan(world["coordinator"], settings)
    stay = run.stays[0]
    rules.publish(world["coordinator"], run, {stay.id})
    db.session.commit()
    instance = bridge.build_instance(settings)
    published = db.session.scalars(select(Stay)).one()
    locked = {s.id: s for s in instance.locked}
    assert set(locked) == {f"p{published.id}"}
    lock = locked[f"p{published.id}"]
    assert lock.start == stay.start and lock.house == stay.house.code
    assert lock.requests == tuple(r.spec_id for r in stay.requests)
    assert len(lock.sessions) == len(stay.sessions)


def test_a_published_stay_running_into_the_horizon_widens_it(world, settings):
    run = plan(world["coordinator"], settings)
    rules.publish(world["coordinator"], run, {s.id for s in run.stays})
    db.session.commit()
    first = min(s.start for s in db.session.scalars(select(Stay)))
    later = bridge.Settings(horizon_start=first + dt.timedelta(days=2), horizon_days=60)
    instance = bridge.build_instance(later)
    assert instance.horizon_start == first
    assert all(r.earliest_start >= later.horizon_start for r in instance.requests
               if r.id not in {x for s in instance.locked for x in s.requests})


def test_the_fingerprint_changes_with_the_data(world, settings):
    before = bridge.fingerprint(bridge.build_instance(settings))
    assert before == bridge.fingerprint(bridge.build_instance(settings))
    world["requests"][1].latest_start += dt.timedelta(days=1)
    db.session.commit()
    assert bridge.fingerprint(bridge.build_instance(settings)) != before


def test_a_withdrawn_request_leaves_the_instance(world, settings):
    req = world["requests"][2]
    req.status = "withdrawn"
    db.session.commit()
    assert req.spec_id not in bridge.build_instance(settings).request_by_id
