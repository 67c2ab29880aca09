"""A coordinator changes or cancels a published stay: checked by validate, recorded with old and new,
audited; a refusal (a broken rule, a race, a stay already ended) says why and changes nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Session, Stay, StayChange, StayRequest

START = dt.date(2027, 2, 1)


def _form(stay, **fields):
    data = {"version": str(stay.version), "house": str(stay.house_id), "start": stay.start.isoformat(),
            "type": stay.type, "keep": [str(r.id) for r in stay.requests], "add": "", "keep_programme": "y",
            "reason": ""}
    data.update(fields)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_change_of_a_published_stay_is_checked_recorded_and_shown_old_beside_new(client, login, sched):
    stay = sched["stay"]
    login(sched["coordinator"])
    page = client.get(f"/schedule/stays/{stay.id}")
    assert page.status_code == 200 and "Cambiar esta estancia" in page.text
    new_start = START + dt.timedelta(days=4)
    answer = client.post(f"/schedule/stays/{stay.id}/change", data=_form(stay, start=new_start.isoformat(),
                                                                           reason="Llega más tarde"))
    assert answer.status_code == 302, answer.text
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.start == new_start and stay.end == new_start + dt.timedelta(days=9)
    assert sorted(s.day for s in stay.sessions)[0] == START + dt.timedelta(days=4)  # the programme moved along
    change = db.session.scalar(select(StayChange).where(StayChange.stay_id == stay.id))
    assert change.kind == "change" and change.old["start"] == START.isoformat()
    assert change.new["start"] == new_start.isoformat() and change.reason == "Llega más tarde"
    assert change.people == [stay.requests[0].defender_id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stay.change")) is not None
    page = client.get(f"/schedule/stays/{stay.id}").text
    assert "Antes" in page and "Después" in page and "Llega más tarde" in page


def test_change_that_breaks_a_rule_is_refused_naming_the_rule_and_nothing_changes(client, login, sched, unchanged):
    stay = sched["stay"]
    login(sched["coordinator"])
    before = unchanged()
    late = START + dt.timedelta(days=40)  # past the last day she can start
    answer = client.post(f"/schedule/stays/{stay.id}/change", data=_form(stay, start=late.isoformat()))
    assert answer.status_code == 400
    assert "Regla 4" in answer.text
    assert unchanged() == before
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).start == START
    assert _count(StayChange) == 0 and _count(Session) == 3  # her three sessions, as they were


def test_change_to_a_house_she_cannot_enter_is_refused_with_the_rule(client, login, sched, make_defender):
    stay = sched["stay"]
    stay.requests[0].defender.barred_countries = ["HN"]
    db.session.commit()
    login(sched["coordinator"])
    answer = client.post(f"/schedule/stays/{stay.id}/change",
                         data=_form(stay, house=str(sched["siguata"].id), start=(START + dt.timedelta(days=14)).isoformat(),
                                    keep_programme=""))
    assert answer.status_code == 400 and "Regla 4" in answer.text
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).house_id == sched["serena"].id


def test_two_coordinators_changing_the_same_stay_the_second_is_told_and_changes_nothing(client, login, sched,
                                                                                         unchanged):
    stay = sched["stay"]
    seen = _form(stay)
    login(sched["coordinator"])
    first = client.post(f"/schedule/stays/{stay.id}/change", data=dict(seen, start=(START + dt.timedelta(days=1)).isoformat()))
    assert first.status_code == 302
    before = unchanged()
    second = client.post(f"/schedule/stays/{stay.id}/change", data=dict(seen, start=(START + dt.timedelta(days=2)).isoformat()))
    assert second.status_code == 409
    assert "Otra persona cambió esta estancia" in second.text
    assert unchanged() == before
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).start == START + dt.timedelta(days=1)
    assert _count(StayChange) == 1


def test_members_change_adds_a_queued_request_and_returns_a_removed_one(client, login, sched, make_stay):
    stay = sched["stay"]
    login(sched["coordinator"])
    waiting = sched["waiting"]
    old_req = stay.requests[0]
    answer = client.post(f"/schedule/stays/{stay.id}/change",
                         data=_form(stay, keep=[], add=str(waiting.id), keep_programme=""))
    assert answer.status_code == 302, answer.text
    db.session.expire_all()
    assert [r.id for r in db.session.get(Stay, stay.id).requests] == [waiting.id]
    assert db.session.get(StayRequest, old_req.id).status == "pending"
    assert db.session.get(StayRequest, waiting.id).status == "published"


def test_programme_change_replace_therapist_of_one_session_is_checked(client, login, sched):
    stay = sched["stay"]
    session = stay.sessions[0]
    login(sched["coordinator"])
    ok = client.post(f"/schedule/stays/{stay.id}/sessions/{session.id}",
                     data={f"s{session.id}-version": str(stay.version), f"s{session.id}-therapist": str(sched["lucia"].id)})
    assert ok.status_code == 302, ok.text
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert sorted(s.therapist_id for s in stay.sessions).count(sched["lucia"].id) == 1
    # Marta does not work at La Serena: rule 7, refused
    session = stay.sessions[0]
    sched["marta"].houses.append(sched["serena"])  # offered in the list, but she does not speak the language
    sched["marta"].languages = ["en"]
    db.session.commit()
    bad = client.post(f"/schedule/stays/{stay.id}/sessions/{session.id}",
                      data={f"s{session.id}-version": str(stay.version), f"s{session.id}-therapist": str(sched["marta"].id)})
    assert bad.status_code == 400 and "Regla 7" in bad.text
    version = stay.version
    removed = client.post(f"/schedule/stays/{stay.id}/sessions/{session.id}/remove", data={"version": str(version)})
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).version == version + 1  # a programme change counts once
    added = client.post(f"/schedule/stays/{stay.id}/sessions",
                        data={"version": str(version + 1), "dimension": "emotional",
                              "day": (START + dt.timedelta(days=5)).isoformat(), "therapist": str(sched["rosa"].id)})
    assert added.status_code == 302, added.text
    assert _count(StayChange) == 3


def test_cancel_with_a_reason_frees_the_place_and_returns_her_to_the_queue(client, login, sched):
    stay = sched["stay"]
    req_id = stay.requests[0].id
    login(sched["coordinator"])
    empty = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": " "})
    assert empty.status_code == 400 and "Indica el motivo" in empty.text
    answer = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version),
                                                                    "reason": "Crisis de agua en la casa"})
    assert answer.status_code == 302
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.cancelled_at is not None and stay.sessions == [] and stay.requests == []
    assert db.session.get(StayRequest, req_id).status == "pending"
    change = db.session.scalar(select(StayChange).where(StayChange.kind == "cancel"))
    assert change.old["requests"] == [req_id] and change.new["requests"] == []
    assert change.reason == "Crisis de agua en la casa"
    again = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": "x"})
    assert again.status_code == 400 and "ya se canceló" in again.text


def test_cancel_of_a_stay_that_already_ended_is_refused_and_changes_nothing(client, login, sched, clock, unchanged):
    stay = sched["stay"]
    clock(START + dt.timedelta(days=30))
    login(sched["coordinator"])
    before = unchanged()
    answer = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": "tarde"})
    assert answer.status_code == 400
    assert "ya terminó" in answer.text
    assert unchanged() == before
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).cancelled_at is None and _count(StayChange) == 0


def test_cancel_in_english_says_why_in_english(client, login, sched, clock):
    stay = sched["stay"]
    sched["coordinator"].locale = "en"
    db.session.commit()
    clock(START + dt.timedelta(days=30))
    login(sched["coordinator"])
    answer = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": "late"})
    assert answer.status_code == 400 and "already ended" in answer.text


def test_only_coordinators_change_and_a_team_sees_only_its_house(client, login, sched, make_user):
    login(sched["team"])
    assert client.get(f"/schedule/stays/{sched['stay'].id}").status_code == 200
    assert client.get(f"/schedule/stays/{sched['other'].id}").status_code == 404
    stay = sched["stay"]
    assert client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": "1", "reason": "x"}).status_code == 404
    assert client.post(f"/schedule/stays/{stay.id}/change", data=_form(stay)).status_code == 404


def test_the_edit_form_of_a_published_proposed_stay_leads_to_the_checked_change(client, login, sched):
    """Today's defect: the run's edit form opened on a published stay and saving always answered 409."""
    from app.models import PlanningRun, ProposedStay

    stay = sched["stay"]
    run = PlanningRun(status="published", horizon_start=START, horizon_days=60, instance_json="{}")
    proposed = ProposedStay(run=run, key="s1", house_id=stay.house_id, start=stay.start, end=stay.end, type=stay.type,
                            locked=True, status="published", published_stay_id=stay.id)
    db.session.add_all([run, proposed])
    db.session.commit()
    login(sched["coordinator"])
    for method in ("get", "post"):
        answer = getattr(client, method)(f"/planning/runs/{run.id}/stays/{proposed.id}/edit")
        assert answer.status_code == 303
        assert answer.headers["Location"].endswith(f"/schedule/stays/{stay.id}")


def test_moving_a_stay_to_another_house_without_its_programme_plans_a_new_one(client, login, sched):
    stay = sched["stay"]
    login(sched["coordinator"])
    new_start = START + dt.timedelta(days=14)
    answer = client.post(f"/schedule/stays/{stay.id}/change",
                         data=_form(stay, house=str(sched["siguata"].id), start=new_start.isoformat(),
                                    keep_programme=""))
    assert answer.status_code == 302, answer.text
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.house_id == sched["siguata"].id and stay.start == new_start
    assert stay.sessions, "matching's programme step planned her sessions at the new house"
    assert {s.therapist_id for s in stay.sessions} <= {sched["lucia"].id, sched["marta"].id}
    assert all(new_start <= s.day <= stay.end for s in stay.sessions)


def test_a_programme_change_times_its_sessions_once_and_writes_them_as_checked(sched, monkeypatch):
    """The check hands its timed stay to the writer: the sessions are timed (rule 11) once, not again on writing."""
    import matching.slots
    from app.schedule import rules as schedule_rules

    real, calls = matching.slots.assign_slots, []

    def counted(instance, stays):
        calls.append(stays[-1].id)
        return real(instance, stays)

    monkeypatch.setattr(matching.slots, "assign_slots", counted)
    stay = sched["stay"]
    sessions = [(s.day, s.dimension, s.therapist_id) for s in stay.sessions]
    sessions[0] = (sessions[0][0], sessions[0][1], sched["lucia"].id)
    schedule_rules.change_programme(sched["coordinator"], stay, sessions)
    assert calls == [f"p{stay.id}"]
    assert sorted((s.day, s.therapist_id) for s in stay.sessions) == sorted((d, t) for d, _dim, t in sessions)
