"""Every request left out gets a reason, and the reason is true: relax what it names and she is placed."""
from __future__ import annotations

import dataclasses
import datetime as dt


from matching.engine import solve
from matching.explain import Occupancy, explain, static_options
from matching.model import Closure, Solution


def placed(instance, request_id: str, time_limit: float = 3) -> bool:
    """Whether an optimal plan of `instance` serves `request_id`."""
    sol = solve(instance, time_limit=time_limit)
    return any(request_id in s.requests for s in sol.stays)


def reason_of(instance, request_id: str):
    sol = solve(instance, time_limit=3)
    found = [u for u in sol.unassigned if u.request == request_id]
    assert len(found) == 1, sol.stays
    assert found[0].reason and found[0].code
    return found[0], sol


def test_barred_country_is_named_and_lifting_it_places_her(make_instance, make_request):
    her = make_request("r1", barred_countries=("MX",))
    instance = make_instance(requests=[her])
    why, _ = reason_of(instance, "r1")
    assert why.code == "barred" and why.params["countries"] == ["MX"]
    assert "cannot enter MX" in why.reason
    relaxed = make_instance(requests=[dataclasses.replace(her, barred_countries=())])
    assert placed(relaxed, "r1")


def test_no_house_offering_her_type_is_named(make_instance, make_house, make_request):
    house = make_house(stay_types=("individual",), stay_length={"individual": 5})
    her = make_request("r1", stay_types=("family",), companions=2)
    why, _ = reason_of(make_instance(houses=[house], requests=[her]), "r1")
    assert why.code == "no_house_offers_type" and why.params["types"] == ["family"]
    family_house = make_house(stay_types=("individual", "family"), stay_length={"individual": 5, "family": 4})
    assert placed(make_instance(houses=[family_house], requests=[her]), "r1")


def test_a_type_that_cannot_take_her_group_is_named(make_instance, make_request):
    her = make_request("r1", stay_types=("individual",), companions=1)
    why, _ = reason_of(make_instance(requests=[her]), "r1")
    assert why.code == "type_misfit"
    relaxed = dataclasses.replace(her, stay_types=("individual", "family"))
    assert placed(make_instance(requests=[relaxed]), "r1")


def test_needing_an_accessible_house_is_named(make_instance, make_house, make_request):
    her = make_request("r1", accessible=True)
    why, _ = reason_of(make_instance(requests=[her]), "r1")
    assert why.code == "needs_accessible" and why.params["houses"] == ["casa"]
    assert placed(make_instance(houses=[make_house(accessible=True)], requests=[her]), "r1")


def test_a_window_inside_a_closure_names_the_closure(make_instance, make_house, make_request):
    water = Closure(dt.date(2027, 1, 10), dt.date(2027, 1, 31), "water")
    why, _ = reason_of(make_instance(houses=[make_house(closures=(water,))]), "r1")
    assert why.code == "window_closed"
    assert "water closure" in why.reason and "Casa Casa" in why.reason
    assert why.params["blockers"][0]["cause"] == "closure"
    assert placed(make_instance(houses=[make_house()]), "r1")


def test_a_window_outside_the_horizon_is_named(make_instance, make_request):
    late = make_request("r1", earliest_start=dt.date(2027, 3, 20), latest_start=dt.date(2027, 3, 25))
    why, _ = reason_of(make_instance(requests=[late]), "r1")
    assert why.code == "window_closed" and "planning horizon" in why.reason
    assert placed(make_instance(requests=[late], horizon_days=90), "r1")


def test_full_house_names_the_stays_holding_it_and_freeing_them_makes_room(make_instance, make_house, make_request):
    house = make_house(max_concurrent_stays=1)
    calm = make_request("r1", urgency=0, latest_start=dt.date(2027, 1, 12))
    urgent = make_request("r2", urgency=3, latest_start=dt.date(2027, 1, 12))
    instance = make_instance(houses=[house], requests=[calm, urgent])
    why, sol = reason_of(instance, "r1")
    assert why.code == "no_free_place" and why.params["resources"] == ["stays"]
    blocking = set(why.params["stays"])
    assert blocking and all(s in why.reason for s in blocking)
    assert "displace" in why.reason  # the plan is optimal, so this is true
    # Relax: without the stays it names, a place is free for her.
    rest = [s for s in sol.stays if s.id not in blocking]
    occ = Occupancy(instance, rest)
    assert any(occ.fits(h, s, t, calm.people) for h, t, s in static_options(instance, calm).triples)
    # Relax the other way: a second place at the house serves both.
    assert placed(make_instance(houses=[make_house(max_concurrent_stays=2)], requests=[calm, urgent]), "r1")


def test_a_lone_collective_seeker_is_told_no_one_shares_her_language(make_instance, make_house, make_request):
    house = make_house(collective_min=2, max_concurrent_stays=2)
    her = make_request("r1", stay_types=("collective",), languages=("mam",))
    others = [make_request(f"r{k}", stay_types=("collective",), languages=("es",)) for k in (2, 3)]
    instance = make_instance(houses=[house], requests=[her, *others])
    why, sol = reason_of(instance, "r1")
    assert why.code == "no_collective" and why.params["languages"] == ["mam"]
    assert "mam" in why.reason
    # Relax: one more defender who speaks mam, and a collective forms with her.
    partner = make_request("r4", stay_types=("collective",), languages=("mam", "es"))
    assert placed(make_instance(houses=[house], requests=[her, *others, partner]), "r1")


def test_every_unplaced_request_of_a_sample_gets_a_true_reason(sample_path):
    from matching.io import read_instance

    instance = read_instance(sample_path("realistic"))
    sol = solve(instance, time_limit=4)
    placed_ids = {r for s in sol.stays for r in s.requests}
    reasons = {u.request: u for u in sol.unassigned}
    assert set(reasons) == {r.id for r in instance.requests} - placed_ids
    stays_by_id = {s.id: s for s in sol.stays}
    for rid, why in reasons.items():
        assert why.reason and why.code
        r = instance.request_by_id[rid]
        if why.code == "no_free_place":
            # Freeing the stays it names leaves her a place (for a collective: room for her own).
            rest = [s for s in sol.stays if s.id not in set(why.params["stays"])]
            assert all(s in stays_by_id for s in why.params["stays"])
            occ = Occupancy(instance, rest)
            assert any(occ.fits(h, s, t, len(r.defenders) if t == "collective" else r.people)
                       for h, t, s in static_options(instance, r).triples), rid
        elif why.code in ("barred", "needs_accessible", "window_closed", "no_house_offers_type",
                          "type_misfit", "group_too_large"):
            assert not static_options(instance, r).triples


def test_explain_agrees_with_the_solution_it_is_given(make_instance, make_request):
    instance = make_instance(requests=[make_request("r1")])
    reasons = explain(instance, Solution())
    assert [u.code for u in reasons] == ["not_reached"]
    assert "free" in reasons[0].reason
