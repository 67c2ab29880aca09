"""Benchmark the CP-SAT engine against the baseline on the shared samples and a large generated case.

    .venv/bin/python bench/engine.py [--workers 2] [--only NAME] [--quick] [--seed N] [--jsonl FILE]

Each instance runs in its own subprocess (so peak memory is its own); every
solution is checked with `matching.validate` and, when present beside the
repository, the shared checker. Prints one table row per instance. Never run
as a test.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RESPIRO_SHARED") or REPO.parent / "shared")  # beside the repository by default
CHECKER = SHARED / "tools" / "check_solution.py"

# name -> (time limit s, quick time limit s, source)
CASES = {
    "small": (5, 3, "small.json"),
    "realistic": (10, 5, "realistic.json"),
    "regional": (60, 20, "regional.json"),
    "gen-20h-3000r": (120, 60, {"houses": 20, "requests": 3000, "therapists": 300, "days": 364, "seed": 2027}),
}


def run_one(name: str, time_limit: float, workers: int, seed: int = 0) -> dict:
    """Solve one case in this process and report on it (called in the subprocess)."""
    sys.path.insert(0, str(REPO))
    from matching.baseline import baseline
    from matching.engine import solve
    from matching.io import instance_to_dict, read_instance, solution_to_dict
    from matching.validate import score, validate

    source = CASES[name][2]
    if isinstance(source, dict):
        from matching.generate import generate

        instance = generate(**source)
    else:
        instance = read_instance(SHARED / "instances" / source)
    t0 = time.monotonic()
    base = baseline(instance)
    base_objective = score(instance, base).total
    base_time = time.monotonic() - t0
    t0 = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    sol = solve(instance, time_limit=time_limit, workers=workers, seed=seed)
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime  # all threads: how much CPU the load left it
    violations = validate(instance, sol, require_slots=True)
    checked = None
    if CHECKER.is_file():
        import importlib.util

        spec = importlib.util.spec_from_file_location("check_solution", CHECKER)
        checker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(checker)
        inst = checker.load_instance(json.loads(json.dumps(instance_to_dict(instance))))
        c = checker.Checker(inst, require_slots=True)  # rule 11: every session has a time
        objective, _, missing = c.check(json.loads(json.dumps(solution_to_dict(sol))))
        checked = {"feasible": not c.violations, "objective": objective, "unexplained": len(missing)}
    gap = None if sol.bound in (None, 0) else 100.0 * (sol.bound - sol.objective) / abs(sol.bound)
    return {
        "name": name,
        "size": f"{len(instance.houses)}h/{len(instance.requests)}r/{len(instance.therapists)}t/{instance.horizon_days}d",
        "baseline": base_objective, "baseline_time": round(base_time, 2),
        "seed": seed, "limit": time_limit, "phases": sol.stats.get("phases"), "engine_wall": sol.stats.get("wall"),
        "cpu_s": round(cpu, 2),
        "bounds": {k: sol.stats.get(k) for k in ("lp", "lagrangian") if k in sol.stats},
        "objective": sol.objective, "bound": sol.bound, "gap": gap, "status": sol.status,
        "first": sol.stats.get("first_solution"), "wall": round(wall, 2),
        "valid": not violations, "checker": checked,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ratio": sol.objective / base_objective if base_objective else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", help="run one case: " + ", ".join(CASES))
    ap.add_argument("--quick", action="store_true", help="shorter time limits")
    ap.add_argument("--seed", type=int, default=0, help="the engine's random seed (passed to solve)")
    ap.add_argument("--jsonl", help="also append each case's full record (phases' seconds included) to this file")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # internal: one case in this process
    ap.add_argument("--time", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_one(args.run, args.time, args.workers, args.seed)))
        return 0
    names = [n for n in CASES if not args.only or n == args.only]
    if not names:
        ap.error(f"unknown case {args.only!r}")
    header = (f"{'instance':<15} {'size':<20} {'baseline':>11} {'engine':>11} {'bound':>11} {'gap %':>6} "
              f"{'x base':>6} {'first s':>7} {'wall s':>6} {'peak MB':>7} {'status':<9} checks")
    print(header)
    print("-" * len(header))
    for name in names:
        limit, quick, source = CASES[name]
        if isinstance(source, str) and not (SHARED / "instances" / source).is_file():
            print(f"{name:<15} (absent, skipped)")
            continue
        t = quick if args.quick else limit
        proc = subprocess.run([sys.executable, __file__, "--run", name, "--time", str(t), "--workers", str(args.workers),
                               "--seed", str(args.seed)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{name:<15} FAILED: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if args.jsonl:
            with open(args.jsonl, "a") as f:
                f.write(json.dumps(r) + "\n")
        c = r["checker"]
        checks = "validate ok" if r["valid"] else "validate FAILED"
        if c is not None:
            agree = c["feasible"] and c["objective"] == r["objective"] and not c["unexplained"]
            checks += ", checker ok" if agree else f", checker DISAGREES {c}"
        gap = "-" if r["gap"] is None else f"{r['gap']:.2f}"
        first = "-" if r["first"] is None else f"{r['first']:.1f}"
        print(f"{r['name']:<15} {r['size']:<20} {r['baseline']:>11} {r['objective']:>11} {str(r['bound']):>11} "
              f"{gap:>6} {r['ratio']:>6.3f} {first:>7} {r['wall']:>6.1f} {r['peak_mb']:>7.0f} {r['status']:<9} {checks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
