"""The demo data: what a person trying Respiro, and every browser journey, relies on."""
from __future__ import annotations

import datetime as dt
import importlib.util
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from app.demo import (
    ADMIN_EMAIL, COORDINATOR_EMAIL, DEFENDER_EMAIL, DEMO_PASSWORD, TEAM_EMAILS, load_demo, reference_date,
)
from app.extensions import db
from app.models import (
    REQUEST_STATUSES, DiagnosticInterview, House, Session, Stay, StayRequest, Therapist, User, Defender,
)

PINNED = dt.date(2027, 2, 17)


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    out = {}
    for table in db.metadata.sorted_tables:
        query = table.select().order_by(*table.primary_key.columns)
        out[table.name] = [tuple(row) for row in db.session.execute(query)]
    return out


def _content() -> list:
    """What a person sees of the demo, independent of random uids, ciphertexts and row ids."""
    stays = db.session.scalars(select(Stay).order_by(Stay.start, Stay.house_id)).all()
    return [
        [(d.alias, d.country, d.languages, d.barred_countries, d.real_name)
         for d in db.session.scalars(select(Defender).order_by(Defender.id))],
        [(r.defender.alias, r.status, r.stay_types, r.earliest_start, r.latest_start, r.urgency)
         for r in db.session.scalars(select(StayRequest).order_by(StayRequest.id))],
        [(s.house.code, s.start, s.type, [r.defender.alias for r in s.requests],
          [(x.day, x.dimension, x.therapist.name) for x in s.sessions]) for s in stays],
    ]


def _wipe() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_running_the_demo_twice_gives_the_same_database(app):
    load_demo(today=PINNED)
    db.session.commit()
    first = _snapshot()
    logins = load_demo(today=PINNED)
    db.session.commit()
    assert _snapshot() == first
    assert len(logins) == 5


def test_the_demo_is_the_same_every_time_it_is_loaded_in_a_given_month(app):
    load_demo(today=PINNED)
    db.session.commit()
    first = _content()
    _wipe()
    load_demo(today=PINNED + dt.timedelta(days=5))  # same month, same reference day
    db.session.commit()
    assert _content() == first


def test_dates_are_relative_to_the_monday_before_the_first_of_the_month():
    assert reference_date(dt.date(2027, 4, 15)) == dt.date(2027, 3, 29)  # 1 April is a Thursday
    assert reference_date(dt.date(2027, 3, 1)) == dt.date(2027, 3, 1)  # a Monday
    assert all(reference_date(dt.date(2027, m, 28)).weekday() == 0 for m in range(1, 13))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_demo_has_two_houses_a_network_defenders_and_requests_in_every_status(app):
    load_demo(today=PINNED)
    db.session.commit()
    houses = {h.code: h for h in db.session.scalars(select(House))}
    assert set(houses) == {"serena", "siguata"}
    assert houses["serena"].name == "Casa La Serena" and houses["serena"].country == "MX"
    assert houses["siguata"].name == "Casa La Siguata" and houses["siguata"].country == "HN"
    assert {c.reason for h in houses.values() for c in h.closures} == {"water", "rest"}
    assert 25 <= _count(Therapist) <= 35
    assert 70 <= _count(Defender) <= 90
    assert {d.country for d in db.session.scalars(select(Defender))} == {"MX", "HN", "SV", "GT", "NI"}
    for status in REQUEST_STATUSES:
        assert _count(StayRequest, StayRequest.status == status) > 0, status
    assert _count(StayRequest, StayRequest.status == "pending", StayRequest.urgency == 3) >= 2
    assert _count(StayRequest, StayRequest.companions > 0) >= 2
    assert any(r.members for r in db.session.scalars(select(StayRequest)))
    assert _count(Stay) >= 8 and _count(Session) > 0
    published = db.session.scalars(select(StayRequest).where(StayRequest.status == "published")).all()
    assert all(r.stay_id for r in published)


