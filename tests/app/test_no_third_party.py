"""No page loads anything from another host: no CDN, no web fonts, no analytics."""
import re
from pathlib import Path

from app import ROOT

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                      re.IGNORECASE)


def files(*patterns):
    for folder, pattern in patterns:
        yield from (ROOT / folder).rglob(pattern)


def test_templates_and_static_files_name_no_other_host():
    offenders = [str(path.relative_to(ROOT)) for path in files(("templates", "*.html"), ("app", "*.css"),
                                                                ("app", "*.js"), ("app", "*.svg"))
                 if EXTERNAL.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_only_link_to_another_host_on_a_page_is_the_quick_exit(client):
    page = client.get("/login").text
    links = re.findall(r"""(?:src|href|action|data-exit-url)\s*=\s*["']((?:https?:)?//[^"']+)""", page)
    assert links == [client.application.config["QUICK_EXIT_URL"]]  # where the quick exit leaves for
    assert 'rel="noreferrer"' in page
