"""The planning queue counts in good Spanish with one and with two."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import utcnow


def test_the_queue_says_one_companion_and_one_day_in_good_spanish(client, login, world):
    login(world["coordinator"])
    one, two = world["requests"][:2]
    one.stay_types = two.stay_types = ["family"]
    one.companions, two.companions = 1, 2
    one.submitted_at = utcnow() - dt.timedelta(days=1)
    two.submitted_at = utcnow() - dt.timedelta(days=2)
    db.session.commit()
    page = client.get("/planning/").text
    assert "+ 1 acompañante<" in page and "+ 1 acompañantes" not in page
    assert "+ 2 acompañantes" in page
    assert "1 día<" in page and "1 días" not in page
    assert "2 días" in page


def test_the_run_list_and_the_proposal_count_in_good_spanish(client, login, world):
    login(world["coordinator"])
    response = client.post("/planning/runs/new", data={
        "horizon_start": "2027-02-01", "horizon_days": "90", "time_limit": "2",
        "houses": [str(h.id) for h in world["houses"]], "serve": "10000", "wait": "10", "type_rank": "100",
        "away": "200", "session": "20", "switch": "5", "urgency_0": "1", "urgency_1": "2", "urgency_2": "4",
        "urgency_3": "8"})
    assert response.status_code == 302
    proposal = client.get(response.location)
    assert proposal.status_code == 200
    assert "camas ocupadas en un día" in proposal.text
    runs = client.get("/planning/runs").text
    assert "90 días" in runs
    assert "sin lugar" in runs
