"""Command line of the matching engine: solve, check, explain, generate, baseline.

    python -m matching solve INSTANCE -o SOLUTION --time-limit S [--workers N] [--seed K] [--hint SOLUTION]
    python -m matching check INSTANCE SOLUTION
    python -m matching explain INSTANCE SOLUTION
    python -m matching generate --houses N --requests N ... -o FILE
    python -m matching baseline INSTANCE -o SOLUTION
    python -m matching recommend INSTANCE PLAN REQUEST_ID --top K --time-limit S -o OUT

Exit status: 0 done (or feasible), 1 a rule is broken or a claim is wrong,
2 unreadable input (one line on stderr naming the problem).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from typing import Any, Sequence

from .io import InstanceError, SolutionError, read_instance, read_solution, solution_to_dict, instance_to_dict, write_json
from .model import Instance, Solution, Unassigned
from .validate import score, validate

EXIT_OK, EXIT_BROKEN, EXIT_BAD_INPUT = 0, 1, 2


class _Progress:
    """What the solver last reported, shown on stderr at least once a second."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.started = time.monotonic()
        self.objective: float | None = None
        self.bound: float | None = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.shown = 0.0

    def update(self, *args: Any, **info: Any) -> None:
        """Take a progress report `(elapsed, objective, bound)` from the solver.

        A None objective or bound leaves the last one shown. Keywords or a
        dict with `objective` and `bound` are accepted too.
        """
        if args and isinstance(args[0], dict):
            info, args = {**args[0], **info}, ()
        named = dict(zip(("elapsed", "objective", "bound")[-len(args):] if args else (), args))
        named.update(info)
        with self.lock:
            if named.get("objective") is not None:
                self.objective = named["objective"]
            if named.get("bound") is not None:
                self.bound = named["bound"]
            due = time.monotonic() - self.shown >= 0.2
        if due:
            self.show()

    def line(self) -> str:
        with self.lock:
            obj, bound = self.objective, self.bound
        elapsed = time.monotonic() - self.started
        parts = [f"{elapsed:7.1f}s", f"objective {_num(obj)}", f"bound {_num(bound)}"]
        if obj is not None and bound is not None and bound != 0:
            parts.append(f"gap {abs(bound - obj) / max(abs(bound), 1) * 100:.2f}%")
        else:
            parts.append("gap -")
        return "  ".join(parts)

    def show(self) -> None:
        self.shown = time.monotonic()
        print(self.line(), file=self.stream, flush=True)

    def tick(self) -> None:
        """Print the current state every second until stopped."""
        while not self.stop.wait(1.0):
            self.show()


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.0f}" if isinstance(value, float) else str(value)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

def cmd_solve(args: argparse.Namespace) -> int:
    """Solve with CP-SAT, showing progress, and write the solution."""
    instance = read_instance(args.instance)
    hint = read_solution(args.hint, instance) if args.hint else None
    try:
        from .engine import solve
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.engine":
            raise
        return _fail("the CP-SAT solver (matching/engine/) is not available")

    progress = _Progress()
    ticker = threading.Thread(target=progress.tick, daemon=True)
    ticker.start()
    try:
        options = {k: v for k, v in (("workers", args.workers), ("seed", args.seed)) if v is not None}
        solution = solve(instance, time_limit=args.time_limit, hint=hint,
                         on_progress=progress.update, **options)
    finally:
        progress.stop.set()
        ticker.join()
    write_json(args.output, solution_to_dict(solution))
    print(_summary(instance, solution, time.monotonic() - progress.started), file=sys.stderr)
    for d in solution.dropped_locks:
        print(f"dropped locked stay {d.stay}: {d.reason} (rule {d.rule})", file=sys.stderr)
    return EXIT_OK


def _summary(instance: Instance, solution: Solution, elapsed: float) -> str:
    served = sum(len(s.requests) for s in solution.stays)
    gap = ""
    if solution.objective is not None and solution.bound:
        gap = f" gap={abs(solution.bound - solution.objective) / max(abs(solution.bound), 1) * 100:.2f}%"
    return (f"{solution.status} objective={_num(solution.objective)} bound={_num(solution.bound)}{gap} "
            f"served={served}/{len(instance.requests)} stays={len(solution.stays)} time={elapsed:.1f}s")


