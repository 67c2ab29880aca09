"""A refused hand edit says which rule it breaks in her language, by the engine's violation code."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale

from matching.validate import CODES, Violation

from app.planning.violations import Names, violation_text

from .conftest import START
from .test_proposal import proposal  # noqa: F401  (the fixture: a finished run, the coordinator logged in)


def _edit(client, proposal, lang=None, **fields):  # noqa: F811
    run, stay = proposal["run"], proposal["stay"]
    data = {"version": stay.version, "house": stay.house_id, "start": stay.start.isoformat(), "type": stay.type,
            "keep_programme": "y"}
    data.update(fields)
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/planning/runs/{run.id}/stays/{stay.id}/edit{query}", data=data)


def _session_to(client, proposal, therapist, lang=None):  # noqa: F811
    run, stay = proposal["run"], proposal["stay"]
    session = stay.sessions[0]
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}{query}",
                       data={f"s{session.id}-version": stay.version, f"s{session.id}-therapist": therapist.id})


def _refusals(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.text


def test_a_refused_edit_says_the_broken_rule_in_spanish_then_english(client, proposal):  # noqa: F811
    barred = proposal["barred"]
    alias = barred.defender.alias
    late = (barred.latest_start + dt.timedelta(days=3)).isoformat()
    closed = (START + dt.timedelta(days=44)).isoformat()
    siguata = proposal["houses"][1]
    marta = proposal["therapists"][2]  # works only at La Siguata

    # Spanish, by default
    window = _refusals(_edit(client, proposal, start=late))
    assert "Regla 4" in window and f"fuera de la ventana de {alias}" in window
    assert "outside the window" not in window and barred.defender.real_name not in window
    country = _refusals(_edit(client, proposal, house=siguata.id))
    assert f"{alias} no puede entrar en Honduras (Casa La Siguata)" in country
    closure = _refusals(_edit(client, proposal, start=closed))
    assert "Regla 5" in closure and "coincide con el cierre de Casa La Serena" in closure
    assert "(Crisis de agua)" in closure and "meets the closure" not in closure
    kind = _refusals(_edit(client, proposal, type="collective"))
    assert "Regla 2" in kind and "no pidió una estancia de tipo Colectiva" in kind
    therapist = _refusals(_session_to(client, proposal, marta))
    assert "Regla 7" in therapist and "Marta Gómez no trabaja en Casa La Serena" in therapist

    # English, on request
    window = _refusals(_edit(client, proposal, lang="en", start=late))
    assert "Rule 4" in window and f"outside the window of {alias}" in window and "fuera de" not in window
    country = _refusals(_edit(client, proposal, lang="en", house=siguata.id))
    assert f"{alias} cannot enter Honduras (Casa La Siguata)" in country
    closure = _refusals(_edit(client, proposal, lang="en", start=closed))
    assert "Rule 5" in closure and "meets the closure of Casa La Serena" in closure and "(Water crisis)" in closure
    kind = _refusals(_edit(client, proposal, lang="en", type="collective"))
    assert "Rule 2" in kind and "did not ask for a stay of type Collective" in kind
    therapist = _refusals(_session_to(client, proposal, marta, lang="en"))
    assert "Rule 7" in therapist and "Marta Gómez does not work at Casa La Serena" in therapist


# Every key any code reads, with a plausible value.
PARAMS = {
    "stay": "s1", "house": "serena", "type": "family", "request": "r1", "accepts": ["individual"], "defenders": 2,
    "companions": 1, "count": 3, "size": 9, "minimum": 2, "maximum": 8, "start": "2027-02-01",
    "earliest": "2027-02-02", "latest": "2027-02-20", "country": "HN", "last": "2027-02-05",
    "horizon_start": "2027-02-01", "horizon_end": "2027-05-31", "closure_start": "2027-02-03",
    "closure_end": "2027-02-09", "reason": "water", "weekday": 0, "limit": 2, "first": "2027-02-02",
    "second": "s2", "stays": ["s1", "s2"], "session": 1, "dimension": "physical", "day": "2027-02-02",
    "therapist": "t1", "languages": ["es", "mam"], "need": 1, "houses": ["serena", "siguata"], "lock": "p4",
    "requests": ["r1", "r2"], "slot": 1, "slots": 4, "week": "2027-02-01",
}
NAMES = Names(houses={"serena": "Casa La Serena", "siguata": "Casa La Siguata"}, therapists={"t1": "Rosa Méndez"},
              requests={"r1": "Ceiba 1", "r2": "Ceiba 2"})


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_violation_code_has_words_in_both_languages(app, code):
    violation = Violation(CODES[code], "ENGINE WORDS", code, dict(PARAMS))
    texts = {}
    for lang in ("es", "en"):
        with app.test_request_context("/"), force_locale(lang):
            texts[lang] = violation_text(violation, NAMES)
    for text in texts.values():
        assert text != "ENGINE WORDS" and not re.search(r"%\(\w+\)s", text)
        assert "serena" not in text.replace("Serena", "") and " r1" not in text and "t1" not in text
    assert texts["es"] != texts["en"]


def test_an_unknown_code_or_unfit_params_fall_back_to_the_engine_message(app):
    with app.test_request_context("/"):
        assert violation_text(Violation(3, "stay s1: something new", "brand_new_code", {"stay": "s1"})) \
            == "stay s1: something new"
        assert violation_text(Violation(4, "stay s1: bad params", "outside_window", {"stay": "s1"})) \
            == "stay s1: bad params"
        assert violation_text(Violation(4, "no code at all")) == "no code at all"


# ----------------------------------------------------------------- impossible locks on the proposal page

def _rerun_with_an_impossible_lock(client, proposal):  # noqa: F811
    """Lock her stay, close its house over its first day, plan again: the carried lock breaks rule 5.

    The engine drops that lock, names it, and plans the rest (the answer is not INFEASIBLE).
    """
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Closure, PlanningRun

    run, stay = proposal["run"], proposal["stay"]
    assert client.post(f"/planning/runs/{run.id}/stays/{stay.id}/lock", data={"version": stay.version}).status_code == 302
    stay.house.closures.append(Closure(start=stay.start, end=stay.start + dt.timedelta(days=1), reason="water"))
    db.session.commit()
    db.session.refresh(run)
    assert client.post(f"/planning/runs/{run.id}/rerun", data={"version": run.version}).status_code == 302
    second = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    assert second.id != run.id and second.status == "done"
    assert (second.progress or {}).get("solver_status") in ("OPTIMAL", "FEASIBLE")
    dropped = second.progress["dropped_locks"]
    assert [(d["rule"], d["code"]) for d in dropped] == [(5, "closure")] and dropped[0]["stay"]
    return second


def test_impossible_locks_are_shown_in_her_language(client, proposal):  # noqa: F811
    second = _rerun_with_an_impossible_lock(client, proposal)
    stored = second.progress["problems"]
    assert stored and all(isinstance(p, dict) and p.get("code") for p in stored), stored
    assert {p["code"] for p in stored} == {"closure"} and stored[0]["rule"] == 5 and stored[0]["message"]

    page = client.get(f"/planning/runs/{second.id}")
    assert page.status_code == 200
    assert "Regla 5" in page.text and "coincide con el cierre de Casa La Serena" in page.text
    assert "(Crisis de agua)" in page.text and "closure" not in page.text

    page = client.get(f"/planning/runs/{second.id}?lang=en")
    assert "Rule 5" in page.text and "meets the closure of Casa La Serena" in page.text
    assert "(Water crisis)" in page.text and "cierre" not in page.text


def test_problems_stored_as_plain_strings_still_show_in_the_engines_english(client, proposal):  # noqa: F811
    from app.extensions import db

    run = proposal["run"]
    run.progress = {**(run.progress or {}),
                    "problems": ["locked stay k9 at Casa La Serena holds no request (rule 1)",
                                 {"rule": 3, "message": "stay s1: something new (rule 3)"},
                                 {"rule": 4, "code": "outside_window", "params": {"stay": "s1"},
                                  "message": "stay s1: bad params (rule 4)"}]}
    db.session.commit()
    page = client.get(f"/planning/runs/{run.id}")
    assert page.status_code == 200
    assert "locked stay k9 at Casa La Serena holds no request (rule 1)" in page.text
    assert "stay s1: something new (rule 3)" in page.text and "stay s1: bad params" in page.text
