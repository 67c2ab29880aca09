"""A wheel built from the project speaks Spanish: catalogs compiled at build time, templates inside.

Issue 17: a wheel held no compiled catalog, so an install from it served
English under `<html lang="es">`. The build step (app/_build.py) compiles the
catalogs and ships templates and migrations inside the package; a language
whose catalog is missing is said loudly at start and is not claimed by
`<html lang>`.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app import ROOT, create_app
from app.i18n import missing_catalogs, served_languages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build a wheel from a copy of the tracked files (no .mo in it), as a fresh clone would."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    src = tmp_path_factory.mktemp("clone")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file() and not name.endswith(".mo"):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(out), str(src)],
                   check=True, capture_output=True)
    return next(out.glob("respiro-*.whl"))


def test_the_wheel_holds_every_compiled_catalog_and_the_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogs = [n for n in names if n.endswith(".po")]
    assert catalogs
    assert all(n[:-3] + ".mo" in names for n in catalogs)
    assert "app/_shipped/templates/base.html" in names
    assert "app/_shipped/migrations/env.py" in names


def test_an_install_from_the_wheel_serves_spanish_under_lang_es(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "from app import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'x', 'WTF_CSRF_ENABLED': False,\n"
        "                  'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "page = app.test_client().get('/login').get_data(as_text=True)\n"
        "print(page)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert '<html lang="es">' in run.stdout
    assert "Contraseña" in run.stdout
    assert "TRANSLATIONS NOT COMPILED" not in run.stderr


def test_a_missing_catalog_is_said_loudly_and_not_claimed(tmp_path):
    folder = tmp_path / "translations"
    (folder / "es" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "es" / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n')
    assert missing_catalogs([folder]) == [folder / "es" / "LC_MESSAGES" / "messages.po"]
    assert served_languages(("es", "en"), [folder]) == {"en"}
    (folder / "es" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    assert served_languages(("es", "en"), [folder]) == {"es", "en"}


def test_html_lang_is_the_language_served(client):
    assert '<html lang="es">' in client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login?lang=en").get_data(as_text=True)
