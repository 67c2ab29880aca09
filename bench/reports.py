"""How long the reports take over the 3,000-request generated network, on SQLite and PostgreSQL.

    .venv/bin/python bench/reports.py [--backends sqlite,postgresql] [--requests 3000] [--repeat 3]

For each backend it builds a fresh database from the models, loads
`matching.generate.generate(houses=20, requests=3000, therapists=300, days=364, seed=2027)` (the engine
benchmark's large case) into it as the app's rows: houses and closures, therapists and their availability,
one defender per defender of the instance (her country, barred countries, accessibility), a confirmed
interview with her own levels, and her request. About two thirds of the requests get a published stay,
placed greedily at the house that would receive her first (`counts.home_house`) on the first day
of her window where beds allow, with one session per unit of need on the stay days, given by a
therapist of that house; the rest stay ready (pending or planned), a few withdrawn. Then it times, for
the whole network and 12 months, each report built from the database (`service.build`: queries,
counting, suppression) and each page rendered through the Flask test client as a coordinator, and
prints a table (best of `--repeat`). Not a test: a number to look at.

PostgreSQL: a fresh database `respiro_bench_reports` on 127.0.0.1:5432 (trust auth), dropped at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/postgres")
PG_NAME = "respiro_bench_reports"
START = dt.date(2027, 1, 4)
REPORTS = ("demand", "waiting", "load", "served")


def load(instance) -> dict:
    """Write the generated instance as app rows (Core inserts, one transaction); return row counts."""
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import (
        Availability, Closure, Defender, DiagnosticInterview, House, InterviewDimension, Session, Stay, StayRequest,
        Therapist,
    )
    from app.models.base import new_uid
    from app.models.interviews import request_members
    from app.models.network import therapist_houses
    from app.reports import counts as c

    now = dt.datetime(2026, 12, 1, 12)
    house_ids = {}
    for h in instance.houses:
        house = House(code=h.id, name=h.name, place="", country=h.country, beds=h.beds,
                      max_concurrent_stays=h.max_concurrent_stays, family_units=h.family_units,
                      stay_types=list(h.stay_types), stay_length=dict(h.stay_length), collective_min=h.collective_min,
                      collective_max=h.collective_max, accessible=h.accessible, turnover_days=h.turnover_days,
                      arrival_weekdays=sorted(h.arrival_weekdays))
        house.closures = [Closure(start=x.start, end=x.end, reason="water") for x in h.closures]
        db.session.add(house)
        db.session.flush()
        house_ids[h.id] = house.id
    therapists_at: dict[int, list[int]] = defaultdict(list)
    for t in instance.therapists:
        therapist = Therapist(name=t.name, kind=t.kind, dimensions=list(t.dimensions), languages=list(t.languages),
                              max_sessions_per_day=t.max_sessions_per_day)
        db.session.add(therapist)
        db.session.flush()
        db.session.execute(insert(therapist_houses), [{"therapist_id": therapist.id, "house_id": house_ids[h]}
                                                      for h in t.houses])
        db.session.execute(insert(Availability), [{"therapist_id": therapist.id, "start": a.start, "end": a.end}
                                                  for a in t.available])
        for h in t.houses:
            therapists_at[house_ids[h]].append(therapist.id)
    facts = {h.id: c.HouseFact(id=house_ids[h.id], name=h.name, country=h.country, beds=h.beds,
                               turnover_days=h.turnover_days, stay_types=tuple(h.stay_types),
                               stay_length=dict(h.stay_length), accessible=h.accessible,
                               closures=tuple((x.start, x.end) for x in h.closures)) for h in instance.houses}
    house_facts = list(facts.values())
    by_db_id = {f.id: f for f in house_facts}
    held: dict[tuple[int, dt.date], int] = defaultdict(int)
    counts = defaultdict(int)
    for k, r in enumerate(instance.requests):
        defender_ids = []
        for _d in r.defenders:
            defender_ids.append(db.session.execute(insert(Defender).values(
                uid=new_uid(), alias=f"Alias {k}", country=r.country, languages=list(r.languages),
                barred_countries=list(r.barred_countries), needs_accessible=r.accessible, created_at=now,
                updated_at=now)).inserted_primary_key[0])
        confirmed = dt.datetime.combine(r.submitted or r.earliest_start, dt.time(10)) + dt.timedelta(days=3)
        interview_id = db.session.execute(insert(DiagnosticInterview).values(
            uid=new_uid(), defender_id=defender_ids[0], status="confirmed", step="review", consent_scope="levels",
            retention_months=6, confirmed_at=confirmed, created_at=now, updated_at=now, version=1,
            assisted=False, defender_agreed=True, confirmation_reason="")).inserted_primary_key[0]
        db.session.execute(insert(InterviewDimension), [
            {"interview_id": interview_id, "dimension": d, "position": i, "self_level": level, "need_level": level}
            for i, (d, level) in enumerate(r.needs.items())])
        fact = c.RequestFact(id=k, status="pending", earliest=r.earliest_start, latest=r.latest_start,
                             countries=(r.country,) * len(r.defenders), companions=r.companions, urgency=r.urgency,
                             stay_types=tuple(r.stay_types), barred=tuple(r.barred_countries),
                             needs_accessible=r.accessible)
        home = c.home_house(fact, house_facts)
        stay_id, status = None, ("pending", "planned", "pending", "withdrawn")[k % 4]
        if home is not None and k % 3 != 2:
            stay_type = next((t for t in r.stay_types if t in home.stay_types), None)
            length = home.stay_length.get(stay_type, 0) if stay_type else 0
            people = len(r.defenders) + r.companions
            day = r.earliest_start
            while stay_type and day <= r.latest_start:
                days = [day + dt.timedelta(days=i) for i in range(length + home.turnover_days)]
                closed = any(a <= d <= b for d in days[:length] for a, b in home.closures)
                if not closed and all(held[(home.id, d)] + people <= home.beds for d in days):
                    for d in days:
                        held[(home.id, d)] += people
                    stay_id = db.session.execute(insert(Stay).values(
                        house_id=home.id, start=day, end=day + dt.timedelta(days=length - 1), type=stay_type,
                        created_at=now, updated_at=now, version=1, needs_replan=False,
                        replan_reason="")).inserted_primary_key[0]
                    team = therapists_at.get(home.id) or [0]
                    sessions = []
                    for n, (dim, level) in enumerate((d, lv) for d, lv in r.needs.items() for _ in range(lv)):
                        if team[0]:
                            sessions.append({"stay_id": stay_id, "dimension": dim, "slot": n % 2,
                                             "day": day + dt.timedelta(days=1 + (n // 2) % max(length - 2, 1)),
                                             "therapist_id": team[(k + n) % len(team)]})
                    if sessions:
                        db.session.execute(insert(Session), sessions)
                        counts["sessions"] += len(sessions)
                    status = "published"
                    counts["stays"] += 1
                    break
                day += dt.timedelta(days=1)
        request_id = db.session.execute(insert(StayRequest).values(
            uid=new_uid(), defender_id=defender_ids[0], interview_id=interview_id, status=status,
            stay_types=list(r.stay_types), earliest_start=r.earliest_start, latest_start=r.latest_start,
            companions=r.companions, urgency_self=r.urgency, urgency=r.urgency, urgency_reason="",
            submitted_at=confirmed - dt.timedelta(days=2), decline_reason="", stay_id=stay_id, created_at=now,
            updated_at=now, version=1)).inserted_primary_key[0]
        if len(defender_ids) > 1:
            db.session.execute(insert(request_members), [{"request_id": request_id, "defender_id": d}
                                                         for d in defender_ids[1:]])
        counts["requests"] += 1
        counts[status] += 1
    db.session.commit()
    counts["houses"] = len(by_db_id)
    counts["therapists"] = len(instance.therapists)
    return dict(counts)


def run_backend(name: str, url: str, n_requests: int, repeat: int) -> list[tuple]:
    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.reports import service
    from app.security.crypto import new_key_spec
    from app.security.passwords import hash_password
    from matching.generate import generate

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 30, "DATA_KEYS": new_key_spec("kb"),
              "WTF_CSRF_ENABLED": False, "TESTING": True, "SERVER_NAME": "respiro.bench"}
    app = create_app(config)
    rows = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        instance = generate(houses=20, requests=n_requests, therapists=300, days=364, start=START, seed=2027)
        t0 = time.perf_counter()
        counts = load(instance)
        print(f"{name}: loaded {counts} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        password = "a long bench password"
        db.session.add(User(email="coordinator@bench.example", password_hash=hash_password(password),
                            role="coordinator"))
        db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"email": "coordinator@bench.example", "password": password}).status_code == 302
        first = dt.date(2027, 1, 1)
        for report in REPORTS:
            built_times, page_times = [], []
            for _ in range(repeat):
                db.session.expire_all()
                t = time.perf_counter()
                built = service.build(report, start=first, months=12, today=dt.date(2027, 7, 1), house_ids=None)
                built_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                response = client.get(f"/reports/{report}?start=2027-01&months=12")
                page_times.append(time.perf_counter() - t)
                assert response.status_code == 200, response.status_code
            hidden = sum(cell in ("<5", "*") for row in built.csv_rows for cell in row)
            rows.append((name, report, len(built.csv_rows), hidden, min(built_times), min(page_times)))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="bench-reports-")
            results += run_backend("SQLite", f"sqlite:///{folder}/bench.db", args.requests, args.repeat)
        elif backend == "postgresql":
            from sqlalchemy import create_engine, text

            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
            url = admin.url.set(database=PG_NAME).render_as_string(hide_password=False)
            try:
                results += run_backend("PostgreSQL", url, args.requests, args.repeat)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
                admin.dispose()
    print(f"\nReports over {args.requests} generated requests, whole network, 12 months (best of {args.repeat})")
    print(f"{'backend':<11} {'report':<8} {'CSV rows':>8} {'hidden cells':>12} {'build (s)':>10} {'page (s)':>9}")
    for backend, report, n_rows, hidden, built, page in results:
        print(f"{backend:<11} {report:<8} {n_rows:>8} {hidden:>12} {built:>10.3f} {page:>9.3f}")


if __name__ == "__main__":
    main()
