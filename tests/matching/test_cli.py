"""`python -m matching`: each command, and bad input files (exit 2, one clear line, no traceback)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.__main__ import main
from matching.generate import generate
from matching.io import instance_to_dict, write_json

REPO = Path(__file__).parents[2]


@pytest.fixture
def files(tmp_path):
    """A generated instance and its baseline plan, as files."""
    instance = tmp_path / "instance.json"
    write_json(instance, instance_to_dict(generate(requests=40, therapists=10, days=120, seed=1)))
    plan = tmp_path / "plan.json"
    assert main(["baseline", str(instance), "-o", str(plan)]) == 0
    return instance, plan


def test_generate_writes_a_deterministic_instance(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        assert main(["generate", "--houses", "3", "--requests", "30", "--therapists", "8", "--days", "100",
                     "--tightness", "1.5", "--seed", "4", "-o", str(path)]) == 0
    assert a.read_text() == b.read_text()
    assert len(json.loads(a.read_text())["houses"]) == 3


def _shared_checker(instance, solution) -> subprocess.CompletedProcess | None:
    """The shared checker run on two files with --require-slots, or None when it is not beside us."""
    from .conftest import CHECKER_PATH

    if not CHECKER_PATH.is_file():
        return None
    return subprocess.run([sys.executable, str(CHECKER_PATH), str(instance), str(solution), "--require-slots"],
                          capture_output=True, text=True)


def test_the_baseline_gives_every_session_a_slot(files, capsys):
    instance, plan = files
    assert main(["check", str(instance), str(plan), "--require-slots"]) == 0
    checked = _shared_checker(instance, plan)
    assert checked is None or checked.returncode == 0, checked.stdout


def test_check_with_required_slots_reports_a_session_without_one(files, tmp_path, capsys):
    instance, plan = files
    data = json.loads(plan.read_text())
    next(s for s in data["stays"] if s["sessions"])["sessions"][0].pop("slot")
    bare = tmp_path / "bare.json"
    write_json(bare, data)
    assert main(["check", str(instance), str(bare)]) == 0
    capsys.readouterr()
    assert main(["check", str(instance), str(bare), "--require-slots"]) == 1
    assert "rule 11: " in capsys.readouterr().out


def test_check_accepts_the_baseline(files, capsys):
    instance, plan = files
    assert main(["check", str(instance), str(plan)]) == 0
    assert "FEASIBLE objective=" in capsys.readouterr().out


def test_check_reports_each_broken_rule_and_exits_1(files, capsys):
    instance, plan = files
    data = json.loads(plan.read_text())
    data["stays"].append(dict(data["stays"][0], id="copy"))
    plan.write_text(json.dumps(data))
    assert main(["check", str(instance), str(plan)]) == 1
    out = capsys.readouterr().out
    assert "rule 1:" in out and "INFEASIBLE" in out


def test_solve_names_each_locked_stay_it_had_to_drop(tmp_path, capsys):
    """A lock it cannot keep (an arrival day the house refuses, outside her window): the plan, and the lock named."""
    import dataclasses

    from matching.model import Stay

    instance = generate(requests=20, therapists=6, days=60, seed=2)
    house = instance.houses[0]
    day = next(instance.date_of(d) for d in range(instance.horizon_days)
               if instance.date_of(d).weekday() not in house.arrival_weekdays)
    lock = Stay(id="L9", house=house.id, start=day, type=house.stay_types[0], requests=(instance.requests[0].id,))
    path, out = tmp_path / "instance.json", tmp_path / "out.json"
    write_json(path, instance_to_dict(dataclasses.replace(instance, locked=(lock,))))
    assert main(["solve", str(path), "-o", str(out), "--time-limit", "3"]) == 0
    written = json.loads(out.read_text())
    assert written["status"] != "INFEASIBLE" and written["stays"]
    [dropped] = written["dropped_locks"]
    assert dropped["stay"] == "L9" and dropped["rule"] in (4, 5) and dropped["reason"]
    assert f"dropped locked stay L9: {dropped['reason']} (rule {dropped['rule']})" in capsys.readouterr().err


def test_check_reports_a_wrong_claimed_objective(files, capsys):
    instance, plan = files
    data = json.loads(plan.read_text())
    data["objective"] += 1
    plan.write_text(json.dumps(data))
    assert main(["check", str(instance), str(plan)]) == 1
    assert "claimed objective" in capsys.readouterr().out


def test_explain_prints_one_line_per_unassigned_request(files, capsys):
    instance, plan = files
    assert main(["explain", str(instance), str(plan)]) == 0
    unassigned = json.loads(plan.read_text())["unassigned"]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(unassigned)
    assert {line.split(":")[0] for line in lines} == {u["request"] for u in unassigned}


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{", "not valid JSON"),
    (json.dumps({"format": "respite-stays/1", "horizon": {"start": "2027-13-01", "days": 3}}),
     "horizon.start: not a date: '2027-13-01'"),
])
@pytest.mark.parametrize("command", ["check", "explain", "baseline", "solve"])
def test_a_bad_instance_file_exits_2_with_one_line(tmp_path, capsys, command, content, message, files):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    _, plan = files
    capsys.readouterr()
    argv = {"check": ["check", str(bad), str(plan)], "explain": ["explain", str(bad), str(plan)],
            "baseline": ["baseline", str(bad), "-o", str(tmp_path / "x.json")],
            "solve": ["solve", str(bad), "-o", str(tmp_path / "x.json"), "--time-limit", "1"]}[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and str(bad) in err and len(err.strip().splitlines()) == 1


def test_a_bad_solution_file_exits_2(files, tmp_path, capsys):
    instance, _ = files
    capsys.readouterr()
    bad = tmp_path / "sol.json"
    bad.write_text(json.dumps({"format": "respite-stays-solution/1", "stays": [{"house": "serena"}]}))
    assert main(["check", str(instance), str(bad)]) == 2
    assert "stays[0].start: not a date" in capsys.readouterr().err


def test_the_module_runs_without_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "matching", "check", str(tmp_path / "none.json"),
                             str(tmp_path / "none.json")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "no such file" in result.stderr


def test_solve_writes_a_feasible_plan_and_shows_progress(files, tmp_path, capsys):
    instance, plan = files
    out = tmp_path / "solved.json"
    assert main(["solve", str(instance), "-o", str(out), "--time-limit", "2", "--workers", "2",
                 "--seed", "1", "--hint", str(plan)]) == 0
    err = capsys.readouterr().err
    assert "objective" in err and "bound" in err
    assert main(["check", str(instance), str(out), "--require-slots"]) == 0
    checked = _shared_checker(instance, out)
    assert checked is None or checked.returncode == 0, checked.stdout


def test_progress_keeps_the_last_objective_and_bound():
    import io

    from matching.__main__ import _Progress

    progress = _Progress(stream=io.StringIO())
    progress.update(0.5, 100, 200)
    progress.update(0.7, None, 150)
    assert (progress.objective, progress.bound) == (100, 150)
    assert "gap 33.33%" in progress.line()
