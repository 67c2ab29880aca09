"""Offers: each woman in a published stay accepts or declines it before a deadline.

Plain functions that flush; the view (or the CLI) commits once. A refusal raises
`app.refusals.Refused` (a code the view words from `app.offers.messages`, HTTP 400) before anything changed.

- `make_offers` (called by publishing) opens one offer per request of each new stay;
- `answer` records her answer, or her house team's on her behalf when she has no account;
- a decline, a lapsed deadline (`lapse_due`, run by the job runner and `flask offers lapse`) or a
  coordinator's `unpublish` frees her place: her request goes back to the queue, and the offer row
  stays as its history.
"""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Offer, ProposedStay, Stay, StayRequest, local_today, utcnow
from app.notices.service import accounts_of, coordinators, house_team, notify
from app.refusals import Refused
from app.security import audit

DEFAULT_DAYS = 7
BEFORE_ARRIVAL = 2  # the deadline falls at least this many days before she arrives
WARN_DAYS = 2  # "deadline near" when this many days or fewer are left
OPEN = "open"


def default_deadline(today: dt.date | None = None) -> dt.date:
    return (today or local_today()) + dt.timedelta(days=DEFAULT_DAYS)


def check_deadline(deadline: dt.date | None, today: dt.date) -> dt.date:
    """The deadline the coordinator chose (7 days from today when she left it empty); a past one is refused."""
    if deadline is None:
        return default_deadline(today)
    if deadline < today:
        raise Refused("deadline_past", "deadline", today=today)
    return deadline


def deadline_for(stay_start: dt.date, chosen: dt.date, today: dt.date) -> dt.date:
    """A stay's own deadline: the chosen one, but at least two days before she arrives
    (today when she arrives sooner than that: she can still answer today)."""
    return max(today, min(chosen, stay_start - dt.timedelta(days=BEFORE_ARRIVAL)))


def _link(offer: Offer) -> str:
    return url_for("offers.show", offer_id=offer.id, _external=False)


def make_offers(user, stays: list[Stay], deadline: dt.date | None, today: dt.date | None = None) -> list[Offer]:
    """Open an offer for each request of each newly published stay, and tell her (or her house team)."""
    today = today or local_today()
    chosen = check_deadline(deadline, today)
    offers = []
    for stay in stays:
        for req in stay.requests:
            offer = Offer(stay_id=stay.id, request_id=req.id, status=OPEN, offered_by_id=getattr(user, "id", None),
                          deadline=deadline_for(stay.start, chosen, today))
            db.session.add(offer)
            offers.append(offer)
    db.session.flush()
    for offer in offers:
        req = offer.request
        people = accounts_of(req)
        if people:
            notify(people, "offered", target=offer, link=_link(offer))
        else:
            notify(house_team(offer.stay.house_id), "on_behalf", target=offer, link=_link(offer))
    return offers


# ------------------------------------------------------------------ who answers

def answers_for_herself(user, offer: Offer) -> bool:
    return (getattr(user, "role", None) == "defender" and user.defender_id is not None
            and user.defender_id == offer.request.defender_id)


def answers_on_behalf(user, offer: Offer) -> bool:
    """Her house team answers for an assisted defender who has no account."""
    return (getattr(user, "role", None) == "team" and user.house_id == offer.stay.house_id
            and not accounts_of(offer.request))


def may_answer(user, offer: Offer) -> bool:
    return answers_for_herself(user, offer) or answers_on_behalf(user, offer)


# ------------------------------------------------------------------ answering

def _locked(offer: Offer) -> Offer:
    """Re-read the offer under a row lock, so two people answering at once are served one after the other."""
    db.session.execute(select(Offer.id).where(Offer.id == offer.id).with_for_update())
    db.session.refresh(offer)
    return offer


def _already(offer: Offer) -> Refused:
    if offer.status == "accepted":
        return Refused("already_accepted", day=offer.answered_at.date())
    if offer.status == "declined":
        return Refused("already_declined", day=offer.answered_at.date())
    if offer.status == "lapsed":
        return Refused("lapsed", day=offer.deadline)
    return Refused("withdrawn")


def answer(user, offer: Offer, *, accept: bool, reason: str = "", today: dt.date | None = None) -> None:
    """Her answer (or her house team's on her behalf): accepted, or declined and her place freed."""
    today = today or local_today()
    on_behalf = not answers_for_herself(user, offer)
    if on_behalf and not answers_on_behalf(user, offer):
        raise Refused("not_hers")
    _locked(offer)
    if offer.status != OPEN:
        raise _already(offer)
    if today > offer.deadline:
        raise Refused("deadline_passed", day=offer.deadline)
    offer.status = "accepted" if accept else "declined"
    offer.answered_at = utcnow()
    offer.answered_by_id = user.id
    offer.on_behalf = on_behalf
    offer.reason = (reason or "").strip()[:2000] if not accept else ""
    audit.record(user, "offer.accept" if accept else "offer.decline", target=offer,
                 defender_id=offer.request.defender_id, on_behalf=on_behalf, stay=offer.stay_id)
    if accept:
        notify(coordinators(), "answered", target=offer, link=url_for("offers.index"))
    else:
        _free(offer)
    db.session.flush()


