"""Item 13: every route of app.url_map × every role × owner/other.

The MATRIX below is the explicit table: for each endpoint, which roles may use
it, and which of those are scoped (a defender to her own records, a house team
to its own house and to defenders who may enter its country). A route that is
not in the table FAILS the suite: adding a route means deciding who may use it.

For each role we act as the "A" side (defender A, team of house A) and ask for
A's records (the owner) and B's records (the other):
- a role not allowed gets 404 (anonymous: the login page), for A's and B's records;
- an allowed role gets the page for A's records (no 404, no 500, no login page);
- a scoped role (defender, team) gets 404 for B's records, and none of her
  pages (lists included) names B's defender, house or therapist.
GET routes are requested; POST-only routes are posted (with a valid CSRF token)
only where the answer must be a refusal, and the database must not change.

The world holds a finished planning run (the planner itself, in process, on a
tiny instance), so the proposal routes are checked both ways: refused to the
others on the solved run's own stays, and for coordinators the success path of
each (OWNER_CONTENT: the page or file with the right content; POST_SUCCESS: a
lock, a stay edit and session edits, each saved and redirected as expected).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import json

import pytest
from flask import current_app, url_for

from app.extensions import db
from app.models import (
    Availability, Closure, DiagnosticInterview, PlanningRun, ProposedSession, ProposedStay, Session, Stay, StayRequest,
)
from app.models import Defender, Notice, Offer
from app.planning import jobs, rules
from app.planning.bridge import Settings

from .conftest import database_fingerprint
from .routes import build_url

ANON, D, T, C, M = "anonymous", "defender", "team", "coordinator", "admin"
ROLES = (ANON, D, T, C, M)
STAFF = f"{T} {C} {M}"
USERS = f"{D} {T} {C} {M}"
COORD = f"{C} {M}"


@dataclass(frozen=True)
class Expect:
    allowed: str  # roles (space-separated) that may use the route
    scoped: str | None = None  # allowed roles that see only their own records (default: defender and team)
    own: bool = True  # check that the owner gets the page (False: the page needs a state set up elsewhere)
    args: dict = field(default_factory=dict)  # URL argument -> world key, when not the default
    codes: tuple = ()  # for public routes: the expected status codes

    def roles(self) -> set[str]:
        return set(self.allowed.split())

    def scoped_roles(self) -> set[str]:
        if self.scoped is not None:
            return set(self.scoped.split())
        return self.roles() & {D, T}


PLANNING_STAY = {"stay_id": "proposed_stay", "session_id": "proposed_session"}
SOLVED = {"run_id": "solved_run", "stay_id": "solved_stay", "session_id": "solved_session"}  # the finished run

MATRIX: dict[str, Expect] = {
    # public
    "static": Expect(f"{ANON} {USERS}", codes=(200,)),
    "main.index": Expect(f"{ANON} {USERS}", codes=(302,)),
    "auth.login": Expect(f"{ANON} {USERS}", codes=(200, 302)),
    "auth.invitation": Expect(f"{ANON} {USERS}", codes=(404,)),  # unknown token
    "calendars.feed": Expect(f"{ANON} {USERS}", codes=(404,)),  # unknown token
    "auth.totp_verify": Expect(f"{ANON} {USERS}", codes=(302,)),  # nothing pending: back to login / setup
    # the quick exit: anyone may leave (it ends the session, so the walk leaves it to tests/app/auth/test_quick_exit.py)
    "auth.leave": Expect(f"{ANON} {USERS}", codes=(303,)),
    "auth.leave_now": Expect(f"{ANON} {USERS}"),
    # accounts
    "main.home": Expect(USERS),
    "auth.logout": Expect(USERS),
    "auth.password": Expect(USERS),
    "auth.reauthenticate": Expect(USERS),
    "auth.totp_setup": Expect(STAFF),
    "auth.totp_disable": Expect(""),  # 404 unless enrolled: nobody in this world is
    "admin.users": Expect(M),
    "admin.invite": Expect(M),
    "admin.deactivate_user": Expect(M, args={"user_id": "user"}),
    # a house team: for a defender of her house only (tests/app/auth/test_reset_and_reactivate.py)
    "admin.reset_link": Expect(f"{T} {M}", args={"user_id": "user"}),
    "admin.reactivate_user": Expect(M, args={"user_id": "user"}),
    "admin.audit_events": Expect(M),
    "admin.audit_export": Expect(M),
    "admin.reveal": Expect(COORD),
    # her interview, requests and data
    "interviews.mine": Expect(D),
    "interviews.start": Expect(D),
    "interviews.step": Expect(f"{D} {T}", args={"interview_id": "draft_interview"}),
    "interviews.submit": Expect(f"{D} {T}", args={"interview_id": "draft_interview"}),
    "interviews.my_stay": Expect(D),
    "interviews.my_data": Expect(D),
    "interviews.export": Expect(D),
    "interviews.delete_my_data": Expect(D),
    "interviews.withdraw": Expect(D),
    "interviews.change_consent": Expect(D),  # her consent after sending: hers alone, never her house team's
    "interviews.team_queue": Expect(T),
    "interviews.team_review": Expect(T, args={"request_id": "submitted_request"}),
    "interviews.team_identity": Expect(T, args={"request_id": "submitted_request"}),  # issue 14: her name, contact
    "interviews.team_export": Expect(T),  # her file as JSON; defender B may not enter house A's country
    "interviews.assisted_new": Expect(T),
    "interviews.assisted_invite": Expect(T, own=False),  # needs an interview her house filled with her
    "calendars.defender_feed_create": Expect(D),
    "calendars.defender_feed_revoke": Expect(D),
    # houses
    "houses.index": Expect(STAFF),
    "houses.new": Expect(COORD),
    "houses.show": Expect(STAFF),
    "houses.settings": Expect(STAFF),
    "houses.closures": Expect(STAFF),
    "houses.closure_edit": Expect(STAFF),
    "houses.closure_delete": Expect(STAFF),
    "houses.closure_confirm_delete": Expect(STAFF),
    "houses.occupancy": Expect(STAFF),
    "houses.programmes": Expect(STAFF),
    "houses.programme": Expect(STAFF),
    "houses.therapist_sheet": Expect(STAFF),  # a therapist's session sheet at a house the reader sees
    "calendars.house_feed_create": Expect(STAFF),
    "calendars.house_feed_revoke": Expect(STAFF),
    # therapists
    "network.index": Expect(STAFF),
    "network.new": Expect(STAFF),
    "network.show": Expect(STAFF),
    "network.edit": Expect(STAFF),
    "network.availability_add": Expect(STAFF),
    "network.availability_edit": Expect(STAFF),
    "network.availability_delete": Expect(STAFF),
    "network.month": Expect(STAFF),
    "network.export_therapists": Expect(STAFF),
    "network.export_availability": Expect(STAFF),
    "network.import_csv": Expect(STAFF),
    "calendars.therapist_feed_create": Expect(STAFF),
    "calendars.therapist_feed_revoke": Expect(STAFF),
    # planning (coordinators see everything: nothing is scoped)
    "planning.queue": Expect(COORD),
    "planning.decline": Expect(COORD, args={"request_id": "submitted_request"}),
    "planning.urgent": Expect(COORD, args={"request_id": "submitted_request"}),
    "planning.urgent_look": Expect(COORD, args={"request_id": "submitted_request"}),
    "planning.urgent_fit": Expect(COORD, args={"request_id": "submitted_request"}),
    "planning.runs": Expect(COORD),
    "planning.new_run": Expect(COORD),
    "planning.run": Expect(COORD),
    "planning.cancel": Expect(COORD),
    "planning.rerun": Expect(COORD),
    "planning.lock": Expect(COORD, args=SOLVED),
    "planning.edit_stay": Expect(COORD, args=SOLVED),
    "planning.change_session": Expect(COORD, args=SOLVED),
    "planning.remove_session": Expect(COORD, args=SOLVED),
    "planning.add_session": Expect(COORD, args=SOLVED),
    "planning.publish": Expect(COORD),
    "planning.export_instance": Expect(COORD, args=SOLVED),
    "planning.export_solution": Expect(COORD, args=SOLVED),
    "planning.export_run_schedule": Expect(COORD),
    "planning.export_schedule": Expect(COORD),
    "planning.period_check": Expect(COORD),
    # the published schedule (app/schedule): a house team sees its own house's stays and records what happened
    "schedule.stay": Expect(STAFF),
    "schedule.attendance": Expect(STAFF),
    "schedule.change": Expect(COORD),
    "schedule.cancel": Expect(COORD),
    "schedule.session_therapist": Expect(COORD),
    "schedule.session_remove": Expect(COORD),
    "schedule.session_add": Expect(COORD),
    "schedule.fill": Expect(COORD),
    "schedule.repair": Expect(COORD),
    "schedule.repair_run": Expect(COORD),
    "schedule.unavailable": Expect(COORD),
    # offers: her answer (or her house team's for an assisted defender), publishing, withdrawing, the diff
    "offers.index": Expect(USERS),
    "offers.show": Expect(USERS),
    "offers.accept": Expect(f"{D} {T}"),
    "offers.decline": Expect(f"{D} {T}"),
    "offers.confirm": Expect(COORD),
    "offers.publish": Expect(COORD),
    "offers.unpublish": Expect(COORD),
    "offers.compare": Expect(COORD),
    # notices: each person's own
    "notices.index": Expect(USERS),
    "notices.read": Expect(USERS, scoped=USERS),
    "notices.read_all": Expect(USERS),
    "notices.settings": Expect(USERS),
    "notices.failed": Expect(M),
    "notices.retry": Expect(M),
    # reports (issue 15): suppressed aggregates; a house team sees its own house
    "reports.index": Expect(STAFF),
    "reports.show": Expect(STAFF),
    "reports.download": Expect(STAFF),
    "reports.answer": Expect(f"{D} {T}", own=False),  # open only once her stay has ended
    "reports.follow_ups": Expect(T),
    "reports.follow_up": Expect(T),
}

ENDS_SESSION = {"auth.leave"}  # walking it would log the walker out

DEFAULT_ARGS = {"house_id": "house", "closure_id": "closure", "therapist_id": "therapist",
                "availability_id": "availability", "interview_id": "interview", "request_id": "request",
                "stay_id": "stay", "run_id": "run", "session_id": "session", "defender_id": "defender",
                "user_id": "user", "offer_id": "offer", "notice_id": "notice"}
FIXED_ARGS = {"token": "no-such-token", "step": "physical", "filename": "respiro.css", "fmt": "csv", "name": "demand",
              "kind": "end"}


@pytest.fixture
def world(make_house, make_user, make_defender, make_therapist, make_request):
    """Two of everything: side A (Casa A in Mexico) and side B (Casa B in Honduras), and a finished
    planning run over both houses that proposes a stay to each side's defender."""
    sides = {}
    for side, country in (("A", "MX"), ("B", "HN")):
        house = make_house(country=country, name=f"Casa {side}")
        # Defender B may not enter Mexico: team A must not see her at all.
        defender = make_defender(alias=f"Ceiba {side}", barred_countries=["MX"] if side == "B" else [])
        therapist = make_therapist(houses=[house], name=f"Rosa {side}")
        users = {D: make_user(D, defender=defender), T: make_user(T, house=house)}
        request = make_request(defender, status="published")
        submitted = make_request(defender, status="submitted")
        with db.session.no_autoflush:
            # a draft her house team is filling in with her (assisted), with its draft request
            draft_interview = DiagnosticInterview(defender=defender, status="draft", assisted=True,
                                                  filled_by_id=users[T].id)
            draft_request = StayRequest(defender=defender, interview=draft_interview, status="draft",
                                        stay_types=["individual"])
            stay = Stay(house=house, start=dt.date(2027, 2, 1), end=dt.date(2027, 2, 10), type="individual")
            request.stay = stay
            closure = Closure(house=house, start=dt.date(2027, 5, 1), end=dt.date(2027, 5, 3), reason="rest")
            session = Session(stay=stay, dimension="emotional", day=dt.date(2027, 2, 2), slot=0, therapist=therapist)
            run = PlanningRun(horizon_start=dt.date(2027, 1, 1), horizon_days=90, status="failed", house_ids=[house.id])
            proposed = ProposedStay(run=run, key=f"s{side}", house=house, start=dt.date(2027, 3, 1),
                                    end=dt.date(2027, 3, 10), type="individual")
            proposed.requests.append(submitted)
            proposed_session = ProposedSession(stay=proposed, dimension="emotional", day=dt.date(2027, 3, 2), slot=0,
                                               therapist=therapist)
            db.session.add_all([draft_interview, draft_request, stay, closure, session, run, proposed, proposed_session])
            offer = Offer(stay=stay, request=request, deadline=dt.date(2027, 1, 20))
            notice = Notice(user_id=users[D].id, kind="offered", link="/offers/")
            db.session.add_all([offer, notice])
        db.session.commit()
        sides[side] = {
            "house": house.id, "defender": defender.id, "therapist": therapist.id,
            "availability": therapist.availability[0].id, "request": request.id, "submitted_request": submitted.id,
            "interview": request.interview_id, "draft_interview": draft_interview.id, "stay": stay.id,
            "closure": closure.id, "session": session.id, "run": run.id, "proposed_stay": proposed.id,
            "proposed_session": proposed_session.id, "offer": offer.id, "notice": notice.id,
            "users": users,
        }
        sides[side]["user"] = sides[side]["users"][T].id
        sides[side]["markers"] = [f"Ceiba {side}", f"Casa {side}", f"Rosa {side}"]
    sides["A"]["users"].update({C: make_user(C), M: make_user(M)})
    solve(sides, make_request, sides["A"]["users"][C])
    return sides


