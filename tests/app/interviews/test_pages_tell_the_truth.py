"""Looking is not saving; a stale save keeps what she typed; Back after sending says it was sent (issue 17)."""
from __future__ import annotations

from app.interviews import rules

from .conftest import dimension_answers, step_url, version_of


def how(journey) -> str:
    return rules.dimension_answers(journey.interview(), "physical")["how"]


def test_opening_a_step_without_saving_moves_nothing(journey):
    journey.start()
    journey.post("physical", dimension_answers("physical"))
    before = journey.interview()
    step, version = before.step, before.version
    assert journey.client.get(step_url(journey.interview_id, "consent")).status_code == 200
    assert journey.client.get(step_url(journey.interview_id, "life")).status_code == 200
    after = journey.interview()
    assert (after.step, after.version) == (step, version) == ("mental", version)
    home = journey.client.get("/interviews/")
    assert "Te quedaste en" in home.text


def test_a_save_from_a_stale_tab_keeps_what_she_typed_beside_what_is_saved(journey):
    journey.start()
    old_version = version_of(journey.interview_id)
    # the second tab saves first
    assert journey.post("physical", {"how": "Lo que guardé en la otra pestaña", "self_level": "1"}).status_code == 302
    saved_version = version_of(journey.interview_id)
    stale = journey.client.post(step_url(journey.interview_id, "physical"),
                                data={"how": "Lo que escribí aquí", "self_level": "3", "version": str(old_version),
                                      "action": "next"})
    assert stale.status_code == 409, stale.text
    assert "Lo que escribí aquí" in stale.text                       # hers, in the form
    assert "Lo que guardé en la otra pestaña" in stale.text          # the saved one, beside it
    assert "se guardó mientras tanto" in stale.text
    assert f'name="version" type="hidden" value="{saved_version}"' in stale.text
    assert how(journey) == "Lo que guardé en la otra pestaña"  # nothing written
    assert version_of(journey.interview_id) == saved_version
    # she keeps hers: the form she got back carries the current version
    kept = journey.client.post(step_url(journey.interview_id, "physical"),
                               data={"how": "Lo que escribí aquí", "self_level": "3", "version": str(saved_version),
                                     "action": "next"})
    assert kept.status_code == 302
    assert how(journey) == "Lo que escribí aquí"


def test_back_after_sending_says_it_was_sent_with_a_link(submitted, login, defender_user):
    login(defender_user)
    page = submitted.client.get(step_url(submitted.interview_id, "review"))
    assert page.status_code == 200
    assert "ya se envió" in page.text
    assert 'href="/interviews/"' in page.text
    late = submitted.client.post(step_url(submitted.interview_id, "life"),
                                 data={"narrative": "otra cosa", "version": "1", "action": "next"})
    assert late.status_code == 409
    assert "otra cosa" not in (submitted.interview().narrative or "")


def test_someone_elses_interview_is_still_not_found(submitted, make_user, make_defender, login):
    other = make_user("defender", defender=make_defender(alias="Otra"))
    login(other)
    assert submitted.client.get(step_url(submitted.interview_id, "review")).status_code == 404
