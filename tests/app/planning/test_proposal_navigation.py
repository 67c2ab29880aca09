"""A coordinator works through a long proposal: a summary first, then one house, one month, one page at a time.

The filter lives in the query string, so it survives a lock, an edit and publishing, and works without
JavaScript; a bad value is explained in her language and never breaks the page.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PlanningRun

from .conftest import START
from .test_proposal import plan

STAY_ID = re.compile(r'<article class="card stay" id="stay-(\d+)"')


@pytest.fixture
def proposal(world, settings, client, login, make_request, make_defender):
    """The small world plus a stay in April and a request no house can take (she may enter neither country)."""
    april = START + dt.timedelta(days=62)
    make_request(make_defender(country="MX"), urgency=2, earliest_start=april, latest_start=april + dt.timedelta(days=5),
                 needs={"emotional": 1})
    make_request(make_defender(country="GT", barred_countries=["MX", "HN"]), urgency=3, earliest_start=START,
                 latest_start=START + dt.timedelta(days=30), needs={"emotional": 1})
    run = plan(world["coordinator"], settings)
    assert run.status == "done", run.error
    login(world["coordinator"])
    serena, siguata = world["houses"]
    assert {s.house_id for s in run.stays} == {serena.id, siguata.id}
    assert {s.start.month for s in run.stays} >= {2, 4}
    return {"run": run, "serena": serena, "siguata": siguata, **world}


def url(run: PlanningRun, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/planning/runs/{run.id}" + (f"?{query}" if query else "")


def shown(page) -> list[int]:
    return [int(i) for i in STAY_ID.findall(page.text)]


def query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def ordered(stays):
    return sorted(stays, key=lambda s: (s.house.name, s.start, s.id))


def test_the_summary_counts_each_house_s_stays_by_status_and_the_requests_left_out(client, proposal):
    run, serena = proposal["run"], proposal["serena"]
    first = ordered(s for s in run.stays if s.house_id == serena.id)[0]
    assert client.post(f"/planning/runs/{run.id}/stays/{first.id}/lock", data={"version": first.version}).status_code == 302
    page = client.get(url(run))
    assert page.status_code == 200
    table = page.text[page.text.index('id="summary-table"'):page.text.index("</table>", page.text.index('id="summary-table"'))]
    rows = {}
    for house in (serena, proposal["siguata"]):
        row = table[table.index(house.name):]
        row = row[:row.index("</tr>")]
        rows[house.id] = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', row)}
    total = table[table.index("<tfoot>"):]
    together = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', total)}
    at_serena = sum(1 for s in run.stays if s.house_id == serena.id)
    assert rows[serena.id] == {"proposed": at_serena - 1, "locked": 1, "published": 0, "total": at_serena}
    at_siguata = len(run.stays) - at_serena
    assert rows[proposal["siguata"].id] == {"proposed": at_siguata, "locked": 0, "published": 0, "total": at_siguata}
    assert together == {"proposed": len(run.stays) - 1, "locked": 1, "published": 0, "total": len(run.stays)}
    assert len(run.unassigned) == 1
    assert "1 solicitud no tiene estancia en esta propuesta." in page.text
    assert "1 de ellas está en riesgo inminente." in page.text


def test_choosing_a_house_shows_only_that_house_s_stays(client, proposal):
    run, serena, siguata = proposal["run"], proposal["serena"], proposal["siguata"]
    page = client.get(url(run, house=serena.code))
    assert page.status_code == 200
    assert sorted(shown(page)) == sorted(s.id for s in run.stays if s.house_id == serena.id)
    assert f'id="g{serena.id}-t"' in page.text and f'id="g{siguata.id}-t"' not in page.text
    other = client.get(url(run, house=siguata.code))
    assert sorted(shown(other)) == sorted(s.id for s in run.stays if s.house_id == siguata.id)
    assert f'<option value="{siguata.code}" selected>' in other.text


def test_every_stay_is_shown_by_house_then_month(client, proposal):
    run = proposal["run"]
    page = client.get(url(run))
    assert shown(page) == [s.id for s in ordered(run.stays)]
    headings = re.findall(r'<h3 class="stay-group">([^<]*)', page.text)
    assert headings[0].startswith("Casa La Serena · febrero 2027")
    assert any(h.startswith("Casa La Serena · abril 2027") for h in headings)
    assert headings[-1].startswith("Casa La Siguata")


def test_a_month_shows_the_stays_beginning_in_it_and_its_link_keeps_the_house(client, proposal):
    run, serena = proposal["run"], proposal["serena"]
    page = client.get(url(run, month="2027-04"))
    assert page.status_code == 200
    april = [s.id for s in run.stays if (s.start.year, s.start.month) == (2027, 4)]
    assert april and sorted(shown(page)) == sorted(april)
    assert re.search(r'month=2027-04[^"]*"\s+aria-current="page"', page.text)
    in_house = client.get(url(run, house=serena.code, month="2027-02"))
    assert sorted(shown(in_house)) == sorted(s.id for s in run.stays
                                             if s.house_id == serena.id and s.start.month == 2)
    links = re.findall(r'href="(/planning/runs/\d+\?[^"#]*month=2027-04[^"#]*)', in_house.text)
    assert links and all(query(link.replace("&amp;", "&"))["house"] == [serena.code] for link in links)
    empty = client.get(url(run, month="2027-03"))
    assert empty.status_code == 200 and shown(empty) == []
    assert "Ninguna estancia de esta propuesta coincide" in empty.text


def test_a_long_proposal_is_cut_into_pages_that_together_show_every_stay_once(app, client, proposal):
    app.config["PLANNING_PAGE_SIZE"] = 2
    run = proposal["run"]
    pages = -(-len(run.stays) // 2)
    seen = []
    for number in range(1, pages + 1):
        page = client.get(url(run, page=number))
        assert page.status_code == 200
        assert len(shown(page)) == (2 if number < pages else len(run.stays) - 2 * (pages - 1))
        assert f"Página {number} de {pages}" in page.text
        assert ('rel="next"' in page.text) == (number < pages)
        seen += shown(page)
    assert seen == [s.id for s in ordered(run.stays)]


def test_a_lock_brings_her_back_to_the_house_month_and_page_she_was_on(app, client, proposal):
    app.config["PLANNING_PAGE_SIZE"] = 1
    run, serena = proposal["run"], proposal["serena"]
    page = client.get(url(run, house=serena.code, month="2027-02", page=2))
    stay_id, = shown(page)
    stay = next(s for s in run.stays if s.id == stay_id)
    action = re.search(rf'action="([^"]*/stays/{stay_id}/lock[^"]*)"', page.text).group(1).replace("&amp;", "&")
    response = client.post(action, data={"version": stay.version})
    assert response.status_code == 302
    assert query(response.location) == {"house": [serena.code], "month": ["2027-02"], "page": ["2"]}
    assert response.location.endswith(f"#stay-{stay_id}")
    back = client.get(response.location)
    assert shown(back) == [stay_id] and "Estancia fijada" in back.text


def test_an_edit_keeps_the_filter_from_the_proposal_to_the_save_and_back(client, proposal):
    run, serena = proposal["run"], proposal["serena"]
    page = client.get(url(run, house=serena.code, month="2027-02"))
    stay = next(s for s in run.stays if s.id == shown(page)[0])
    link = re.search(rf'href="([^"]*/stays/{stay.id}/edit[^"]*)"', page.text).group(1).replace("&amp;", "&")
    assert query(link) == {"house": [serena.code], "month": ["2027-02"]}
    form = client.get(link)
    action = re.search(rf'action="([^"]*/stays/{stay.id}/edit[^"]*)"', form.text).group(1).replace("&amp;", "&")
    saved = client.post(action, data={"version": stay.version, "house": stay.house_id, "start": stay.start.isoformat(),
                                      "type": stay.type, "keep_programme": "y"})
    assert saved.status_code == 302, saved.text
    assert query(saved.location) == {"house": [serena.code], "month": ["2027-02"]}
    back = re.search(r'href="([^"]*)">Volver a la propuesta', client.get(saved.location).text).group(1)
    assert query(back.replace("&amp;", "&")) == {"house": [serena.code], "month": ["2027-02"]}


def test_publishing_from_one_house_still_offers_every_proposed_stay_and_returns_to_the_house(client, proposal):
    run, siguata = proposal["run"], proposal["siguata"]
    page = client.get(url(run, house=siguata.code))
    offered = [int(i) for i in re.findall(r'name="stays" value="(\d+)" id="pub-\d+" checked', page.text)]
    assert sorted(offered) == sorted(s.id for s in run.stays)
    # publishing asks first (the stays and the people they touch), then publishes from the confirmation
    action = re.search(r'action="([^"]*/confirm[^"]*)"', page.text).group(1).replace("&amp;", "&")
    confirmation = client.post(action, data={"version": run.version, "stays": offered})
    assert confirmation.status_code == 200
    action = re.search(r'action="([^"]*/publish[^"]*)"', confirmation.text).group(1).replace("&amp;", "&")
    response = client.post(action, data={"version": run.version, "stays": offered})
    assert response.status_code == 302
    assert query(response.location) == {"house": [siguata.code]}
    db.session.refresh(run)
    assert run.status == "published" and all(s.status == "published" for s in run.stays)


def test_a_re_run_opens_on_the_same_house_and_month(client, proposal):
    run, serena = proposal["run"], proposal["serena"]
    response = client.post(url(run, house=serena.code, month="2027-02", page=2).replace(
        f"/runs/{run.id}?", f"/runs/{run.id}/rerun?"), data={"version": run.version})
    assert response.status_code == 302
    new = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    assert new.id != run.id and f"/runs/{new.id}?" in response.location
    assert query(response.location) == {"house": [serena.code], "month": ["2027-02"]}


@pytest.mark.parametrize("args, message", [
    ({"house": "nowhere"}, "Este plan no tiene una casa «nowhere»: se muestran todas las casas."),
    ({"house": "x" * 300}, "Este plan no tiene una casa «" + "x" * 40 + "…»"),
    ({"month": "2027-13"}, "«2027-13» no es un mes"),
    ({"month": "marzo"}, "«marzo» no es un mes (escríbelo así: 2027-03)"),
    ({"month": "1999-01"}, "1999-01 queda fuera de las fechas de esta corrida"),
    ({"page": "abc"}, "No existe la página «abc»: se muestra la primera."),
    ({"page": "0"}, "No existe la página «0»"),
    ({"page": "-3"}, "No existe la página «-3»"),
    ({"page": "99999999999999999999"}, "No existe la página"),
    ({"page": "9"}, "Solo hay 1 página: se muestra esa."),
], ids=["unknown house", "huge house", "month 13", "a word for a month", "month off the horizon", "page a word",
        "page 0", "negative page", "huge page", "page past the end"])
def test_a_bad_filter_is_explained_and_every_stay_is_still_there(client, proposal, args, message):
    run = proposal["run"]
    page = client.get(url(run, **args))
    assert page.status_code == 200
    assert message in page.text
    assert 'class="alert alert--notice" role="status"' in page.text
    assert sorted(shown(page)) == sorted(s.id for s in run.stays)


def test_a_page_past_the_end_shows_the_last_page(app, client, proposal):
    app.config["PLANNING_PAGE_SIZE"] = 2
    run = proposal["run"]
    last = -(-len(run.stays) // 2)
    page = client.get(url(run, page=last + 5))
    assert page.status_code == 200
    assert f"Solo hay {last} páginas: se muestra la última." in page.text
    assert shown(page) == [s.id for s in ordered(run.stays)][2 * (last - 1):]


def test_the_filter_speaks_english_too(client, proposal):
    page = client.get(url(proposal["run"], house="nowhere", lang="en"))
    assert "This plan has no house “nowhere”: every house is shown." in page.text
    assert "Stays per house and status" in page.text
