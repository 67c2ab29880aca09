"""The CP-SAT engine (`matching.engine`): `solve(instance, time_limit=...)` -> Solution.

Two phases share the time limit.

Phase 1 decides the stays: which request goes to which house, with which
type, from which start, and which collectives form. Every option it may pick
has passed rules 2-5 and the capacity left by locked stays (`prepare`); a
collective is a `Slot` (house, start, copy) that requests join. `StayModel`
adds rule 1 (one stay per request), rule 3 (collective size, a shared
language) and rule 6 (beds, concurrent stays, family units on each held day,
turnover included). Small instances are solved whole with every worker.
Larger ones start from the better of the baseline and a greedy ordered by a
Lagrangian relaxation's prices, then `WindowSearch` (a large-neighbourhood
search re-solving part of the plan exactly with CP-SAT) improves the plan.
Its neighbourhoods: the stays starting in a time window at a few houses
(sweeping the year); now and then the days around a waiting request's
window at houses she could go to; often (`collective_turn`), every request
in (or accepting) a collective over some months, which merges small
collectives and frees places; and, once the LP below is solved, every stay at once with
each request restricted to her current option and those the LP solution
uses (a relaxation-induced neighbourhood); when that LP was solved exactly,
later window and collective steps offer only the options its vertex uses
and the current ones (`WindowSearch.follow`). Each neighbourhood is solved by a
one-worker CP-SAT with its LP: with two workers, two neighbourhoods that
cannot interact run side by side rather than one shared solve, which
measured far worse on these models. Meanwhile, on the other worker, phase 1's LP relaxation is solved for the
bound (`LinearBound`: GLOP, exactly, up to `LP_OPTIONS` options; PDLP,
approximately, up to `PDLP_OPTIONS`), or else the Lagrangian prices are
improved further.
A long run on a small model ends with CP-SAT on the whole phase-1 model,
hinted with the plan the window search reached (`WholeModel.polish`): the
window search climbs fast, then stalls.

Phase 2 (`programme`) gives the chosen stays their sessions (rules 7-9):
a greedy programme, then CP-SAT unless the greedy one already meets the
session bound of those stays.

Why the bound is a bound of the whole problem. Take any solution S feasible
for the whole instance. Its stays are options phase 1 can pick (same static
rules, locks included); its occupancy meets the same per-day capacities; a
collective's members speak a language enough candidates share. Collectives
starting together at one house are copies of one slot; when all candidates
of a (house, start) share a language, two of them that fit together merge
into one worth the same in phase 1 with one stay fewer, so the copies made
(`prepare._collective_slots`) suffice. So S maps onto a feasible phase-1
plan. Phase 1 values each request in a stay at its exact serve, wait,
type-rank and away terms plus `SessionSupply.bound`, at least the session
term she can earn in ANY programme of that stay (her needs, sessions per
stay-day x length, and what qualified therapists could give on those days);
the switch penalty, never positive, counts as 0. So phase-1 value(S) >=
objective(S), and any upper bound of phase 1 bounds the whole instance. The
engine reports the least of: CP-SAT's proven bound of phase 1; the LP dual
bound (`LinearBound`: phase 1's rules as linear rows A v <= b over options
and collective slots in [0, 1], which every phase-1 plan meets; for ANY
prices p >= 0, value(v) = p.Av + d.v <= p.b + sum_j max(0, d_j) with
d = c - A^T p; the engine evaluates this itself from the LP solver's
prices, so an approximate (PDLP) or interrupted LP yields a weaker bound,
never a false one); the Lagrangian bound (`LagrangianBound`: capacities
priced into the objective, any prices >= 0 give an upper bound); and the
sum over requests of their best option. Locked stays add a constant computed the same way. If options
had to be thinned to fit in memory, only the last (taken before thinning)
is used. `tests/matching/test_solve.py` checks bound >= exact optimum by
brute force on tiny instances.

Layout (one file per part; `Engine.run` and `Engine._phase1` read as the list of steps):

- `engine.py`: `solve` and `Engine`, the orchestration in short named steps,
  and the lock around what the bound's thread hands over;
- `stay_model.py`: `StayModel`, phase 1's variables and hard rules (one method per rule);
- `plan.py`: `Plan` (request -> option, its value, to and from stays), `name_stays`;
- `construct.py`: `greedy_plan`, the greedy starts;
- `lns.py`: `WindowSearch` and its sub-problems, `Neighbourhood`;
- `polish.py`: `WholeModel`, CP-SAT on the whole phase-1 model (probe, polish, staying near a hint);
- `bounds.py`: `LinearBound` and `LagrangianBound`, each with why it is a true bound;
- `sat.py`: CP-SAT settings and the progress callback;
- `tuning.py`: every threshold, fraction and time share, named;
- `recommend.py`: the best few places for one urgent request in an existing plan.

- `programme.py`: phase 2, each chosen stay's sessions (rules 7-9, and slots for rule 11 by
  `matching.slots`), spread over its days and the therapists' weeks.

Rule 6 is counted by `matching.capacity` everywhere in `matching`.
"""
from __future__ import annotations

from .bounds import LagrangianBound, LinearBound
from .construct import greedy_plan
from .engine import Engine, solve
from .lns import Neighbourhood, WindowSearch
from .plan import Plan, name_stays, options_of_stays, stays_of_options
from .polish import WholeModel
from .stay_model import StayModel

__all__ = ["Engine", "LagrangianBound", "LinearBound", "Neighbourhood", "Plan", "StayModel", "WholeModel",
           "WindowSearch", "greedy_plan", "name_stays", "options_of_stays", "solve", "stays_of_options"]