def cmd_check(args: argparse.Namespace) -> int:
    """Report each broken rule; exit 1 when any, or when the claimed objective is wrong."""
    instance = read_instance(args.instance)
    solution = read_solution(args.solution, instance)
    violations = validate(instance, solution, require_slots=args.require_slots)
    for v in violations:
        print(f"rule {v.rule}: {v.message}")
    total = score(instance, solution).total
    wrong_claim = solution.objective is not None and solution.objective != total
    if wrong_claim:
        print(f"claimed objective {solution.objective} differs from the checked objective {total}")
    served = sum(len(s.requests) for s in solution.stays)
    verdict = "INFEASIBLE" if violations else "FEASIBLE"
    print(f"{verdict} objective={total} served={served}/{len(instance.requests)} violations={len(violations)}")
    return EXIT_BROKEN if violations or wrong_claim else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    """Print one line per unassigned request: why she is not in a stay."""
    instance = read_instance(args.instance)
    solution = read_solution(args.solution, instance)
    try:
        from .explain import explain
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.explain":
            raise
        return _fail("the explainer (matching/explain.py) is not available")

    reasons = explain(instance, solution)
    items = reasons.items() if isinstance(reasons, dict) else ((u.request, u.reason) for u in reasons)
    for request, reason in items:
        print(f"{request}: {reason}")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    """Write a generated instance."""
    from .generate import generate

    try:
        instance = generate(houses=args.houses, requests=args.requests, therapists=args.therapists,
                            days=args.days, start=args.start, tightness=args.tightness,
                            seed=args.seed, locked=args.locked)
    except ValueError as exc:
        return _fail(str(exc))
    write_json(args.output, instance_to_dict(instance))
    print(f"wrote {args.output}: {len(instance.houses)} houses, {len(instance.therapists)} therapists, "
          f"{len(instance.requests)} requests, {instance.horizon_days} days", file=sys.stderr)
    return EXIT_OK


def cmd_baseline(args: argparse.Namespace) -> int:
    """Write the first-come-first-served plan."""
    from .baseline import baseline

    instance = read_instance(args.instance)
    started = time.monotonic()
    solution = baseline(instance)
    write_json(args.output, solution_to_dict(solution))
    print(_summary(instance, solution, time.monotonic() - started), file=sys.stderr)
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace) -> int:
    """Write up to K places for one request in PLAN, best first (or why there is none)."""
    from .engine.recommend import RecommendError, recommend, recommendation_to_dict

    instance = read_instance(args.instance)
    plan = read_solution(args.plan, instance)
    if args.top < 1:
        return _fail("--top must be at least 1")
    try:
        rec = recommend(instance, plan, args.request_id, top=args.top, time_limit=args.time_limit)
    except RecommendError as exc:
        return _fail(f"{exc.code}: {exc}")
    write_json(args.output, recommendation_to_dict(rec))
    if rec.options:
        best = rec.options[0]
        print(f"{len(rec.options)} options for {rec.request}; best {best.house} {best.type} from "
              f"{best.start.isoformat()}, objective {best.objective_delta:+d}, {len(best.moves)} stays move; "
              f"time={rec.stats['seconds']:.2f}s", file=sys.stderr)
    else:
        for u in rec.reasons:
            print(f"no option for {u.request}: {u.reason}", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------

def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m matching", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("solve", help="solve an instance with CP-SAT")
    p.add_argument("instance")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--time-limit", type=float, required=True, help="seconds")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--hint", default=None, help="a solution to start from")
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("check", help="check a solution against the hard rules")
    p.add_argument("instance")
    p.add_argument("solution")
    p.add_argument("--require-slots", action="store_true",
                   help="a session without a slot breaks rule 11 (as the shared checker's flag)")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("explain", help="say why each unassigned request is not in a stay")
    p.add_argument("instance")
    p.add_argument("solution")
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser("generate", help="generate a realistic instance")
    p.add_argument("--houses", type=int, default=2)
    p.add_argument("--requests", type=int, default=250)
    p.add_argument("--therapists", type=int, default=40)
    p.add_argument("--days", type=int, default=364)
    p.add_argument("--start", type=_iso_date, default=dt.date(2027, 1, 4))
    p.add_argument("--tightness", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--locked", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_generate)

    p = sub.add_parser("baseline", help="plan first come, first served")
    p.add_argument("instance")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_baseline)

    p = sub.add_parser("recommend", help="the best few places for one request in a plan")
    p.add_argument("instance")
    p.add_argument("plan")
    p.add_argument("request_id")
    p.add_argument("--top", type=int, default=3)
    p.add_argument("--time-limit", type=float, default=2.0, help="seconds")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_recommend)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (InstanceError, SolutionError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail("interrupted")


if __name__ == "__main__":
    sys.exit(main())
