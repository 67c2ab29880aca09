"""The wheel's build step: compiled catalogs, templates and migrations go inside the package.

`pyproject.toml` names `BuildPy` as setuptools' `build_py`. A wheel holds only
what is under `app/` and `matching/`, so without this an installed Respiro
would have no `.mo` file (English text under `<html lang="es">`), and no
templates or migrations at all. Only Babel and setuptools are needed, and both
are build requirements; nothing of the app is imported here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

SHIPPED = "_shipped"  # app/_shipped/{templates,migrations} inside an installed package


class BuildPy(build_py):
    """setuptools' build_py, then the catalogs compiled and the top-level folders copied in."""

    def run(self) -> None:
        super().run()
        if self.dry_run:
            return
        package = Path(self.build_lib) / "app"
        for po_path in package.rglob("translations/*/LC_MESSAGES/*.po"):
            compile_catalog(po_path)
        source = Path(__file__).resolve().parent.parent
        for folder in ("templates", "migrations"):
            target = package / SHIPPED / folder
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source / folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def compile_catalog(po_path: Path) -> Path:
    """Write the `.mo` beside one `.po`; a fuzzy or empty catalog still compiles, as Babel does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as handle:
        write_mo(handle, catalog)
    return mo_path
