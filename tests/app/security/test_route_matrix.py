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
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from app.extensions import db
from app.models import (
    Availability, Closure, DiagnosticInterview, PlanningRun, ProposedSession, ProposedStay, Session, Stay, StayRequest,
)

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

MATRIX: dict[str, Expect] = {
    # public
    "static": Expect(f"{ANON} {USERS}", codes=(200,)),
    "main.index": Expect(f"{ANON} {USERS}", codes=(302,)),
    "auth.login": Expect(f"{ANON} {USERS}", codes=(200, 302)),
    "auth.invitation": Expect(f"{ANON} {USERS}", codes=(404,)),  # unknown token
    "calendars.feed": Expect(f"{ANON} {USERS}", codes=(404,)),  # unknown token
    "auth.totp_verify": Expect(f"{ANON} {USERS}", codes=(302,)),  # nothing pending: back to login / setup
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
    "interviews.team_queue": Expect(T),
    "interviews.team_review": Expect(T, args={"request_id": "submitted_request"}),
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
    "houses.occupancy": Expect(STAFF),
    "houses.programmes": Expect(STAFF),
    "houses.programme": Expect(STAFF),
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
    "planning.runs": Expect(COORD),
    "planning.new_run": Expect(COORD),
    "planning.run": Expect(COORD),
    "planning.cancel": Expect(COORD),
    "planning.rerun": Expect(COORD),
    "planning.lock": Expect(COORD, args=PLANNING_STAY),
    "planning.edit_stay": Expect(COORD, args=PLANNING_STAY, own=False),  # needs the run's solution
    "planning.change_session": Expect(COORD, args=PLANNING_STAY),
    "planning.remove_session": Expect(COORD, args=PLANNING_STAY),
    "planning.add_session": Expect(COORD, args=PLANNING_STAY),
    "planning.publish": Expect(COORD),
    "planning.export_instance": Expect(COORD, own=False),  # needs the run's instance
    "planning.export_solution": Expect(COORD, own=False),  # needs the run's solution
    "planning.export_run_schedule": Expect(COORD),
    "planning.export_schedule": Expect(COORD),
}

DEFAULT_ARGS = {"house_id": "house", "closure_id": "closure", "therapist_id": "therapist",
                "availability_id": "availability", "interview_id": "interview", "request_id": "request",
                "stay_id": "stay", "run_id": "run", "session_id": "session", "defender_id": "defender",
                "user_id": "user"}
FIXED_ARGS = {"token": "no-such-token", "step": "physical", "filename": "respiro.css"}


@pytest.fixture
def world(make_house, make_user, make_defender, make_therapist, make_request):
    """Two of everything: side A (Casa A in Mexico) and side B (Casa B in Honduras)."""
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
        db.session.commit()
        sides[side] = {
            "house": house.id, "defender": defender.id, "therapist": therapist.id,
            "availability": therapist.availability[0].id, "request": request.id, "submitted_request": submitted.id,
            "interview": request.interview_id, "draft_interview": draft_interview.id, "stay": stay.id,
            "closure": closure.id, "session": session.id, "run": run.id, "proposed_stay": proposed.id,
            "proposed_session": proposed_session.id,
            "users": users,
        }
        sides[side]["user"] = sides[side]["users"][T].id
        sides[side]["markers"] = [f"Ceiba {side}", f"Casa {side}", f"Rosa {side}"]
    sides["A"]["users"].update({C: make_user(C), M: make_user(M)})
    return sides


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
        if expect is None:
            continue  # reported by test_item_13_every_route_is_in_the_matrix
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
    print(f"route matrix: {role}: {checked} requests checked")
    assert problems == [], "\n".join(problems)