def _free(offer: Offer) -> None:
    """Her place is free again: her request back in the queue; the stay flagged if others remain."""
    req, stay = offer.request, offer.stay
    req.stay = None
    req.status = "pending"
    db.session.flush()
    db.session.refresh(stay)
    if stay.requests:
        stay.needs_replan = True
        stay.replan_reason = f"request r{req.id} left the stay (offer {offer.status})"
        notify(coordinators(), "flagged", target=stay, link=url_for("main.home"))
    else:
        stay.sessions.clear()  # the therapists' sessions are free again too
    notify(coordinators(), "freed", target=stay, link=url_for("planning.queue"))


# ------------------------------------------------------------------ the job: lapsed deadlines, near deadlines

def lapse_due(today: dt.date | None = None) -> int:
    """Mark every open offer whose deadline has passed as lapsed, freeing the place. Returns how many."""
    today = today or local_today()
    ids = list(db.session.scalars(select(Offer.id).where(Offer.status == OPEN, Offer.deadline < today)
                                  .order_by(Offer.id)))
    count = 0
    for offer_id in ids:
        offer = _locked(db.session.get(Offer, offer_id))
        if offer.status != OPEN or not offer.deadline < today:
            continue
        offer.status = "lapsed"
        audit.record(None, "offer.lapse", target=offer, defender_id=offer.request.defender_id, stay=offer.stay_id)
        _free(offer)
        count += 1
    db.session.flush()
    return count


def warn_near(today: dt.date | None = None) -> int:
    """Tell her (or her house team) once when two days or fewer are left to answer."""
    today = today or local_today()
    rows = list(db.session.scalars(select(Offer).where(
        Offer.status == OPEN, Offer.warned_at.is_(None), Offer.deadline >= today,
        Offer.deadline <= today + dt.timedelta(days=WARN_DAYS)).order_by(Offer.id)))
    for offer in rows:
        people = accounts_of(offer.request) or house_team(offer.stay.house_id)
        notify(people, "deadline", target=offer, link=_link(offer))
        offer.warned_at = utcnow()
    db.session.flush()
    return len(rows)


# ------------------------------------------------------------------ withdrawing a stay nobody answered

def unpublish(user, stay: Stay, reason: str) -> None:
    """Take back a published stay none of its women has answered yet ("despublicar"), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("withdraw_reason_missing", "reason")
    db.session.execute(select(Stay.id).where(Stay.id == stay.id).with_for_update())
    offers = list(db.session.scalars(select(Offer).where(Offer.stay_id == stay.id).with_for_update()))
    for offer in offers:
        db.session.refresh(offer)
    current = [o for o in offers if o.request.stay_id == stay.id]
    answered = [o for o in current if o.status != OPEN]
    if answered or not current:
        if answered and answered[0].status == "accepted":
            raise Refused("accepted_cannot_withdraw")
        raise Refused("answered_cannot_withdraw")
    people = [u for o in current for u in accounts_of(o.request)]
    for offer in current:
        offer.status = "withdrawn"
        offer.reason = reason[:2000]
        offer.answered_at = utcnow()
        offer.answered_by_id = user.id
        req = offer.request
        req.stay = None
        req.status = "pending"
    stay.sessions.clear()
    for proposed in db.session.scalars(select(ProposedStay).where(ProposedStay.published_stay_id == stay.id)):
        proposed.status = "proposed"  # back in its run's proposal, to publish again while it still fits
        proposed.published_stay_id = None
    audit.record(user, "offer.unpublish", target=stay, offers=[o.id for o in current])
    notify(people, "cancelled", target=stay, link=url_for("interviews.mine"))
    db.session.flush()


def withdrawable(stay: Stay) -> bool:
    offers = [o for o in db.session.scalars(select(Offer).where(Offer.stay_id == stay.id))
              if o.request.stay_id == stay.id]
    return bool(offers) and all(o.status == OPEN for o in offers)


def history(request_ids) -> dict[int, list[Offer]]:
    """Every offer each request had, newest first: what her request carries back into the queue."""
    ids = list(request_ids)
    out: dict[int, list[Offer]] = {i: [] for i in ids}
    if ids:
        for offer in db.session.scalars(select(Offer).where(Offer.request_id.in_(ids)).order_by(Offer.id.desc())):
            out[offer.request_id].append(offer)
    return out


def offers_of(user) -> list[Offer]:
    """Her offers (defender), or the offers her house team answers for assisted women (team)."""
    if user.role == "defender":
        return list(db.session.scalars(select(Offer).join(Offer.request)
                                       .where(StayRequest.defender_id == user.defender_id)
                                       .order_by(Offer.id.desc())))
    if user.role == "team":
        rows = db.session.scalars(select(Offer).join(Offer.stay).where(Stay.house_id == user.house_id)
                                  .order_by(Offer.id.desc()))
        return [o for o in rows if answers_on_behalf(user, o)]
    return list(db.session.scalars(select(Offer).order_by(Offer.id.desc()).limit(500)))


