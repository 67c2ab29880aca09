"""Every size threshold, fraction and time share the engine uses, named in one place."""
from __future__ import annotations

MAX_OPTIONS = 3_000_000  # above this, keep each request's best options only
FULL_MODEL_OPTIONS = 200_000  # above this, no whole phase-1 model: window search only, trivial bound
LP_OPTIONS = 30_000  # up to this, also solve phase 1's LP relaxation exactly (GLOP) for a bound
PDLP_OPTIONS = 250_000  # up to this, solve it approximately (PDLP, one thread): its prices still give a true bound
PDLP_PARAMS = ("termination_criteria { simple_optimality_criteria { eps_optimal_absolute: 1e-4 "
               "eps_optimal_relative: 1e-4 } } num_threads: 1")
PROBE_OPTIONS = 5_000  # up to this, first try to solve phase 1 whole with every worker
POLISH_OPTIONS = 30_000  # up to this, a long run ends with CP-SAT on the whole phase-1 model (`Engine._polish`)
POLISH_FROM = 40.0  # phase-1 seconds from which it pays (measured on realistic.json, see `Engine._polish`)
STEP_SECONDS = (1.0, 0.6)  # time limit of one neighbourhood solve, few houses / many (measured on the samples)
