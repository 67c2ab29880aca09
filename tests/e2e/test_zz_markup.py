"""Every page the journeys visited is valid HTML by the Nu HTML checker (vnu): no duplicate ids, no required
select without an empty placeholder first, and the rest.

Runs last in tests/e2e (the file's name), over the pages the journeys of this session passed to `axe` or
`shot`. vnu.jar comes from the npm package vnu-jar, installed by `.ci/setup --test` under .venv/vnu; it needs
Java. Without either, the test skips and says why.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

VNU = Path(__file__).resolve().parents[2] / ".venv" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_visited_page_is_valid_html(visited_html, tmp_path):
    if not visited_html:
        pytest.skip("no journey ran in this session: run the whole of tests/e2e")
    if not VNU.exists() or shutil.which("java") is None:
        pytest.skip(f"the Nu HTML checker needs {VNU} (bash .ci/setup --test) and java")
    files = []
    for name, html in visited_html.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *files],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout or "{}").get("messages", [])
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages
              if m.get("type") == "error"]
    assert not errors, f"{len(errors)} markup errors on {len(files)} pages:\n" + "\n".join(errors[:60])
