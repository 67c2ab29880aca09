"""Operations from the command line: export what a run would solve, run it, export its solution, check it."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from .conftest import CHECKER


def test_demo_then_run_then_export_gives_a_solution_the_checker_accepts(app, runner, tmp_path):
    if not CHECKER.exists():
        pytest.skip("the shared checker is not here")
    assert runner.invoke(args=["demo", "--no-print-logins"]).exit_code == 0
    instance = tmp_path / "instance.json"
    solution = tmp_path / "solution.json"
    exported = runner.invoke(args=["plan", "export-instance", "-o", str(instance)])
    assert exported.exit_code == 0, exported.output
    ran = runner.invoke(args=["plan", "run", "--time-limit", "2", "--wait"])
    assert ran.exit_code == 0, ran.output
    found = re.search(r"run (\d+) done: objective (-?\d+) bound (-?\d+|None) gap (\S+)", ran.output)
    assert found, ran.output
    run_id, objective = found.group(1), int(found.group(2))
    written = runner.invoke(args=["plan", "export-solution", run_id, "-o", str(solution)])
    assert written.exit_code == 0, written.output
    assert json.loads(solution.read_text())["objective"] == objective
    check = subprocess.run([sys.executable, str(CHECKER), str(instance), str(solution), "--json", "--require-slots"],
                           capture_output=True, text=True)
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["feasible"], report
    assert report["objective"] == objective


def test_export_solution_of_an_unknown_run_says_so(app, runner, tmp_path):
    result = runner.invoke(args=["plan", "export-solution", "999", "-o", str(tmp_path / "s.json")])
    assert result.exit_code != 0 and "no solution" in result.output


def test_the_worker_needs_redis(app, runner):
    app.config["REDIS_URL"] = ""
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


@pytest.mark.parametrize("command", [["plan", "export-instance", "-o", "{tmp}/i.json"], ["plan", "run"]])
@pytest.mark.parametrize("start, says", [("2027-13-01", "--start"), ("tomorrow", "--start"),
                                         ("9999-12-30", "horizon")])
def test_a_bad_first_day_on_the_command_line_is_a_clear_error(app, runner, tmp_path, command, start, says):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import PlanningRun

    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--start", start]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert says in result.output
    assert db.session.scalar(select(func.count(PlanningRun.id))) == 0


def test_an_export_to_a_folder_that_does_not_exist_is_a_clear_error(app, runner, tmp_path):
    result = runner.invoke(args=["plan", "export-instance", "-o", str(tmp_path / "missing" / "i.json")])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "cannot write" in result.output
