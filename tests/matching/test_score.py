"""The objective, term by term, on hand-built stays."""
from __future__ import annotations

from matching.model import Solution, Weights
from matching.validate import score


def test_an_empty_plan_scores_nothing(make_instance):
    assert score(make_instance(), Solution()).total == 0


def test_a_stay_scores_serve_wait_away_and_sessions(make_instance, make_house, make_stay, day):
    """r1: urgency 1 (factor 2), needs physical 2, emotional 1; starts 2 days after her earliest."""
    instance = make_instance(houses=[make_house(country="GT")])
    stay = make_stay(start=day(9), sessions=[("physical", day(9), "t1"), ("physical", day(10), "t1")])
    s = score(instance, Solution(stays=[stay]))
    assert (s.served, s.wait, s.type_rank, s.away, s.sessions, s.switch) == (20000, -40, 0, -200, 80, 0)
    assert s.total == 20000 - 40 - 200 + 80


def test_switching_therapists_and_a_later_type_cost(make_instance, make_request, make_therapist, make_stay, day):
    request = make_request(stay_types=("family", "individual"))
    instance = make_instance(requests=[request], therapists=[make_therapist("t1"), make_therapist("t2")],
                             weights=Weights(session=0, serve=0, wait=0))
    stay = make_stay(sessions=[("physical", day(7), "t1"), ("physical", day(8), "t2")])
    s = score(instance, Solution(stays=[stay]))
    assert (s.type_rank, s.switch, s.total) == (-100, -5, -105)


def test_a_collective_session_counts_up_to_each_requests_need(make_instance, make_request, make_stay, day):
    requests = [make_request("r1", stay_types=("collective",), needs={"physical": 1}, urgency=0),
                make_request("r2", stay_types=("collective",), needs={"physical": 2}, urgency=0)]
    stay = make_stay(type="collective", requests=("r1", "r2"),
                     sessions=[("physical", day(7), "t1"), ("physical", day(8), "t1")])
    assert score(make_instance(requests=requests), Solution(stays=[stay])).sessions == 20 * (1 + 2)
