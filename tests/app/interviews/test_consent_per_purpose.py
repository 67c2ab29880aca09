"""Consent per purpose (issue 14, item 6): besides what the house team reads, she chooses whether her
therapists see her words and whether her anonymous answers count in the network's statistics."""
from __future__ import annotations

import json

from .conftest import Journey, consider_at, version_of

YES_BOTH = {"share_with_therapists": "yes", "count_in_statistics": "yes"}


def consent(journey, scope: str, **choices):
    return journey.post("consent", {"consent_scope": scope, "retention_months": "6", **choices})


def test_she_chooses_each_purpose_and_the_review_and_her_export_list_her_choices(journey):
    journey.start()
    journey.fill_all(consent="narrative")
    assert consent(journey, "narrative", **YES_BOTH).status_code == 302
    interview = journey.interview()
    assert (interview.share_with_therapists, interview.count_in_statistics) == (True, True)
    review = journey.client.get(f"/interviews/{journey.interview_id}/review").text
    assert 'class="consent-therapists">sí<' in review and 'class="consent-statistics">sí<' in review
    assert journey.submit().status_code == 302
    exported = json.loads(journey.client.get("/interviews/my-data/export.json").text)
    [mine] = exported["interviews"]
    assert (mine["share_with_therapists"], mine["count_in_statistics"]) == (True, True)


def test_no_answer_is_a_no(journey):
    """Consent is opt-in: the step shows No checked, and a post without the two answers agrees to nothing."""
    journey.start()
    page = journey.client.get(f"/interviews/{journey.interview_id}/consent").text
    for name in ("share_with_therapists", "count_in_statistics"):
        assert f'<input checked id="{name}-1" name="{name}" type="radio" value="no">' in page
    journey.fill_all(consent="narrative")
    interview = journey.interview()
    assert (interview.share_with_therapists, interview.count_in_statistics) == (False, False)
    review = journey.client.get(f"/interviews/{journey.interview_id}/review").text
    assert 'class="consent-therapists">no<' in review and 'class="consent-statistics">no<' in review


def test_her_therapists_without_her_words_for_the_house_team_is_refused_on_the_field(journey):
    journey.start()
    journey.fill_all(consent="levels")
    before = version_of(journey.interview_id)
    response = consent(journey, "levels", **YES_BOTH)
    assert response.status_code == 400
    assert 'id="share_with_therapists-error"' in response.text
    assert "Tus terapeutas solo pueden ver tus palabras si el equipo de la casa también puede leerlas" in response.text
    interview = journey.interview()
    assert (interview.share_with_therapists, interview.count_in_statistics, interview.version) == (False, False, before)


def test_she_can_change_her_mind_while_the_interview_is_editable(journey):
    journey.start()
    journey.fill_all(consent="narrative")
    assert consent(journey, "narrative", **YES_BOTH).status_code == 302
    assert consent(journey, "narrative", share_with_therapists="no", count_in_statistics="no").status_code == 302
    interview = journey.interview()
    assert (interview.share_with_therapists, interview.count_in_statistics) == (False, False)


def test_her_house_team_sees_both_choices_on_her_file(app, journey, login, make_user, make_house):
    journey.start()
    journey.fill_all(consent="narrative")
    assert consent(journey, "narrative", count_in_statistics="yes").status_code == 302
    assert journey.submit().status_code == 302
    house = make_house(country="MX")
    stay_request = journey.request()
    consider_at(stay_request, house)
    browser = app.test_client()
    login(make_user("team", house=house), target=browser)
    page = browser.get(f"/interviews/team/requests/{stay_request.id}").text
    assert "Sus terapeutas ven lo que escribió sobre la dimensión de sus sesiones</dt><dd>no<" in page
    assert "Sus respuestas cuentan, sin su nombre, en las estadísticas de la red</dt><dd>sí<" in page


def test_in_the_assisted_flow_the_team_records_her_choices_with_her(client, login, team_user):
    login(team_user)
    created = client.post("/interviews/team/assisted", data={"alias": "Jacaranda", "country": "GT",
                                                             "languages": ["es"], "defender_agreed": "y"})
    assert created.status_code == 302
    journey = Journey(client)
    journey.interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    journey.fill_all(consent="narrative")
    assert consent(journey, "narrative", share_with_therapists="yes", count_in_statistics="no").status_code == 302
    interview = journey.interview()
    assert (interview.share_with_therapists, interview.count_in_statistics) == (True, False)
