"""Item 17: approving (publishing) a proposal that is not in the proposed state answers 409,
and nothing changes."""
import datetime as dt

import pytest

from app.extensions import db
from app.models import PlanningRun, ProposedStay

from .conftest import database_fingerprint


@pytest.fixture
def run_in(app, make_house, make_request):
    if "planning.publish" not in app.view_functions:
        pytest.skip("the planning blueprint is not installed in this build")

    def make(status: str) -> PlanningRun:
        house = make_house()
        run = PlanningRun(horizon_start=dt.date(2027, 1, 1), horizon_days=90, status=status, house_ids=[house.id])
        stay = ProposedStay(run=run, key="s1", house=house, start=dt.date(2027, 2, 1), end=dt.date(2027, 2, 10),
                            # a published run may still publish the stays it left proposed (issue 13): here none is left
                            type="individual", status="published" if status == "published" else "proposed")
        stay.requests.append(make_request(status="pending"))
        db.session.add_all([run, stay])
        db.session.commit()
        return run

    return make


@pytest.mark.parametrize("status", ["published", "queued", "running", "failed", "cancelled"])
def test_item_17_publishing_a_run_that_is_not_a_finished_proposal_answers_409(client, make_user, login, run_in,
                                                                               status):
    run = run_in(status)
    login(make_user("coordinator"))
    before = database_fingerprint(reads_audited=True)
    response = client.post(f"/planning/runs/{run.id}/publish",
                           data={"version": run.version, "stays": [s.id for s in run.stays]})
    assert response.status_code == 409
    assert database_fingerprint(reads_audited=True) == before
