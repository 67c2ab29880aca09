"""The CI audit wrapper: a known vulnerability fails it; an unreachable database is never a silent pass."""
import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / ".ci" / "audit"


def fake_pip_audit(tmp_path, output: str, status: int) -> Path:
    script = tmp_path / "pip-audit"
    script.write_text(f"#!/usr/bin/env bash\ncat <<'OUT'\n{output}\nOUT\nexit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def run(tmp_path, output, status, allow_offline="0"):
    env = {**os.environ, "PIP_AUDIT": str(fake_pip_audit(tmp_path, output, status)),
           "PIP_AUDIT_ALLOW_OFFLINE": allow_offline}
    return subprocess.run(["bash", str(AUDIT)], env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("allow_offline", ["0", "1"])
def test_a_known_vulnerability_fails_ci(tmp_path, allow_offline):
    found = "Name  Version ID             Fix Versions\nflask 0.12    PYSEC-2018-66  0.12.3\nFound 1 known vulnerability in 1 package"
    result = run(tmp_path, found, 1, allow_offline)
    assert result.returncode == 1


def test_nothing_found_passes(tmp_path):
    assert run(tmp_path, "No known vulnerabilities found", 0).returncode == 0


def test_an_unreachable_database_fails_unless_allowed_and_always_says_so(tmp_path):
    unreachable = "ERROR: flask: Dependency not found on PyPI and could not be audited: flask (3.1.3)"
    strict = run(tmp_path, unreachable, 1, "0")
    assert strict.returncode == 1 and "could NOT be audited" in strict.stderr
    allowed = run(tmp_path, unreachable, 1, "1")
    assert allowed.returncode == 0 and "WITHOUT a vulnerability check" in allowed.stderr


def test_a_vulnerability_among_unauditable_packages_still_fails(tmp_path):
    mixed = ("ERROR: absl-py: Dependency not found on PyPI and could not be audited: absl-py (2.5.1)\n"
             "Found 1 known vulnerability in 1 package\nflask 0.12 PYSEC-2018-66 0.12.3")
    assert run(tmp_path, mixed, 1, "1").returncode == 1
