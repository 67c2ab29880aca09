"""Publishing asks first and offers each stay; she accepts or declines before the deadline; refusals change nothing."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Notice, Offer, Session, Stay, StayRequest
from app.offers import service
from app.planning import rules

from .conftest import START, TODAY


def confirm(client, run, stays=None):
    stays = [s.id for s in run.stays] if stays is None else stays
    return client.post(f"/offers/runs/{run.id}/confirm", data={"version": run.version, "stays": stays})


def publish(client, run, stays=None, deadline=None):
    stays = [s.id for s in run.stays if s.status == "proposed"] if stays is None else stays
    data = {"version": run.version, "stays": stays}
    if deadline is not None:
        data["deadline"] = deadline.isoformat()
    return client.post(f"/offers/runs/{run.id}/publish", data=data)


def counts() -> tuple:
    return (db.session.scalar(select(func.count(Stay.id))), db.session.scalar(select(func.count(Offer.id))),
            db.session.scalar(select(func.count(Notice.id))),
            tuple(db.session.execute(select(StayRequest.id, StayRequest.status, StayRequest.stay_id)
                                     .order_by(StayRequest.id)).all()))


def test_publishing_asks_for_confirmation_listing_the_stays_and_people_and_writes_nothing_yet(client, login, world, run):
    login(world["coordinator"])
    page = client.get(f"/planning/runs/{run.id}")
    assert f'action="/offers/runs/{run.id}/confirm' in page.text
    before = counts()
    response = confirm(client, run)
    assert response.status_code == 200
    assert "Publicar: confirma, por favor" in response.text
    for alias in ("Ceiba", "Jacaranda", "Guayacán"):
        assert alias in response.text
    assert "Afecta a 3 personas" in response.text
    assert counts() == before


def test_publish_offers_each_stay_with_the_deadline_and_tells_her(client, login, world, run):
    login(world["coordinator"])
    deadline = TODAY + dt.timedelta(days=5)
    response = publish(client, run, deadline=deadline)
    assert response.status_code == 302, response.text
    offers = db.session.scalars(select(Offer).order_by(Offer.id)).all()
    assert len(offers) == 3 and all(o.status == "open" for o in offers)
    for offer in offers:  # the chosen deadline, never later than 2 days before she arrives
        assert offer.deadline == min(deadline, offer.stay.start - dt.timedelta(days=2))
    ceiba, jacaranda = world["users"]
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notice))}
    assert (ceiba.id, "offered") in kinds and (jacaranda.id, "offered") in kinds
    assert (world["team"].id, "on_behalf") in kinds  # Guayacán has no account: her house team answers


def test_publish_default_deadline_is_seven_days(client, login, world, run):
    login(world["coordinator"])
    assert publish(client, run).status_code == 302
    for offer in db.session.scalars(select(Offer)):
        assert offer.deadline == min(TODAY + dt.timedelta(days=7), offer.stay.start - dt.timedelta(days=2))


def test_publish_with_a_deadline_in_the_past_is_refused_and_nothing_is_published(client, login, world, run):
    login(world["coordinator"])
    before = counts()
    response = publish(client, run, deadline=TODAY - dt.timedelta(days=1))
    assert response.status_code == 400
    assert "La fecha límite para responder no puede estar en el pasado" in response.text
    assert counts() == before
    db.session.refresh(run)
    assert run.status == "done" and all(s.status == "proposed" for s in run.stays)


def test_run_figures_are_kept_after_publishing(client, login, world, run):
    login(world["coordinator"])
    page = client.get(f"/planning/runs/{run.id}")
    served = re.search(r"<dt>Estancias nuevas</dt><dd>(\d+)</dd>", page.text).group(1)
    assert served == "3"
    assert publish(client, run).status_code == 302
    page = client.get(f"/planning/runs/{run.id}")
    assert re.search(r"<dt>Estancias nuevas</dt><dd>(\d+)</dd>", page.text).group(1) == "3"
    runs = client.get("/planning/runs")
    assert "3 estancias nuevas" in runs.text


def test_a_partly_published_run_publishes_its_remaining_stays_while_they_fit(client, login, world, run):
    login(world["coordinator"])
    first, *rest = sorted(run.stays, key=lambda s: s.id)
    assert publish(client, run, stays=[first.id]).status_code == 302
    db.session.refresh(run)
    assert run.status == "published"
    page = client.get(f"/planning/runs/{run.id}")
    assert f'action="/offers/runs/{run.id}/confirm' in page.text  # the rest can still be published
    assert publish(client, run, stays=[s.id for s in rest]).status_code == 302
    assert db.session.scalar(select(func.count(Stay.id))) == 3
    assert db.session.scalar(select(func.count(Offer.id))) == 3
    # nothing is left: publishing again is a conflict
    assert publish(client, run, stays=[first.id]).status_code == 409


def test_a_remaining_stay_that_no_longer_fits_is_refused_by_validate(client, login, world, run):
    login(world["coordinator"])
    first, second, _third = sorted(run.stays, key=lambda s: s.id)
    assert publish(client, run, stays=[first.id]).status_code == 302
    house = world["house"]
    house.beds = 0  # the house can take no one now
    db.session.commit()
    before = counts()
    response = publish(client, run, stays=[second.id])
    assert response.status_code == 400 and "Regla 6" in response.text
    assert counts() == before


# ------------------------------------------------------------------ answering

def published(client, login, world, run, deadline=None):
    login(world["coordinator"])
    assert publish(client, run, deadline=deadline).status_code == 302
    client.post("/logout")
    return {o.request.defender.alias: o for o in db.session.scalars(select(Offer))}


def test_she_can_accept_before_the_deadline(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    login(world["users"][0])
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200 and "Aceptar esta estancia" in page.text
    response = client.post(f"/offers/{offer.id}/accept", data={"version": offer.version})
    assert response.status_code == 302
    db.session.refresh(offer)
    assert offer.status == "accepted" and not offer.on_behalf and offer.answered_by_id == world["users"][0].id
    assert offer.request.status == "published" and offer.request.stay_id == offer.stay_id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "offer.accept")) is not None
    assert db.session.scalar(select(Notice).where(Notice.kind == "answered",
                                                  Notice.user_id == world["coordinator"].id)) is not None


def test_she_declines_with_a_reason_and_her_request_returns_to_the_queue_with_that_history(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Jacaranda"]
    stay = offer.stay
    assert stay.sessions
    login(world["users"][1])
    response = client.post(f"/offers/{offer.id}/decline", data={"version": offer.version, "reason": "Mi hija enfermó"})
    assert response.status_code == 302
    db.session.refresh(offer)
    db.session.refresh(stay)
    assert offer.status == "declined" and offer.reason == "Mi hija enfermó"
    req = offer.request
    assert req.status == "pending" and req.stay_id is None
    assert not stay.requests and not stay.sessions  # the place and its sessions are free
    assert db.session.scalar(select(Notice).where(Notice.kind == "freed")) is not None
    client.post("/logout")
    login(world["coordinator"])
    queue = client.get("/planning/")
    assert "Jacaranda" in queue.text and "Rechazó una estancia ofrecida el" in queue.text
    page = client.get(f"/offers/{offer.id}")
    assert "Mi hija enfermó" in page.text  # the coordination reads her reason


def test_accept_after_the_deadline_is_refused_and_nothing_changes(client, login, world, run, clock):
    offers = published(client, login, world, run, deadline=TODAY + dt.timedelta(days=3))
    offer = offers["Ceiba"]
    clock.day = offer.deadline + dt.timedelta(days=1)
    login(world["users"][0])
    page = client.get(f"/offers/{offer.id}")
    assert "Plazo vencido" in page.text and "Aceptar esta estancia" not in page.text
    before = counts()
    response = client.post(f"/offers/{offer.id}/accept", data={"version": offer.version})
    assert response.status_code == 400
    assert "El plazo para responder era el" in response.text
    assert counts() == before
    db.session.refresh(offer)
    assert offer.status == "open"  # a page never writes: the job marks it lapsed


def test_accept_on_the_deadline_day_is_still_accepted(client, login, world, run, clock):
    offers = published(client, login, world, run, deadline=TODAY + dt.timedelta(days=3))
    offer = offers["Ceiba"]
    clock.day = offer.deadline
    login(world["users"][0])
    assert client.post(f"/offers/{offer.id}/accept", data={"version": offer.version}).status_code == 302
    db.session.refresh(offer)
    assert offer.status == "accepted"


def test_two_answers_at_once_the_second_is_refused_and_changes_nothing(client, login, world, run, app):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    version = offer.version
    login(world["users"][0])
    other = app.test_client()  # her second tab, opened before she answered in the first
    login(world["users"][0], target=other)
    assert client.post(f"/offers/{offer.id}/accept", data={"version": version}).status_code == 302
    before = counts()
    late = other.post(f"/offers/{offer.id}/decline", data={"version": version, "reason": "no"})
    assert late.status_code == 409
    assert "Recarga la página" in late.text or "recarga la página" in late.text.lower()
    assert counts() == before
    db.session.refresh(offer)
    assert offer.status == "accepted"
    # and a second answer with a fresh page: her answer is already given, in words
    with_fresh = other.post(f"/offers/{offer.id}/decline", data={"version": offer.version, "reason": "no"})
    assert with_fresh.status_code == 400 and "Esta oferta ya se aceptó el" in with_fresh.text
    assert counts() == before


def test_two_answers_at_once_in_the_service_the_second_sees_the_first(world, run):
    rules.publish(world["coordinator"], run, {s.id for s in run.stays})
    db.session.commit()
    offer = db.session.scalar(select(Offer).join(Offer.request).where(StayRequest.defender_id == world["women"][0].id))
    service.answer(world["users"][0], offer, accept=True)
    db.session.commit()
    try:
        service.answer(world["users"][0], offer, accept=False, reason="")
    except rules.Refused as exc:
        assert exc.code == "already_accepted"
    else:
        raise AssertionError("a second answer was accepted")
    db.session.rollback()
    db.session.refresh(offer)
    assert offer.status == "accepted"


def test_the_house_team_accepts_on_behalf_of_an_assisted_defender_and_it_is_recorded(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Guayacán"]
    login(world["team"])
    listing = client.get("/offers/")
    assert "Guayacán" in listing.text and "Jacaranda" not in listing.text  # only women with no account
    page = client.get(f"/offers/{offer.id}")
    assert "respondes en su nombre" in page.text
    assert client.post(f"/offers/{offer.id}/accept", data={"version": offer.version}).status_code == 302
    db.session.refresh(offer)
    assert offer.status == "accepted" and offer.on_behalf and offer.answered_by_id == world["team"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "offer.accept"))
    assert event.details["on_behalf"] is True and event.actor_id == world["team"].id


def test_the_house_team_cannot_answer_for_a_defender_who_has_an_account(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    login(world["team"])
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200 and "Aceptar esta estancia" not in page.text
    before = counts()
    assert client.post(f"/offers/{offer.id}/decline", data={"version": offer.version}).status_code == 404
    assert counts() == before


def test_another_defender_cannot_see_or_answer_her_offer(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    login(world["users"][1])
    assert client.get(f"/offers/{offer.id}").status_code == 404
    before = counts()
    assert client.post(f"/offers/{offer.id}/accept", data={"version": offer.version}).status_code == 404
    assert counts() == before


def test_an_answer_without_csrf_is_refused(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    login(world["users"][0])
    before = counts()
    assert client.post(f"/offers/{offer.id}/accept", data={"version": offer.version}, csrf=False).status_code == 400
    assert counts() == before


# ------------------------------------------------------------------ lapsing

def test_a_lapsed_deadline_frees_the_place_and_returns_her_request_by_the_job(client, login, world, run, clock, runner):
    offers = published(client, login, world, run, deadline=TODAY + dt.timedelta(days=2))
    clock.day = TODAY + dt.timedelta(days=3)
    login(world["users"][0])
    client.get(f"/offers/{offers['Ceiba'].id}")  # reading never writes
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.status == "lapsed")) == 0
    db.session.commit()
    result = runner.invoke(args=["offers", "lapse"])
    assert result.exit_code == 0, result.output
    assert "lapsed 3" in result.output
    db.session.expire_all()
    for offer in db.session.scalars(select(Offer)):
        assert offer.status == "lapsed"
        assert offer.request.status == "pending" and offer.request.stay_id is None
    again = runner.invoke(args=["offers", "lapse"])
    assert "lapsed 0" in again.output


def test_a_near_deadline_warns_her_once(client, login, world, run, clock, runner):
    offers = published(client, login, world, run, deadline=TODAY + dt.timedelta(days=5))
    clock.day = TODAY + dt.timedelta(days=4)
    db.session.commit()
    assert "warned 3" in runner.invoke(args=["offers", "lapse"]).output
    assert "warned 0" in runner.invoke(args=["offers", "lapse"]).output
    ceiba = world["users"][0]
    assert db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == ceiba.id,
                                                                 Notice.kind == "deadline")) == 1
    assert offers


# ------------------------------------------------------------------ withdrawing ("despublicar")

def test_unpublish_a_stay_she_has_not_answered_with_a_reason(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    stay = offer.stay
    login(world["coordinator"])
    assert client.get(f"/offers/stays/{stay.id}/unpublish").status_code == 200
    missing = client.post(f"/offers/stays/{stay.id}/unpublish", data={"version": stay.version, "reason": " "})
    assert missing.status_code == 400 and "Escribe el motivo" in missing.text
    response = client.post(f"/offers/stays/{stay.id}/unpublish",
                           data={"version": stay.version, "reason": "La casa pierde el agua esa semana"})
    assert response.status_code == 302
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.status == "withdrawn" and offer.request.status == "pending"
    assert not offer.stay.requests and not offer.stay.sessions
    assert db.session.scalar(select(Notice).where(Notice.kind == "cancelled",
                                                  Notice.user_id == world["users"][0].id)) is not None
    db.session.refresh(run)
    assert any(s.status == "proposed" for s in run.stays)  # back in the proposal, to publish again


def test_unpublishing_an_answered_stay_is_refused_and_nothing_changes(client, login, world, run):
    offers = published(client, login, world, run)
    offer = offers["Ceiba"]
    login(world["users"][0])
    client.post(f"/offers/{offer.id}/accept", data={"version": offer.version})
    client.post("/logout")
    login(world["coordinator"])
    stay = db.session.get(Stay, offer.stay_id)
    before = counts()
    sessions = db.session.scalar(select(func.count(Session.id)))
    response = client.post(f"/offers/stays/{stay.id}/unpublish", data={"version": stay.version, "reason": "por si"})
    assert response.status_code == 400
    assert "Ella ya aceptó esta estancia, así que no se puede despublicar" in response.text
    assert counts() == before and db.session.scalar(select(func.count(Session.id))) == sessions


def test_unpublish_is_for_coordinators_only(client, login, world, run):
    offers = published(client, login, world, run)
    stay = offers["Ceiba"].stay
    login(world["team"])
    assert client.get(f"/offers/stays/{stay.id}/unpublish").status_code == 404
    assert client.post(f"/offers/stays/{stay.id}/unpublish",
                       data={"version": stay.version, "reason": "x"}).status_code == 404


def test_the_english_messages_too(client, login, world, run, clock):
    offers = published(client, login, world, run, deadline=TODAY + dt.timedelta(days=3))
    offer = offers["Ceiba"]
    clock.day = offer.deadline + dt.timedelta(days=1)
    login(world["users"][0])
    client.get("/offers/?lang=en")
    response = client.post(f"/offers/{offer.id}/accept", data={"version": offer.version})
    assert response.status_code == 400 and "The deadline to answer was" in response.text


def test_start_is_a_monday():
    assert START.weekday() == 0


def test_decline_from_a_collective_flags_the_stay_for_the_others_and_tells_the_coordinators(
        app, make_house, make_stay, make_user):
    house = make_house(collective_min=2)
    stay = make_stay(house, START, type="collective", defenders=3)
    coordinator = make_user("coordinator")
    with app.test_request_context():
        offers = service.make_offers(coordinator, [stay], None)
        db.session.commit()
        first = offers[0]
        her = make_user("defender", defender=first.request.defender)
        service.answer(her, first, accept=False, reason="")
        db.session.commit()
    db.session.refresh(stay)
    assert len(stay.requests) == 2 and stay.needs_replan and "left the stay" in stay.replan_reason
    kinds = {n.kind for n in db.session.scalars(select(Notice).where(Notice.user_id == coordinator.id))}
    assert {"flagged", "freed"} <= kinds
