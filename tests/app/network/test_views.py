"""The network pages as a team member and a coordinator use them."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Availability, Therapist

D = dt.date


@pytest.fixture
def house(make_house):
    return make_house(name="Casa La Serena", stay_length={"individual": 3, "collective": 3, "family": 3},
                      arrival_weekdays=list(range(7)))


@pytest.fixture
def team(make_user, house, login):
    user = make_user("team", house=house)
    login(user)
    return user


def form_of(therapist, **changes):
    data = {"name": therapist.name, "kind": therapist.kind, "dimensions": list(therapist.dimensions),
            "techniques": therapist.techniques, "languages": list(therapist.languages),
            "houses": [h.id for h in therapist.houses], "max_sessions_per_day": therapist.max_sessions_per_day,
            "contact": "", "active": "y" if therapist.active else "", "version": therapist.version}
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def state(therapist_id):
    db.session.expire_all()
    t = db.session.get(Therapist, therapist_id)
    return (t.name, t.kind, t.dimensions, t.languages, sorted(h.id for h in t.houses), t.max_sessions_per_day,
            t.active, t.contact, [(a.start, a.end) for a in t.availability])


def test_she_adds_a_healer_to_her_house(client, team, house):
    response = client.post("/network/new", data={
        "name": "Doña Chabela", "kind": "healer", "dimensions": ["spiritual", "energetic"],
        "techniques": "temazcal, limpias", "languages": ["es", "zap"], "houses": [house.id],
        "max_sessions_per_day": 2, "contact": "+52 951 000 0000", "active": "y"})
    assert response.status_code == 302
    chabela = db.session.scalar(select(Therapist))
    assert state(chabela.id)[:8] == ("Doña Chabela", "healer", ["spiritual", "energetic"], ["es", "zap"], [house.id],
                                     2, True, "+52 951 000 0000")
    raw = db.session.execute(text("SELECT contact_ct FROM therapists")).scalar()
    assert "951" not in raw
    page = client.get(f"/network/{chabela.id}").text
    assert "temazcal" in page and "Zapoteco" in page


def test_a_refused_edit_names_the_stay_and_changes_nothing(client, team, house, make_therapist, make_stay):
    rosa = make_therapist(houses=[house], dimensions=["emotional"], available=[(D(2027, 3, 1), D(2027, 3, 31))])
    stay = make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 0)])
    before = state(rosa.id)
    response = client.post(f"/network/{rosa.id}/edit", data=form_of(rosa, dimensions=["physical"], name="Rosa M."))
    assert response.status_code == 400
    assert "Da sesiones en esta dimensión" in response.text and f"n.º {stay.id}" in response.text
    assert 'value="Rosa M."' in response.text
    assert state(rosa.id) == before


def test_an_edit_from_an_older_version_answers_409(client, team, house, make_therapist):
    rosa = make_therapist(houses=[house])
    data = form_of(rosa, name="Rosa María")
    rosa.max_sessions_per_day = 1
    db.session.commit()
    assert client.post(f"/network/{rosa.id}/edit", data=data).status_code == 409
    assert state(rosa.id)[0] != "Rosa María"


def test_a_team_member_edits_a_shared_therapist_but_not_the_other_house(client, team, house, make_house,
                                                                       make_therapist):
    siguata = make_house(name="Casa La Siguata", country="HN")
    lupe = make_therapist(name="Lupe", houses=[house, siguata])
    page = client.get(f"/network/{lupe.id}/edit").text
    assert "También trabaja en: Casa La Siguata" in page
    response = client.post(f"/network/{lupe.id}/edit", data=form_of(lupe, houses=[house.id, siguata.id], name="Lupita"))
    assert response.status_code == 400  # the other house is not one of her choices
    response = client.post(f"/network/{lupe.id}/edit", data=form_of(lupe, houses=[house.id], name="Lupita"))
    assert response.status_code == 302
    assert state(lupe.id)[0] == "Lupita" and state(lupe.id)[4] == sorted([house.id, siguata.id])
    # taking her own house away leaves Lupe with La Siguata, and out of this team's list
    response = client.post(f"/network/{lupe.id}/edit", data=form_of(db.session.get(Therapist, lupe.id), houses=[]))
    assert response.status_code == 302 and response.location.endswith("/network/")
    assert state(lupe.id)[4] == [siguata.id]
    assert client.get(f"/network/{lupe.id}").status_code == 404


def test_the_list_is_searched_and_filtered(client, make_user, login, house, make_house, make_therapist):
    siguata = make_house(name="Casa La Siguata", country="HN")
    make_therapist(name="Rosa", houses=[house], dimensions=["emotional"], languages=["es", "zap"],
                   techniques="escucha", available=[(D(2027, 3, 1), D(2027, 3, 10))])
    make_therapist(name="Marta", houses=[siguata], dimensions=["physical"], languages=["es", "cab"],
                   available=[(D(2027, 4, 1), D(2027, 4, 10))])
    login(make_user("coordinator"))

    def names(query):
        page = client.get("/network/?" + query).text
        return [n for n in ("Rosa", "Marta") if f">{n}</a>" in page]

    assert names("") == ["Rosa", "Marta"] or names("") == ["Marta", "Rosa"]
    assert names("q=ESCUCHA") == ["Rosa"]
    assert names("dimension=physical") == ["Marta"]
    assert names("language=cab") == ["Marta"]
    assert names(f"house={siguata.id}") == ["Marta"]
    assert names("on=2027-03-05") == ["Rosa"]
    assert "Opción inválida" not in client.get("/network/").text
    assert client.get("/network/?on=nonsense&language=xx&house=abc").status_code == 200


def test_availability_from_the_month_view_and_the_form(client, team, house, make_therapist):
    rosa = make_therapist(houses=[house], available=[(D(2026, 1, 1), D(2026, 1, 2))])
    assert client.post(f"/network/{rosa.id}/availability/{rosa.availability[0].id}/delete").status_code == 302
    page = client.get(f"/network/{rosa.id}?month=2027-03").text
    assert "from=2027-03-05" in page
    page = client.get(f"/network/{rosa.id}?month=2027-03&from=2027-03-05").text
    assert "to=2027-03-09" in page and "Ahora elige el último día" in page
    page = client.get(f"/network/{rosa.id}?month=2027-03&from=2027-03-05&to=2027-03-09").text
    assert 'value="2027-03-05"' in page and 'value="2027-03-09"' in page
    response = client.post(f"/network/{rosa.id}/availability", data={"start": "2027-03-05", "end": "2027-03-09"})
    assert response.status_code == 302
    page = client.get(f"/network/{rosa.id}?month=2027-03").text
    assert page.count("month__day--available") == 5
    row = db.session.scalar(select(Availability))
    assert client.post(f"/network/{rosa.id}/availability/{row.id}",
                       data={"start": "2027-03-04", "end": "2027-03-09"}).status_code == 302
    assert state(rosa.id)[-1] == [(D(2027, 3, 4), D(2027, 3, 9))]
    response = client.post(f"/network/{rosa.id}/availability", data={"start": "2027-03-08", "end": "2027-03-12"})
    assert response.status_code == 400 and "se cruza con otro" in response.text
    response = client.post(f"/network/{rosa.id}/availability", data={"start": "2027-03-20", "end": "2027-03-12"})
    assert response.status_code == 400 and "no puede ser antes del primero" in response.text
    assert state(rosa.id)[-1] == [(D(2027, 3, 4), D(2027, 3, 9))]
    assert client.post(f"/network/{rosa.id}/availability/{row.id}/delete").status_code == 302
    assert state(rosa.id)[-1] == []


def test_the_network_month_shows_who_is_there_and_in_which_dimensions(client, team, house, make_therapist):
    make_therapist(name="Rosa", houses=[house], dimensions=["emotional"], available=[(D(2027, 3, 2), D(2027, 3, 3))])
    page = client.get(f"/network/month?house={house.id}&month=2027-03").text
    assert "Rosa" in page and page.count("netmonth__cell--on") == 2 and "Emocional" in page


def test_a_team_member_sees_nothing_of_another_house(client, team, make_house, make_therapist):
    other = make_house()
    marta = make_therapist(name="Marta", houses=[other])
    row = marta.availability[0]
    for url in (f"/network/{marta.id}", f"/network/{marta.id}/edit", f"/network/{marta.id}/availability/{row.id}",
                f"/network/month?house={other.id}", f"/network/export/therapists.csv?house={other.id}"):
        assert client.get(url).status_code == 404, url
    assert "Marta" not in client.get("/network/").text
    assert "Marta" not in client.get("/network/export/therapists.csv").text
    assert client.post(f"/network/{marta.id}/edit", data=form_of(marta, name="X")).status_code == 404
    assert client.post(f"/network/{marta.id}/availability", data={"start": "2028-01-01", "end": "2028-01-02"}).status_code == 404
    assert client.post(f"/network/{marta.id}/availability/{row.id}/delete").status_code == 404
    assert state(marta.id)[0] == "Marta" and len(state(marta.id)[-1]) == 1


def test_defenders_see_no_network(client, make_user, login, make_therapist):
    rosa = make_therapist()
    login(make_user("defender"))
    for url in ("/network/", f"/network/{rosa.id}", "/network/month", "/network/import", "/network/export/therapists.csv"):
        assert client.get(url).status_code == 404, url


def test_a_refusal_does_not_tell_one_house_the_dates_of_another_houses_stay(client, team, house, make_house,
                                                                            make_therapist, make_stay):
    siguata = make_house(name="Casa La Siguata", country="HN", stay_length={"individual": 3},
                         arrival_weekdays=list(range(7)))
    lupe = make_therapist(name="Lupe", houses=[house, siguata], dimensions=["emotional"], languages=["es", "zap"],
                          available=[(D(2027, 3, 1), D(2027, 3, 31))])
    theirs = make_stay(siguata, D(2027, 3, 8), sessions=[(D(2027, 3, 9), "emotional", lupe, 0)])
    ours = make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", lupe, 0)])
    before = state(lupe.id)
    response = client.post(f"/network/{lupe.id}/edit", data=form_of(lupe, houses=[house.id], languages=["zap"]))
    assert response.status_code == 400 and state(lupe.id) == before
    assert f"n.º {ours.id}" in response.text and "1 estancia en otra casa" in response.text
    assert f"n.º {theirs.id}" not in response.text and "8 mar 2027" not in response.text
    english = client.post(f"/network/{lupe.id}/edit?lang=en", data=form_of(lupe, houses=[house.id], languages=["zap"]))
    assert "1 stay at another house" in english.text and "8 Mar 2027" not in english.text


def test_the_network_month_shades_the_house_closures(client, team, house, make_therapist):
    import datetime as dt

    from app.models import Closure

    make_therapist(name="Rosa", houses=[house], dimensions=["emotional"], available=[(D(2027, 3, 1), D(2027, 3, 31))])
    db.session.add(Closure(house=house, start=dt.date(2027, 3, 20), end=dt.date(2027, 3, 22), reason="water"))
    db.session.commit()
    page = client.get(f"/network/month?house={house.id}&month=2027-03").text
    assert page.count("netmonth__day--closed") == 3 and page.count("netmonth__cell--on netmonth__cell--closed") == 3 and "la casa está cerrada" in page