def test_every_role_has_a_demo_login_with_the_demo_password(app, client):
    from app.security.passwords import password_problem

    assert password_problem(DEMO_PASSWORD) is None
    load_demo(today=PINNED)
    db.session.commit()
    roles = {u.email: u.role for u in db.session.scalars(select(User))}
    assert roles == {DEFENDER_EMAIL: "defender", TEAM_EMAILS["serena"]: "team", TEAM_EMAILS["siguata"]: "team",
                     COORDINATOR_EMAIL: "coordinator", ADMIN_EMAIL: "admin"}
    defender = db.session.scalar(User.by_email(DEFENDER_EMAIL)).defender
    assert any(r.status == "published" for r in defender.requests)
    assert any(r.status == "draft" for r in defender.requests)
    assert any(i.status == "draft" for i in defender.interviews)
    response = client.post("/login", data={"email": DEFENDER_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/home").text
    assert defender.alias in page and "Casa La Serena" in page  # her stay, in her own country


def test_the_demo_holds_no_real_looking_personal_data(app):
    load_demo(today=PINNED)
    db.session.commit()
    assert all(u.email.endswith(".example") for u in db.session.scalars(select(User)))
    for d in db.session.scalars(select(Defender)):
        assert "ficticia" in d.real_name and "ficticio" in d.contact and " 000" in d.contact
    for t in db.session.scalars(select(Therapist)):
        assert "ficticio" in t.contact and " 000" in t.contact
    # and what must be encrypted is: no plaintext in the raw rows
    raw = db.session.execute(select(Defender.real_name_ct, Defender.contact_ct)).all()
    assert all(value.startswith("d1.") for row in raw for value in row)  # under her own key (issue 14)


# ------------------------------------------------------------------ hard rules of the published stays

def _hand_check(houses: dict[int, House]) -> list[str]:
    """Beds, concurrent stays, family units, closures, arrival days and windows, checked by hand."""
    problems = []
    people, stays, families = defaultdict(int), defaultdict(int), defaultdict(int)
    for stay in db.session.scalars(select(Stay)):
        house = houses[stay.house_id]
        length = house.stay_length[stay.type]
        if (stay.end - stay.start).days != length - 1:
            problems.append(f"stay {stay.id}: wrong length")
        if stay.start.weekday() not in house.arrival_weekdays:
            problems.append(f"stay {stay.id}: arrives on weekday {stay.start.weekday()}")
        if any(c.start <= stay.end and stay.start <= c.end for c in house.closures):
            problems.append(f"stay {stay.id}: inside a closure")
        for r in stay.requests:
            if not r.earliest_start <= stay.start <= r.latest_start or stay.type not in r.stay_types:
                problems.append(f"stay {stay.id}: request {r.id} outside its window or types")
            if any(house.country in d.barred_countries for d in r.all_defenders):
                problems.append(f"stay {stay.id}: barred country")
        for k in range(length + house.turnover_days):
            key = (house.id, stay.start + dt.timedelta(days=k))
            people[key] += stay.people
            stays[key] += 1
            families[key] += stay.type == "family"
            if people[key] > house.beds or stays[key] > house.max_concurrent_stays or \
                    families[key] > house.family_units:
                problems.append(f"{house.code} over capacity on {key[1]}")
        per_day = defaultdict(int)
        for s in stay.sessions:
            per_day[s.day] += 1
            if not stay.start <= s.day <= stay.end or house not in s.therapist.houses:
                problems.append(f"stay {stay.id}: session outside the stay or house")
        if any(n > 2 for n in per_day.values()):
            problems.append(f"stay {stay.id}: more than two sessions a day")
    return problems


def _spec(ref: dt.date) -> tuple[dict, dict]:
    """The demo as a `respite-stays/1` instance (published stays locked) and its published solution."""
    houses = db.session.scalars(select(House)).all()
    exported = ("pending", "published")
    requests = db.session.scalars(select(StayRequest).where(StayRequest.status.in_(exported))).all()

    def langs(r):
        return sorted(set.intersection(*(set(d.languages) for d in r.all_defenders)))

    stays = [{"id": f"s{s.id}", "house": s.house.code, "start": s.start.isoformat(), "type": s.type,
              "requests": [r.spec_id for r in s.requests],
              "sessions": [{"dimension": x.dimension, "day": x.day.isoformat(), "therapist": x.therapist.spec_id}
                           for x in s.sessions]} for s in db.session.scalars(select(Stay))]
    instance = {
        "format": "respite-stays/1", "horizon": {"start": ref.isoformat(), "days": 500},
        "houses": [{"id": h.code, "name": h.name, "country": h.country, "beds": h.beds,
                    "max_concurrent_stays": h.max_concurrent_stays, "family_units": h.family_units,
                    "stay_types": h.stay_types, "stay_length": h.stay_length,
                    "collective_size": {"min": h.collective_min, "max": h.collective_max},
                    "accessible": h.accessible, "turnover_days": h.turnover_days,
                    "arrival_weekdays": h.arrival_weekdays,
                    "closures": [{"start": c.start.isoformat(), "end": c.end.isoformat(), "reason": c.reason}
                                 for c in h.closures]} for h in houses],
        "therapists": [{"id": t.spec_id, "name": t.name, "kind": t.kind, "houses": [h.code for h in t.houses],
                        "dimensions": t.dimensions, "languages": t.languages,
                        "available": [{"start": a.start.isoformat(), "end": a.end.isoformat()}
                                      for a in t.availability],
                        "max_sessions_per_day": t.max_sessions_per_day}
                       for t in db.session.scalars(select(Therapist))],
        "requests": [{"id": r.spec_id, "defenders": [d.spec_id for d in r.all_defenders],
                      "companions": r.companions, "stay_types": r.stay_types,
                      "earliest_start": r.earliest_start.isoformat(), "latest_start": r.latest_start.isoformat(),
                      "country": r.defender.country, "languages": langs(r),
                      "barred_countries": sorted({c for d in r.all_defenders for c in d.barred_countries}),
                      "accessible": any(d.needs_accessible for d in r.all_defenders), "urgency": r.urgency,
                      "needs": r.interview.need_levels()} for r in requests],
        "locked": stays,
    }
    return instance, {"format": "respite-stays-solution/1", "stays": stays}


@pytest.mark.parametrize("today", [dt.date(2027, 1, 1), dt.date(2027, 2, 17), dt.date(2027, 11, 30),
                                   dt.date(2028, 12, 24)])
def test_published_stays_keep_every_hard_rule_whatever_the_month(app, today):
    load_demo(today=today)
    db.session.commit()
    houses = {h.id: h for h in db.session.scalars(select(House))}
    assert _hand_check(houses) == []
    # every published request found its place (none fell back to pending)
    assert _count(StayRequest, StayRequest.status == "published") == 12
    if importlib.util.find_spec("matching.validate") is None:
        return
    from matching.io import load_instance, load_solution
    from matching.validate import validate

    instance, solution = _spec(reference_date(today))
    loaded = load_instance(instance)  # valid instance: every defender in one request, windows in order…
    assert validate(loaded, load_solution(solution)) == []


def test_published_stays_start_after_today_so_the_demo_looks_current(app):
    today = dt.date(2027, 5, 31)  # the latest day of a month: the furthest from the reference day
    load_demo(today=today)
    db.session.commit()
    assert db.session.scalar(select(func.min(Stay.start))) > today
    assert db.session.scalar(select(func.min(StayRequest.earliest_start)).where(
        StayRequest.status == "pending")) > today


def test_answers_are_stored_per_dimension_and_encrypted(app):
    load_demo(today=PINNED)
    db.session.commit()
    interview = db.session.scalars(select(DiagnosticInterview).where(DiagnosticInterview.status == "confirmed")).first()
    import json

    answers = json.loads(interview.dimensions[0].answers)
    assert set(answers) == {"how", "work_on", "practices"}
    assert all(row.need_level is not None for row in interview.dimensions)
    assert interview.dimensions[0].answers_ct.startswith("d1.")  # under her own key (issue 14)


def test_flask_demo_prints_one_login_per_role_and_changes_nothing_the_second_time(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    for email in (DEFENDER_EMAIL, *TEAM_EMAILS.values(), COORDINATOR_EMAIL, ADMIN_EMAIL):
        assert result.output.count(email) == 1
    before = _snapshot()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and again.output == result.output
    assert _snapshot() == before


def test_no_request_is_left_in_a_status_no_queue_shows(app):
    load_demo(today=PINNED)
    assert "planned" not in REQUEST_STATUSES
    statuses = set(db.session.scalars(select(StayRequest.status).distinct()))
    assert statuses <= {"draft", "submitted", "pending", "published", "withdrawn", "declined"}


def test_her_words_follow_the_level_she_gave(app):
    load_demo(today=PINNED)
    import json

    from app.demo import ANSWERS
    from app.models import InterviewDimension

    heavy = {name: set(parts["how"][1]) for name, parts in ANSWERS.items()}
    light = {name: set(parts["how"][0]) for name, parts in ANSWERS.items()}
    rows = db.session.scalars(select(InterviewDimension).where(InterviewDimension.answers_ct.is_not(None))).all()
    assert rows
    for row in rows:
        how = json.loads(row.answers)["how"]
        assert how in (heavy if row.self_level >= 2 else light)[row.dimension], (row.self_level, how)


def test_most_demo_defenders_agree_to_be_counted_and_most_who_share_their_words_share_them_with_therapists(app):
    """So the reports and the therapists' session sheets show something (issue 14, item 6), and a few did not
    agree, so the pages' "left out" line and the sheet's neutral line show too."""
    load_demo(today=PINNED)
    db.session.commit()
    sent = db.session.scalars(select(DiagnosticInterview).where(DiagnosticInterview.status != "draft")).all()
    counted = sum(i.count_in_statistics for i in sent)
    assert 0.7 * len(sent) <= counted < len(sent)
    narrative = [i for i in sent if i.consent_scope == "narrative"]
    assert 0 < sum(i.share_with_therapists for i in narrative) < len(narrative)
    assert not any(i.share_with_therapists for i in sent if i.consent_scope != "narrative")