def solve(sides: dict, make_request, coordinator) -> None:
    """A run the planner finished (in process, a tiny instance, well under a second): each side's defender
    asks for a stay in March and gets one proposed at her house, with its sessions."""
    for side in sides.values():
        pending = make_request(db.session.get(Defender, side["defender"]), status="pending",
                               earliest_start=dt.date(2027, 3, 1), latest_start=dt.date(2027, 3, 12))
        side["pending_request"] = pending.id
    houses = tuple(sorted(side["house"] for side in sides.values()))
    run = rules.start_run(coordinator, Settings(horizon_start=dt.date(2027, 1, 1), horizon_days=120,
                                                house_ids=houses), 5)
    run_id = run.id
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    run = db.session.get(PlanningRun, run_id)
    assert run.status == "done", run.error
    for side in sides.values():
        stay = next(s for s in run.stays if s.status == "proposed" and s.house_id == side["house"])
        assert stay.sessions, "the solved stay has no session to edit"
        side.update(solved_run=run_id, solved_stay=stay.id, solved_session=stay.sessions[0].id)


# ---------------------------------------------------------------- the owner's success path on the solved run

def _path(endpoint: str, **values) -> str:
    return urlsplit(url_for(endpoint, **values)).path  # no request here: url_for gives the external URL


