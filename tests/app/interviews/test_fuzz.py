"""Hypothesis fuzzes each form: never a 500, and a refused post changes nothing."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from app.extensions import db
from app.models import DIMENSIONS

from .conftest import Journey, version_of

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "3", "-1", "99", "2027-02-30", "family",
                                                         "individual", "<script>alert(1)</script>", "' OR 1=1 --",
                                                         "x" * 9000]))


def form_data(fields):
    return st.fixed_dictionaries({}, optional={name: junk for name in fields})


def database_state() -> tuple:
    db.session.expire_all()
    tables = ("interviews", "interview_dimensions", "stay_requests", "defenders", "request_members", "users")
    return tuple(tuple(map(tuple, db.session.execute(text(f"SELECT * FROM {t} ORDER BY 1")))) for t in tables)


def fuzz_post(client, url, data):
    before = database_state()
    response = client.post(url, data=data)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert database_state() == before
    db.session.rollback()
    return response


DIMENSION_FIELDS = ("how", "work_on", "practices", "self_level", "action", "role", "defender_id")
LOGISTICS_FIELDS = ("type_1", "type_2", "type_3", "earliest_start", "latest_start", "companions", "companions_note",
                    "languages", "barred_countries", "needs_accessible", "accessibility_notes", "food_notes",
                    "urgency_self", "members", "action", "house_id")


def test_fuzz_every_interview_step(journey):
    interview_id = journey.start()

    @FUZZ
    @given(step=st.sampled_from(("physical", "life", "logistics", "consent", "review")),
           data=form_data(DIMENSION_FIELDS + LOGISTICS_FIELDS + ("narrative", "consent_scope", "retention_months")),
           keep_version=st.booleans())
    def run(step, data, keep_version):
        data = dict(data)
        data["version"] = str(version_of(interview_id)) if keep_version else "x"
        fuzz_post(journey.client, f"/interviews/{interview_id}/{step}", data)

    run()


def test_fuzz_submission(journey):
    interview_id = journey.start()

    @FUZZ
    @given(data=form_data(("agreed", "version", "status")))
    def run(data):
        fuzz_post(journey.client, f"/interviews/{interview_id}/submit", data)

    run()


def test_fuzz_confirmation(submitted, client, login, team_user):
    login(team_user)
    request_id = submitted.request().id

    @FUZZ
    @given(data=form_data(tuple(f"need_{d}" for d in DIMENSIONS) + ("urgency", "reason", "version", "status")))
    def run(data):
        fuzz_post(client, f"/interviews/team/requests/{request_id}", data)

    run()


def test_fuzz_assisted_record_and_invitation(client, login, team_user):
    login(team_user)

    @FUZZ
    @given(data=form_data(("alias", "country", "languages", "barred_countries", "defender_agreed", "role")))
    def run(data):
        fuzz_post(client, "/interviews/team/assisted", data)

    run()


def test_fuzz_her_data_forms(submitted, client, login, defender_user):
    login(defender_user)
    request_id = submitted.request().id

    @FUZZ
    @given(data=form_data(("confirm", "defender_id")), target=st.sampled_from(("delete", "withdraw")))
    def run(data, target):
        if target == "delete" and data.get("confirm"):
            data = {k: v for k, v in data.items() if k != "confirm"}  # a valid deletion ends the test's account
        url = "/interviews/my-data/delete" if target == "delete" else f"/interviews/requests/{request_id}/withdraw"
        fuzz_post(client, url, data)

    run()


def test_posts_without_csrf_are_refused(submitted, client, login, defender_user):
    login(defender_user)
    request_id = submitted.request().id
    assert client.post(f"/interviews/requests/{request_id}/withdraw", csrf=False).status_code == 400
    assert client.post("/interviews/start", csrf=False).status_code == 400
    assert submitted.request().status == "submitted"
