"""The report pages, their CSV downloads and the command line, read as a person reads them.

The central promise: one person in a country in a month never appears as a 1, on a page, in a
CSV or on the command line, and cannot be worked out from a total either.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Stay, utcnow

D = dt.date
MARCH = D(2027, 3, 1)


@pytest.fixture
def placed(make_defender, make_request):
    """Published stays for defenders of the given countries (one request each)."""

    def make(house, start: dt.date, countries, *, type="individual", urgency=1, waited=20, counted=True) -> Stay:
        stay = Stay(house=house, start=start, end=start + dt.timedelta(days=9), type=type)
        db.session.add(stay)
        for country in countries:
            defender = make_defender(country=country)
            request = make_request(defender, status="published", earliest_start=start,
                                   latest_start=start + dt.timedelta(days=10), urgency=urgency)
            request.stay = stay
            request.interview.confirmed_at = dt.datetime.combine(start - dt.timedelta(days=waited), dt.time(12))
            request.interview.count_in_statistics = counted  # she agreed to be counted (issue 14, item 6)
        db.session.commit()
        return stay

    return make


@pytest.fixture
def network(make_house, placed):
    """March 2027: six defenders from Mexico and ONE from Nicaragua at the first house."""
    serena = make_house(name="Casa Uno", country="MX")
    siguata = make_house(name="Casa Dos", country="HN", stay_types=["individual"], stay_length={"individual": 10})
    for k in range(6):
        placed(serena, MARCH + dt.timedelta(days=k), ["MX"])
    placed(serena, D(2027, 3, 15), ["NI"], urgency=3, waited=30)
    return serena, siguata


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_column_protected(values: list[str], total: str) -> None:
    """From a column and its total, no hidden count of 1..4 can be worked out."""
    hidden = [v for v in values if v in ("<5", "*")]
    shown = [int(v) for v in values if v not in ("<5", "*")]
    if total in ("<5", "*") or not hidden:
        return
    rest = int(total) - sum(shown)
    assert len(hidden) >= 2, f"the only hidden cell is {rest}: {values} / {total}"
    if all(v == "<5" for v in hidden):
        assert len(hidden) < rest < 4 * len(hidden), f"{values} / {total}"


def test_one_person_from_a_country_in_a_month_never_appears_as_a_one(client, login, make_user, network, runner):
    login(make_user("coordinator"))
    page = client.get("/reports/served?lang=en&start=2027-03&months=1")
    assert page.status_code == 200
    html = page.text
    assert "Nicaragua" in html and "1" not in cells(html)
    row = re.search(r"Nicaragua</th><td>([^<]*)</td>", html)
    assert row and row.group(1) == "&lt;5"

    download = client.get("/reports/served.csv?start=2027-03&months=1")
    rows = csv_rows(download.text)
    countries = {r[1]: r[2] for r in rows[1:] if r[0] == "country"}
    assert countries["NI"] == "<5" and "1" not in [c for r in rows for c in r[2:]]
    assert_column_protected([v for k, v in countries.items() if k != "total"], countries["total"])

    printed = runner.invoke(args=["report", "served", "--months", "1", "--from", "2027-03", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    assert csv_rows(printed.output) == rows  # the command line prints the very same cells

    waiting = client.get("/reports/waiting.csv?start=2027-03&months=1")
    by_country = {r[1]: r[2:] for r in csv_rows(waiting.text)[1:] if r[0] == "country"}
    assert by_country["NI"] == ["<5", "*", "*"]  # neither her count nor her own wait (30 days) shows
    assert "30" not in waiting.text
    imminent = {r[0]: r[2] for r in csv_rows(waiting.text)[1:]}
    assert imminent["imminent_arrived_after_14_days"] == "<5"


def test_demand_prints_one_row_per_house_and_month_on_the_command_line(runner, network):
    printed = runner.invoke(args=["report", "demand", "--months", "12", "--from", "2027-01", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    rows = csv_rows(printed.output)
    assert rows[0][:3] == ["house", "month", "requests"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(h, f"2027-{m:02d}") for h in ("Casa Dos", "Casa Uno")
                                               for m in range(1, 13)]
    march = next(r for r in rows if r[:2] == ["Casa Uno", "2027-03"])
    assert march[2:4] == ["7", "7"]  # seven requests ready, seven people: large enough to show
    table = runner.invoke(args=["report", "demand", "--months", "2", "--from", "2027-03", "--format", "table",
                                "--house", "nope"])
    assert table.exit_code != 0 and "no house" in table.output


def test_each_report_page_draws_a_chart_and_offers_an_audited_csv(client, login, make_user, network):
    user = make_user("coordinator")
    login(user)
    for name in ("demand", "waiting", "load", "served", "after"):
        page = client.get(f"/reports/{name}?lang=en&start=2027-03&months=2")
        assert page.status_code == 200, name
        assert "<svg" in page.text and f"/reports/{name}.csv" in page.text
        download = client.get(f"/reports/{name}.csv?start=2027-03&months=2")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert download.headers["Content-Disposition"].startswith("attachment;")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.csv")).all()
    assert [e.details["report"] for e in events] == ["demand", "waiting", "load", "served", "after"]
    assert all(e.actor_id == user.id for e in events)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.read")) is None


def test_a_page_writes_nothing(client, login, make_user, network):
    login(make_user("coordinator"))
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert client.get("/reports/demand?start=2027-03").status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before


def test_a_house_team_sees_its_own_house_only(client, login, make_user, network):
    serena, siguata = network
    login(make_user("team", house=siguata))
    page = client.get("/reports/demand?lang=en&start=2027-03&months=1")
    assert page.status_code == 200 and "Casa Dos" in page.text and "Casa Uno" not in page.text
    assert client.get(f"/reports/demand?house={serena.id}").status_code == 404
    assert client.get(f"/reports/served.csv?house={serena.id}").status_code == 404
    served = client.get("/reports/served.csv?start=2027-03&months=1")
    totals = {r[0]: r[2] for r in csv_rows(served.text)[1:] if r[1] == "total"}
    assert totals == {"country": "0", "stay_type": "0", "urgency": "0"}  # nobody stayed at her house


def test_defenders_and_strangers_do_not_get_in(client, login, make_user, network):
    assert client.get("/reports/demand").status_code == 302  # to the login page
    login(make_user("defender"))
    assert client.get("/reports/demand").status_code == 404
    assert client.get("/reports/demand.csv").status_code == 404
    assert client.get("/reports/nothing").status_code == 404


def test_bad_filter_values_fall_back_with_a_notice_in_her_language(client, login, make_user, network):
    login(make_user("coordinator"))
    page = client.get("/reports/demand?months=400&start=marzo")
    assert page.status_code == 200
    assert "El número de meses debe estar entre 1 y 36" in page.text
    assert "El primer mes debe escribirse como 2027-03" in page.text
    assert client.get("/reports/demand?house=abc").status_code == 404


def test_a_chart_never_draws_a_hidden_count(client, login, make_user, network):
    login(make_user("coordinator"))
    html = client.get("/reports/served?lang=en&start=2027-03&months=1").text
    svg = html[html.index('id="served-country"'):]
    svg = svg[:svg.index("</svg>")]
    assert "Nicaragua · This period: &lt;5" in svg and 'class="chart-hidden"' in svg


def test_free_text_never_enters_a_report(client, login, make_user, network, runner):
    from app.models import DiagnosticInterview, StayRequest

    for stay_request in db.session.scalars(select(StayRequest)):
        stay_request.urgency_reason = "PALABRAS-SUYAS"
        stay_request.food_notes = "PALABRAS-SUYAS"
    for interview in db.session.scalars(select(DiagnosticInterview)):
        interview.narrative = "PALABRAS-SUYAS"
        interview.confirmation_reason = "PALABRAS-SUYAS"
    db.session.commit()
    login(make_user("coordinator"))
    for name in ("demand", "waiting", "load", "served", "after"):
        for url in (f"/reports/{name}?start=2027-03&months=2", f"/reports/{name}.csv?start=2027-03&months=2"):
            assert "PALABRAS-SUYAS" not in client.get(url).text
        if name != "after":
            printed = runner.invoke(args=["report", name, "--from", "2027-03", "--months", "2"])
            assert printed.exit_code == 0 and "PALABRAS-SUYAS" not in printed.output


# ------------------------------------------------------------------ consent for statistics (issue 14, item 6)


@pytest.fixture
def one_declined(make_house, placed):
    """March 2027 at one house: six defenders from Mexico who agreed to be counted, and ONE from
    Nicaragua who did not (or, with `counted=True`, who did)."""

    def make(counted: bool):
        serena = make_house(name="Casa Uno", country="MX")
        for k in range(6):
            placed(serena, MARCH + dt.timedelta(days=k), ["MX"])
        placed(serena, D(2027, 3, 15), ["NI"], urgency=3, waited=30, counted=counted)
        return serena

    return make


_USED_BY_SEVEN = "70"  # seven women, ten-day stays, all in March


def _figures(client, runner) -> dict:
    """What a reader gets about March 2027: the served and waiting CSVs by country, the demand line of
    the house, and the command line's served CSV."""
    served = csv_rows(client.get("/reports/served.csv?start=2027-03&months=1").text)
    waiting = csv_rows(client.get("/reports/waiting.csv?start=2027-03&months=1").text)
    demand = csv_rows(client.get("/reports/demand.csv?start=2027-03&months=1").text)
    printed = runner.invoke(args=["report", "served", "--months", "1", "--from", "2027-03", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    return {"served": {r[1]: r[2] for r in served[1:] if r[0] == "country"},
            "waiting": {r[1]: r[2] for r in waiting[1:] if r[0] == "country"},
            "demand": dict(zip(demand[0], next(r for r in demand if r[:2] == ["Casa Uno", "2027-03"]))),
            "cli": {r[1]: r[2] for r in csv_rows(printed.output)[1:] if r[0] == "country"}}


def test_a_defender_who_did_not_agree_is_in_no_report_figure(client, login, make_user, one_declined, runner):
    one_declined(counted=False)
    login(make_user("coordinator"))
    figures = _figures(client, runner)
    assert "NI" not in figures["served"] and "NI" not in figures["waiting"] and "NI" not in figures["cli"]
    assert figures["served"]["total"] == "6" and figures["cli"]["total"] == "6"
    assert figures["waiting"]["MX"] == "6"
    demand = figures["demand"]
    assert (demand["requests"], demand["people"], demand["people_staying"]) == ("6", "6", "6")
    assert demand["bed_nights_used"] == _USED_BY_SEVEN  # her bed is still a bed the house used: no false free bed
    page = client.get("/reports/served?lang=en&start=2027-03&months=1").text
    assert "Nicaragua" not in page
    assert "Only defenders who agreed" in page and "Left out because she did not agree: &lt;5." in page


def test_with_her_agreement_she_is_counted(client, login, make_user, one_declined, runner):
    one_declined(counted=True)
    login(make_user("coordinator"))
    figures = _figures(client, runner)
    assert figures["served"]["NI"] == figures["waiting"]["NI"] == figures["cli"]["NI"] == "<5"
    demand = figures["demand"]
    assert (demand["requests"], demand["people"], demand["people_staying"]) == ("7", "7", "7")
    assert demand["bed_nights_used"] == _USED_BY_SEVEN
    page = client.get("/reports/served?lang=en&start=2027-03&months=1").text
    assert "Nicaragua" in page and "Left out because she did not agree: 0." in page


def test_the_command_line_table_says_how_many_were_left_out(runner, one_declined):
    one_declined(counted=False)
    printed = runner.invoke(args=["report", "served", "--months", "1", "--from", "2027-03"])
    assert printed.exit_code == 0, printed.output
    assert "Nicaragua" not in printed.output and "NI" not in printed.output.split()
    assert printed.output.rstrip().endswith("left out (did not agree): <5")
