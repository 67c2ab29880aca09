"""Every size threshold, fraction and time share the engine uses, named in one place.

None of these changes what is feasible or what the bound proves: they steer
where the time goes. Measured values say where they were measured. Change
one here and the whole engine follows (the modules read `tuning.NAME` when
they run, so a test may set one for a while).

Reconciled: the time kept after the phases was 0.003 s per request where the
programme's budget was set and 0.0025 where phase 1's was; both now use
`AFTER_RESERVE_PER_REQUEST` = 0.003, the larger, since the issue measured the
time limit overrun at 3,000 requests (phase 1 loses 0.0005 s a request).
"""
from __future__ import annotations

# ----- sizes: which machinery runs, by number of phase-1 options -----------
MAX_OPTIONS = 3_000_000  # above this, keep each request's best options only
FULL_MODEL_OPTIONS = 200_000  # above this, no whole phase-1 model: window search only, trivial bound
LP_OPTIONS = 30_000  # up to this, also solve phase 1's LP relaxation exactly (GLOP) for a bound
PDLP_OPTIONS = 250_000  # up to this, solve it approximately (PDLP, one thread): its prices still give a true bound
PDLP_PARAMS = ("termination_criteria { simple_optimality_criteria { eps_optimal_absolute: 1e-4 "
               "eps_optimal_relative: 1e-4 } } num_threads: 1")
PROBE_OPTIONS = 5_000  # up to this, first try to solve phase 1 whole with every worker
PROBE_ALL_OPTIONS = 3_000  # up to this, that whole solve may take all of phase 1 ...
PROBE_SHARE = 0.4  # ... else this share of it
POLISH_OPTIONS = 30_000  # up to this, a long run ends with CP-SAT on the whole phase-1 model (`polish.py`)
POLISH_FROM = 40.0  # phase-1 seconds from which it pays (measured on realistic.json, see `WholeModel.polish`)
POLISH_SHARE = 2 / 3  # of phase 1's search time, when it runs
POLISH_MARGIN = 1.0  # seconds polish needs at least, else it is skipped
MANY_REQUESTS = 100  # above this, a programme within `SLACK` of its bound is not worth a CP-SAT solve

# ----- time shares -----------------------------------------------------------
AFTER_RESERVE_SHARE = 0.3  # at most this share of the time limit is kept after the phases ...
AFTER_RESERVE_BASE = 0.1  # ... and at most this many seconds ...
AFTER_RESERVE_PER_REQUEST = 0.003  # ... plus this many per request (repair, validation, explanations) ...
AFTER_RESERVE_OF_BASELINE = 2.0  # ... or, when more, this many times the baseline's seconds in the same run (a
# loaded machine: on gen 20h/3,000r at load 12-15 on 2 cores, repair + programme + answer took 1.9 times the
# baseline's seconds, 25 s against 13.4; under cProfile 100 s against 52. The per-request figure stays the
# floor: a quiet machine keeps its reserve whenever the baseline takes under half of it)
PROGRAMME_MIN_SECONDS = 0.05  # a programme budget at most this gets the greedy programme, no CP-SAT model built
REPAIR_SHARE = 0.5  # of that reserve, the most the repair (placing whoever still fits) may take
PHASE1_SHARE = 0.8  # of the time before the reserve, phase 1's share with no baseline to judge by ...
PHASE1_SHARE_EASY = 0.97  # ... when the greedy programme meets its bound on the baseline's stays ...
PHASE1_SHARE_HARD = 0.75  # ... and when it does not
SLACK = 0.0005  # session value not worth a CP-SAT programme solve, as a share of the plan's value
PRICED_GREEDY_SHARE = 0.06  # of phase 1, for the Lagrangian prices that order the greedy starts ...
PRICED_GREEDY_MAX = 8.0  # ... at most this many seconds ...
PRICED_GREEDY_STAGES = 3  # ... split over this many greedy plans (the best is kept)
LAGRANGIAN_SHARE = 0.3  # of what is left of phase 1, for the Lagrangian bound's thread (it holds the GIL often)
SINGLE_WORKER_BOUND_SHARE = 0.35  # with one worker, the bound runs first, for this share of phase 1
HINT_CLOSE_SHARE = 0.5  # of what is left after an optimal probe, to keep as many hinted stays as possible
HINT_CLOSE_OF_LIMIT = 0.1  # after a window search, this share of the time limit for the same
STEP_SECONDS = (1.0, 0.6)  # time limit of one neighbourhood solve, few houses / many (measured on the samples)
RELAXATION_STEP_SECONDS = 1.0  # the step over every stay near the LP's solution
STEP_MARGIN = 0.05  # seconds: no new step this close to the end of the search
WORK_SHARE = 0.25  # one worker: deterministic work budget of the search (and of a step), share of its seconds
BOUND_JOIN_GRACE = 1.0  # seconds the bound's thread may run past the search before it is left behind

# ----- window search -------------------------------------------------------
GROUP_HOUSES = 3  # houses in one neighbourhood (all of them when there are no more)
FEW_HOUSES = 4  # below this many houses, windows span them all
WINDOW_MIN_DAYS = 14  # a window never shrinks below this
WINDOW_OPTIONS_PER_HOUSE = 1200  # the first window holds about this many options per house
WINDOW_STEP_MIN_DAYS = 7  # the sweep moves on by half a window, at least this many days
AROUND_EVERY = (4, 2)  # every n-th step (few houses / many) is around a waiting request
COLLECTIVE_SPAN_MIN_DAYS = 60  # a collective step spans twice the window, at least this
COLLECTIVES_PAY_RATIO = 0.5  # collective steps continue while they gain this share of the others' gain a try
COLLECTIVE_TRIES_BEFORE_JUDGING = 3
ADAPT_LIMIT_SHARE = 0.5  # a step's work is judged against this share of its time limit:
GROW_WHEN_UNDER = 0.3  # a window grows when a step is proven optimal in this share of its time ...
WINDOW_GROW = 1.25  # ... by this factor ...
WINDOW_SHRINK = 0.8  # ... and shrinks by this one when a step is not proven optimal
LP_SUPPORT = 1e-6  # an option "used" by an LP solution has at least this value

# ----- bounds ------------------------------------------------------------------
LP_COLUMNS_MIN = 2000  # columns priced into the LP in one round: at least this many ...
LP_COLUMNS_SHARE = 0.25  # ... or this share of those it has
SUBGRADIENT_STALL = 25  # Lagrangian iterations without progress before the step is halved
SUBGRADIENT_MIN_STEP = 1e-5  # below this step factor, the Lagrangian prices stop moving
