"""CP-SAT solver settings shared by every phase-1 solve, and the progress callback."""
from __future__ import annotations

import time

from ortools.sat.python import cp_model

from . import tuning


class Progress(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions (to `report(objective, bound)`) and honours the stop event."""

    def __init__(self, t0: float, offset: int, report, stop):
        super().__init__()
        self.t0, self.offset, self.report, self.stop = t0, offset, report, stop
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        self.report(int(self.ObjectiveValue()) + self.offset, int(self.BestObjectiveBound()) + self.offset)
        if self.stop is not None and self.stop.is_set():
            self.StopSearch()


def new_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if workers == 1:
        # Deterministic: stop on work done, which the wall clock rarely reaches first.
        solver.parameters.max_deterministic_time = max(0.01, tuning.WORK_SHARE * time_limit)
    return solver