def _proposed(side: dict) -> ProposedStay:
    db.session.expire_all()
    return db.session.get(ProposedStay, side["solved_stay"])


def _download(response, body: str, filename: str) -> tuple[list[str], dict | None]:
    """Problems with a JSON download, and its content."""
    if response.status_code != 200:
        return [f"{response.status_code}, expected the file"], None
    problems = []
    if response.mimetype != "application/json":
        problems.append(f"served as {response.mimetype}")
    if response.headers.get("Content-Disposition") != f'attachment; filename="{filename}"':
        problems.append(f"Content-Disposition {response.headers.get('Content-Disposition')!r}")
    try:
        return problems, json.loads(body)
    except ValueError:
        return problems + ["not JSON"], None


def _edit_page(response, body: str, side: dict) -> list[str]:
    stay = _proposed(side)
    action = _path("planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id)
    wanted = [f'action="{action}"', "Casa A", "Ceiba A", f'value="{stay.start.isoformat()}"']
    if response.status_code != 200:
        return [f"{response.status_code}, expected the edit page"]
    return [f"the edit page lacks {w!r}" for w in wanted if w not in body]


def _instance_file(response, body: str, side: dict) -> list[str]:
    problems, data = _download(response, body, f"respiro-run-{side['solved_run']}-instance.json")
    if data is not None:
        run = db.session.get(PlanningRun, side["solved_run"])
        if data != json.loads(run.instance_json):
            problems.append("the file is not the run's instance")
        requests = {r["id"] for r in data.get("requests", [])}
        if f"r{side['pending_request']}" not in requests:
            problems.append(f"her request r{side['pending_request']} is not in the instance: {sorted(requests)}")
    return problems


def _solution_file(response, body: str, side: dict) -> list[str]:
    problems, data = _download(response, body, f"respiro-run-{side['solved_run']}-solution.json")
    if data is not None:
        stay = _proposed(side)
        mine = [s for s in data.get("stays", []) if f"r{side['pending_request']}" in s.get("requests", [])]
        if len(mine) != 1 or mine[0].get("start") != stay.start.isoformat() or len(mine[0].get("sessions", [])) != len(stay.sessions):
            problems.append(f"her proposed stay is not in the solution as proposed: {mine}")
    return problems


# endpoint -> check of what an allowed role gets for side A's records (the page or file, not just "no 404")
OWNER_CONTENT = {
    "planning.edit_stay": _edit_page,
    "planning.export_instance": _instance_file,
    "planning.export_solution": _solution_file,
}


def _redirected(response, endpoint: str, **values) -> str | None:
    want = _path(endpoint, **values)
    if response.status_code != 302 or urlsplit(response.location).path != want:
        return f"{response.status_code} to {response.location}, expected a redirect to {want}: {response.text[:300]}"
    return None


def _post_lock(client, side) -> list[str]:
    problems = []
    for locked in (True, False):  # lock, then unlock again for the edits below
        stay = _proposed(side)
        response = client.post(_path("planning.lock", run_id=side["solved_run"], stay_id=stay.id),
                               data={"version": stay.version})
        wrong = _redirected(response, "planning.run", run_id=side["solved_run"])
        if wrong or _proposed(side).locked is not locked:
            problems.append(f"lock (to {locked}): {wrong or 'not saved'}")
    return problems


def _post_edit_stay(client, side) -> list[str]:
    stay = _proposed(side)
    old_start, old_days = stay.start, sorted(s.day for s in stay.sessions)
    new_start = next(d for d in (dt.date(2027, 3, 1) + dt.timedelta(days=n) for n in range(12))
                     if d.weekday() < 5 and d != old_start)  # a weekday arrival within her window
    response = client.post(_path("planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id),
                           data={"version": stay.version, "house": stay.house_id, "start": new_start.isoformat(),
                                 "type": stay.type, "keep_programme": "y"})
    wrong = _redirected(response, "planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id)
    stay = _proposed(side)
    shift = new_start - old_start
    if wrong or stay.start != new_start or sorted(s.day for s in stay.sessions) != [d + shift for d in old_days]:
        return [f"edit_stay (to {new_start}): {wrong or 'not saved with its sessions moved'}"]
    return []


def _post_change_session(client, side) -> list[str]:
    stay = _proposed(side)
    session = next(s for s in stay.sessions if s.id == side["solved_session"])
    version, prefix = stay.version, f"s{session.id}"
    response = client.post(_path("planning.change_session", run_id=side["solved_run"], stay_id=stay.id,
                                   session_id=session.id),
                           data={f"{prefix}-version": version, f"{prefix}-therapist": side["therapist"]})
    wrong = _redirected(response, "planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id)
    stay = _proposed(side)
    if wrong or stay.version != version + 1 or db.session.get(ProposedSession, session.id).therapist_id != side["therapist"]:
        return [f"change_session: {wrong or 'not saved'}"]
    return []


def _post_remove_and_add_session(client, side) -> list[str]:
    stay = _proposed(side)
    session = db.session.get(ProposedSession, side["solved_session"])
    kept, session_id, slot = (session.dimension, session.day, session.therapist_id), session.id, session.slot
    response = client.post(_path("planning.remove_session", run_id=side["solved_run"], stay_id=stay.id,
                                   session_id=session_id), data={"version": stay.version})
    wrong = _redirected(response, "planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id)
    db.session.expire_all()
    if wrong or db.session.get(ProposedSession, session_id) is not None:
        return [f"remove_session: {wrong or 'the session is still there'}"]
    stay = _proposed(side)
    response = client.post(_path("planning.add_session", run_id=side["solved_run"], stay_id=stay.id),
                           data={"version": stay.version, "dimension": kept[0], "day": kept[1].isoformat(),
                                 "therapist": kept[2], "slot": slot})
    wrong = _redirected(response, "planning.edit_stay", run_id=side["solved_run"], stay_id=stay.id)
    if wrong or kept not in [(s.dimension, s.day, s.therapist_id) for s in _proposed(side).sessions]:
        return [f"add_session (putting it back): {wrong or 'not saved'}"]
    return []


# endpoint -> a post an allowed role makes on side A's solved stay, checked saved and redirected; in this order
POST_SUCCESS = {
    "planning.lock": _post_lock,
    "planning.edit_stay": _post_edit_stay,
    "planning.change_session": _post_change_session,
    "planning.remove_session": _post_remove_and_add_session,  # and planning.add_session, putting it back
}


def _url(rule, expect: Expect, objects: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name in FIXED_ARGS:
            values[name] = FIXED_ARGS[name]
        else:
            values[name] = objects[expect.args.get(name, DEFAULT_ARGS[name])]
    return build_url(rule, values)


def _is_denied(role: str, response) -> bool:
    if response.status_code == 404:
        return True
    return role == ANON and response.status_code == 302 and "/login" in response.location


def _is_allowed(response) -> bool:
    if response.status_code in (404, 405) or response.status_code >= 500:
        return False
    return not (response.status_code == 302 and response.location.split("?")[0].endswith("/login"))


def test_item_13_every_route_is_in_the_matrix(app):
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(MATRIX))
    assert missing == [], f"routes missing from the access matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_item_13_route_matrix_role_and_owner_checks(app, client, login, world, role):
    if role != ANON:
        login(world["A"]["users"][role])
    problems, checked = [], 0
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    post_only = []
    for rule in rules:
        expect = MATRIX.get(rule.endpoint)
        if expect is None or rule.endpoint in ENDS_SESSION:
            continue  # missing: reported by test_item_13_every_route_is_in_the_matrix
        if "GET" not in rule.methods:
            post_only.append((rule, expect))
            continue
        allowed = role in expect.roles()
        own_url = _url(rule, expect, world["A"])
        response = client.get(own_url)
        body = response.get_data(as_text=True) if response.status_code == 200 else ""
        response.close()
        checked += 1
        if role in (D, T) and body:
            # a scoped person's own pages (lists included) name nothing of side B
            leaked = [m for m in world["B"]["markers"] if m in body]
            if leaked:
                problems.append(f"{role} GET {own_url} shows side B: {leaked}")
        if expect.codes and allowed:
            if response.status_code not in expect.codes:
                problems.append(f"{role} GET {own_url}: {response.status_code}, expected {expect.codes}")
        elif not allowed and not _is_denied(role, response):
            problems.append(f"{role} GET {own_url}: {response.status_code}, expected a refusal (404)")
        elif allowed and expect.own and not _is_allowed(response):
            problems.append(f"{role} GET {own_url} (her own): {response.status_code} {response.location or ''}")
        elif allowed and rule.endpoint in OWNER_CONTENT:
            checked += 1
            problems += [f"{role} GET {own_url} (her own): {p}"
                         for p in OWNER_CONTENT[rule.endpoint](response, body, world["A"])]
        if rule.arguments - set(FIXED_ARGS) and (not allowed or role in expect.scoped_roles()):
            other_url = _url(rule, expect, world["B"])
            response = client.get(other_url)
            response.close()
            checked += 1
            if not _is_denied(role, response):
                problems.append(f"{role} GET {other_url} (someone else's): {response.status_code}, expected 404")
    before = database_fingerprint()
    for rule, expect in post_only:
        allowed = role in expect.roles()
        targets = []
        if not allowed:
            targets.append(_url(rule, expect, world["A"]))
        if rule.arguments - set(FIXED_ARGS) and (not allowed or role in expect.scoped_roles()):
            targets.append(_url(rule, expect, world["B"]))
        for url in targets:
            response = client.post(url, data={})
            checked += 1
            if not _is_denied(role, response):
                problems.append(f"{role} POST {url}: {response.status_code}, expected a refusal (404)")
    assert database_fingerprint() == before, "a refused post changed the database"
    for endpoint, post in POST_SUCCESS.items():
        if role in MATRIX[endpoint].roles():
            checked += 1
            problems += [f"{role} POST {p}" for p in post(client, world["A"])]
    print(f"route matrix: {role}: {checked} requests checked")
    assert problems == [], "\n".join(problems)
