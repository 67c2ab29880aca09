"""The house pages as a team member and a coordinator use them."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Closure, House, Stay

D = dt.date


@pytest.fixture
def house(make_house):
    return make_house(name="Casa La Serena", beds=8, max_concurrent_stays=3, turnover_days=1,
                      stay_length={"individual": 3, "collective": 3, "family": 3}, arrival_weekdays=list(range(7)))


@pytest.fixture
def team(make_user, house, login):
    user = make_user("team", house=house)
    login(user)
    return user


def settings_form(house, **changes):
    data = {"beds": house.beds, "max_concurrent_stays": house.max_concurrent_stays,
            "family_units": house.family_units, "stay_types": list(house.stay_types),
            "collective_min": house.collective_min, "collective_max": house.collective_max,
            "turnover_days": house.turnover_days, "arrival_weekdays": list(house.arrival_weekdays),
            "version": house.version, "accessible": "y" if house.accessible else "",
            "slot_times": ", ".join(house.slot_times)}
    for stay_type, length in house.stay_length.items():
        data[f"length_{stay_type}"] = length
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None and (v != "" or k.startswith("length_"))}


def snapshot(house):
    db.session.expire_all()
    row = db.session.get(House, house.id)
    return (row.beds, row.max_concurrent_stays, row.stay_types, row.stay_length, row.turnover_days,
            row.arrival_weekdays, row.accessible, row.version)


def test_a_team_member_goes_from_the_menu_to_her_house(client, team, house):
    response = client.get("/houses/")
    assert response.status_code == 302 and response.location.endswith(f"/houses/{house.id}")
    page = client.get(f"/houses/{house.id}").text
    assert "Casa La Serena" in page and "Ajustes" in page


def test_she_saves_new_settings(client, team, house):
    response = client.post(f"/houses/{house.id}/settings",
                           data=settings_form(house, beds=10, stay_types=["individual", "family"],
                                              length_collective="", turnover_days=2, arrival_weekdays=[0, 3]))
    assert response.status_code == 302
    db.session.expire_all()
    assert (house.beds, house.stay_types, house.stay_length, house.turnover_days, house.arrival_weekdays) == (
        10, ["individual", "family"], {"individual": 3, "family": 3}, 2, [0, 3])


def test_fewer_beds_than_people_booked_is_refused_naming_the_stay(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 6), type="collective", defenders=4)
    before = snapshot(house)
    response = client.post(f"/houses/{house.id}/settings", data=settings_form(house, beds=3))
    assert response.status_code == 400
    assert "Este cambio no se guardó" in response.text
    assert f"estancia colectiva n.º {stay.id}" in response.text
    assert 'value="3"' in response.text  # what she typed is still there
    assert snapshot(house) == before


def test_removing_a_type_a_published_stay_uses_is_refused(client, team, house, make_stay):
    make_stay(house, D(2027, 3, 6), type="family")
    before = snapshot(house)
    response = client.post(f"/houses/{house.id}/settings",
                           data=settings_form(house, stay_types=["individual", "collective"]))
    assert response.status_code == 400 and "familiar" in response.text.lower()
    assert snapshot(house) == before


def test_a_type_offered_needs_its_length(client, team, house):
    before = snapshot(house)
    response = client.post(f"/houses/{house.id}/settings", data=settings_form(house, length_family=""))
    assert response.status_code == 400 and "la duración de cada tipo" in response.text
    assert snapshot(house) == before


def test_an_edit_from_an_older_version_answers_409(client, team, house):
    data = settings_form(house, beds=9)
    house.beds = 7
    db.session.commit()
    response = client.post(f"/houses/{house.id}/settings", data=data)
    assert response.status_code == 409
    db.session.expire_all()
    assert house.beds == 7


def test_extra_fields_are_ignored(client, team, house, make_house):
    other = make_house()
    client.post(f"/houses/{house.id}/settings", data=settings_form(house, id=other.id, house_id=other.id,
                                                                     code="evil", country="US"))
    db.session.expire_all()
    assert (house.code, house.country) != ("evil", "US")


def test_a_team_member_cannot_see_or_change_another_house(client, team, make_house, make_stay):
    other = make_house(stay_length={"individual": 3, "collective": 3, "family": 3}, arrival_weekdays=list(range(7)))
    stay = make_stay(other, D(2027, 3, 1))
    closure = Closure(house=other, start=D(2027, 5, 1), end=D(2027, 5, 2), reason="rest")
    db.session.add(closure)
    db.session.commit()
    for url in (f"/houses/{other.id}", f"/houses/{other.id}/settings", f"/houses/{other.id}/closures",
                f"/houses/{other.id}/closures/{closure.id}", f"/houses/{other.id}/occupancy",
                f"/houses/{other.id}/programmes", f"/houses/{other.id}/programmes/{stay.id}", "/houses/new"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/houses/{other.id}/settings", data=settings_form(other, beds=1)).status_code == 404
    assert client.post(f"/houses/{other.id}/closures/{closure.id}/delete").status_code == 404
    assert client.post(f"/houses/{other.id}/closures",
                       data={"start": "2027-06-01", "end": "2027-06-02", "reason": "rest"}).status_code == 404
    db.session.expire_all()
    assert other.beds == 8 and db.session.scalar(select(func.count()).select_from(Closure)) == 1


def test_a_stay_of_another_house_is_not_shown_under_hers(client, team, house, make_house, make_stay):
    other = make_house(stay_length={"individual": 3, "collective": 3, "family": 3}, arrival_weekdays=list(range(7)))
    stay = make_stay(other, D(2027, 3, 1))
    assert client.get(f"/houses/{house.id}/programmes/{stay.id}").status_code == 404


def test_defenders_see_no_house_page(client, make_user, login, house):
    login(make_user("defender"))
    assert client.get("/houses/").status_code == 404
    assert client.get(f"/houses/{house.id}").status_code == 404


def test_a_coordinator_sees_every_house_and_adds_one(client, make_user, login, house, make_house):
    make_house(name="Casa La Siguata", country="HN")
    login(make_user("coordinator"))
    page = client.get("/houses/").text
    assert "Casa La Serena" in page and "Casa La Siguata" in page
    response = client.post("/houses/new", data={
        "code": "luna", "name": "Casa Luna", "place": "Cobán", "country": "GT", "beds": 5,
        "max_concurrent_stays": 2, "family_units": 0, "stay_types": ["individual"], "length_individual": 8,
        "collective_min": 3, "collective_max": 6, "turnover_days": 1, "arrival_weekdays": [0, 1],
        "slot_times": "9:00, 17:30"})
    assert response.status_code == 302
    luna = db.session.scalar(select(House).where(House.code == "luna"))
    assert (luna.name, luna.beds, luna.stay_length, luna.arrival_weekdays) == ("Casa Luna", 5, {"individual": 8}, [0, 1])
    assert luna.slot_times == ["09:00", "17:30"]


def test_a_house_code_is_unique(client, make_user, login, house):
    login(make_user("admin"))
    response = client.post("/houses/new", data={
        "code": house.code, "name": "Otra", "country": "MX", "beds": 5, "max_concurrent_stays": 2,
        "family_units": 0, "stay_types": ["individual"], "length_individual": 8, "collective_min": 3,
        "collective_max": 6, "turnover_days": 1, "arrival_weekdays": [0], "slot_times": "09:30, 16:00"})
    assert response.status_code == 400 and "Ya hay una casa con este código" in response.text
    assert db.session.scalar(select(func.count()).select_from(House)) == 1


# ------------------------------------------------------------------ closures


def closures(house):
    db.session.expire_all()
    return [(c.start, c.end, c.reason, c.note) for c in db.session.scalars(select(Closure).where(Closure.house_id == house.id))]


def test_she_adds_changes_and_removes_a_closure(client, team, house):
    response = client.post(f"/houses/{house.id}/closures",
                           data={"start": "2027-04-01", "end": "2027-04-20", "reason": "water", "note": "pozo seco"})
    assert response.status_code == 302
    assert closures(house) == [(D(2027, 4, 1), D(2027, 4, 20), "water", "pozo seco")]
    closure = db.session.scalar(select(Closure))
    page = client.get(f"/houses/{house.id}/closures").text
    assert "Crisis de agua" in page or "agua" in page.lower()
    response = client.post(f"/houses/{house.id}/closures/{closure.id}",
                           data={"start": "2027-04-05", "end": "2027-04-20", "reason": "repairs", "note": ""})
    assert response.status_code == 302
    assert closures(house) == [(D(2027, 4, 5), D(2027, 4, 20), "repairs", "")]
    asked = client.post(f"/houses/{house.id}/closures/{closure.id}/delete")  # no confirmation: it only asks
    assert asked.status_code == 302 and asked.location.endswith(f"/closures/{closure.id}/remove")
    assert len(closures(house)) == 1
    question = client.get(asked.location)
    assert "¿Quitar este cierre?" in question.text and 'value="yes"' in question.text
    assert client.post(f"/houses/{house.id}/closures/{closure.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert closures(house) == []


def test_closure_refusals_are_marked_on_their_fields(client, team, house, make_stay):
    bad = client.post(f"/houses/{house.id}/closures", data={"start": "2027-04-05", "end": "2027-04-01", "reason": "water"})
    page = bad.text
    end_field = page[page.index('for="end"') - 200:page.index('name="end"')]
    assert "field--error" in end_field and "no puede ser antes" in end_field
    make_stay(house, D(2027, 3, 1))
    over = client.post(f"/houses/{house.id}/closures", data={"start": "2027-03-02", "end": "2027-03-04",
                                                             "reason": "repairs"}).text
    confirm = over[over.index('id="confirm_replan"') - 400:over.index('id="confirm_replan"') + 400]
    assert "field--error" in confirm and "n.º" in confirm


@pytest.mark.parametrize("data, message", [
    ({"start": "2027-04-05", "end": "2027-04-01", "reason": "water"}, "no puede ser antes"),
    ({"start": "2027-04-01", "end": "2027-04-02", "reason": "other", "note": ""}, "en una nota"),
    ({"start": "2027-04-01", "end": "", "reason": "rest"}, "Escribe una fecha"),
])
def test_a_closure_that_makes_no_sense_is_refused(client, team, house, data, message):
    response = client.post(f"/houses/{house.id}/closures", data=data)
    assert response.status_code == 400 and message in response.text
    assert closures(house) == []


def test_a_closure_over_a_published_stay_needs_her_confirmation(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))
    data = {"start": "2027-03-02", "end": "2027-03-04", "reason": "repairs"}
    response = client.post(f"/houses/{house.id}/closures", data=data)
    assert response.status_code == 400 and f"estancia individual n.º {stay.id}" in response.text
    assert closures(house) == [] and not db.session.get(Stay, stay.id).needs_replan
    response = client.post(f"/houses/{house.id}/closures", data={**data, "confirm_replan": "y"})
    assert response.status_code == 302
    flagged = db.session.get(Stay, stay.id)
    assert flagged.needs_replan and "reparaciones" in flagged.replan_reason
    assert len(closures(house)) == 1


# ------------------------------------------------------------------ occupancy and programmes


def test_the_occupancy_picture_shows_bars_closures_and_free_beds(client, team, house, make_stay):
    make_stay(house, D(2027, 3, 3), type="family", companions=2)
    db.session.add(Closure(house=house, start=D(2027, 3, 20), end=D(2027, 3, 22), reason="rest"))
    db.session.commit()
    page = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03").text
    assert "<svg" in page and 'class="occ-stay occ-stay--family"' in page
    assert page.count('class="occ-closure"') == 1 and 'class="occ-limit"' in page
    assert "5 camas libres" in page  # 3 and 4 March hold the family of 3 (+1 turnover day: the 6th)
    assert 'style="' not in page and "<script>" not in page
    quarter = client.get(f"/houses/{house.id}/occupancy?period=quarter&start=2027-03").text
    assert "31 may 2027" in quarter


def test_a_bad_period_falls_back_to_this_month(client, team, house):
    assert client.get(f"/houses/{house.id}/occupancy?period=year&start=zz").status_code == 200


def test_the_programme_lists_each_day_with_its_sessions_and_prints(client, team, house, make_stay, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    stay = make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 1),
                                                     (D(2027, 3, 2), "physical", rosa, 0)])
    assert f"Estancia individual n.º {stay.id}" in client.get(f"/houses/{house.id}/programmes").text
    page = client.get(f"/houses/{house.id}/programmes/{stay.id}").text
    assert page.index("09:30") < page.index("11:30") and "Emocional" in page and "Rosa" in page
    printable = client.get(f"/houses/{house.id}/programmes/{stay.id}?print=1").text
    assert "Emocional" in printable and stay.requests[0].defender.alias not in printable
    assert printable.index("09:30") < printable.index("11:30")


def test_the_programme_shows_the_times_the_house_set(client, team, house, make_stay, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    stay = make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 1)])
    response = client.post(f"/houses/{house.id}/settings", data=settings_form(house, slot_times="8:00, 10:15, 17:00"))
    assert response.status_code == 302
    page = client.get(f"/houses/{house.id}/programmes/{stay.id}").text
    assert "10:15" in page and "11:30" not in page


@pytest.mark.parametrize("times, message", [
    ("09:30", "Indique de 2 a 8 horarios de sesión."),
    ("16:00, 09:30", "Indique los horarios de sesión en el orden del día, cada uno una vez."),
    ("09:30, 09:30", "Indique los horarios de sesión en el orden del día, cada uno una vez."),
    ("9.30, 16:00", "«9.30» no es una hora del día"),
    ("25:00, 26:00", "«25:00» no es una hora del día"),
    ("", "Indique los horarios de sesión"),
])
def test_bad_session_times_are_refused_in_spanish_and_change_nothing(client, team, house, times, message):
    before = list(house.slot_times)
    response = client.post(f"/houses/{house.id}/settings", data=settings_form(house, slot_times=times or None))
    assert response.status_code == 400 and message in response.text
    db.session.expire_all()
    assert db.session.get(House, house.id).slot_times == before


def test_fewer_times_than_a_published_session_uses_are_refused(client, team, house, make_stay, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    stay = make_stay(house, D(2099, 3, 1), sessions=[(D(2099, 3, 2), "emotional", rosa, 2)])
    response = client.post(f"/houses/{house.id}/settings", data=settings_form(house, slot_times="09:30, 16:00"))
    assert response.status_code == 400 and f"n.º {stay.id}" in response.text
    db.session.expire_all()
    assert db.session.get(House, house.id).slot_times == ["09:30", "11:30", "16:00", "18:00"]


def test_the_message_about_flagged_stays_counts_them_right(client, team, house, make_stay):
    make_stay(house, D(2027, 3, 1))
    data = {"start": "2027-03-02", "end": "2027-03-04", "reason": "repairs", "confirm_replan": "y"}
    response = client.post(f"/houses/{house.id}/closures", data=data, follow_redirects=True)
    assert "Se señaló 1 estancia publicada para que la coordinación la replanifique." in response.text
    make_stay(house, D(2027, 3, 10))
    make_stay(house, D(2027, 3, 11))
    data = {"start": "2027-03-12", "end": "2027-03-12", "reason": "rest", "confirm_replan": "y"}
    response = client.post(f"/houses/{house.id}/closures?lang=en", data=data, follow_redirects=True)
    assert "2 published stays were flagged for the coordinator to re-plan." in response.text


# ------------------------------------------------------------------ editing a closure over flagged stays


def closure_over(client, house, data):
    """She adds a closure over a published stay, confirming; return the closure row."""
    response = client.post(f"/houses/{house.id}/closures", data={**data, "confirm_replan": "y"})
    assert response.status_code == 302
    client.get(response.location)  # she reads the page, and its messages, before the next change
    return db.session.scalar(select(Closure).where(Closure.house_id == house.id))


def test_re_editing_a_closure_over_already_flagged_stays_saves_without_asking_again(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))  # 1 to 3 March
    closure = closure_over(client, house,
                           {"start": "2027-03-02", "end": "2027-03-04", "reason": "water", "note": "pozo seco"})
    # She fixes the reason and moves the end by a day: it still covers only the stay already flagged.
    response = client.post(f"/houses/{house.id}/closures/{closure.id}",
                           data={"start": "2027-03-02", "end": "2027-03-05", "reason": "repairs", "note": ""},
                           follow_redirects=True)
    assert response.status_code == 200 and "Se guardó el cierre." in response.text
    assert "Marca la confirmación" not in response.text and "para que la coordinación la replanifique" not in response.text
    assert closures(house) == [(D(2027, 3, 2), D(2027, 3, 5), "repairs", "")]
    flagged = db.session.get(Stay, stay.id)
    assert flagged.needs_replan and "reparaciones" in flagged.replan_reason and "2027-03-05" in flagged.replan_reason


def test_widening_a_closure_over_a_new_published_stay_asks_about_that_stay_only(client, team, house, make_stay):
    first = make_stay(house, D(2027, 3, 1))  # 1 to 3 March
    second = make_stay(house, D(2027, 3, 8))  # 8 to 10 March
    closure = closure_over(client, house, {"start": "2027-03-02", "end": "2027-03-04", "reason": "water"})
    data = {"start": "2027-03-02", "end": "2027-03-09", "reason": "water"}
    response = client.post(f"/houses/{house.id}/closures/{closure.id}", data=data)
    assert response.status_code == 400
    assert "Con estas fechas el cierre cubriría además estas estancias publicadas" in response.text
    assert f"estancia individual n.º {second.id}" in response.text
    assert f"n.º {first.id}," not in response.text  # the stay already flagged for it is not asked about again
    assert second.requests[0].defender.alias not in response.text  # only what the team may see
    assert closures(house) == [(D(2027, 3, 2), D(2027, 3, 4), "water", "")]  # nothing half written
    assert not db.session.get(Stay, second.id).needs_replan
    response = client.post(f"/houses/{house.id}/closures/{closure.id}", data={**data, "confirm_replan": "y"},
                           follow_redirects=True)
    assert "Se señaló 1 estancia publicada para que la coordinación la replanifique." in response.text
    assert closures(house) == [(D(2027, 3, 2), D(2027, 3, 9), "water", "")]
    assert db.session.get(Stay, first.id).needs_replan and db.session.get(Stay, second.id).needs_replan


def test_the_flagged_stays_stay_flagged_when_a_closure_shrinks_off_them(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))  # 1 to 3 March
    closure = closure_over(client, house, {"start": "2027-03-02", "end": "2027-03-06", "reason": "rest"})
    reason = db.session.get(Stay, stay.id).replan_reason
    response = client.post(f"/houses/{house.id}/closures/{closure.id}",
                           data={"start": "2027-03-04", "end": "2027-03-06", "reason": "rest"})
    assert response.status_code == 302
    kept = db.session.get(Stay, stay.id)
    # Stay rows cannot tell which closure flagged them: only the coordinator lifts a flag.
    assert kept.needs_replan and kept.replan_reason == reason


def test_a_flag_set_for_another_reason_is_not_rewritten_by_a_closure_edit(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))
    closure = closure_over(client, house, {"start": "2027-03-02", "end": "2027-03-04", "reason": "water"})
    row = db.session.get(Stay, stay.id)
    row.replan_reason = "request r1 was withdrawn by the defender"  # flagged again since, for another reason
    db.session.commit()
    response = client.post(f"/houses/{house.id}/closures/{closure.id}",
                           data={"start": "2027-03-02", "end": "2027-03-05", "reason": "water"})
    assert response.status_code == 302
    assert db.session.get(Stay, stay.id).replan_reason == "request r1 was withdrawn by the defender"


def test_another_closure_over_a_stay_flagged_by_the_first_still_asks(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))
    closure_over(client, house, {"start": "2027-03-02", "end": "2027-03-02", "reason": "water"})
    response = client.post(f"/houses/{house.id}/closures", data={"start": "2027-03-03", "end": "2027-03-03",
                                                                  "reason": "rest"})
    assert response.status_code == 400 and f"estancia individual n.º {stay.id}" in response.text
    assert len(closures(house)) == 1


def test_the_change_page_says_flagged_stays_are_not_asked_about_again(client, team, house):
    closure = Closure(house=house, start=D(2027, 5, 1), end=D(2027, 5, 2), reason="rest")
    db.session.add(closure)
    db.session.commit()
    assert "No se vuelve a preguntar" in client.get(f"/houses/{house.id}/closures/{closure.id}").text
    assert "No se vuelve a preguntar" not in client.get(f"/houses/{house.id}/closures").text


def test_a_reason_written_in_english_is_brought_up_to_date_in_spanish(client, team, house, make_stay):
    stay = make_stay(house, D(2027, 3, 1))
    response = client.post(f"/houses/{house.id}/closures?lang=en",
                           data={"start": "2027-03-02", "end": "2027-03-04", "reason": "water", "confirm_replan": "y"})
    assert response.status_code == 302
    closure = db.session.scalar(select(Closure).where(Closure.house_id == house.id))
    assert db.session.get(Stay, stay.id).replan_reason == "Closure (water crisis) from 2027-03-02 to 2027-03-04"
    response = client.post(f"/houses/{house.id}/closures/{closure.id}?lang=es",
                           data={"start": "2027-03-01", "end": "2027-03-04", "reason": "water"})
    assert response.status_code == 302
    assert db.session.get(Stay, stay.id).replan_reason == "Cierre (crisis de agua) del 2027-03-01 al 2027-03-04"


def test_the_occupancy_page_opens_on_the_next_month_with_stays(client, team, house, make_stay):
    from app.models import local_today

    today = local_today()
    later = (today.replace(day=1) + dt.timedelta(days=70)).replace(day=9)
    make_stay(house, later)
    page = client.get(f"/houses/{house.id}/occupancy").text
    assert 'class="occ-stay occ-stay--individual"' in page
    assert f'value="{later:%Y-%m}"' in page
    make_stay(house, today - dt.timedelta(days=1))  # now this month holds a stay: it opens here
    assert f'value="{today:%Y-%m}"' in client.get(f"/houses/{house.id}/occupancy").text


@pytest.mark.parametrize("query", ["", "?period=month", "?period=quarter"])
def test_the_occupancy_page_loads_the_stays_it_draws_once(client, team, house, make_stay, sql_statements, query):
    from app.models import local_today

    make_stay(house, local_today())  # this month holds a stay: the page opens on it, and draws it
    sql_statements.clear()
    page = client.get(f"/houses/{house.id}/occupancy{query}")
    assert 'class="occ-stay occ-stay--individual"' in page.text
    assert len([s for s in sql_statements if s.startswith("SELECT stays.id, stays.")]) == 1, sql_statements


def test_closed_days_show_as_closed_not_as_free_beds(client, team, house):
    db.session.add(Closure(house=house, start=D(2027, 3, 20), end=D(2027, 3, 22), reason="rest"))
    db.session.commit()
    page = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03").text
    assert page.count("20 mar 2027: cerrada") == 1
    assert "20 mar 2027: 8 camas libres" not in page and "19 mar 2027: 8 camas libres" in page


def test_weekends_have_their_own_pattern_and_legend_and_a_print_view(client, team, house):
    page = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03").text
    assert 'fill="url(#occ-weekend-hatch)"' in page and "swatch--weekend" in page and "Fin de semana" in page
    assert "swatch--turnover" in page  # the turnover grey is no longer the weekend's
    printable = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03&view=print").text
    assert '<body class="print-view">' in printable and "<details class=\"occupancy__table\" open>" in printable
